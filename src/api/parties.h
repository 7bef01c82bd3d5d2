// api/parties.h: parties, their roles and their bearer tokens (design.md §2, §5).
//
// A token is "dc_" followed by 43 characters of base64url (32 random bytes). Only its SHA-256 is
// stored; the token itself is shown once, when the party is added.
//
//   ASSIGN_OR_RETURN(NewParty added, AddParty(store, clock, "RU", "Russian Aerospace Forces", "operator"));
//   std::cout << added.token;  // never shown again
//
//   Authenticator auth(store);
//   ASSIGN_OR_RETURN(Principal who, auth.Authenticate("Bearer dc_..."));
//
// Party changes work while the server runs (another process writes the same store): the
// authenticator reloads its table whenever the store's data version changes, so a revoked token
// stops working at the next request.
#pragma once

#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "store/store.h"

namespace deconflict::api {

// The roles of design.md §2.
inline constexpr const char* kRoles[] = {"operator", "host", "guarantor", "observer", "humanitarian"};
bool IsRole(std::string_view role);

struct NewParty {
  store::PartyRecord record;
  std::string token;       // shown once
  uint64_t ledger_index;   // the ledger entry recording the addition
};

// Adds a party. InvalidArgument naming --id/--name/--role; AlreadyExists if the id is taken.
absl::StatusOr<NewParty> AddParty(store::Store& store, const Clock& clock, const std::string& id,
                                  const std::string& name, const std::string& role);

// Revokes a party's token at once. Returns the ledger index. NotFound, FailedPrecondition.
absl::StatusOr<uint64_t> RevokeParty(store::Store& store, const Clock& clock, const std::string& id);

// Who made a request.
struct Principal {
  std::string party;
  std::string role;
};

// Checks bearer tokens against the store. Thread-safe.
class Authenticator {
 public:
  explicit Authenticator(store::Store& store) : store_(store) {}

  // Unauthenticated with a message saying what is wrong (no header, not Bearer, unknown or
  // revoked token). Unavailable when the store cannot be read.
  absl::StatusOr<Principal> Authenticate(std::string_view authorization_header);

 private:
  absl::Status RefreshIfChanged() ABSL_LOCKS_EXCLUDED(mu_);

  store::Store& store_;
  // Standard locks rather than absl::Mutex so that the tsan preset sees them (Debian's Abseil
  // is not TSan-instrumented).
  std::mutex refresh_mu_;  // one refresh at a time, so an older list never replaces a newer
  std::shared_mutex mu_;
  int64_t data_version_ ABSL_GUARDED_BY(mu_) = -1;
  // token hash -> principal, revoked parties included with an empty role
  absl::flat_hash_map<std::string, Principal> by_hash_ ABSL_GUARDED_BY(mu_);
};

std::string HashToken(std::string_view token);

}  // namespace deconflict::api
