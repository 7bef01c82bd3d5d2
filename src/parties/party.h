// parties/party.h: the parties module (design.md §2, §5): parties, their roles, their bearer
// tokens, and the two changes of a party's life, addition and revocation.
//
// A party is an organisation with credentials: an id chosen by the server's administrator
// ("RU", "UN-OCHA"; common/ids.h ParsePartyId), a display name and one Role. Its token is
// "dc_" followed by 43 base64url characters (32 random bytes); the store keeps only the token's
// SHA-256, so the token is shown once, when the party is added. Authentication of requests
// lives beside this file (parties/authenticator.h).
//
//   ASSIGN_OR_RETURN(PartySpec spec, ParsePartySpec("RU", "Russian Aerospace Forces", "operator"));
//   ASSIGN_OR_RETURN(NewParty added, AddParty(store, clock, spec));
//   std::cout << added.token;  // never shown again
//   ...
//   ASSIGN_OR_RETURN(Revocation revoked, RevokeParty(store, clock, spec.id));
//
// Both changes commit in one store transaction together with their ledger entries. A revocation
// also ends every live operation of the party in that transaction (one `operation.end` ledger
// entry each, committing to the ended row: store/record_digest.h), so a revoked party's
// operations no longer block anyone. Both work while a server runs on the same store (another
// process): the server's Authenticator notices through the store's data version.
//
// Dependencies: common, ledger (entry encoding), store. Nothing here knows HTTP or JSON.
// Thread-safety: the functions are thread-safe (the store serialises the writes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "store/store.h"

namespace deconflict::parties {

// ---------------------------------------------------------------------------------------------
// Roles (design.md §2)

enum class Role {
  kOperator,      // files operations, streams tracks
  kHost,          // sovereign over a territory: sees operations inside it
  kGuarantor,     // verifies incidents, co-signs the record; sees every operation whole
  kObserver,      // reads what policy allows
  kHumanitarian,  // notifies protected sites and movements
};

// Every role, in the order of design.md §2.
inline constexpr Role kAllRoles[] = {Role::kOperator, Role::kHost, Role::kGuarantor,
                                     Role::kObserver, Role::kHumanitarian};

// The role's name as written in the API, the CLI and the store: "operator", "host", ...
std::string_view RoleName(Role role);

// The role named `name` (exact, lower case). InvalidArgument naming `field` otherwise, with the
// list of valid names.
[[nodiscard]] absl::StatusOr<Role> ParseRole(std::string_view name,
                                             std::string_view field = "role");

// ---------------------------------------------------------------------------------------------
// Tokens

// "dc_" + base64url (no padding) of 32 random bytes: 46 characters.
inline constexpr std::string_view kTokenPrefix = "dc_";
inline constexpr size_t kTokenSize = 46;

// A new random token (libsodium's generator). Thread-safe.
std::string NewToken();

// True when `token` has the shape of a token NewToken makes (prefix, length, alphabet).
bool IsWellFormedToken(std::string_view token);

// SHA-256 of the token, 32 raw bytes: what the store keeps.
std::string HashToken(std::string_view token);

// ---------------------------------------------------------------------------------------------
// Adding and revoking

// A party as the administrator describes it, validated.
struct PartySpec {
  PartyId id;
  std::string name;  // 1 to 200 bytes
  Role role = Role::kObserver;
};

// Validates the three fields. InvalidArgument naming "id", "name" or "role".
[[nodiscard]] absl::StatusOr<PartySpec> ParsePartySpec(std::string_view id, std::string_view name,
                                                       std::string_view role);

struct NewParty {
  PartySpec party;
  std::string token;  // shown once
  Timestamp created_at;
  uint64_t ledger_index = 0;  // the `party.add` entry
};

// Adds a party with a new token, and its `party.add` ledger entry (which records id, name and
// role, never the token). AlreadyExists when the id is taken; the store's error otherwise.
[[nodiscard]] absl::StatusOr<NewParty> AddParty(store::Store& store, const Clock& clock,
                                                const PartySpec& party);

struct EndedOperation {
  OperationId id;
  uint64_t ledger_index = 0;  // its `operation.end` entry
};

struct Revocation {
  uint64_t ledger_index = 0;                     // the `party.revoke` entry
  std::vector<EndedOperation> ended_operations;  // ordered by id; empty when it had none
};

// Revokes the party's token and ends its live operations, all in one transaction: the
// `party.revoke` entry comes first, then one `operation.end` entry per operation (party: the
// revoked party, content digest: store::OperationRecordDigest of the ended row). Either all of
// it commits or nothing does. NotFound when there is no such party; FailedPrecondition when it
// is already revoked; the store's error otherwise.
[[nodiscard]] absl::StatusOr<Revocation> RevokeParty(store::Store& store, const Clock& clock,
                                                     const PartyId& id);

// Ends, in one transaction, the live operations of parties revoked before revocation ended them
// (stores written by older versions), as RevokeParty would have. Returns what it ended; when
// there is nothing to end, nothing is written. A server calls it at start, before loading its
// operations. The store's error otherwise.
[[nodiscard]] absl::StatusOr<std::vector<EndedOperation>> EndOperationsOfRevokedParties(
    store::Store& store, const Clock& clock);

}  // namespace deconflict::parties
