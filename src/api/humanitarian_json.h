// api/humanitarian_json.h: the JSON of humanitarian notifications (humanitarian/humanitarian.h):
// request bodies read strictly (unknown fields refused, every error naming its field) and the
// views the routes answer. Geometry is GeoJSON (RFC 7946): positions are [longitude, latitude]
// (an optional third number, an altitude, is ignored).
//
//   site body      {"kind", "name", "location": Point | Polygon (one closed ring, no holes),
//                   "buffer_m"? (300), "valid_from", "valid_to", "recipients", "notes"?,
//                   "escalation_channel"?}
//   movement body  {"route": LineString, "corridor_m"? (500), "time_start", "time_end",
//                   "vehicles"?, "markings"?, "name"?, "recipients", "escalation_channel"?}
//   place          the body's fields + {"id", "type": "site"|"movement", "version", "ovn",
//                   "notifier", "change", "created_at", "ack_deadline", "digest", "ledger_index",
//                   "overdue_at"?, "escalated_to"?, "settled_at"?, "ack_statement": {"kind",
//                   "object_id", "object_digest"}}: what a recipient signs
//   view (GET)     place + {"live", "recipient_status": [{"party", "delivered_at"?,
//                   "acknowledged_at"?, "signature_valid", "key_id"?}], "history": [place]}
//   geojson        a FeatureCollection of places: geometry + "id" + properties (place fields)
//   events         humanitarian.*: {"kind", "id", "version", "ovn", "notifier", ...}
//
// Thread-safe (pure functions).
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/json.hpp"
#include "events/event.h"
#include "humanitarian/humanitarian.h"

namespace deconflict::api {

// The body of PUT /v1/sites/{id} (kSite) or /v1/movements/{id} (kMovement), for place `id`.
[[nodiscard]] absl::StatusOr<humanitarian::NotificationRequest> ReadNotification(
    humanitarian::Kind kind, std::string_view id, const boost::json::value& body);
// The same from a parsed GeoJSON Feature (sites import): properties hold the body's other fields
// and "id" (or the feature's "id"); `path` prefixes field names ("features[3]").
[[nodiscard]] absl::StatusOr<humanitarian::NotificationRequest> ReadNotificationFeature(
    humanitarian::Kind kind, const boost::json::value& feature, std::string_view path);

// The body of PUT for `request` (what ReadNotification reads back to an equal request).
boost::json::object NotificationBody(const humanitarian::NotificationRequest& request);

// Empty, {} or {"signature" (base64), "key_id"?, "signed_at", "version"?}.
[[nodiscard]] absl::StatusOr<humanitarian::AckRequest> ReadHumanitarianAck(humanitarian::Kind kind,
                                                                           std::string id,
                                                                           std::string_view body);

boost::json::object PlaceJson(const store::HumanitarianRecord& record);
boost::json::object PlaceViewJson(const humanitarian::PlaceView& view);
boost::json::object ReadsJson(const std::vector<store::HumanitarianReadRecord>& reads);
boost::json::object ConflictsJson(const std::vector<store::HumanitarianConflictRecord>& conflicts);
boost::json::object HumanitarianAckJson(const humanitarian::AckResult& result);
// RFC 7946 FeatureCollection.
boost::json::object PlacesGeoJson(const std::vector<store::HumanitarianRecord>& records);

// Adds the fields of a humanitarian.* event to `out`; false when `payload` is not one.
bool AddHumanitarianEventFields(const events::Payload& payload, boost::json::object& out);

}  // namespace deconflict::api
