// api/events_socket.h: the WebSocket form of GET /v1/events (event_routes.h).
//
// Authentication as every WebSocket route does it (api/socket_auth.h): the token in the
// Authorization header or the `bearer.<token>` subprotocol (a bad one is HTTP 401 before any
// upgrade), or in the first text message `{"token": "<token>"}` within `auth_timeout` of the
// handshake (a bad one closes with 1008, reason "unauthorized: ..."). Any party may subscribe.
// Bad ?after= is HTTP 400.
//
// Then the socket carries the caller's events with seq > after, in order, as text messages
// (EventToJson), first the stored ones, then live ones, without gap or duplicate. The server
// closes it:
//   - 1013 (try again later), reason "slow consumer: resume with after=<seq>", when more than
//     `max_queue` events wait to be written (the client reconnects with that after= and loses
//     nothing: events are stored);
//   - 1008, reason "party revoked", at once when the party's token is revoked;
//   - 1001 (going away) when the server stops.
// Messages from the client after authentication are ignored.
//
// Thread-safety: thread-safe (each socket runs on its connection's strand; the hub's calls take
// the socket's own lock).
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "api/http_server.h"
#include "api/reply.h"
#include "events/hub.h"
#include "parties/authenticator.h"

namespace deconflict::api {

using parties::Authenticator;
using parties::Principal;

struct EventsSocketOptions {
  // Events queued for one socket (written or not yet acknowledged by TCP) past which it is
  // closed as slow. Default: 1024.
  size_t max_queue = 1024;
  // SO_SNDBUF of each socket. The kernel's send buffer would otherwise grow to megabytes for a
  // reader that does not read, hiding it from max_queue; this bounds both memory and how late a
  // slow reader is noticed. Default: 64 KiB (0: the system's).
  int send_buffer_bytes = 64 * 1024;
  // How long a socket authenticating by its first message may take. Default: 10 s.
  std::chrono::milliseconds auth_timeout{10'000};
  // The delivery hook: called with each event for which IsDeliveryReceipted holds
  // (hotline.message) once the socket has written it to TCP, or once a GET /v1/events page
  // returned it (on an I/O thread; must not block). Default: none.
  std::function<void(const events::Event&)> on_delivered;
};

// Takes over `upgrade`'s connection: authenticates, answers the handshake, subscribes to `hub`.
// `authenticator` and `hub` must outlive every socket (the hub closes its sockets when it stops).
void ServeEventsSocket(Upgrade upgrade, Authenticator& authenticator, events::Hub& hub,
                       EventsSocketOptions options);

}  // namespace deconflict::api
