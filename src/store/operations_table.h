// store/operations_table.h: typed calls on the `operations` table, so that no module outside
// store/ writes SQL for operations (design.md §3).
//
//   ASSIGN_OR_RETURN(std::optional<OperationRecord> row, FindOperation(txn, id));   // in a write
//   ASSIGN_OR_RETURN(std::optional<OperationRecord> row, ReadOperation(store, id)); // committed
//
// Rows are stored with Txn::PutOperation (store.h). Ids are compared exactly: callers
// canonicalise them (lower-case UUIDs) before asking.
//
// Thread-safety: the Txn calls run on the writer thread inside a unit of work; the Store calls
// are thread-safe (they use the store's read connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/store.h"

namespace deconflict::store {

// The columns of `operations` in the order of OperationRecord, for SELECTs inside store/.
inline constexpr char kOperationColumns[] =
    "id, party, version, ovn, state, label, extents, request_digest, created_at, updated_at, "
    "ledger_index";
// The OperationRecord of the current row of a SELECT of kOperationColumns.
OperationRecord OperationRowOf(const Statement& st);

// The row with this id as this transaction sees it (ended operations included), or nullopt.
[[nodiscard]] absl::StatusOr<std::optional<OperationRecord>> FindOperation(Txn& txn,
                                                                           const std::string& id);

// The committed row with this id, or nullopt.
[[nodiscard]] absl::StatusOr<std::optional<OperationRecord>> ReadOperation(Store& store,
                                                                           const std::string& id);

// Every committed row not in state Ended (with `include_ended`, every row), ordered by id.
[[nodiscard]] absl::StatusOr<std::vector<OperationRecord>> ListOperations(Store& store,
                                                                          bool include_ended);
// The same on `db` (e.g. a unit of work's txn.db(), which sees the unit's own writes).
[[nodiscard]] absl::StatusOr<std::vector<OperationRecord>> ListOperationsIn(Database& db,
                                                                            bool include_ended);

// One query by `party` showed operation `operation` at `at`: adds one to their count.
struct ProbeRow {
  std::string operation;
  std::string party;
  int64_t count = 0;
  Timestamp last;
};
[[nodiscard]] absl::Status RecordProbe(Txn& txn, const std::string& operation,
                                       const std::string& party, Timestamp at);

// The probes of the operations of `owner` (committed), ordered by operation then party.
[[nodiscard]] absl::StatusOr<std::vector<ProbeRow>> ListProbes(Store& store,
                                                               const std::string& owner);

}  // namespace deconflict::store
