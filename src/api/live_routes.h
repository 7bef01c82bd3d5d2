// api/live_routes.h: the routes of the live picture (live/picture.h), all behind the one
// Authorized wrapper (api/authorized.h) and listed in openapi.json.
//
//   POST /v1/tracks                    operators: a batch of reports (api/track_json.h); 200
//                                      {"accepted", "refused": [{"index", "field", "message"}]}
//   GET  /v1/tracks/stream             operators: the same batches over a WebSocket, one text
//                                      message each, each answered by one result message
//   GET  /v1/tracks?limit=&cursor=     the tracks the caller may see, by (party, id), paged
//   GET  /v1/tracks/history?area=LAT_MIN,LNG_MIN,LAT_MAX,LNG_MAX&from=&to=&limit=&cursor=
//                                      downsampled positions the caller may see; from/to RFC 3339
//                                      (default: the last hour; at most 24 h apart)
//   GET  /v1/encounters?state=open|closed|all&limit=&cursor=
//   GET  /v1/encounters/{id}
//   POST /v1/encounters/{id}/ack       a party of the encounter: {} or {"signature" (base64),
//                                      "key_id"?, "signed_at"}; 201 first time, 200 after
//   GET  /v1/live/stats                cycles, cycle time p50/p99, tracks, open encounters
//
// Lists take `limit` (default 100, at most 1000; tracks: default 1000, at most 10,000) and an
// opaque `cursor`, and answer `next_cursor` while more remain.
#pragma once

#include "api/http_server.h"
#include "api/routes.h"
#include "common/clock.h"
#include "live/picture.h"
#include "parties/authenticator.h"

namespace deconflict::api {

// Adds the routes above. Everything passed must outlive the router.
// `territory_of` (may be empty) gives a host's territory: GET /v1/tracks then also shows it
// other parties' aircraft inside it ("in_territory": true, no callsign).
void AddLiveRoutes(Router& router, parties::Authenticator& authenticator,
                   live::LivePicture& picture, const Clock& clock, TerritoryOf territory_of = {});

// Applies one POST /v1/tracks body for `party` (also used by the WebSocket stream and tests).
// The answer's JSON, or the body's error (InvalidArgument, LimitExceeded).
[[nodiscard]] absl::StatusOr<boost::json::value> IngestTrackBatch(live::LivePicture& picture,
                                                                  const Clock& clock,
                                                                  const PartyId& party,
                                                                  std::string_view body);

}  // namespace deconflict::api
