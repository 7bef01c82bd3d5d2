// Encounter lifecycle over cycles, driven by a fake clock and a TrackTable, as the server will.
#include "tactical/encounter_tracker.h"

#include "common/clock.h"
#include "gtest/gtest.h"
#include "tactical/detector.h"
#include "tactical/internal/test_tracks.h"
#include "tactical/track_table.h"

namespace deconflict::tactical {
namespace {

using testing::kT0;
using testing::MakeTrack;
using testing::Offset;

using Kind = EncounterEventKind;

// A conflict of snapshot tracks 0 and 1 with the given miss distance.
Conflict ConflictOf(double dcpa) {
  return Conflict{.a = 0, .b = 1, .tcpa_s = 60, .dcpa_m = dcpa, .t_in_s = 30, .t_out_s = 90};
}

TEST(EncounterTracker, OpensUpdatesAndClosesAfterClearCycles) {
  std::vector<Track> snapshot = {MakeTrack("B", "x", 0, 0, 0, 0, 0),
                                 MakeTrack("A", "y", 0, 0, 0, 0, 0)};
  EncounterTracker tracker({.close_after_clear_cycles = 3});
  FakeClock clock(kT0);
  std::vector<Conflict> in_conflict = {ConflictOf(1000)};

  auto events = tracker.Update(snapshot, in_conflict, clock.Now());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kOpened);
  EXPECT_EQ(events[0].encounter_id, 1u);
  // The pair is ordered by (party, id) whatever the snapshot order.
  EXPECT_EQ(events[0].party_a.value(), "A");
  EXPECT_EQ(events[0].track_a.value(), "y");
  EXPECT_EQ(events[0].party_b.value(), "B");

  clock.Advance(std::chrono::seconds(1));
  events = tracker.Update(snapshot, in_conflict, clock.Now());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kUpdated);
  EXPECT_EQ(events[0].encounter_id, 1u);
  EXPECT_EQ(events[0].opened_at, kT0);

  // Two clear cycles: still open, no events.
  for (int cycle = 0; cycle < 2; ++cycle) {
    clock.Advance(std::chrono::seconds(1));
    EXPECT_TRUE(tracker.Update(snapshot, {}, clock.Now()).empty());
    EXPECT_EQ(tracker.open_count(), 1u);
  }
  clock.Advance(std::chrono::seconds(1));
  events = tracker.Update(snapshot, {}, clock.Now());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kClosed);
  EXPECT_EQ(events[0].reason, CloseReason::kClear);
  EXPECT_EQ(events[0].encounter_id, 1u);
  EXPECT_EQ(tracker.open_count(), 0u);

  // A new conflict of the same pair is a new encounter.
  events = tracker.Update(snapshot, in_conflict, clock.Now());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kOpened);
  EXPECT_EQ(events[0].encounter_id, 2u);
}

TEST(EncounterTracker, PairFlappingAroundTheThresholdKeepsOneEncounter) {
  std::vector<Track> snapshot = {MakeTrack("A", "1", 0, 0, 0, 0, 0),
                                 MakeTrack("B", "2", 0, 0, 0, 0, 0)};
  EncounterTracker tracker;
  FakeClock clock(kT0);
  int opened = 0, closed = 0;
  for (int cycle = 0; cycle < 40; ++cycle) {
    // In conflict every other cycle, or two of three: never three clear cycles in a row.
    bool in = cycle % 3 != 2 || cycle % 2 == 0;
    std::vector<Conflict> conflicts;
    if (in) conflicts.push_back(ConflictOf(9250));
    for (const EncounterEvent& e : tracker.Update(snapshot, conflicts, clock.Now())) {
      opened += e.kind == Kind::kOpened;
      closed += e.kind == Kind::kClosed;
      EXPECT_EQ(e.encounter_id, 1u);
    }
    clock.Advance(std::chrono::seconds(1));
  }
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(closed, 0);
}

TEST(EncounterTracker, ClosesAtOnceWhenATrackIsGone) {
  std::vector<Track> both = {MakeTrack("A", "1", 0, 0, 0, 0, 0),
                             MakeTrack("B", "2", 0, 0, 0, 0, 0)};
  EncounterTracker tracker;
  std::vector<Conflict> in_conflict = {ConflictOf(10)};
  tracker.Update(both, in_conflict, kT0);
  std::vector<Track> one = {both[0]};
  auto events = tracker.Update(one, {}, kT0 + std::chrono::seconds(1));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kClosed);
  EXPECT_EQ(events[0].reason, CloseReason::kTrackLost);
}

// The full live loop: upserts every second, expiry, detection and encounters. Two aircraft meet
// head-on; the encounter opens once, is updated while the conflict lasts (also through CPA),
// and closes a few cycles after the aircraft have passed, with one id throughout.
TEST(EncounterTracker, LiveHeadOnEncounterHasOneIdFromOpenToClose) {
  FakeClock clock(kT0);
  TrackTable table({.max_age = std::chrono::seconds(5)});
  Detector detector({.lookahead = std::chrono::seconds(120)});
  EncounterTracker tracker({.close_after_clear_cycles = 3});
  // 60 km apart at the equator, closing at 400 m/s: in conflict (t_in < 120 s) from t = 7 s,
  // CPA at t = 150 s, separation regained at t = 173 s.
  std::vector<Kind> kinds;
  std::vector<uint64_t> ids;
  std::vector<int> at_second;
  for (int second = 0; second <= 200; ++second) {
    Timestamp now = clock.Now();
    double gone = 200.0 * second;
    auto [alat, alon] = Offset(0, 0, gone, 0);
    auto [blat, blon] = Offset(0, 0, 60000 - gone, 0);
    Track a = MakeTrack("A", "a1", alat, alon, 9144, 200, 90);
    Track b = MakeTrack("B", "b1", blat, blon, 9144, 200, 270);
    a.time = b.time = now;
    ASSERT_TRUE(table.Upsert(a).ok());
    ASSERT_TRUE(table.Upsert(b).ok());
    table.Expire(now);
    auto conflicts = detector.Detect(table.tracks(), now);
    ASSERT_TRUE(conflicts.ok());
    for (const EncounterEvent& e : tracker.Update(table.tracks(), *conflicts, now)) {
      kinds.push_back(e.kind);
      ids.push_back(e.encounter_id);
      at_second.push_back(second);
    }
    clock.Advance(std::chrono::seconds(1));
  }
  ASSERT_GE(kinds.size(), 3u);
  EXPECT_EQ(kinds.front(), Kind::kOpened);
  EXPECT_EQ(at_second.front(), 7);
  EXPECT_EQ(kinds.back(), Kind::kClosed);
  // Out of conflict from t = 174 s (t_out <= 0), closed after 3 clear cycles.
  EXPECT_EQ(at_second.back(), 176);
  for (size_t idx = 1; idx + 1 < kinds.size(); ++idx) EXPECT_EQ(kinds[idx], Kind::kUpdated);
  for (uint64_t id : ids) EXPECT_EQ(id, 1u);
}

}  // namespace
}  // namespace deconflict::tactical
