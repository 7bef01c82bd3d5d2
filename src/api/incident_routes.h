// api/incident_routes.h: ceasefire monitoring's routes (monitoring/monitoring.h):
//   PUT  /v1/incidents/{id}             report or change (201; 200: the same report again)
//   GET  /v1/incidents/{id}             versions, findings, statements, status
//   POST /v1/incidents/{id}/findings    guarantors only: a signed finding (201; 200 a retry)
//   POST /v1/incidents/{id}/statements  the alleged or an attributed party (201; 200 a retry)
//   POST /v1/incidents/import           an ACLED CSV (text/csv, header first; ?line= the file
//                                       line of the first record): counts and refused rows
//   GET  /v1/incidents.csv              ACLED's 31 columns (?from=&to=&bbox=&limit=&after=;
//                                       the next page's `after` in the X-Next-After header)
//   GET  /v1/incidents.geojson          a FeatureCollection (same parameters; "next_after")
//   GET  /v1/incidents/stats            ?from=&to=&group_by=&bbox=
// Every route is for any party but findings. Times are RFC 3339; bbox is
// "lng_min,lat_min,lng_max,lat_max" (GeoJSON's order); from/to default to the last 30 days.
// Bodies: api/incident_json.h.
#pragma once

#include "api/http_server.h"
#include "monitoring/monitoring.h"
#include "parties/authenticator.h"

namespace deconflict::api {

// `authenticator` and `incidents` must outlive the router.
void AddIncidentRoutes(Router& router, parties::Authenticator& authenticator,
                       monitoring::Incidents& incidents);

}  // namespace deconflict::api
