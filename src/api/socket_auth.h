// api/socket_auth.h: the one way a WebSocket route (GET /v1/events, GET /v1/tracks/stream, and
// every later one) learns who is calling; api/authorized.h is its counterpart for plain HTTP
// routes and shares its access rule (CheckAccess).
//
// The party's bearer token never travels in the URL (URLs end up in logs). It comes:
//   1. in `Authorization: Bearer <token>` on the upgrade request (programs), or
//   2. in `Sec-WebSocket-Protocol: bearer.<token>` (browsers cannot set headers); the server
//      must echo that subprotocol in its handshake answer (RFC 6455): AnswerHandshakeWith, or
//   3. where the route allows it, in the first text message `{"token": "<token>"}`
//      (AuthenticateTokenMessage).
// A bad token in 1 or 2 is refused as plain HTTP before any upgrade (RefuseUpgrade with the
// 401/403 of ErrorReply); a bad first message closes the socket with 1008 and a reason starting
// "unauthorized: ".
//
//   UpgradeCredentials credentials = CredentialsOf(upgrade.request, upgrade.raw);
//   absl::StatusOr<Principal> who = AuthenticateUpgrade(authenticator, credentials,
//                                                       Access::kOperator);
//   if (!who.ok()) return RefuseUpgrade(ws, raw.version(), ErrorReply(who.status()), self);
//   AnswerHandshakeWith(ws, credentials.protocol);
//
// Thread-safe (pure functions over their arguments; the authenticator is thread-safe).
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "api/authorized.h"
#include "api/http_server.h"
#include "api/reply.h"
#include "parties/authenticator.h"

namespace deconflict::api {

inline constexpr std::string_view kBearerProtocol = "bearer.";

using RawRequest = boost::beast::http::request<boost::beast::http::string_body>;
using WebSocket = boost::beast::websocket::stream<boost::beast::tcp_stream>;

// What the upgrade request carries.
struct UpgradeCredentials {
  // "Bearer <token>" from the Authorization header (1) or the subprotocol (2); empty when the
  // upgrade carries neither (the token may then come in the first message, 3).
  std::string authorization;
  // The "bearer.<token>" subprotocol to echo in the handshake answer (2), or empty.
  std::string protocol;
};

// The Authorization header wins over the subprotocol when both are present.
UpgradeCredentials CredentialsOf(const Request& request, const RawRequest& raw);

// The first "bearer.<token>" item of the request's Sec-WebSocket-Protocol, or empty.
std::string BearerProtocol(const RawRequest& raw);

// Authenticates 1 or 2 and checks `access` as Authorized does: Unauthenticated (401) when the
// upgrade carries no valid token, PermissionDenied (403) naming the role when it may not.
[[nodiscard]] absl::StatusOr<parties::Principal> AuthenticateUpgrade(
    parties::Authenticator& authenticator, const UpgradeCredentials& credentials, Access access);

// Authenticates 3: `message` must be a JSON object with a string "token". Unauthenticated with
// a message saying what was wrong ("the first message must be {"token": "<token>"}", or the
// authenticator's reason), to be sent as the close reason after "unauthorized: ".
[[nodiscard]] absl::StatusOr<parties::Principal> AuthenticateTokenMessage(
    parties::Authenticator& authenticator, std::string_view message, Access access);

// Sets the handshake answer's headers: `Server: deconflict` and, when not empty, the echoed
// subprotocol. Call before async_accept.
void AnswerHandshakeWith(WebSocket& ws, const std::string& protocol);

// Answers a refused upgrade request with `reply` as plain HTTP (HTTP `version`), then shuts the
// connection down for sending. `keep_alive` (the socket object owning `ws`) is held until then.
void RefuseUpgrade(WebSocket& ws, unsigned version, Reply reply, std::shared_ptr<void> keep_alive);

}  // namespace deconflict::api
