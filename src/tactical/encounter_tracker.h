// tactical/encounter_tracker.h: turns each cycle's conflicts into encounters with a lifecycle
// (opened, updated, closed) and a stable id.
//
//   EncounterTracker tracker({.close_after_clear_cycles = 3});
//   every second:
//     table.Expire(now);
//     ASSIGN_OR_RETURN(auto conflicts, detector.Detect(table.tracks(), now));
//     for (const EncounterEvent& e : tracker.Update(table.tracks(), conflicts, now)) Publish(e);
//
// Rule (hysteresis): a pair's encounter opens the first cycle the pair is in conflict and gets
// the next id (first_id, first_id + 1, ...; never reused by this tracker). Every cycle the pair is
// in conflict it is updated and its clear count resets. A cycle in which the pair is not in
// conflict adds one to the clear count; the encounter closes when the count reaches
// close_after_clear_cycles, or at once when one of its tracks is no longer in the snapshot
// (expired). So a pair whose predicted miss distance hovers around the minimum, or that drops out
// of conflict for a cycle or two just after CPA or through noise, keeps one encounter and one id
// instead of flapping.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/clock.h"
#include "tactical/detector.h"
#include "tactical/track.h"

namespace deconflict::tactical {

struct EncounterTrackerOptions {
  // Consecutive cycles out of conflict after which an encounter closes. Default: 3.
  // REQUIRES: >= 1 (1 closes at the first clear cycle: no hysteresis).
  int close_after_clear_cycles = 3;
  // The id of the first encounter opened; later ones count up from it. A server passes one past
  // the largest id it has stored, so ids stay unique across restarts. Default: 1.
  uint64_t first_id = 1;
};

enum class EncounterEventKind { kOpened, kUpdated, kClosed };
enum class CloseReason { kNone, kClear, kTrackLost };

// What happened to one encounter in one cycle. Value type.
struct EncounterEvent {
  EncounterEventKind kind = EncounterEventKind::kOpened;
  uint64_t encounter_id = 0;
  // The pair, ordered by (party, id).
  PartyId party_a;
  TrackId track_a;
  PartyId party_b;
  TrackId track_b;
  Timestamp time;       // the cycle's time
  Timestamp opened_at;  // the time of the cycle that opened it
  // The latest conflict of the pair (for kClosed: of the last cycle it was in conflict); its
  // a/b index the snapshot of that cycle.
  Conflict latest;
  CloseReason reason = CloseReason::kNone;  // set for kClosed
};

// Keeps the open encounters. Memory O(open encounters). Not thread-safe.
class EncounterTracker {
 public:
  explicit EncounterTracker(EncounterTrackerOptions options = {});
  EncounterTracker(const EncounterTracker&) = delete;
  EncounterTracker& operator=(const EncounterTracker&) = delete;

  // Advances one cycle. `conflicts` are Detect's output for `snapshot` (indices into it).
  // Returns the events of this cycle: opened and updated ones in the order of `conflicts`, then
  // closed ones by encounter id.
  // REQUIRES: every conflict indexes `snapshot` and names a pair at most once (as Detect
  // returns them); `now` does not go back.
  std::vector<EncounterEvent> Update(std::span<const Track> snapshot,
                                     std::span<const Conflict> conflicts, Timestamp now);

  size_t open_count() const { return open_.size(); }

 private:
  using PairKey = std::tuple<std::string, std::string, std::string, std::string>;
  struct Encounter {
    uint64_t id = 0;
    Timestamp opened_at;
    Conflict latest;
    uint64_t last_conflict_cycle = 0;
    int clear_cycles = 0;
  };
  static PairKey KeyOf(const Track& x, const Track& y);
  static EncounterEvent EventOf(EncounterEventKind kind, const PairKey& key,
                                const Encounter& encounter, Timestamp now);

  EncounterTrackerOptions options_;
  absl::flat_hash_map<PairKey, Encounter> open_;
  uint64_t next_id_ = 1;
  uint64_t cycle_ = 0;
};

}  // namespace deconflict::tactical
