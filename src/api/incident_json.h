// api/incident_json.h: the JSON of ceasefire monitoring (monitoring/monitoring.h): request bodies
// read strictly (unknown fields refused, every error naming its field) and the views the routes
// answer (docs/incidents_format.md).
//
//   incident body  {"occurred_at", "time_precision"? (1), "location": {"lat", "lng"},
//                   "geo_precision"? (1), "observation"?: {"observer": {"lat", "lng"},
//                   "bearing_deg", "distance_m": [min, max], "mode"}, "event_type",
//                   "sub_event_type", "alleged_party"?, "target"?, "fatalities"?: {"best",
//                   "low"? (best), "high"? (best)}, "notes"?, "sources"?: [...], "admin1"?,
//                   "admin2"?, "location_name"?, "acled"?: {the 14 kept ACLED columns}}
//   incident       the body + {"id", "version", "reporter", "origin", "created_at", "status",
//                   "digest", "ledger_index"}
//   view (GET)     {"id", "status", "attributed_party", "incident": the newest, "versions",
//                   "findings", "statements", "sign": what a finding or statement signs}
//   finding body   {"finding", "attributed_party"?, "confidence", "notes"?, "version"?,
//                   "signature" (base64), "key_id"?, "signed_at"}
//   statement body {"text", "version"?, "signature"?, "key_id"?, "signed_at"?}
//   stats          {"from", "to", "previous_from", "group_by", "total", "previous_total",
//                   "change", "groups": [{"key", "count", "fatalities": {"best", "low",
//                   "high"}, "previous": {...}, "change": {"count", "fatalities_best"}}]}
//
// Thread-safe (pure functions).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "boost/json.hpp"
#include "common/json.h"
#include "monitoring/monitoring.h"

namespace deconflict::api {

[[nodiscard]] absl::StatusOr<monitoring::IncidentRequest> ReadIncident(
    std::string_view id, const boost::json::value& body);
[[nodiscard]] absl::StatusOr<monitoring::FindingRequest> ReadFinding(std::string_view id,
                                                                     std::string_view body);
[[nodiscard]] absl::StatusOr<monitoring::StatementRequest> ReadStatement(std::string_view id,
                                                                         std::string_view body);

// {"signature" (base64), "signed_at" (the statement's time), "key_id"?} of `o` (findings,
// statements, case responses and closes).
[[nodiscard]] absl::StatusOr<monitoring::Signature> ReadSignature(JsonObject& o);

boost::json::object IncidentJson(const store::IncidentRecord& record, monitoring::Status status);
boost::json::object IncidentViewJson(const monitoring::IncidentView& view);
boost::json::object IncidentsGeoJson(const monitoring::IncidentPage& page);
boost::json::object StatsJson(const monitoring::Stats& stats, std::string_view group_by);
boost::json::object ImportJson(const monitoring::ImportResult& result);

}  // namespace deconflict::api
