// api/tracks_socket.h: GET /v1/tracks/stream, the WebSocket form of POST /v1/tracks for feeders
// that keep a connection (live_routes.h).
//
// Authentication as for the event stream (events_socket.h): `Authorization: Bearer <token>` on
// the upgrade request, or `Sec-WebSocket-Protocol: bearer.<token>` (echoed). A bad token is HTTP
// 401 and a party that is not an operator HTTP 403, both before any upgrade.
//
// Then each text message the client sends is one batch, exactly the body of POST /v1/tracks,
// answered by one text message, exactly that route's answer ({"accepted", "refused"}), or, for a
// message that is not a batch at all, {"error": {"code", "message", "field"?}}; answers come in
// the order of the batches. A message larger than 4 MiB closes the socket (1009, message too big).
// A party revoked while connected is refused at its next batch (1008, "party revoked").
//
// Thread-safety: thread-safe (each socket runs on its connection's strand).
#pragma once

#include "api/http_server.h"
#include "common/clock.h"
#include "live/picture.h"
#include "parties/authenticator.h"

namespace deconflict::api {

// Takes over `upgrade`'s connection. Everything passed must outlive the socket.
void ServeTracksSocket(Upgrade upgrade, parties::Authenticator& authenticator,
                       live::LivePicture& picture, const Clock& clock);

}  // namespace deconflict::api
