#include "tactical/encounter_tracker.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

namespace deconflict::tactical {

EncounterTracker::EncounterTracker(EncounterTrackerOptions options)
    : options_(options), next_id_(options.first_id) {}

EncounterTracker::PairKey EncounterTracker::KeyOf(const Track& x, const Track& y) {
  auto kx = std::tie(x.party.value(), x.id.value());
  auto ky = std::tie(y.party.value(), y.id.value());
  const Track& first = kx <= ky ? x : y;
  const Track& second = kx <= ky ? y : x;
  return {first.party.value(), first.id.value(), second.party.value(), second.id.value()};
}

EncounterEvent EncounterTracker::EventOf(EncounterEventKind kind, const PairKey& key,
                                         const Encounter& encounter, Timestamp now) {
  EncounterEvent event;
  event.kind = kind;
  event.encounter_id = encounter.id;
  event.party_a = PartyId(std::get<0>(key));
  event.track_a = TrackId(std::get<1>(key));
  event.party_b = PartyId(std::get<2>(key));
  event.track_b = TrackId(std::get<3>(key));
  event.time = now;
  event.opened_at = encounter.opened_at;
  event.latest = encounter.latest;
  return event;
}

std::vector<EncounterEvent> EncounterTracker::Update(std::span<const Track> snapshot,
                                                     std::span<const Conflict> conflicts,
                                                     Timestamp now) {
  ++cycle_;
  std::vector<EncounterEvent> events;
  // 1. Pairs in conflict: open or update.
  for (const Conflict& conflict : conflicts) {
    PairKey key = KeyOf(snapshot[conflict.a], snapshot[conflict.b]);
    auto [it, inserted] = open_.try_emplace(std::move(key));
    Encounter& encounter = it->second;
    if (inserted) {
      encounter.id = next_id_++;
      encounter.opened_at = now;
    }
    encounter.latest = conflict;
    encounter.last_conflict_cycle = cycle_;
    encounter.clear_cycles = 0;
    events.push_back(EventOf(inserted ? EncounterEventKind::kOpened : EncounterEventKind::kUpdated,
                             it->first, encounter, now));
  }
  if (open_.size() == conflicts.size()) return events;  // every open encounter was seen

  // 2. Open encounters not in conflict this cycle: count the clear cycle, close when due or
  // when a track is gone.
  absl::flat_hash_set<std::pair<std::string_view, std::string_view>> present;
  for (const Track& track : snapshot) present.emplace(track.party.value(), track.id.value());
  std::vector<EncounterEvent> closed;
  for (auto it = open_.begin(); it != open_.end();) {
    Encounter& encounter = it->second;
    if (encounter.last_conflict_cycle == cycle_) {
      ++it;
      continue;
    }
    const PairKey& key = it->first;
    bool lost = !present.contains({std::get<0>(key), std::get<1>(key)}) ||
                !present.contains({std::get<2>(key), std::get<3>(key)});
    ++encounter.clear_cycles;
    if (lost || encounter.clear_cycles >= options_.close_after_clear_cycles) {
      EncounterEvent event = EventOf(EncounterEventKind::kClosed, key, encounter, now);
      event.reason = lost ? CloseReason::kTrackLost : CloseReason::kClear;
      closed.push_back(std::move(event));
      open_.erase(it++);
    } else {
      ++it;
    }
  }
  std::sort(closed.begin(), closed.end(), [](const EncounterEvent& x, const EncounterEvent& y) {
    return x.encounter_id < y.encounter_id;
  });
  events.insert(events.end(), std::make_move_iterator(closed.begin()),
                std::make_move_iterator(closed.end()));
  return events;
}

}  // namespace deconflict::tactical
