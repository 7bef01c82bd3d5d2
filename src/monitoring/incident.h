// monitoring/incident.h: what a party or observer reports (issue 13): an incident of the
// ceasefire, with ACLED's fields (docs/incidents_format.md has the mapping), the typed request
// and its validation. Errors name the JSON field of the API ("location.lat",
// "observation.distance_m[1]", "sources[2]") so that api/incident_json.cc passes them on, and the
// ACLED reader (acled.h) maps them to its columns.
//
//   IncidentRequest r{.id = "syr-2026-1142", .occurred_at = t, .location = {36.2, 37.1},
//                     .event_type = "Explosions/Remote violence",
//                     .sub_event_type = "Air/drone strike", ...};
//   RETURN_IF_ERROR(ValidateIncident(r, clock.Now()));
//
// The observation (where the observer stood, its bearing and distance band to what it heard or
// saw) is kept apart from the estimated impact point (`location`): a report may have either
// precision, and the observer's position is shown only to the reporter and guarantors.
//
// Precision codes are ACLED's: time_precision 1 the day is known, 2 the week, 3 the month;
// geo_precision 1 the exact place, 2 within the district, 3 the province (the uncertainty radius
// in metres of each is GeoUncertaintyM).
//
// Rules:
//  - id: 1-64 of [A-Za-z0-9._-], first a letter or digit (an ACLED event_id_cnty, e.g.
//    "SYR1234", or a UUID is one);
//  - occurred_at: not more than 5 minutes in the future, not before 1990;
//  - location: lat in [-90, 90], lng in [-180, 180], finite;
//  - observation: observer as location; bearing_deg in [0, 360); distance_m [min, max] with
//    0 <= min <= max <= 100 km; mode heard|saw|camera|uav;
//  - event_type / sub_event_type: one of ACLED's 6 types and its own sub-event types (25 in all,
//    taxonomy.h), spelled as ACLED spells them;
//  - fatalities: 0 <= low <= best <= high <= 1,000,000;
//  - texts: notes up to 8 KiB, up to 20 sources of up to 500 bytes each, the others up to 200
//    bytes; no control characters but tab and newline (notes only).
//
// Thread-safety: value types, thread-compatible; pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "geo/volume.h"

namespace deconflict::monitoring {

struct Observation {
  geo::LatLng observer;
  double bearing_deg = 0;  // true bearing from the observer, [0, 360)
  double distance_min_m = 0, distance_max_m = 0;
  std::string mode;  // heard, saw, camera, uav
  bool operator==(const Observation&) const = default;
};

struct Fatalities {
  int64_t best = 0, low = 0, high = 0;
  bool operator==(const Fatalities&) const = default;
};

// ACLED's columns that have no field of deconflict's own, kept as text so that an imported row
// exports as it came (acled.h). A local report leaves them empty (disorder_type is then derived
// from the event type on export).
struct AcledExtras {
  std::string disorder_type, assoc_actor_1, inter1, assoc_actor_2, inter2, interaction,
      civilian_targeting, iso, region, country, admin3, source_scale, tags, timestamp;
  bool operator==(const AcledExtras&) const = default;
};

// PUT /v1/incidents/{id}, or one row of an ACLED import.
struct IncidentRequest {
  std::string id;
  Timestamp occurred_at;
  int time_precision = 1;  // 1, 2 or 3
  geo::LatLng location{0, 0};
  int geo_precision = 1;  // 1, 2 or 3
  std::optional<Observation> observation;
  std::string event_type, sub_event_type;
  // Who is said to have done it: a party id of this server (that party then has a right of
  // reply and is told of every step) or any actor's name (ACLED's actor1).
  std::string alleged_party;
  std::string target;  // ACLED's actor2, or what was hit
  Fatalities fatalities;
  std::string notes;
  std::vector<std::string> sources;
  std::string admin1, admin2, location_name;
  AcledExtras acled;
  bool operator==(const IncidentRequest&) const = default;
};

struct IncidentLimits {
  size_t max_notes = 8192;  // Default: 8 KiB.
  size_t max_text = 200;    // Default: 200 bytes for names and places.
  size_t max_sources = 20;  // Default: 20 sources.
  size_t max_source = 500;  // Default: 500 bytes per source.
  int64_t max_fatalities = 1000000;
  double max_distance_m = 100000;  // Default: 100 km of observation distance.
};

// Checks every rule above. InvalidArgument naming the field; LimitExceeded for a text or list
// over its limit.
[[nodiscard]] absl::Status ValidateIncident(const IncidentRequest& request, Timestamp now,
                                            const IncidentLimits& limits = {});
// The id rule alone. InvalidArgument naming `field`.
[[nodiscard]] absl::Status CheckIncidentId(std::string_view id, std::string_view field = "id");

// The radius (metres) within which the impact point lies given its geo_precision: 1 -> 500,
// 2 -> 10,000, 3 -> 50,000. With an observation, half its distance band's width plus a tenth of
// its far end (a bearing error of about 6 degrees) when that is larger: the point lies on the
// bearing somewhere in the band.
double GeoUncertaintyM(const IncidentRequest& request);

}  // namespace deconflict::monitoring
