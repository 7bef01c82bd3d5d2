#include "feeds/track_assembler.h"

#include <string>

#include "common/time.h"
#include "gtest/gtest.h"

namespace deconflict::feeds {
namespace {

using std::chrono::seconds;

constexpr char kCallsign[] =
    "MSG,1,1,1,4CA2D6,1,2026/11/25,10:00:00.000,2026/11/25,10:00:00.000,RYR12A  ,,,,,,,,0,0,0,0";
constexpr char kPosition[] =
    "MSG,3,1,1,4CA2D6,1,2026/11/25,10:00:01.500,2026/11/25,10:00:01.500,,37000,,,51.45735,"
    "-1.02826,,,0,0,0,0";
constexpr char kVelocity[] =
    "MSG,4,1,1,4CA2D6,1,2026/11/25,10:00:02.000,2026/11/25,10:00:02.000,,,408.3,146.4,,,-1984,,"
    "0,0,0,0";

Timestamp At(const char* text) { return *ParseRfc3339(text); }

TrackAssembler NorthAssembler(TrackAssemblerOptions options = {}) {
  options.party = PartyId("NORTH");
  return TrackAssembler(options);
}

TEST(TrackAssembler, CombinesCallsignPositionAndVelocityInSiUnits) {
  TrackAssembler assembler = NorthAssembler();
  const Timestamp t0 = At("2026-11-25T10:00:00Z");
  EXPECT_FALSE(assembler.AddLine(kCallsign, t0).has_value());
  EXPECT_FALSE(assembler.AddLine(kPosition, t0 + seconds(1)).has_value());  // no velocity yet
  std::optional<TrackReport> report = assembler.AddLine(kVelocity, t0 + seconds(2));
  ASSERT_TRUE(report.has_value());
  const tactical::Track& track = report->track;
  EXPECT_EQ(track.party, PartyId("NORTH"));
  EXPECT_EQ(track.id, TrackId("4CA2D6"));
  EXPECT_EQ(track.time, t0 + seconds(1));  // the position's time
  EXPECT_DOUBLE_EQ(track.lat_deg, 51.45735);
  EXPECT_DOUBLE_EQ(track.lon_deg, -1.02826);
  EXPECT_DOUBLE_EQ(track.alt_m, 37000 * 0.3048);
  EXPECT_DOUBLE_EQ(track.ground_speed_mps, 408.3 * 1852 / 3600);
  EXPECT_DOUBLE_EQ(track.track_deg, 146.4);
  EXPECT_DOUBLE_EQ(track.vertical_rate_mps, -1984 * 0.3048 / 60);
  EXPECT_EQ(report->callsign, "RYR12A");
  EXPECT_TRUE(tactical::ValidateTrack(track).ok());
  EXPECT_EQ(assembler.counters().reports, 1u);
  EXPECT_EQ(assembler.counters().lines, 3u);

  // Every later position or velocity refreshes the report.
  report = assembler.AddLine(kPosition, t0 + seconds(3));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->track.time, t0 + seconds(3));
}

TEST(TrackAssembler, EmitsNothingWhenAPieceIsStale) {
  TrackAssembler assembler = NorthAssembler({.max_partial_age = seconds(5)});
  const Timestamp t0 = At("2026-11-25T10:00:00Z");
  assembler.AddLine(kPosition, t0);
  EXPECT_FALSE(assembler.AddLine(kVelocity, t0 + seconds(6)).has_value());
  // A fresh position makes it whole again.
  EXPECT_TRUE(assembler.AddLine(kPosition, t0 + seconds(7)).has_value());
}

TEST(TrackAssembler, StaleVerticalRateReadsAsLevel) {
  TrackAssembler assembler = NorthAssembler({.max_partial_age = seconds(5)});
  const Timestamp t0 = At("2026-11-25T10:00:00Z");
  assembler.AddLine(kVelocity, t0);
  // A surface-style velocity without vertical rate (MSG,2) 8 s later.
  assembler.AddLine("MSG,2,1,1,4CA2D6,1,,,,,,0,12.0,90.0,51.45735,-1.02826,,,0,0,0,-1",
                    t0 + seconds(8));
  std::optional<TrackReport> report = assembler.AddLine(kPosition, t0 + seconds(9));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->track.vertical_rate_mps, 0);
  EXPECT_DOUBLE_EQ(report->track.ground_speed_mps, 12.0 * 1852 / 3600);
}

TEST(TrackAssembler, KeepsAircraftApart) {
  TrackAssembler assembler = NorthAssembler();
  const Timestamp t0 = At("2026-11-25T10:00:00Z");
  assembler.AddLine(kPosition, t0);
  std::string other_velocity = kVelocity;
  other_velocity.replace(other_velocity.find("4CA2D6"), 6, "40621D");
  EXPECT_FALSE(assembler.AddLine(other_velocity, t0).has_value());
  EXPECT_EQ(assembler.aircraft(), 2u);
}

TEST(TrackAssembler, CountsBadAndIgnoredLinesAndKeepsGoing) {
  TrackAssembler assembler = NorthAssembler();
  const Timestamp t0 = At("2026-11-25T10:00:00Z");
  assembler.AddLine("garbage", t0);
  assembler.AddLine("MSG,3,1,1,4CA2D6,1,,,,,,37000,,,91,0", t0);
  assembler.AddLine("MSG,3,1,1,4CA2D6,1,,,,,,37000,,,95,0", t0);
  assembler.AddLine("\xff\xfe\x00\x01", t0);
  assembler.AddLine("MSG,8,1,1,4CA2D6,1,,,,,,,,,,,,,,,,0", t0);  // all-call: nothing for a track
  assembler.AddLine("STA,,5,179,4CA2D6,10103,,,,,RM", t0);
  assembler.AddLine(kPosition, t0);
  EXPECT_TRUE(assembler.AddLine(kVelocity, t0).has_value());
  const TrackAssemblerCounters& counters = assembler.counters();
  EXPECT_EQ(counters.lines, 8u);
  EXPECT_EQ(counters.bad_lines, 4u);
  EXPECT_EQ(counters.bad_lines_by_field.at("line"), 2u);
  EXPECT_EQ(counters.bad_lines_by_field.at("lat"), 2u);
  EXPECT_EQ(counters.ignored_lines, 2u);
  EXPECT_EQ(counters.reports, 1u);
}

TEST(TrackAssembler, GeneratedTimeWithOffsetAndOutOfOrderPieces) {
  TrackAssembler assembler = NorthAssembler(
      {.time_source = SbsTimeSource::kGenerated, .generated_utc_offset = -std::chrono::hours(2)});
  const Timestamp ignored = At("2000-01-01T00:00:00Z");
  assembler.AddLine(kPosition, ignored);
  std::optional<TrackReport> report = assembler.AddLine(kVelocity, ignored);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->track.time, At("2026-11-25T08:00:01.5Z"));
  // An older position (replayed out of order) does not move the track back.
  std::string older = kPosition;
  older.replace(older.find("10:00:01.500"), 12, "10:00:00.100");
  older.replace(older.find("51.45735"), 8, "50.00000");
  report = assembler.AddLine(older, ignored);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->track.time, At("2026-11-25T08:00:01.5Z"));
  EXPECT_DOUBLE_EQ(report->track.lat_deg, 51.45735);
  // Without a generated time the line cannot be placed.
  assembler.AddLine("MSG,3,1,1,4CA2D6,1,,,,,,37000,,,51,1", ignored);
  EXPECT_EQ(assembler.counters().bad_lines_by_field.at("date_generated"), 1u);
}

TEST(TrackAssembler, TakesTheCallsignOfAnIdLine) {
  TrackAssembler assembler = NorthAssembler();
  const Timestamp t0 = At("2026-11-25T10:00:00Z");
  assembler.AddLine("ID,,5,179,4CA2D6,10103,2026/11/25,10:00:00.000,2026/11/25,10:00:00.000,EZY1",
                    t0);
  assembler.AddLine(kPosition, t0);
  std::optional<TrackReport> report = assembler.AddLine(kVelocity, t0);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->callsign, "EZY1");
}

TEST(TrackAssembler, TrackOf360ReadsAsZero) {
  TrackAssembler assembler = NorthAssembler();
  const Timestamp t0 = At("2026-11-25T10:00:00Z");
  assembler.AddLine(kPosition, t0);
  std::optional<TrackReport> report =
      assembler.AddLine("MSG,4,1,1,4CA2D6,1,,,,,,,300.0,360.0,,,0", t0);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->track.track_deg, 0);
}

TEST(TrackAssembler, ExpireForgetsSilentAircraftAndTheLimitBoundsMemory) {
  TrackAssembler assembler = NorthAssembler({.max_aircraft = 1});
  const Timestamp t0 = At("2026-11-25T10:00:00Z");
  assembler.AddLine(kPosition, t0);
  std::string other = kPosition;
  other.replace(other.find("4CA2D6"), 6, "40621D");
  assembler.AddLine(other, t0);
  EXPECT_EQ(assembler.aircraft(), 1u);
  EXPECT_EQ(assembler.counters().aircraft_over_limit, 1u);
  EXPECT_EQ(assembler.Expire(t0 + seconds(10)), 0u);
  EXPECT_EQ(assembler.Expire(t0 + seconds(11)), 1u);
  EXPECT_EQ(assembler.aircraft(), 0u);
  assembler.AddLine(other, t0 + seconds(11));
  EXPECT_EQ(assembler.aircraft(), 1u);
}

}  // namespace
}  // namespace deconflict::feeds
