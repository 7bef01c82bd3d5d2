// api/case_json.h: the JSON of monitoring's automatic cases (monitoring/cases.h): request bodies
// read strictly (unknown fields refused, every error naming its field) and the views the routes
// answer (docs/cases_format.md).
//
//   case (list)    {"id", "incident", "incident_version", "state" ("open" | "closed"),
//                   "occurred_at", "location": {"lat", "lng"}, "radius_m", "opened_at",
//                   "response_due_at", "closed_at", "finding", "ledger_index"}
//   view (GET)     the case + {"search": {"window": {"start", "end"}, "track_radius_m"...},
//                   "places": [...], "recipients": [...], "operations": [...],
//                   "tracks": [{"party", "track", "points": [...]}], "respondents": [...],
//                   "responses": [...], "close", "withheld": {"places", "operations"},
//                   "digest", "sign": what a response or close signs}
//   response body  {"text", "signature"?, "signed_at"?, "key_id"?}
//   close body     {"finding": "violation" | "no_violation" | "inconclusive", "notes"?,
//                   "signature", "signed_at", "key_id"?}
//
// Thread-safe (pure functions).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "boost/json.hpp"
#include "monitoring/cases.h"

namespace deconflict::api {

[[nodiscard]] absl::StatusOr<monitoring::ResponseRequest> ReadCaseResponse(std::string_view id,
                                                                           std::string_view body);
[[nodiscard]] absl::StatusOr<monitoring::CloseRequest> ReadCaseClose(std::string_view id,
                                                                     std::string_view body);

boost::json::object CaseJson(const store::CaseRecord& record);
boost::json::object CaseViewJson(const monitoring::CaseView& view);

}  // namespace deconflict::api
