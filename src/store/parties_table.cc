#include "store/parties_table.h"

#include "common/status.h"

namespace deconflict::store {

absl::StatusOr<std::vector<OperationRecord>> LiveOperationsOfParty(Txn& txn, const PartyId& party) {
  // The columns in the order of OperationRecord (store.cc writes them in the same order).
  ASSIGN_OR_RETURN(
      Statement st,
      txn.db().Prepare("SELECT id, party, version, ovn, state, label, extents, "
                       "request_digest, created_at, updated_at, ledger_index "
                       "FROM operations WHERE party = ?1 AND state != ?2 ORDER BY id"));
  st.Bind(1, party.value());
  st.Bind(2, kOperationStateEnded);
  auto at = [](int64_t micros) { return Timestamp(std::chrono::microseconds(micros)); };
  std::vector<OperationRecord> live;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    live.push_back(OperationRecord{.id = st.ColumnText(0),
                                   .party = st.ColumnText(1),
                                   .version = st.ColumnInt(2),
                                   .ovn = st.ColumnText(3),
                                   .state = st.ColumnText(4),
                                   .label = st.ColumnText(5),
                                   .extents = st.ColumnText(6),
                                   .request_digest = st.ColumnBlob(7),
                                   .created_at = at(st.ColumnInt(8)),
                                   .updated_at = at(st.ColumnInt(9)),
                                   .ledger_index = st.ColumnInt(10)});
  }
  return live;
}

namespace {

absl::StatusOr<std::vector<PartyId>> RevokedPartiesWithLiveOperations(Database& db) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT DISTINCT p.id FROM parties p JOIN operations o "
                                            "ON o.party = p.id WHERE p.revoked_at IS NOT NULL "
                                            "AND o.state != ?1 ORDER BY p.id"));
  st.Bind(1, kOperationStateEnded);
  std::vector<PartyId> parties;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    parties.push_back(PartyId(st.ColumnText(0)));
  }
  return parties;
}

}  // namespace

absl::StatusOr<std::vector<PartyId>> RevokedPartiesWithLiveOperations(Txn& txn) {
  return RevokedPartiesWithLiveOperations(txn.db());
}

absl::StatusOr<std::vector<PartyId>> RevokedPartiesWithLiveOperations(Store& store) {
  return store.WithReader([](Database& db) { return RevokedPartiesWithLiveOperations(db); });
}

}  // namespace deconflict::store
