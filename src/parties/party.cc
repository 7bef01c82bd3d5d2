#include "parties/party.h"

#include <optional>

#include "common/digest.h"
#include "common/status.h"
#include "events/event_log.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "store/parties_table.h"
#include "store/record_digest.h"

namespace deconflict::parties {

// ---------------------------------------------------------------------------------------------
// Roles

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOperator:
      return "operator";
    case Role::kHost:
      return "host";
    case Role::kGuarantor:
      return "guarantor";
    case Role::kObserver:
      return "observer";
    case Role::kHumanitarian:
      return "humanitarian";
  }
  // Invariant: the switch covers every enumerator (-Wswitch warns otherwise); a value outside
  // them can only come from a cast, which nothing does.
  return "unknown";
}

absl::StatusOr<Role> ParseRole(std::string_view name, std::string_view field) {
  for (Role role : kAllRoles) {
    if (name == RoleName(role)) return role;
  }
  return InvalidField(field, fmt::format("'{}' is not one of operator, host, guarantor, "
                                         "observer, humanitarian",
                                         name));
}

// ---------------------------------------------------------------------------------------------
// Tokens

namespace {
// The random part of a token; its base64url text fills kTokenSize after the prefix.
constexpr size_t kTokenBytes = 32;
static_assert(kTokenPrefix.size() + (kTokenBytes * 4 + 2) / 3 == kTokenSize);
}  // namespace

std::string NewToken() { return std::string(kTokenPrefix) + Base64Url(RandomBytes(kTokenBytes)); }

bool IsWellFormedToken(std::string_view token) {
  if (token.size() != kTokenSize || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return false;
  }
  // Strict decoding: only the text NewToken can produce for some 32 bytes is well formed.
  const std::optional<std::string> bytes = FromBase64Url(token.substr(kTokenPrefix.size()));
  return bytes.has_value() && bytes->size() == kTokenBytes;
}

std::string HashToken(std::string_view token) { return Sha256(token); }

// ---------------------------------------------------------------------------------------------
// Adding

absl::StatusOr<PartySpec> ParsePartySpec(std::string_view id, std::string_view name,
                                         std::string_view role) {
  absl::StatusOr<PartyId> party_id = ParsePartyId(id);
  if (!party_id.ok()) return InvalidField("id", std::string(party_id.status().message()));
  if (name.empty() || name.size() > 200)
    return InvalidField("name", "must have 1 to 200 characters");
  ASSIGN_OR_RETURN(Role parsed_role, ParseRole(role, "role"));
  return PartySpec{.id = *std::move(party_id), .name = std::string(name), .role = parsed_role};
}

absl::StatusOr<NewParty> AddParty(store::Store& store, const Clock& clock, const PartySpec& party) {
  NewParty added{.party = party, .token = NewToken(), .created_at = clock.Now()};
  const store::PartyRecord record{.id = party.id.value(),
                                  .name = party.name,
                                  .role = std::string(RoleName(party.role)),
                                  .token_hash = HashToken(added.token),
                                  .created_at = added.created_at};
  RETURN_IF_ERROR(store.Write([&](store::Txn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.InsertParty(record));
    // The ledger records who the party is, never its token (store/record_digest.h).
    ASSIGN_OR_RETURN(added.ledger_index, txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                             .party = record.id,
                                             .action = ledger::kActionPartyAdd,
                                             .object_id = record.id,
                                             .content_digest = store::PartyRecordDigest(record),
                                             .server_time = added.created_at})));
    return absl::OkStatus();
  }));
  return added;
}

// ---------------------------------------------------------------------------------------------
// Revoking

namespace {

// Ends one live operation of a revoked party inside `txn`, as strategic's End would: a new
// version and OVN in state Ended, and its `operation.end` entry committing to the ended row.
absl::StatusOr<EndedOperation> EndOperation(store::Txn& txn, store::OperationRecord record,
                                            Timestamp now) {
  record.version += 1;
  record.ovn = NewUuid();
  record.state = store::kOperationStateEnded;
  record.updated_at = now;
  ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                       .party = record.party,
                                       .action = ledger::kActionOperationEnd,
                                       .object_id = record.id,
                                       .content_digest = store::OperationRecordDigest(record),
                                       .server_time = now})));
  record.ledger_index = static_cast<int64_t>(index);
  RETURN_IF_ERROR(txn.PutOperation(record));
  return EndedOperation{.id = OperationId(record.id), .ledger_index = index};
}

// Ends every live operation of `party` inside `txn`, appending them to `ended` by id.
absl::Status EndLiveOperations(store::Txn& txn, const PartyId& party, Timestamp now,
                               std::vector<EndedOperation>& ended) {
  // Read inside the transaction: no operation of the party can change between the read and
  // the writes (the store's writer and other processes are serialised by SQLite's lock).
  ASSIGN_OR_RETURN(std::vector<store::OperationRecord> live,
                   store::LiveOperationsOfParty(txn, party));
  for (store::OperationRecord& record : live) {
    ASSIGN_OR_RETURN(EndedOperation one, EndOperation(txn, std::move(record), now));
    ended.push_back(std::move(one));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Revocation> RevokeParty(store::Store& store, const Clock& clock, const PartyId& id) {
  const Timestamp now = clock.Now();
  Revocation revocation;
  RETURN_IF_ERROR(store.Write([&](store::Txn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.RevokeParty(id.value(), now));
    ASSIGN_OR_RETURN(
        revocation.ledger_index,
        txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{.party = id.value(),
                                                           .action = ledger::kActionPartyRevoke,
                                                           .object_id = id.value(),
                                                           .content_digest = Sha256(id.value()),
                                                           .server_time = now})));
    RETURN_IF_ERROR(EndLiveOperations(txn, id, now, revocation.ended_operations));
    // party.revoked to every party (the revoked one included, so its sockets close), in this
    // transaction (events/event_log.h); the running server's hub reads it from the store.
    return events::EventLog(clock).AppendPartyRevoked(txn, id);
  }));
  return revocation;
}

absl::StatusOr<std::vector<EndedOperation>> EndOperationsOfRevokedParties(store::Store& store,
                                                                          const Clock& clock) {
  // Read first, so that a store with nothing to end (every store this version wrote) is not
  // written to: a server can still start on a read-only store.
  ASSIGN_OR_RETURN(std::vector<PartyId> revoked, store::RevokedPartiesWithLiveOperations(store));
  if (revoked.empty()) return std::vector<EndedOperation>();
  const Timestamp now = clock.Now();
  std::vector<EndedOperation> ended;
  RETURN_IF_ERROR(store.Write([&](store::Txn& txn) -> absl::Status {
    // Again inside the transaction, which is what counts.
    ASSIGN_OR_RETURN(std::vector<PartyId> to_end, store::RevokedPartiesWithLiveOperations(txn));
    for (const PartyId& id : to_end) RETURN_IF_ERROR(EndLiveOperations(txn, id, now, ended));
    return absl::OkStatus();
  }));
  return ended;
}

}  // namespace deconflict::parties
