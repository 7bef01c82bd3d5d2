#include "feeds/track_report.h"

#include <cmath>
#include <limits>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "gtest/gtest.h"

namespace deconflict::feeds {
namespace {

using std::chrono::seconds;

const Timestamp kNow = *ParseRfc3339("2026-11-25T10:00:00Z");

TrackReport Valid() {
  TrackReport report;
  report.track.party = PartyId("NORTH");
  report.track.id = TrackId("NAF-01");
  report.track.time = kNow;
  report.track.lat_deg = 33.5;
  report.track.lon_deg = 36.2;
  report.track.alt_m = 9000;
  report.track.ground_speed_mps = 230;
  report.track.track_deg = 90;
  report.track.vertical_rate_mps = -5;
  report.callsign = "NAF01";
  return report;
}

std::string FieldOfRefusal(const TrackReport& report, std::optional<Timestamp> newest = {}) {
  absl::Status status = ValidateTrackReport(report, kNow, newest);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return FieldOf(status).value_or("<none>");
}

TEST(ValidateTrackReport, AcceptsAPlausibleReportThatTheEngineAcceptsToo) {
  EXPECT_TRUE(ValidateTrackReport(Valid(), kNow, std::nullopt).ok());
  EXPECT_TRUE(tactical::ValidateTrack(Valid().track).ok());
  TrackReport edge = Valid();
  edge.track.lat_deg = -90;
  edge.track.lon_deg = 180;
  edge.track.alt_m = 30000;
  edge.track.ground_speed_mps = 0;
  edge.track.track_deg = 0;
  edge.track.vertical_rate_mps = 200;
  edge.track.time = kNow + seconds(10);
  edge.callsign = "";
  EXPECT_TRUE(ValidateTrackReport(edge, kNow, kNow + seconds(10)).ok());
}

TEST(ValidateTrackReport, RefusalsNameTheJsonField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto with = [](auto change) {
    TrackReport report = Valid();
    change(report);
    return report;
  };
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.id = TrackId(""); })), "id");
  EXPECT_EQ(
      FieldOfRefusal(with([](TrackReport& r) { r.track.id = TrackId(std::string(65, 'a')); })),
      "id");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.id = TrackId("a b"); })), "id");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.id = TrackId("\xC3\xA9"); })), "id");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.time = kNow + seconds(11); })),
            "time");
  EXPECT_EQ(FieldOfRefusal(Valid(), kNow + seconds(1)), "time");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.lat_deg = 91; })), "lat");
  EXPECT_EQ(FieldOfRefusal(with([nan](TrackReport& r) { r.track.lat_deg = nan; })), "lat");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.lon_deg = -180.5; })), "lng");
  EXPECT_EQ(FieldOfRefusal(with([inf](TrackReport& r) { r.track.lon_deg = inf; })), "lng");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.alt_m = -1001; })), "alt_m");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.alt_m = 30001; })), "alt_m");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.ground_speed_mps = -1; })), "gs_mps");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.ground_speed_mps = 1501; })),
            "gs_mps");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.track_deg = 360; })), "trk_deg");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.track_deg = -0.1; })), "trk_deg");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.track.vertical_rate_mps = -201; })),
            "vs_mps");
  EXPECT_EQ(FieldOfRefusal(with([nan](TrackReport& r) { r.track.vertical_rate_mps = nan; })),
            "vs_mps");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.callsign = "ABCDEFGHI"; })), "callsign");
  EXPECT_EQ(FieldOfRefusal(with([](TrackReport& r) { r.callsign = "AB\x1b"; })), "callsign");
}

TEST(ValidateTrackReport, MessagesQuoteClientBytesSafely) {
  TrackReport report = Valid();
  report.track.id = TrackId(std::string(100000, '\xff'));
  absl::Status status = ValidateTrackReport(report, kNow, std::nullopt);
  EXPECT_LT(status.message().size(), 600u);
  EXPECT_NE(status.message().find("\\xFF"), std::string::npos);
}

}  // namespace
}  // namespace deconflict::feeds
