#include "feeds/sbs_writer.h"

#include <cmath>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "feeds/sbs.h"
#include "feeds/track_assembler.h"
#include "geo/internal/fixed_seed_property.h"
#include "gtest/gtest.h"

namespace deconflict::feeds {
namespace {

// The lines of `text`, each of which must end in "\r\n".
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find("\r\n", start)) != std::string::npos; start = end + 2) {
    lines.push_back(text.substr(start, end - start));
  }
  EXPECT_EQ(start, text.size()) << "unterminated last line";
  return lines;
}

TrackReport Report() {
  TrackReport report;
  report.track.party = PartyId("NORTH");
  report.track.id = TrackId("4ca2d6");
  report.track.time = *ParseRfc3339("2026-11-25T10:00:01.234567Z");
  report.track.lat_deg = 51.457354;
  report.track.lon_deg = -1.028261;
  report.track.alt_m = 11277.6;  // 37,000 ft
  report.track.ground_speed_mps = 210.0;
  report.track.track_deg = 146.44;
  report.track.vertical_rate_mps = -10.0;
  report.callsign = "RYR12A";
  return report;
}

TEST(FormatSbsLines, WritesIdentificationPositionAndVelocityAsDump1090Does) {
  absl::StatusOr<std::string> lines = FormatSbsLines(Report());
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(*lines,
            "MSG,1,1,1,4CA2D6,1,2026/11/25,10:00:01.234,2026/11/25,10:00:01.234,RYR12A,,,,,,,,"
            "0,0,0,0\r\n"
            "MSG,3,1,1,4CA2D6,1,2026/11/25,10:00:01.234,2026/11/25,10:00:01.234,,37000,,,"
            "51.45735,-1.02826,,,0,0,0,0\r\n"
            "MSG,4,1,1,4CA2D6,1,2026/11/25,10:00:01.234,2026/11/25,10:00:01.234,,,408.2,146.4,,,"
            "-1969,,0,0,0,0\r\n");
  for (const std::string& line : Lines(*lines)) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 21) << line;
  }
}

TEST(FormatSbsLines, LeavesOutIdentificationWithoutACallsign) {
  TrackReport report = Report();
  report.callsign.clear();
  absl::StatusOr<std::string> lines = FormatSbsLines(report);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(lines->rfind("MSG,3,", 0), 0u);
  EXPECT_EQ(lines->find("MSG,1,"), std::string::npos);
}

TEST(FormatSbsLines, RefusesWhatTheFormatCannotCarry) {
  auto field_of = [](auto change) {
    TrackReport report = Report();
    change(report);
    absl::StatusOr<std::string> lines = FormatSbsLines(report);
    EXPECT_FALSE(lines.ok());
    return lines.ok() ? "" : FieldOf(lines.status()).value_or("");
  };
  EXPECT_EQ(field_of([](TrackReport& r) { r.track.id = TrackId("dense-17"); }), "id");
  EXPECT_EQ(field_of([](TrackReport& r) { r.callsign = "A,B"; }), "callsign");
  EXPECT_EQ(field_of([](TrackReport& r) { r.callsign = " AB"; }), "callsign");
  EXPECT_EQ(field_of([](TrackReport& r) { r.callsign = "AB "; }), "callsign");
  EXPECT_EQ(field_of([](TrackReport& r) { r.track.lat_deg = NAN; }), "lat");
  EXPECT_EQ(field_of([](TrackReport& r) { r.track.time = Timestamp{} - std::chrono::hours(1); }),
            "time");
}

TEST(SbsHexIdentFor, IsStableAndAHexIdent) {
  EXPECT_EQ(SbsHexIdentFor("dense-17"), SbsHexIdentFor("dense-17"));
  EXPECT_NE(SbsHexIdentFor("dense-17"), SbsHexIdentFor("dense-18"));
  absl::StatusOr<SbsMessage> message =
      ParseSbsLine(fmt::format("MSG,8,1,1,{}", SbsHexIdentFor("dense-17")));
  EXPECT_TRUE(message.ok()) << message.status();
}

// Format, parse, assemble: the report comes back within the precision the header states.
DC_PROP(SbsRoundTrip, FormatThenAssembleGivesBackTheReport, 20261127, 1000, (uint32_t address)) {
  TrackReport report;
  report.track.party = PartyId("NORTH");
  report.track.id = TrackId(fmt::format("{:06X}", address & 0xFFFFFFu));
  const int64_t seconds = *rc::gen::inRange<int64_t>(0, 4'102'444'800);  // 1970..2100
  const int64_t micros = *rc::gen::inRange<int64_t>(0, 1'000'000);
  report.track.time = Timestamp(std::chrono::seconds(seconds) + std::chrono::microseconds(micros));
  report.track.lat_deg = *rc::gen::inRange<int64_t>(-900'000'000, 900'000'001) / 1e7;
  report.track.lon_deg = *rc::gen::inRange<int64_t>(-1'800'000'000, 1'800'000'001) / 1e7;
  report.track.alt_m = *rc::gen::inRange<int64_t>(-1'000'000, 30'000'001) / 1e3;
  report.track.ground_speed_mps = *rc::gen::inRange<int64_t>(0, 1'500'001) / 1e3;
  report.track.track_deg = *rc::gen::inRange<int64_t>(0, 3'600'000) / 1e4;
  report.track.vertical_rate_mps = *rc::gen::inRange<int64_t>(-200'000, 200'001) / 1e3;
  report.callsign = *rc::gen::container<std::string>(
      *rc::gen::inRange<size_t>(0, 9), rc::gen::elementOf(std::string("ABCXYZ0189 ")));
  while (!report.callsign.empty() && report.callsign.back() == ' ') report.callsign.pop_back();
  while (!report.callsign.empty() && report.callsign.front() == ' ') report.callsign.erase(0, 1);

  absl::StatusOr<std::string> lines = FormatSbsLines(report);
  RC_ASSERT(lines.ok());
  TrackAssembler assembler({.party = PartyId("NORTH"), .time_source = SbsTimeSource::kGenerated});
  std::optional<TrackReport> back;
  for (const std::string& line : Lines(*lines)) {
    back = assembler.AddLine(line, Timestamp{});
  }
  RC_ASSERT(assembler.counters().bad_lines == 0u);
  RC_ASSERT(back.has_value());
  const tactical::Track& got = back->track;
  const tactical::Track& want = report.track;
  RC_ASSERT(got.party == want.party);
  RC_ASSERT(got.id == want.id);
  RC_ASSERT(got.time == std::chrono::floor<std::chrono::milliseconds>(want.time));
  RC_ASSERT(std::abs(got.lat_deg - want.lat_deg) <= 0.5e-5 + 1e-12);
  RC_ASSERT(std::abs(got.lon_deg - want.lon_deg) <= 0.5e-5 + 1e-12);
  RC_ASSERT(std::abs(got.alt_m - want.alt_m) <= 0.1524 + 1e-9);
  RC_ASSERT(std::abs(got.ground_speed_mps - want.ground_speed_mps) <= 0.05 * 1852 / 3600 + 1e-9);
  const double track_error = std::remainder(got.track_deg - want.track_deg, 360.0);
  RC_ASSERT(std::abs(track_error) <= 0.05 + 1e-9);
  RC_ASSERT(got.track_deg >= 0 && got.track_deg < 360);
  RC_ASSERT(std::abs(got.vertical_rate_mps - want.vertical_rate_mps) <= 0.5 * 0.3048 / 60 + 1e-9);
  RC_ASSERT(back->callsign == report.callsign);
  // What comes back is a track the engine takes. (Not always one ValidateTrackReport takes: at
  // its limits the rounding may step just past them, as the header says.)
  RC_ASSERT(tactical::ValidateTrack(got).ok());
}

}  // namespace
}  // namespace deconflict::feeds
