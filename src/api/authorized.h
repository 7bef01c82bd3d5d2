// api/authorized.h: the one place where an HTTP route authenticates its caller and checks its
// role, for every /v1 route (routes.cc, ledger_http.cc, event_routes.cc). Handlers answer an
// absl::StatusOr<Reply>: an error Status becomes the error reply of design.md §5 here, once.
//
//   router.Add("GET", "/v1/me", Authorized(authenticator, Access::kAnyParty,
//       SyncHandler([](const Request&, const Principal& who) -> ReplyOr { ... })));
//
// Authentication failures answer 401 (parties/authenticator.h says why); a party whose role
// may not call the route answers 403 naming its role.
#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "api/http_server.h"
#include "api/reply.h"
#include "parties/authenticator.h"

namespace deconflict::api {

using ReplyOr = absl::StatusOr<Reply>;
using Answer = std::function<void(ReplyOr)>;
using SyncHandler = std::function<ReplyOr(const Request&, const parties::Principal&)>;
using AsyncHandler = std::function<void(const Request&, const parties::Principal&, Answer)>;

// Who may call a route.
enum class Access {
  kAnyParty,      // any party with a valid token
  kOperator,      // only parties with the `operator` role (they file operations)
  kHumanitarian,  // only parties with the `humanitarian` role (they notify sites and movements)
  kGuarantor,     // only parties with the `guarantor` role (they record findings on incidents)
};

// OK when `who` may call a route of `access`; PermissionDenied naming its role otherwise (the
// one rule for HTTP and WebSocket routes, api/socket_auth.h).
[[nodiscard]] absl::Status CheckAccess(const parties::Principal& who, Access access);

// The error reply of a failed StatusOr, or the reply itself.
Reply ToReply(ReplyOr reply);

// Authenticates the request's bearer token with `authenticator` (which must outlive the
// handler), checks `access`, then calls `inner`.
Handler Authorized(parties::Authenticator& authenticator, Access access, AsyncHandler inner);
Handler Authorized(parties::Authenticator& authenticator, Access access, SyncHandler inner);

// A route open to anyone (health, version, the OpenAPI document); the second form answers later
// (health waits for the store's writer).
Handler Open(std::function<ReplyOr(const Request&)> inner);
Handler Open(std::function<void(const Request&, Answer)> inner);

}  // namespace deconflict::api
