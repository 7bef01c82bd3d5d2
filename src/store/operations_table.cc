#include "store/operations_table.h"

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::store {
namespace {}  // namespace

OperationRecord OperationRowOf(const Statement& st) {
  return OperationRecord{.id = st.ColumnText(0),
                         .party = st.ColumnText(1),
                         .version = st.ColumnInt(2),
                         .ovn = st.ColumnText(3),
                         .state = st.ColumnText(4),
                         .label = st.ColumnText(5),
                         .extents = st.ColumnText(6),
                         .request_digest = st.ColumnBlob(7),
                         .created_at = FromMicros(st.ColumnInt(8)),
                         .updated_at = FromMicros(st.ColumnInt(9)),
                         .ledger_index = st.ColumnInt(10)};
}

namespace {

absl::StatusOr<std::optional<OperationRecord>> One(Statement& st, const std::string& id) {
  st.Bind(1, id);
  absl::StatusOr<bool> row = st.Step();
  std::optional<OperationRecord> out;
  if (row.ok() && *row) out = OperationRowOf(st);
  st.Reset();  // no statement stays open across a unit of work
  if (!row.ok()) return row.status();
  return out;
}

}  // namespace

absl::StatusOr<std::optional<OperationRecord>> FindOperation(Txn& txn, const std::string& id) {
  ASSIGN_OR_RETURN(
      Statement * st,
      txn.db().Cached(fmt::format("SELECT {} FROM operations WHERE id = ?1", kOperationColumns)));
  return One(*st, id);
}

absl::StatusOr<std::optional<OperationRecord>> ReadOperation(Store& store, const std::string& id) {
  return store.WithReader([&](Database& db) -> absl::StatusOr<std::optional<OperationRecord>> {
    ASSIGN_OR_RETURN(Statement st, db.Prepare(fmt::format("SELECT {} FROM operations WHERE id = ?1",
                                                          kOperationColumns)));
    return One(st, id);
  });
}

absl::StatusOr<std::vector<OperationRecord>> ListOperations(Store& store, bool include_ended) {
  return store.WithReader([&](Database& db) { return ListOperationsIn(db, include_ended); });
}

absl::StatusOr<std::vector<OperationRecord>> ListOperationsIn(Database& db, bool include_ended) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare(fmt::format(
                                     "SELECT {} FROM operations {} ORDER BY id", kOperationColumns,
                                     include_ended ? "" : "WHERE state != 'Ended'")));
  std::vector<OperationRecord> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    rows.push_back(OperationRowOf(st));
  }
  return rows;
}

absl::Status RecordProbe(Txn& txn, const std::string& operation, const std::string& party,
                         Timestamp at) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("INSERT INTO probes(operation, party, count, last_at) "
                                   "VALUES(?1, ?2, 1, ?3) ON CONFLICT(operation, party) DO UPDATE "
                                   "SET count = count + 1, last_at = excluded.last_at"));
  st->Bind(1, operation);
  st->Bind(2, party);
  st->Bind(3, static_cast<int64_t>(at.time_since_epoch().count()));
  absl::Status status = st->Run();
  st->Reset();
  return status;
}

absl::StatusOr<std::vector<ProbeRow>> ListProbes(Store& store, const std::string& owner) {
  return store.WithReader([&](Database& db) -> absl::StatusOr<std::vector<ProbeRow>> {
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("SELECT p.operation, p.party, p.count, p.last_at FROM probes p "
                                "JOIN operations o ON o.id = p.operation WHERE o.party = ?1 "
                                "ORDER BY p.operation, p.party"));
    st.Bind(1, owner);
    std::vector<ProbeRow> rows;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      rows.push_back(ProbeRow{.operation = st.ColumnText(0),
                              .party = st.ColumnText(1),
                              .count = st.ColumnInt(2),
                              .last = FromMicros(st.ColumnInt(3))});
    }
    return rows;
  });
}

}  // namespace deconflict::store
