#include "store/parties_table.h"

#include "common/status.h"
#include "fmt/format.h"
#include "store/operations_table.h"

namespace deconflict::store {

absl::StatusOr<std::vector<OperationRecord>> LiveOperationsOfParty(Txn& txn, const PartyId& party) {
  ASSIGN_OR_RETURN(Statement st,
                   txn.db().Prepare(fmt::format(
                       "SELECT {} FROM operations WHERE party = ?1 AND state != ?2 ORDER BY id",
                       kOperationColumns)));
  st.Bind(1, party.value());
  st.Bind(2, kOperationStateEnded);
  std::vector<OperationRecord> live;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    live.push_back(OperationRowOf(st));
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

absl::StatusOr<std::optional<bool>> PartyIsRevoked(Txn& txn, const PartyId& party) {
  ASSIGN_OR_RETURN(Statement st, txn.db().Prepare("SELECT revoked_at FROM parties WHERE id = ?1"));
  st.Bind(1, party.value());
  ASSIGN_OR_RETURN(bool exists, st.Step());
  if (!exists) return std::optional<bool>();
  return std::optional<bool>(!st.ColumnIsNull(0));
}

}  // namespace deconflict::store
