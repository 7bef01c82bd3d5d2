// parties/authenticator.h: who made a request, from its `Authorization: Bearer <token>` header
// (design.md §5).
//
//   Authenticator auth(store, {.on_revoked = [&](const std::vector<PartyId>& gone) {...}});
//   RETURN_IF_ERROR(auth.Refresh());  // optional: read the parties now rather than at first use
//   ASSIGN_OR_RETURN(Principal who, auth.Authenticate("Bearer dc_..."));
//   if (who.role == Role::kOperator) ...
//
// The authenticator keeps the table of token hashes in memory and reads it again whenever the
// store's data version (PRAGMA data_version) changes, so parties added or revoked by another
// process (`deconflict party add|revoke` while the server runs) count from the next request:
// a revoked token stops at once, without a restart.
//
// Thread-safety: thread-safe. Refreshes run one at a time; a request that sees a changed data
// version waits for the refresh (and its on_revoked call) to finish before it is answered.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/ids.h"
#include "common/mutex.h"
#include "parties/party.h"
#include "store/store.h"

namespace deconflict::parties {

// Who made a request: an active party and its role.
struct Principal {
  PartyId party;
  Role role = Role::kObserver;

  bool operator==(const Principal&) const = default;
};

struct AuthenticatorOptions {
  // Called when a refresh finds parties revoked since the previous refresh (by any process),
  // with their ids, before any request that saw the new data version is answered: a server uses
  // it to drop the revoked parties' operations from memory. Not called at the first refresh
  // (which has nothing to compare with). Runs on the refreshing thread, one call at a time, and
  // may block; it must not call back into the authenticator. Default: none.
  std::function<void(const std::vector<PartyId>& revoked)> on_revoked;
};

class Authenticator {
 public:
  // `store` must outlive the authenticator.
  explicit Authenticator(store::Store& store, AuthenticatorOptions options = {});
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Reads the parties table if the store changed since the last read. Returns the store's error
  // when it cannot be read, DataLoss when a stored party has an unknown role.
  [[nodiscard]] absl::Status Refresh() ABSL_LOCKS_EXCLUDED(mu_, refresh_mu_);

  // The active party whose token the header carries. Unauthenticated, with a message saying what
  // is wrong: no header, not "Bearer <token>", not a token's shape, unknown token, revoked
  // party. Unavailable (generic message; the log has the cause) when the parties cannot be read.
  [[nodiscard]] absl::StatusOr<Principal> Authenticate(std::string_view authorization_header)
      ABSL_LOCKS_EXCLUDED(mu_, refresh_mu_);

 private:
  struct Holder {
    Principal principal;
    bool revoked = false;
  };

  store::Store& store_;
  const AuthenticatorOptions options_;
  // common/mutex.h rather than absl::Mutex so that the tsan preset sees them (Debian's Abseil
  // is not TSan-instrumented) and clang's -Wthread-safety checks the annotations.
  Mutex refresh_mu_;  // one refresh at a time, so an older list never replaces a newer
  Mutex mu_;
  int64_t data_version_ ABSL_GUARDED_BY(mu_) = -1;                         // -1: never read
  absl::flat_hash_map<std::string, Holder> by_hash_ ABSL_GUARDED_BY(mu_);  // token hash ->
};

}  // namespace deconflict::parties
