#include "tactical/track_table.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tactical/internal/test_tracks.h"

namespace deconflict::tactical {
namespace {

using testing::kT0;
using testing::MakeTrack;

TEST(TrackTable, UpsertReplacesByPartyAndId) {
  TrackTable table;
  ASSERT_TRUE(table.Upsert(MakeTrack("A", "1", 10, 10, 1000, 100, 0)).ok());
  ASSERT_TRUE(table.Upsert(MakeTrack("B", "1", 10, 10, 1000, 100, 0)).ok());  // other party
  Track moved = MakeTrack("A", "1", 11, 10, 1000, 100, 0);
  moved.time = kT0 + std::chrono::seconds(1);
  ASSERT_TRUE(table.Upsert(moved).ok());
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.Find(PartyId("A"), TrackId("1"))->lat_deg, 11);
  EXPECT_EQ(table.Find(PartyId("B"), TrackId("1"))->lat_deg, 10);
  EXPECT_EQ(table.Find(PartyId("C"), TrackId("1")), nullptr);
}

TEST(TrackTable, OlderReportDoesNotReplaceNewerOne) {
  TrackTable table;
  Track newer = MakeTrack("A", "1", 11, 10, 1000, 100, 0);
  newer.time = kT0 + std::chrono::seconds(5);
  ASSERT_TRUE(table.Upsert(newer).ok());
  ASSERT_TRUE(table.Upsert(MakeTrack("A", "1", 10, 10, 1000, 100, 0)).ok());
  EXPECT_EQ(table.Find(PartyId("A"), TrackId("1"))->lat_deg, 11);
}

TEST(TrackTable, ExpireDropsTracksOlderThanMaxAgeAndKeepsTheIndexRight) {
  TrackTable table({.max_age = std::chrono::seconds(10)});
  for (int idx = 0; idx < 10; ++idx) {
    Track track = MakeTrack("A", std::to_string(idx), 10, idx, 1000, 100, 0);
    track.time = kT0 + std::chrono::seconds(idx);
    ASSERT_TRUE(table.Upsert(track).ok());
  }
  // At kT0 + 15 s, reports from before kT0 + 5 s are older than 10 s.
  EXPECT_EQ(table.Expire(kT0 + std::chrono::seconds(15)), 5u);
  EXPECT_EQ(table.size(), 5u);
  for (int idx = 0; idx < 10; ++idx) {
    const Track* track = table.Find(PartyId("A"), TrackId(std::to_string(idx)));
    if (idx < 5) {
      EXPECT_EQ(track, nullptr) << idx;
    } else {
      ASSERT_NE(track, nullptr) << idx;
      EXPECT_EQ(track->lon_deg, idx);
    }
  }
  EXPECT_EQ(table.Expire(kT0 + std::chrono::seconds(15)), 0u);
}

TEST(TrackTable, InvalidTrackIsRefusedNamingTheField) {
  TrackTable table;
  absl::Status status = table.Upsert(MakeTrack("A", "1", 10, 181, 1000, 100, 0));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("lon_deg"));
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace deconflict::tactical
