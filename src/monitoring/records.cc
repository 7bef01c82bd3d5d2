#include "monitoring/records.h"

#include <array>
#include <chrono>

#include "common/time.h"
#include "fmt/format.h"

namespace deconflict::monitoring {
namespace {

// The AcledExtras fields in store::kIncidentAcledColumns' order.
std::array<std::string*, store::kIncidentAcledCount> ExtraFields(AcledExtras& a) {
  return {&a.disorder_type, &a.assoc_actor_1,      &a.inter1, &a.assoc_actor_2, &a.inter2,
          &a.interaction,   &a.civilian_targeting, &a.iso,    &a.region,        &a.country,
          &a.admin3,        &a.source_scale,       &a.tags,   &a.timestamp};
}

}  // namespace

store::IncidentRecord RecordOf(const PartyId& reporter, IncidentRequest r,
                               std::string_view origin) {
  store::IncidentRecord out{.id = std::move(r.id),
                            .reporter = reporter.value(),
                            .origin = std::string(origin),
                            .occurred_at = r.occurred_at,
                            .time_precision = r.time_precision,
                            .geo_precision = r.geo_precision,
                            .lat = r.location.lat_deg,
                            .lng = r.location.lng_deg,
                            .event_type = std::move(r.event_type),
                            .sub_event_type = std::move(r.sub_event_type),
                            .alleged_party = std::move(r.alleged_party),
                            .target = std::move(r.target),
                            .fatalities_best = r.fatalities.best,
                            .fatalities_low = r.fatalities.low,
                            .fatalities_high = r.fatalities.high,
                            .notes = std::move(r.notes),
                            .sources = std::move(r.sources),
                            .admin1 = std::move(r.admin1),
                            .admin2 = std::move(r.admin2),
                            .location_name = std::move(r.location_name)};
  if (r.observation) {
    const Observation& o = *r.observation;
    out.has_observation = true;
    out.observer_lat = o.observer.lat_deg;
    out.observer_lng = o.observer.lng_deg;
    out.bearing_deg = o.bearing_deg;
    out.distance_min_m = o.distance_min_m;
    out.distance_max_m = o.distance_max_m;
    out.observation_mode = o.mode;
  }
  out.acled.reserve(store::kIncidentAcledCount);
  for (std::string* f : ExtraFields(r.acled)) out.acled.push_back(std::move(*f));
  return out;
}

IncidentRequest RequestOf(const store::IncidentRecord& r) {
  IncidentRequest out{.id = r.id,
                      .occurred_at = r.occurred_at,
                      .time_precision = static_cast<int>(r.time_precision),
                      .location = {r.lat, r.lng},
                      .geo_precision = static_cast<int>(r.geo_precision),
                      .event_type = r.event_type,
                      .sub_event_type = r.sub_event_type,
                      .alleged_party = r.alleged_party,
                      .target = r.target,
                      .fatalities = {r.fatalities_best, r.fatalities_low, r.fatalities_high},
                      .notes = r.notes,
                      .sources = r.sources,
                      .admin1 = r.admin1,
                      .admin2 = r.admin2,
                      .location_name = r.location_name};
  if (r.has_observation) {
    out.observation = Observation{.observer = {r.observer_lat, r.observer_lng},
                                  .bearing_deg = r.bearing_deg,
                                  .distance_min_m = r.distance_min_m,
                                  .distance_max_m = r.distance_max_m,
                                  .mode = r.observation_mode};
  }
  const auto fields = ExtraFields(out.acled);
  for (size_t i = 0; i < fields.size() && i < r.acled.size(); ++i) *fields[i] = r.acled[i];
  return out;
}

bool SameContent(const store::IncidentRecord& a, const store::IncidentRecord& b) {
  store::IncidentRecord c = b;
  c.version = a.version;
  c.origin = a.origin;
  c.created_at = a.created_at;
  c.digest = a.digest;
  c.ledger_index = a.ledger_index;
  c.reporter = a.reporter;
  return a == c;
}

std::string ExportTags(const store::IncidentRecord& r, Status status) {
  std::string out = r.acled.size() > 12 ? r.acled[12] : std::string();  // "tags"
  auto add = [&out](const std::string& tag) {
    if (!out.empty()) out += "; ";
    out += tag;
  };
  if (status != Status::kReported) add(fmt::format("deconflict:status={}", StatusName(status)));
  if (r.fatalities_low != r.fatalities_best || r.fatalities_high != r.fatalities_best) {
    add(fmt::format("deconflict:fatalities={}-{}", r.fatalities_low, r.fatalities_high));
  }
  const auto since_midnight = r.occurred_at.time_since_epoch() % std::chrono::hours(24);
  if (since_midnight.count() != 0) {
    add(fmt::format("deconflict:occurred_at={}", FormatRfc3339(r.occurred_at)));
  }
  if (r.origin == "report") add(fmt::format("deconflict:reporter={}", r.reporter));
  if (r.has_observation) {
    add(fmt::format("deconflict:observation={} from {} {} bearing {} at {}-{} m",
                    r.observation_mode, r.observer_lat, r.observer_lng, r.bearing_deg,
                    r.distance_min_m, r.distance_max_m));
  }
  return out;
}

}  // namespace deconflict::monitoring
