// store/sqlite_ledger.h: the ledger's tables in the SQLite store.
// PLACEHOLDER by the lead: entries only. The ledger engineer replaces it with the full
// implementation (tree nodes, checkpoints, cosignatures), keeping Append's signature.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/sqlite.h"

namespace deconflict::store {

// Thread-compatible; Append and FinishBatch run on the store's writer thread inside its
// transaction.
class SqliteLedger {
 public:
  // Loads (or creates, at first start) what the ledger needs from the data directory `dir`,
  // reading its tables through `db` (the writer connection).
  static absl::StatusOr<std::unique_ptr<SqliteLedger>> Open(Database& db, const std::string& dir);

  static constexpr char kSchema[] = R"sql(
CREATE TABLE ledger_entries (
  idx   INTEGER PRIMARY KEY,
  data  BLOB NOT NULL
);
)sql";

  // Appends `entry` inside the caller's open transaction on `db`; returns its index.
  absl::StatusOr<uint64_t> Append(Database& db, std::string_view entry);

  // Called once per group-commit transaction, before COMMIT: signs and stores a new checkpoint
  // when the tree grew in this transaction.
  absl::Status FinishBatch(Database& db) { return absl::OkStatus(); }

  // Drops any in-memory state derived from the tables (called after a failed commit).
  void ForgetCache() {}
};

}  // namespace deconflict::store
