// api/event_routes.h: GET /v1/events, as a WebSocket (events_socket.h) or as a page.
//
//   GET /v1/events?after=<seq>&limit=<n>      -> {"events": [...], "next_after": n}
//   GET /v1/events?after=<seq>  + Upgrade     -> a WebSocket pushing the same events, one JSON
//                                                text message each, then live ones
//
// Each event is {"seq", "type", "time", ...fields of its type} (EventToJson); the caller gets
// only its own party's events. `after` defaults to 0 (from the first event); `limit` to 100, at
// most 1000 (more is 413).
//
// Thread-safety: the handlers are thread-safe; `hub`, `authenticator` must outlive the router.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "api/events_socket.h"
#include "api/http_server.h"
#include "boost/json.hpp"
#include "events/event.h"
#include "events/hub.h"
#include "parties/authenticator.h"

namespace deconflict::api {

using parties::Authenticator;
using parties::Principal;

// {"seq", "type", "time"} plus, by type:
//   operation.conflict: "operation", "party", "ovn", "your_operation", "overlap" (the shape of
//                       geo::OverlapToJson, as in an operation's "conflicts")
//   operation.ended:    "operation", "party"
//   party.revoked:      "party"
//   encounter.*:        api/live_json.h
//   hotline.*:          api/hotline_json.h
boost::json::object EventToJson(const events::Event& event);

// True for the events whose handing over to their recipient is recorded as a delivery
// (hotline.message, humanitarian.notified): EventsSocketOptions::on_delivered is called for
// them.
bool IsDeliveryReceipted(const events::Event& event);

// Parses ?after= (absent: 0). InvalidArgument naming "after" unless a non-negative integer.
[[nodiscard]] absl::StatusOr<int64_t> ParseAfter(const Request& request);

void AddEventRoutes(Router& router, Authenticator& authenticator, events::Hub& hub,
                    EventsSocketOptions socket_options);

}  // namespace deconflict::api
