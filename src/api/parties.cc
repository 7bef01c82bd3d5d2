#include "api/parties.h"

#include "common/digest.h"
#include "common/ids.h"
#include "common/status.h"
#include "events/event_log.h"
#include "fmt/format.h"
#include "ledger/entry.h"

namespace deconflict::api {

bool IsRole(std::string_view role) {
  for (const char* r : kRoles) {
    if (role == r) return true;
  }
  return false;
}

std::string HashToken(std::string_view token) { return Sha256(token); }

absl::StatusOr<NewParty> AddParty(store::Store& store, const Clock& clock, const std::string& id,
                                  const std::string& name, const std::string& role) {
  absl::StatusOr<PartyId> party_id = ParsePartyId(id);
  if (!party_id.ok()) return InvalidField("id", std::string(party_id.status().message()));
  if (name.empty() || name.size() > 200) return InvalidField("name", "must have 1 to 200 characters");
  if (!IsRole(role)) {
    return InvalidField("role", fmt::format("'{}' is not one of operator, host, guarantor, "
                                            "observer, humanitarian", role));
  }
  NewParty added;
  added.token = "dc_" + Base64UrlEncode(RandomBytes(32));
  added.record = store::PartyRecord{.id = id, .name = name, .role = role,
                                    .token_hash = HashToken(added.token), .created_at = clock.Now()};
  RETURN_IF_ERROR(store.Write([&](store::Txn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.InsertParty(added.record));
    // The ledger records who the party is, never its token.
    std::string content = fmt::format("{}\n{}\n{}", id, name, role);
    ASSIGN_OR_RETURN(added.ledger_index,
                     txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                         .party = id, .action = ledger::kActionPartyAdd, .object_id = id,
                         .content_digest = Sha256(content), .server_time = added.record.created_at})));
    return absl::OkStatus();
  }));
  return added;
}

absl::StatusOr<uint64_t> RevokeParty(store::Store& store, const Clock& clock, const std::string& id) {
  uint64_t index = 0;
  const Timestamp now = clock.Now();
  RETURN_IF_ERROR(store.Write([&](store::Txn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.RevokeParty(id, now));
    ASSIGN_OR_RETURN(index, txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                .party = id, .action = ledger::kActionPartyRevoke, .object_id = id,
                                .content_digest = Sha256(id), .server_time = now})));
    // party.revoked for every party, in this transaction (events/event_log.h).
    return events::EventLog(clock).AppendPartyRevoked(txn, PartyId(id));
  }));
  return index;
}

absl::Status Authenticator::RefreshIfChanged() {
  ASSIGN_OR_RETURN(int64_t version, store_.DataVersion());
  {
    std::shared_lock lock(mu_);
    if (version == data_version_) return absl::OkStatus();
  }
  std::lock_guard refresh(refresh_mu_);
  // Read the version again under the refresh lock: the list read below is at least this new.
  ASSIGN_OR_RETURN(version, store_.DataVersion());
  {
    std::shared_lock lock(mu_);
    if (version == data_version_) return absl::OkStatus();  // another thread refreshed
  }
  ASSIGN_OR_RETURN(std::vector<store::PartyRecord> parties, store_.ListParties());
  absl::flat_hash_map<std::string, Principal> by_hash;
  for (const store::PartyRecord& p : parties) {
    by_hash[p.token_hash] = Principal{.party = p.id, .role = p.revoked_at ? "" : p.role};
  }
  std::unique_lock lock(mu_);
  by_hash_ = std::move(by_hash);
  data_version_ = version;
  return absl::OkStatus();
}

absl::StatusOr<Principal> Authenticator::Authenticate(std::string_view header) {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) {
    return absl::UnauthenticatedError("missing Authorization header: send 'Authorization: Bearer <token>'");
  }
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer) {
    return absl::UnauthenticatedError("Authorization header must be 'Bearer <token>'");
  }
  if (absl::Status s = RefreshIfChanged(); !s.ok()) {
    return absl::UnavailableError(fmt::format("cannot read parties: {}", s.message()));
  }
  std::string hash = HashToken(header.substr(kBearer.size()));
  std::shared_lock lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return absl::UnauthenticatedError("unknown token");
  if (it->second.role.empty()) {
    return absl::UnauthenticatedError(fmt::format("the token of party {} has been revoked", it->second.party));
  }
  return it->second;
}

}  // namespace deconflict::api
