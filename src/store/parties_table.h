// store/parties_table.h: typed store calls the parties module needs beyond those of store.h
// (which keeps InsertParty, RevokeParty and ListParties). The SQL stays in the store.
//
//   ASSIGN_OR_RETURN(std::vector<OperationRecord> live, LiveOperationsOfParty(txn, party));
//
// Thread-safety: as Txn (the writer thread, inside a unit of work).
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/ids.h"
#include "store/store.h"

namespace deconflict::store {

// The stored state of an ended operation: strategic's OperationState::kEnded by name, the one
// state that store::ListOperations(store, false) leaves out.
inline constexpr char kOperationStateEnded[] = "Ended";

// The operations of `party` whose state is not Ended, as stored in `txn` (uncommitted changes
// of the same transaction included), ordered by id. Errors are the database's.
[[nodiscard]] absl::StatusOr<std::vector<OperationRecord>> LiveOperationsOfParty(
    Txn& txn, const PartyId& party);

// The revoked parties that still have operations not Ended, ordered by id (stores written before
// revocation ended operations). Errors are the database's.
[[nodiscard]] absl::StatusOr<std::vector<PartyId>> RevokedPartiesWithLiveOperations(Txn& txn);

// Whether `party` is revoked, as this transaction sees it; nullopt when there is no such party.
[[nodiscard]] absl::StatusOr<std::optional<bool>> PartyIsRevoked(Txn& txn, const PartyId& party);
// The same list from committed data, on the store's read connection (no write, so a read-only
// store can answer). Thread-safe.
[[nodiscard]] absl::StatusOr<std::vector<PartyId>> RevokedPartiesWithLiveOperations(Store& store);

}  // namespace deconflict::store
