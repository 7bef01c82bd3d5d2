#include "monitoring/incident.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/status.h"
#include "common/text.h"
#include "fmt/format.h"
#include "monitoring/taxonomy.h"

namespace deconflict::monitoring {
namespace {

// Text of at most `most` bytes of valid UTF-8 with no control characters (but tab, CR and LF
// when `multiline`).
absl::Status CheckText(std::string_view text, std::string_view field, size_t most,
                       bool multiline = false) {
  if (text.size() > most) {
    return LimitExceeded(field, fmt::format("is {} bytes; at most {}", text.size(), most));
  }
  // Most text is printable ASCII: one cheap pass settles it.
  bool plain = true;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    plain &= u >= 0x20 && u < 0x7f;
  }
  if (plain) return absl::OkStatus();
  if (!IsValidUtf8(text)) return InvalidField(field, "is not valid UTF-8");
  // One scan: each control character found is allowed only when it is a line break or tab in
  // multi-line text.
  for (size_t offset = 0; offset < text.size();) {
    std::optional<size_t> at = FindControlCharacter(text.substr(offset));
    if (!at) break;
    const char c = text[offset + *at];
    if (!multiline || (c != '\n' && c != '\t' && c != '\r')) {
      return InvalidField(field, fmt::format("holds a control character at byte {}", offset + *at));
    }
    offset += *at + 1;
  }
  return absl::OkStatus();
}

absl::Status CheckLatLng(const geo::LatLng& p, std::string_view field) {
  if (!std::isfinite(p.lat_deg) || p.lat_deg < -90 || p.lat_deg > 90) {
    return InvalidField(fmt::format("{}.lat", field), "must be a number in [-90, 90]");
  }
  if (!std::isfinite(p.lng_deg) || p.lng_deg < -180 || p.lng_deg > 180) {
    return InvalidField(fmt::format("{}.lng", field), "must be a number in [-180, 180]");
  }
  return absl::OkStatus();
}

absl::Status CheckPrecision(int value, std::string_view field) {
  if (value < 1 || value > 3) return InvalidField(field, "must be 1, 2 or 3");
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckIncidentId(std::string_view id, std::string_view field) {
  if (id.empty() || id.size() > 64) return InvalidField(field, "must be 1 to 64 characters");
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
      return InvalidField(field, "must be of [A-Za-z0-9._-], starting with a letter or digit");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateIncident(const IncidentRequest& r, Timestamp now,
                              const IncidentLimits& limits) {
  RETURN_IF_ERROR(CheckIncidentId(r.id));
  static const Timestamp kEarliest = Timestamp{} + std::chrono::seconds(631152000);  // 1990-01-01
  if (r.occurred_at < kEarliest) return InvalidField("occurred_at", "is before 1990");
  if (r.occurred_at > now + std::chrono::minutes(5)) {
    return InvalidField("occurred_at", "is in the future");
  }
  RETURN_IF_ERROR(CheckPrecision(r.time_precision, "time_precision"));
  RETURN_IF_ERROR(CheckLatLng(r.location, "location"));
  RETURN_IF_ERROR(CheckPrecision(r.geo_precision, "geo_precision"));
  if (r.observation) {
    const Observation& o = *r.observation;
    RETURN_IF_ERROR(CheckLatLng(o.observer, "observation.observer"));
    if (!std::isfinite(o.bearing_deg) || o.bearing_deg < 0 || o.bearing_deg >= 360) {
      return InvalidField("observation.bearing_deg", "must be a number in [0, 360)");
    }
    if (!std::isfinite(o.distance_min_m) || o.distance_min_m < 0) {
      return InvalidField("observation.distance_m[0]", "must be a number >= 0");
    }
    if (!std::isfinite(o.distance_max_m) || o.distance_max_m < o.distance_min_m ||
        o.distance_max_m > limits.max_distance_m) {
      return InvalidField(
          "observation.distance_m[1]",
          fmt::format("must be a number in [distance_m[0], {}]", limits.max_distance_m));
    }
    if (o.mode != "heard" && o.mode != "saw" && o.mode != "camera" && o.mode != "uav") {
      return InvalidField("observation.mode", "must be heard, saw, camera or uav");
    }
  }
  if (!IsEventType(r.event_type)) {
    return InvalidField("event_type",
                        "must be one of ACLED's event types: Battles, Explosions/Remote violence, "
                        "Violence against civilians, Protests, Riots, Strategic developments");
  }
  if (!IsSubEventOf(r.event_type, r.sub_event_type)) {
    std::string allowed;
    for (const SubEventType& s : Taxonomy()) {
      if (s.event_type != r.event_type) continue;
      if (!allowed.empty()) allowed += ", ";
      allowed += s.sub_event_type;
    }
    return InvalidField("sub_event_type", fmt::format("is not a sub-event type of {}; one of: {}",
                                                      r.event_type, allowed));
  }
  const Fatalities& f = r.fatalities;
  if (f.low < 0) return InvalidField("fatalities.low", "must be >= 0");
  if (f.best < f.low) return InvalidField("fatalities.best", "must be >= fatalities.low");
  if (f.high < f.best) return InvalidField("fatalities.high", "must be >= fatalities.best");
  if (f.high > limits.max_fatalities) {
    return InvalidField("fatalities.high", fmt::format("must be <= {}", limits.max_fatalities));
  }
  RETURN_IF_ERROR(CheckText(r.alleged_party, "alleged_party", limits.max_text));
  RETURN_IF_ERROR(CheckText(r.target, "target", limits.max_text));
  RETURN_IF_ERROR(CheckText(r.notes, "notes", limits.max_notes, /*multiline=*/true));
  if (r.sources.size() > limits.max_sources) {
    return LimitExceeded(
        "sources", fmt::format("has {} sources; at most {}", r.sources.size(), limits.max_sources));
  }
  for (size_t i = 0; i < r.sources.size(); ++i) {
    const std::string field = fmt::format("sources[{}]", i);
    if (r.sources[i].empty()) return InvalidField(field, "is empty");
    RETURN_IF_ERROR(CheckText(r.sources[i], field, limits.max_source));
  }
  RETURN_IF_ERROR(CheckText(r.admin1, "admin1", limits.max_text));
  RETURN_IF_ERROR(CheckText(r.admin2, "admin2", limits.max_text));
  RETURN_IF_ERROR(CheckText(r.location_name, "location_name", limits.max_text));
  const AcledExtras& a = r.acled;
  const std::pair<std::string_view, const std::string*> extras[] = {
      {"acled.disorder_type", &a.disorder_type},
      {"acled.assoc_actor_1", &a.assoc_actor_1},
      {"acled.inter1", &a.inter1},
      {"acled.assoc_actor_2", &a.assoc_actor_2},
      {"acled.inter2", &a.inter2},
      {"acled.interaction", &a.interaction},
      {"acled.civilian_targeting", &a.civilian_targeting},
      {"acled.iso", &a.iso},
      {"acled.region", &a.region},
      {"acled.country", &a.country},
      {"acled.admin3", &a.admin3},
      {"acled.source_scale", &a.source_scale},
      {"acled.tags", &a.tags},
      {"acled.timestamp", &a.timestamp}};
  for (const auto& [field, text] : extras) {
    RETURN_IF_ERROR(
        CheckText(*text, field, field == "acled.tags" ? limits.max_notes : limits.max_source));
  }
  return absl::OkStatus();
}

double GeoUncertaintyM(const IncidentRequest& r) {
  double radius = r.geo_precision == 1 ? 500 : r.geo_precision == 2 ? 10000 : 50000;
  if (r.observation) {
    const Observation& o = *r.observation;
    radius = std::max(radius, (o.distance_max_m - o.distance_min_m) / 2 + 0.1 * o.distance_max_m);
  }
  return radius;
}

}  // namespace deconflict::monitoring
