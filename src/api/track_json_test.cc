#include "api/track_json.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "common/json.h"
#include "common/status.h"
#include "common/text.h"
#include "common/time.h"
#include "gtest/gtest.h"

namespace deconflict::api {
namespace {

const Timestamp kNow = *ParseRfc3339("2026-11-25T10:00:00Z");

std::string Report(std::string_view id, std::string_view time = "2026-11-25T10:00:00Z",
                   std::string_view extra = "") {
  return fmt::format(R"({{"id": "{}", "time": "{}", "lat": 33.5, "lng": 36.2, "alt_m": 9000,
      "gs_mps": 230, "trk_deg": 90, "vs_mps": -5{}}})",
                     id, time, extra);
}

boost::json::value Body(const std::vector<std::string>& reports) {
  std::string text = R"({"tracks": [)";
  for (size_t report_idx = 0; report_idx < reports.size(); ++report_idx) {
    if (report_idx > 0) text += ",";
    text += reports[report_idx];
  }
  return *ParseJson(text + "]}");
}

// A track table stand-in that keeps what was applied: the real one (tactical::TrackTable) has
// no callsign, and this is what the JSON reading must hand over.
struct Applied {
  absl::flat_hash_map<std::string, feeds::TrackReport> by_id;
  TrackBatchResult Apply(TrackBatch batch) {
    return ApplyTrackBatch(
        std::move(batch), kNow,
        [&](const TrackId& id) -> std::optional<Timestamp> {
          auto it = by_id.find(id.value());
          if (it == by_id.end()) return std::nullopt;
          return it->second.track.time;
        },
        [&](feeds::TrackReport report) {
          by_id[report.track.id.value()] = std::move(report);
          return absl::OkStatus();
        });
  }
};

TEST(TrackJson, ReadsAReportInSiUnitsUnderTheCallersParty) {
  absl::StatusOr<TrackBatch> batch =
      ReadTrackBatch(Body({Report("NAF-01", "2026-11-25T10:00:00.5Z", R"(, "callsign": "NAF01")")}),
                     PartyId("NORTH"));
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->reports.size(), 1u);
  const feeds::TrackReport& report = batch->reports[0].report;
  EXPECT_EQ(report.track.party, PartyId("NORTH"));
  EXPECT_EQ(report.track.id, TrackId("NAF-01"));
  EXPECT_EQ(report.track.time, kNow + std::chrono::milliseconds(500));
  EXPECT_EQ(report.track.lat_deg, 33.5);
  EXPECT_EQ(report.track.lon_deg, 36.2);
  EXPECT_EQ(report.track.alt_m, 9000);
  EXPECT_EQ(report.track.ground_speed_mps, 230);
  EXPECT_EQ(report.track.track_deg, 90);
  EXPECT_EQ(report.track.vertical_rate_mps, -5);
  EXPECT_EQ(report.callsign, "NAF01");
}

TEST(TrackJson, AppliesTheValidReportsAndRefusesOthersByIndexAndField) {
  std::vector<std::string> reports;
  for (int report_idx = 0; report_idx < 20; ++report_idx) {
    reports.push_back(Report(fmt::format("T{}", report_idx)));
  }
  reports[17] = R"({"id": "T17", "time": "2026-11-25T10:00:00Z", "lat": 91, "lng": 36.2,
      "alt_m": 9000, "gs_mps": 230, "trk_deg": 90, "vs_mps": -5})";
  reports[3] = Report("T3", "2026-11-25T10:00:11Z");  // 11 s in the future
  reports[5] = Report("T5", "yesterday");
  reports[6] = Report("T6", "2026-11-25T10:00:00Z", R"(, "colour": "red")");
  reports[7] = "42";
  reports[8] = R"({"id": "T8"})";
  reports[9] = Report("T9", "2026-11-25T10:00:00Z", R"(, "callsign": 7)");
  Applied applied;
  absl::StatusOr<TrackBatch> batch = ReadTrackBatch(Body(reports), PartyId("NORTH"));
  ASSERT_TRUE(batch.ok()) << batch.status();
  TrackBatchResult result = applied.Apply(*std::move(batch));
  EXPECT_EQ(result.accepted, 13u);
  EXPECT_EQ(applied.by_id.size(), 13u);
  std::vector<std::string> fields;
  for (const RefusedTrackReport& refused : result.refused) {
    fields.push_back(fmt::format("{}:{}", refused.index, FieldOf(refused.status).value_or("")));
  }
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "3:tracks[3].time", "5:tracks[5].time", "6:tracks[6].colour", "7:tracks[7]",
                        "8:tracks[8].time", "9:tracks[9].callsign", "17:tracks[17].lat"}));
  const std::string answer = SerializeJson(TrackBatchResultJson(result));
  EXPECT_NE(answer.find(R"({"index":17,"field":"tracks[17].lat","message":"tracks[17].lat: 91)"),
            std::string::npos)
      << answer;
  EXPECT_NE(answer.find(R"("accepted":13)"), std::string::npos) << answer;
}

TEST(TrackJson, AReportOlderThanTheTracksNewestIsRefusedEvenWithinOneBatch) {
  Applied applied;
  TrackBatchResult result = applied.Apply(*ReadTrackBatch(
      Body({Report("A", "2026-11-25T10:00:02Z"), Report("A", "2026-11-25T10:00:01Z"),
            Report("A", "2026-11-25T10:00:02Z")}),
      PartyId("NORTH")));
  EXPECT_EQ(result.accepted, 2u);  // an equal time is a harmless retry
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_EQ(result.refused[0].index, 1u);
  EXPECT_EQ(FieldOf(result.refused[0].status), "tracks[1].time");
}

TEST(TrackJson, AnApplyErrorRefusesTheReportWithItsIndex) {
  TrackBatchResult result = ApplyTrackBatch(
      *ReadTrackBatch(Body({Report("A")}), PartyId("NORTH")), kNow,
      [](const TrackId&) { return std::optional<Timestamp>(); },
      [](feeds::TrackReport) { return InvalidField("id", "is taken"); });
  EXPECT_EQ(result.accepted, 0u);
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_EQ(FieldOf(result.refused[0].status), "tracks[0].id");
}

TEST(TrackJson, BodiesThatAreNotABatchAreRefusedWhole) {
  auto field_of = [](std::string_view text) {
    absl::StatusOr<TrackBatch> batch = ReadTrackBatch(*ParseJson(text), PartyId("NORTH"));
    EXPECT_FALSE(batch.ok()) << text;
    return batch.ok() ? "" : FieldOf(batch.status()).value_or("");
  };
  EXPECT_EQ(field_of("[]"), "body");
  EXPECT_EQ(field_of("{}"), "body.tracks");
  EXPECT_EQ(field_of(R"({"tracks": {}})"), "body.tracks");
  EXPECT_EQ(field_of(R"({"tracks": [], "party": "SOUTH"})"), "body.party");
}

TEST(TrackJson, MoreThanTenThousandReportsIsLimitExceeded) {
  boost::json::array tracks(kMaxTracksPerBatch + 1, boost::json::object{});
  absl::StatusOr<TrackBatch> batch =
      ReadTrackBatch(boost::json::object{{"tracks", std::move(tracks)}}, PartyId("NORTH"));
  ASSERT_FALSE(batch.ok());
  EXPECT_TRUE(IsLimitExceeded(batch.status()));
  // Exactly the limit is read (every report refused here: they are empty objects).
  boost::json::array at_limit(kMaxTracksPerBatch, boost::json::object{});
  batch = ReadTrackBatch(boost::json::object{{"tracks", std::move(at_limit)}}, PartyId("NORTH"));
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->refused.size(), kMaxTracksPerBatch);
}

TEST(TrackJson, TheAnswerIsValidUtf8WhateverTheClientSent) {
  Applied applied;
  TrackBatchResult result = applied.Apply(*ReadTrackBatch(
      Body({Report("\\u00e9\\u202e" + std::string(100, 'x')), Report("B", "\\u0000\\u00ff")}),
      PartyId("NORTH")));
  ASSERT_EQ(result.refused.size(), 2u);
  const std::string answer = SerializeJson(TrackBatchResultJson(result));
  EXPECT_TRUE(IsValidUtf8(answer));
  EXPECT_EQ(answer.find("\xE2\x80\xAE"), std::string::npos);  // no bidi override survives
}

}  // namespace
}  // namespace deconflict::api
