#include "sim/tracks.h"

#include <cmath>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sim/track_csv.h"

namespace deconflict::sim {
namespace {

using ::testing::HasSubstr;

TEST(GenerateTracks, SameSeedGivesSameSnapshotAndOtherSeedDiffers) {
  TrackScenarioOptions options{.scenario = TrackScenario::kDense, .count = 500, .seed = 7};
  auto first = GenerateTracks(options);
  auto second = GenerateTracks(options);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
  options.seed = 8;
  auto other = GenerateTracks(options);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*first, *other);
}

TEST(GenerateTracks, DenseTracksFollowTheScenarioMix) {
  auto tracks =
      GenerateTracks({.scenario = TrackScenario::kDense, .count = 20000, .seed = 3, .parties = 3});
  ASSERT_TRUE(tracks.ok());
  int level = 0;
  for (size_t idx = 0; idx < tracks->size(); ++idx) {
    const tactical::Track& t = (*tracks)[idx];
    EXPECT_EQ(t.id.value(), std::to_string(idx + 1));
    EXPECT_EQ(t.party.value(), "P" + std::to_string(idx % 3 + 1));
    // 250 km is 2.25 deg of latitude; east-west 250 km at 54.3N is ~3.85 deg of longitude.
    EXPECT_NEAR(t.lat_deg, 52.0, 2.3);
    EXPECT_NEAR(t.lon_deg, 5.0, 4.0);
    EXPECT_GE(t.ground_speed_mps, 120);
    EXPECT_LT(t.ground_speed_mps, 250);
    EXPECT_GE(t.track_deg, 0);
    EXPECT_LT(t.track_deg, 360);
    if (t.vertical_rate_mps == 0) {
      ++level;
      double flight_level = t.alt_m / 30.48;
      EXPECT_NEAR(flight_level, std::round(flight_level / 10) * 10, 1e-9);
      EXPECT_GE(flight_level, 200 - 1e-9);
      EXPECT_LE(flight_level, 400 + 1e-9);
    } else {
      EXPECT_GE(std::abs(t.vertical_rate_mps), 5);
      EXPECT_LT(std::abs(t.vertical_rate_mps), 15);
      EXPECT_GE(t.alt_m, 50 * 30.48);
      EXPECT_LT(t.alt_m, 400 * 30.48);
    }
  }
  EXPECT_NEAR(level / 20000.0, 0.6, 0.02);
}

TEST(GenerateTracks, ContinentalBoxSpansItsLatitudes) {
  auto tracks = GenerateTracks({.scenario = TrackScenario::kContinental, .count = 5000});
  ASSERT_TRUE(tracks.ok());
  double lat_min = 90, lat_max = -90;
  for (const tactical::Track& t : *tracks) {
    lat_min = std::min(lat_min, t.lat_deg);
    lat_max = std::max(lat_max, t.lat_deg);
  }
  // 1,500 km is 13.5 deg of latitude either side of 48N.
  EXPECT_NEAR(lat_min, 48 - 13.49, 0.3);
  EXPECT_NEAR(lat_max, 48 + 13.49, 0.3);
}

TEST(GenerateTracks, BadOptionsNameTheField) {
  auto bad = GenerateTracks({.count = -1});
  EXPECT_THAT(bad.status().message(), HasSubstr("count"));
  bad = GenerateTracks({.parties = 0});
  EXPECT_THAT(bad.status().message(), HasSubstr("parties"));
  EXPECT_FALSE(ParseTrackScenario("sparse").ok());
  EXPECT_EQ(*ParseTrackScenario("continental"), TrackScenario::kContinental);
}

TEST(GenerateTracks, EveryTrackIsValidAndAtTheGivenTime) {
  const Timestamp at = Timestamp(std::chrono::seconds(1'800'000'000));
  auto tracks = GenerateTracks({.count = 2000, .seed = 4, .time = at});
  ASSERT_TRUE(tracks.ok());
  for (const tactical::Track& t : *tracks) {
    EXPECT_EQ(t.time, at);
    EXPECT_TRUE(tactical::ValidateTrack(t).ok()) << t.id.value();
  }
}

TEST(TrackCsv, WriteThenReadIsExact) {
  const Timestamp at = Timestamp(std::chrono::seconds(1'800'000'000));
  auto tracks = GenerateTracks({.count = 300, .seed = 11, .parties = 5, .time = at});
  ASSERT_TRUE(tracks.ok());
  std::stringstream buffer;
  ASSERT_TRUE(WriteTrackCsv(*tracks, buffer).ok());
  auto back = ReadTrackCsv(buffer, at);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, *tracks);
}

absl::Status ReadText(const std::string& text) {
  std::istringstream in(text);
  return ReadTrackCsv(in).status();
}

TEST(TrackCsv, BadRowsAreErrorsWithLineNumberAndColumn) {
  const std::string header = std::string(kTrackCsvHeader) + "\n";
  const std::string good = "1,P1,52,5,10000,200,90,0\n";
  EXPECT_TRUE(ReadText(header + good + "\r\n").ok());
  EXPECT_THAT(ReadText("id,party\n").message(), HasSubstr("line 1: header"));
  EXPECT_THAT(ReadText("").message(), HasSubstr("line 1: header"));
  EXPECT_THAT(ReadText(header + good + "2,P1,abc,5,1,1,1,0\n").message(),
              HasSubstr("line 3: lat: 'abc' is not a finite number"));
  EXPECT_THAT(ReadText(header + "2,P1,91,5,1,1,1,0\n").message(),
              HasSubstr("line 2: lat: 91 is not in [-90, 90]"));
  EXPECT_THAT(ReadText(header + "2,P1,1,5,nan,1,1,0\n").message(), HasSubstr("line 2: alt_m:"));
  EXPECT_THAT(ReadText(header + "2,P1,1,5,1,1,1\n").message(),
              HasSubstr("line 2: record: has 7 fields"));
  EXPECT_THAT(ReadText(header + "2,P1,1,5,1,1,1,0,9\n").message(), HasSubstr("has 9 fields"));
  EXPECT_THAT(ReadText(header + "2,P 1,1,5,1,1,1,0\n").message(), HasSubstr("line 2: party:"));
  EXPECT_THAT(ReadText(header + ",P1,1,5,1,1,1,0\n").message(), HasSubstr("line 2: id:"));
  EXPECT_THAT(ReadText(header + good + good).message(), HasSubstr("line 3: id: '1' appears twice"));
  EXPECT_THAT(ReadText(header + "2,P1,1,5,1,-3,1,0\n").message(), HasSubstr("line 2: gs_mps:"));
  EXPECT_THAT(ReadText(header + "2,P1,1,5,1,3,1,2000\n").message(), HasSubstr("line 2: vs_mps:"));
  EXPECT_THAT(ReadText(header + "2,P1,1,5,1,3,1,0x\n").message(), HasSubstr("line 2: vs_mps:"));
}

}  // namespace
}  // namespace deconflict::sim
