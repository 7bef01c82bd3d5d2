// The flight model: determinism, motion consistent with the reported state, meetings that the
// tactical detector sees, the box, and valid reports.
#include "sim/flight.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tactical/cpa.h"
#include "tactical/detector.h"
#include "tactical/geometry.h"

namespace deconflict::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr double kDegPerRad = 180.0 / std::numbers::pi;
const Timestamp kStart = Timestamp(std::chrono::seconds(1'800'000'000));

// Great-circle distance on the sim's sphere (haversine).
double DistanceM(double lat1, double lon1, double lat2, double lon2) {
  double p1 = lat1 / kDegPerRad, p2 = lat2 / kDegPerRad;
  double dp = p2 - p1, dl = (lon2 - lon1) / kDegPerRad;
  double h = std::sin(dp / 2) * std::sin(dp / 2) +
             std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2 * kSimSphereRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
}

double BearingDeg(double lat1, double lon1, double lat2, double lon2) {
  double p1 = lat1 / kDegPerRad, p2 = lat2 / kDegPerRad, dl = (lon2 - lon1) / kDegPerRad;
  return std::atan2(std::sin(dl) * std::cos(p2),
                    std::cos(p1) * std::sin(p2) - std::sin(p1) * std::cos(p2) * std::cos(dl)) *
         kDegPerRad;
}

double AngleDiffDeg(double a, double b) { return std::abs(std::remainder(a - b, 360.0)); }

Traffic Make(TrafficOptions options) {
  absl::StatusOr<Traffic> traffic = Traffic::Create(std::move(options));
  EXPECT_TRUE(traffic.ok()) << traffic.status();
  return *std::move(traffic);
}

std::vector<tactical::Track> Copy(std::span<const tactical::Track> reports) {
  return {reports.begin(), reports.end()};
}

TEST(Traffic, SameSeedGivesSameTrafficAndOtherSeedDiffers) {
  for (uint64_t seed : {1u, 2u, 99u}) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    TrafficOptions options{.count = 300, .seed = seed, .start = kStart};
    Traffic first = Make(options), second = Make(options);
    for (auto at :
         {milliseconds(0), milliseconds(500), milliseconds(7300), milliseconds(600'000)}) {
      EXPECT_EQ(Copy(first.Advance(kStart + at)), Copy(second.Advance(kStart + at)));
    }
    options.seed = seed + 1000;
    Traffic other = Make(options);
    EXPECT_NE(Copy(other.Advance(kStart + seconds(600))),
              Copy(first.Advance(kStart + seconds(600))));
  }
}

TEST(Traffic, ReportsDependOnlyOnTheTimeNotOnEarlierCalls) {
  TrafficOptions options{.count = 200, .seed = 4, .start = kStart};
  Traffic stepped = Make(options), jumped = Make(options);
  for (int tenth = 1; tenth <= 1505; tenth += 7)
    stepped.Advance(kStart + milliseconds(100 * tenth));
  const Timestamp at = kStart + milliseconds(150'750);
  EXPECT_EQ(Copy(stepped.Advance(at)), Copy(jumped.Advance(at)));
}

TEST(Traffic, TimeNeverRunsBack) {
  Traffic traffic = Make({.count = 10, .start = kStart});
  traffic.Advance(kStart + milliseconds(10'500));
  std::span<const tactical::Track> reports = traffic.Advance(kStart + seconds(3));
  for (const tactical::Track& track : reports) EXPECT_EQ(track.time, kStart + seconds(10));
  reports = traffic.Advance(kStart - seconds(100));
  for (const tactical::Track& track : reports) EXPECT_EQ(track.time, kStart + seconds(10));
}

TEST(Traffic, IdsCallsignsAndPartiesFollowTheContract) {
  Traffic traffic = Make({.count = 1000,
                          .parties = {PartyId("NORTH"), PartyId("SOUTH"), PartyId("EAST")},
                          .start = kStart});
  std::span<const tactical::Track> reports = traffic.Advance(kStart);
  ASSERT_EQ(reports.size(), 1000u);
  ASSERT_EQ(traffic.callsigns().size(), 1000u);
  std::set<std::string> ids;
  const char* parties[] = {"NORTH", "SOUTH", "EAST"};
  for (size_t idx = 0; idx < reports.size(); ++idx) {
    EXPECT_EQ(reports[idx].party.value(), parties[idx % 3]);
    EXPECT_EQ(reports[idx].id.value(), fmt::format("{:06X}", kFirstHexIdent + idx));
    ids.insert(reports[idx].id.value());
    EXPECT_LE(traffic.callsigns()[idx].size(), 8u);
    EXPECT_THAT(traffic.callsigns()[idx], ::testing::MatchesRegex("[A-Z]{3}[0-9]+"));
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(traffic.callsigns()[0], "KLM1");
  EXPECT_EQ(traffic.callsigns()[20], "KLM2");
}

TEST(Traffic, DefaultMeetingPairsAreOnePerHundredAndAtLeastOne) {
  EXPECT_EQ(Make({.count = 0}).meetings().size(), 0u);
  EXPECT_EQ(Make({.count = 1}).meetings().size(), 0u);
  EXPECT_EQ(Make({.count = 2}).meetings().size(), 1u);
  EXPECT_EQ(Make({.count = 250}).meetings().size(), 2u);
  EXPECT_EQ(Make({.count = 250, .meeting_pairs = 0}).meetings().size(), 0u);
  EXPECT_EQ(Make({.count = 250, .meeting_pairs = 125}).meetings().size(), 125u);
}

TEST(Traffic, BadOptionsAreRefusedNamingTheOption) {
  struct Case {
    TrafficOptions options;
    const char* message;
  };
  std::vector<Case> cases = {
      {{.count = -1}, "count: -1 is not in [0, 1000000]"},
      {{.count = 1'000'001}, "count:"},
      {{.parties = {}}, "parties: must name at least one party"},
      {{.parties = {PartyId("A"), PartyId()}}, "parties: a party id is empty"},
      {{.count = 10, .meeting_pairs = 6}, "meeting_pairs: 6 pairs need 12 aircraft; there are 10"},
      {{.meeting_pairs = -1}, "meeting_pairs:"},
      {{.earliest_meeting = seconds(-1)}, "earliest_meeting:"},
      {{.earliest_meeting = seconds(100), .latest_meeting = seconds(99)}, "latest_meeting:"},
      {{.latest_meeting = seconds(601)}, "latest_meeting:"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Traffic> traffic = Traffic::Create(c.options);
    ASSERT_FALSE(traffic.ok()) << c.message;
    EXPECT_EQ(traffic.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(traffic.status().message(), HasSubstr(c.message));
  }
}

// Between two reports dt apart an aircraft covers gs * dt along the great circle (along the
// arc while turning), leaves on its reported heading (within half the turn over dt),
// turns at most 3 deg/s and climbs at most |vs| * dt.
TEST(Traffic, PositionsMoveConsistentlyWithSpeedHeadingAndRates) {
  for (uint64_t seed : {3u, 17u}) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    Traffic traffic = Make({.count = 400, .seed = seed, .start = kStart});
    std::vector<tactical::Track> before = Copy(traffic.Advance(kStart));
    int turning = 0, climbing = 0, descending = 0;
    for (int step = 1; step <= 900; ++step) {
      const double dt_s = step % 3 == 0 ? 0.25 : 1.0;
      const Timestamp now = before[0].time + milliseconds(static_cast<int64_t>(dt_s * 1000));
      std::vector<tactical::Track> after = Copy(traffic.Advance(now));
      for (size_t idx = 0; idx < after.size(); ++idx) {
        const tactical::Track &a = before[idx], &b = after[idx];
        double distance = DistanceM(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg);
        double expected = a.ground_speed_mps * dt_s;
        // Straight, the legs are exact great circles; turning, every report lies within
        // (3 deg/s * 1 s)^2 / 24 of the distance flown since the last whole second off the
        // circular arc (the midpoint rule), and the chord is shorter than the arc by as much.
        ASSERT_NEAR(distance, expected, 2e-4 * expected + 0.1)
            << "aircraft " << idx << " step " << step;
        double turned = AngleDiffDeg(b.track_deg, a.track_deg);
        ASSERT_LE(turned, kStandardTurnRateDegPerS * dt_s + 0.01) << "aircraft " << idx;
        double leaving = BearingDeg(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg);
        ASSERT_LE(AngleDiffDeg(leaving, a.track_deg), kStandardTurnRateDegPerS * dt_s / 2 + 0.1)
            << "aircraft " << idx << " step " << step;
        double rate = std::max(std::abs(a.vertical_rate_mps), std::abs(b.vertical_rate_mps));
        ASSERT_LE(std::abs(b.alt_m - a.alt_m), rate * dt_s + 1e-6) << "aircraft " << idx;
        turning += turned > 0.1;
        climbing += b.vertical_rate_mps > 0;
        descending += b.vertical_rate_mps < 0;
      }
      before = std::move(after);
    }
    // The traffic is not all straight and level.
    EXPECT_GT(turning, 1000);
    EXPECT_GT(climbing, 1000);
    EXPECT_GT(descending, 1000);
  }
}

TEST(Traffic, LevelAircraftAreOnAThousandFootLevel) {
  Traffic traffic = Make({.count = 500, .seed = 8, .start = kStart});
  for (int minute = 0; minute <= 30; ++minute) {
    for (const tactical::Track& track : traffic.Advance(kStart + seconds(60 * minute))) {
      if (track.vertical_rate_mps != 0) continue;
      double level = track.alt_m / 304.8;
      ASSERT_NEAR(level, std::round(level), 1e-9) << track.id.value() << " minute " << minute;
      ASSERT_GE(track.alt_m, 50 * 30.48 - 1e-9);
      ASSERT_LE(track.alt_m, 400 * 30.48 + 1e-9);
    }
  }
}

// Each meeting pair is of two parties, is predicted in conflict by the detector from the start
// (5 NM / 1000 ft, 300 s) with the closest approach at the meeting time, and is at one point at
// the meeting time.
TEST(Traffic, MeetingPairsMeetAndTheDetectorPredictsIt) {
  for (uint64_t seed : {1u, 5u, 23u, 77u}) {
    for (TrackScenario scenario : {TrackScenario::kDense, TrackScenario::kContinental}) {
      SCOPED_TRACE(testing::Message()
                   << "seed " << seed << " scenario " << static_cast<int>(scenario));
      Traffic traffic = Make({.scenario = scenario, .count = 1000, .seed = seed, .start = kStart});
      ASSERT_EQ(traffic.meetings().size(), 10u);
      std::vector<tactical::Track> at_start = Copy(traffic.Advance(kStart));
      tactical::Detector detector({.lookahead = seconds(300)});
      absl::StatusOr<std::vector<tactical::Conflict>> conflicts = detector.Detect(at_start, kStart);
      ASSERT_TRUE(conflicts.ok()) << conflicts.status();
      for (const Meeting& meeting : traffic.meetings()) {
        const tactical::Track &a = at_start[meeting.a], &b = at_start[meeting.b];
        EXPECT_NE(a.party, b.party);
        EXPECT_GE(meeting.time, kStart + seconds(60));
        EXPECT_LE(meeting.time, kStart + seconds(240));
        auto found = std::find_if(conflicts->begin(), conflicts->end(), [&](const auto& c) {
          return c.a == meeting.a && c.b == meeting.b;
        });
        ASSERT_NE(found, conflicts->end()) << "pair " << meeting.a;
        double meeting_s = std::chrono::duration<double>(meeting.time - kStart).count();
        // The detector flies straight lines on the WGS84 ellipsoid, the sim great circles on a
        // sphere: their distances differ by up to ~0.5 %, i.e. up to ~300 m over the <= 60 km
        // flown before the meeting, still far inside 5 NM.
        EXPECT_NEAR(found->tcpa_s, meeting_s, 2.0);
        EXPECT_LT(found->dcpa_m, 500.0);
      }
      // At the meeting time both are at the meeting point, at the meeting level.
      std::vector<Meeting> by_time = traffic.meetings();
      std::sort(by_time.begin(), by_time.end(),
                [](const Meeting& x, const Meeting& y) { return x.time < y.time; });
      for (const Meeting& meeting : by_time) {
        std::span<const tactical::Track> reports = traffic.Advance(meeting.time);
        const tactical::Track &a = reports[meeting.a], &b = reports[meeting.b];
        EXPECT_LT(DistanceM(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg), 0.01);
        EXPECT_LT(DistanceM(a.lat_deg, a.lon_deg, meeting.lat_deg, meeting.lon_deg), 0.01);
        EXPECT_EQ(a.alt_m, meeting.alt_m);
        EXPECT_EQ(b.alt_m, meeting.alt_m);
        tactical::PairOutcome outcome =
            tactical::EvaluatePair(tactical::PrepareTrack(a, meeting.time),
                                   tactical::PrepareTrack(b, meeting.time), {}, 300);
        EXPECT_TRUE(outcome.conflict);
        EXPECT_LT(outcome.distance_m, 9260);
        EXPECT_LT(outcome.vertical_separation_m, 304.8);
      }
    }
  }
}

TEST(Traffic, MeetingsWithOnePartyAreWithinThatParty) {
  Traffic traffic = Make({.count = 20, .parties = {PartyId("SOLO")}, .start = kStart});
  ASSERT_EQ(traffic.meetings().size(), 1u);
  std::span<const tactical::Track> reports = traffic.Advance(kStart);
  EXPECT_EQ(reports[0].party.value(), "SOLO");
  EXPECT_EQ(reports[1].party.value(), "SOLO");
}

// Every aircraft stays in the scenario's box (sinusoidal coordinates, sim/tracks.h) for hours,
// and every report passes tactical::ValidateTrack with its track angle in [0, 360).
TEST(Traffic, AircraftStayInTheBoxAndReportsAreValid) {
  struct Case {
    TrackScenario scenario;
    int count;
    int hours;
    int step_s;
  };
  for (const Case& c :
       {Case{TrackScenario::kDense, 300, 3, 10}, Case{TrackScenario::kContinental, 150, 6, 60}}) {
    SCOPED_TRACE(testing::Message() << "scenario " << static_cast<int>(c.scenario));
    const ScenarioBox box = BoxOf(c.scenario);
    Traffic traffic = Make({.scenario = c.scenario, .count = c.count, .seed = 11, .start = kStart});
    double closest_to_edge_m = 1e12;
    for (int at_s = 0; at_s <= c.hours * 3600; at_s += c.step_s) {
      for (const tactical::Track& track : traffic.Advance(kStart + seconds(at_s))) {
        ASSERT_TRUE(tactical::ValidateTrack(track).ok()) << tactical::ValidateTrack(track);
        ASSERT_GE(track.track_deg, 0);
        ASSERT_LT(track.track_deg, 360);
        double north_m = (track.lat_deg - box.center_lat_deg) / kDegPerRad * kSimSphereRadiusM;
        double east_m = std::remainder(track.lon_deg - box.center_lon_deg, 360.0) / kDegPerRad *
                        kSimSphereRadiusM * std::cos(track.lat_deg / kDegPerRad);
        ASSERT_LE(std::abs(north_m), box.north_south_m / 2) << track.id.value() << " at " << at_s;
        ASSERT_LE(std::abs(east_m), box.east_west_m / 2) << track.id.value() << " at " << at_s;
        closest_to_edge_m = std::min({closest_to_edge_m, box.north_south_m / 2 - std::abs(north_m),
                                      box.east_west_m / 2 - std::abs(east_m)});
      }
    }
    // The edge rule was exercised: aircraft came within the turn-back margin.
    EXPECT_LT(closest_to_edge_m, kBoxTurnBackMarginM);
  }
}

}  // namespace
}  // namespace deconflict::sim
