// humanitarian/in_force.cc: the history of every version in force (humanitarian.h InForceAt),
// for monitoring's automatic cases: which notification protected a place at an instant.
#include <algorithm>

#include "humanitarian/humanitarian.h"
#include "humanitarian/internal/records.h"
#include "spdlog/spdlog.h"

namespace deconflict::humanitarian {

void Notifications::IndexSpan(uint64_t handle) {
  const Span& span = spans_.at(handle);
  history_->Remove(strategic::VolumeKey{handle, 0});
  if (!span.place || span.from >= span.to) return;  // never in force: nothing to find
  absl::StatusOr<geo::Volume4D> bound =
      internal::BoundVolume(*span.place, geo::TimeWindow{span.from, span.to});
  if (!bound.ok()) {
    // Invariant: a cap of at most the limits' size with a valid window always builds.
    spdlog::error("humanitarian: {}/{}/{} cannot enter the history: {}", span.record.kind,
                  span.record.id, span.record.version, std::string(bound.status().message()));
    return;
  }
  history_->Insert(strategic::VolumeKey{handle, 0},
                   std::make_shared<const geo::Volume4D>(*std::move(bound)));
}

void Notifications::Remember(const store::HumanitarianRecord& record,
                             std::shared_ptr<const ProtectedPlace> place) {
  const std::string key = KeyOf(record.kind, record.id);
  auto newest = newest_span_.find(key);
  if (newest != newest_span_.end()) {
    if (newest->second.first >= record.version) {
      // The same version again (its deadline marks changed): keep the newest record.
      if (newest->second.first == record.version && newest->second.second != 0) {
        spans_.at(newest->second.second).record = record;
      }
      return;
    }
    if (const uint64_t previous = newest->second.second; previous != 0) {
      Span& span = spans_.at(previous);
      span.to = std::min(span.to, record.created_at);  // superseded from this version on
      IndexSpan(previous);
    }
  }
  uint64_t handle = 0;
  if (place) {
    handle = next_span_++;
    const Timestamp from = std::max(record.time_start, record.created_at);
    spans_.emplace(
        handle,
        Span{.record = record, .place = std::move(place), .from = from, .to = record.time_end});
    IndexSpan(handle);
  }
  newest_span_[key] = {record.version, handle};
}

std::vector<store::HumanitarianRecord> Notifications::InForceAt(geo::LatLng point, double radius_m,
                                                                Timestamp at) const {
  {
    ReaderLock lock(mu_);
    if (history_->size() == 0) return {};  // no place ever notified: an import pays nothing
  }
  // A circle of the uncertainty (at least 1 m: a volume needs a radius) over one second.
  geo::VolumeLimits limits{.max_area_km2 = 1e12,
                           .horizon = std::chrono::hours(24 * 365 * 300),
                           .max_start_age = std::chrono::hours(24 * 366 * 20000)};
  absl::StatusOr<geo::Volume4D> probe = geo::Volume4D::Make(
      geo::Circle{point, std::max(radius_m, 1.0)}, {limits.min_alt_m, limits.max_alt_m},
      geo::TimeWindow{at, at + std::chrono::seconds(1)}, limits, Timestamp{}, "probe");
  if (!probe.ok()) return {};
  std::vector<store::HumanitarianRecord> out;
  ReaderLock lock(mu_);
  std::vector<uint64_t> handles;  // collected first: the lambda cannot see the lock
  history_->Query(*probe, [&](strategic::VolumeKey key, const geo::Volume4D&) {
    handles.push_back(key.owner);
  });
  for (uint64_t handle : handles) {
    const Span& span = spans_.at(handle);
    if (at < span.from || at >= span.to) continue;
    if (span.place->Meets(*probe)) out.push_back(span.record);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.kind, a.id) < std::tie(b.kind, b.id);
  });
  return out;
}

}  // namespace deconflict::humanitarian
