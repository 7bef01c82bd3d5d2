#include "humanitarian/internal/records.h"

#include <chrono>

#include "fmt/format.h"
#include "s2/s2earth.h"
#include "s2/s2latlng.h"

namespace deconflict::humanitarian::internal {

store::HumanitarianRecord RecordOf(const PartyId& caller, const NotificationRequest& r) {
  store::HumanitarianRecord out{
      .kind = std::string(KindName(r.kind)),
      .id = r.id,
      .notifier = caller.value(),
      .category = r.category,
      .name = r.name,
      .geometry = std::string(GeometryTypeName(r.geometry.type)),
      .buffer_m = r.buffer_m,
      .time_start = r.window.start,
      .time_end = r.window.end,
      .notes = r.notes,
      .vehicles = r.vehicles,
      .markings = r.markings,
      .escalation_channel = r.escalation_channel ? r.escalation_channel->value() : ""};
  for (const geo::LatLng& p : r.geometry.points) out.coordinates.emplace_back(p.lat_deg, p.lng_deg);
  for (const PartyId& p : r.recipients) out.recipients.push_back(p.value());
  return out;
}

absl::StatusOr<NotificationRequest> RequestOf(const store::HumanitarianRecord& r) {
  NotificationRequest out{.id = r.id,
                          .category = r.category,
                          .name = r.name,
                          .buffer_m = r.buffer_m,
                          .window = {r.time_start, r.time_end},
                          .notes = r.notes,
                          .vehicles = r.vehicles,
                          .markings = r.markings};
  if (r.kind == "site") {
    out.kind = Kind::kSite;
  } else if (r.kind == "movement") {
    out.kind = Kind::kMovement;
  } else {
    return absl::DataLossError(fmt::format("unknown kind '{}'", r.kind));
  }
  if (r.geometry == "point") {
    out.geometry.type = Geometry::Type::kPoint;
  } else if (r.geometry == "polygon") {
    out.geometry.type = Geometry::Type::kPolygon;
  } else if (r.geometry == "linestring") {
    out.geometry.type = Geometry::Type::kLineString;
  } else {
    return absl::DataLossError(fmt::format("unknown geometry '{}'", r.geometry));
  }
  for (const auto& [lat, lng] : r.coordinates) out.geometry.points.push_back({lat, lng});
  if (out.geometry.points.empty()) return absl::DataLossError("no coordinates");
  for (const std::string& p : r.recipients) out.recipients.emplace_back(p);
  if (!r.escalation_channel.empty()) out.escalation_channel = ChannelId(r.escalation_channel);
  return out;
}

absl::StatusOr<geo::Volume4D> BoundVolume(const ProtectedPlace& place) {
  return BoundVolume(place, place.window());
}

absl::StatusOr<geo::Volume4D> BoundVolume(const ProtectedPlace& place, geo::TimeWindow window) {
  const S2Cap& cap = place.bound();
  const S2LatLng center(cap.center());
  const double radius_m = S2Earth::ToMeters(cap.GetRadius());
  // A bound, not a filing: any size and any window (they were checked when filed).
  geo::VolumeLimits limits{.max_area_km2 = 1e12,
                           .horizon = std::chrono::hours(24 * 365 * 300),
                           .max_start_age = std::chrono::hours(24 * 366 * 20000)};
  return geo::Volume4D::Make(
      geo::Circle{{center.lat().degrees(), center.lng().degrees()}, std::max(radius_m, 1.0)},
      {limits.min_alt_m, limits.max_alt_m}, window, limits, Timestamp{}, "bound");
}

}  // namespace deconflict::humanitarian::internal
