#include "live/picture.h"

#include <filesystem>
#include <future>

#include "common/status.h"
#include "common/time.h"
#include "events/hub.h"
#include "gtest/gtest.h"
#include "ledger/entry.h"
#include "parties/acknowledgement.h"
#include "store/event_log.h"
#include "store/record_digest.h"
#include "store/sqlite_ledger.h"
#include "store/store.h"

namespace deconflict::live {
namespace {

using namespace std::chrono_literals;

store::PartyRecord Party(const std::string& id, const std::string& role) {
  return store::PartyRecord{.id = id,
                            .name = id + " forces",
                            .role = role,
                            .token_hash = std::string(32, id[0]) + id,
                            .created_at = Timestamp{}};
}

// Two aircraft of NORTH and SOUTH head-on at the same level, `gap_m` apart, closing at
// 2 x 200 m/s along the equator... here along the 35th parallel near 38 E.
feeds::TrackReport Aircraft(const std::string& party, const std::string& id, double lng, double trk,
                            Timestamp t, std::string callsign = "") {
  return feeds::TrackReport{.track = {.party = PartyId(party),
                                      .id = TrackId(id),
                                      .time = t,
                                      .lat_deg = 35.0,
                                      .lon_deg = lng,
                                      .alt_m = 9000,
                                      .ground_speed_mps = 200,
                                      .track_deg = trk,
                                      .vertical_rate_mps = 0},
                            .callsign = std::move(callsign)};
}

class LivePictureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("live_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    clock_.Set(*ParseRfc3339("2026-12-01T10:00:00Z"));
    Open();
    // Parties as `deconflict party add` writes them: the row and its party.add entry.
    ASSERT_TRUE(store_
                    ->Write([](store::Txn& txn) -> absl::Status {
                      for (const auto& [id, role] : {std::pair{"NORTH", "operator"},
                                                     {"SOUTH", "operator"},
                                                     {"EAST", "operator"},
                                                     {"UNMO", "guarantor"}}) {
                        store::PartyRecord party = Party(id, role);
                        RETURN_IF_ERROR(txn.InsertParty(party));
                        RETURN_IF_ERROR(
                            txn.AppendLedger(ledger::EncodeEntry(
                                                 {.party = party.id,
                                                  .action = ledger::kActionPartyAdd,
                                                  .object_id = party.id,
                                                  .content_digest = store::PartyRecordDigest(party),
                                                  .server_time = Timestamp{}}))
                                .status());
                      }
                      return absl::OkStatus();
                    })
                    .ok());
  }
  void TearDown() override {
    picture_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(LivePictureOptions options = {.ack_deadline = 30s}) {
    auto store = store::Store::Open(dir_.string(), {.clock = &clock_});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    log_ = std::make_unique<events::EventLog>(clock_);
    picture_ = std::make_unique<LivePicture>(*store_, *log_, clock_, options);
    ASSERT_TRUE(picture_->Load().ok());
  }
  void Restart() {
    picture_.reset();
    store_.reset();
    Open();
  }
  void Feed(std::vector<feeds::TrackReport> reports) {
    picture_->Ingest([&](Intake& in) {
      for (feeds::TrackReport& r : reports) ASSERT_TRUE(in.Apply(std::move(r)).ok());
    });
  }
  // Head-on pair 40 km apart: CPA in 100 s, well inside the 300 s lookahead.
  void FeedHeadOn() {
    Feed({Aircraft("NORTH", "n1", 38.0, 90, clock_.Now(), "NAF01"),
          Aircraft("SOUTH", "s1", 38.0 + 40'000 / (111'320 * std::cos(35 * M_PI / 180)), 270,
                   clock_.Now(), "SAF01")});
  }
  // The types of `party`'s stored events after `after`, in order.
  std::vector<std::string> EventTypes(const std::string& party, int64_t after = 0) {
    auto rows = store_->WithReader(
        [&](store::Database& db) { return store::ReadPartyEvents(db, party, after, 1000); });
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> types;
    for (const store::EventRow& row : *rows) types.push_back(row.type);
    return types;
  }
  void Cycle() { ASSERT_TRUE(picture_->RunCycle().ok()); }

  FakeClock clock_{Timestamp{}};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<events::EventLog> log_;
  std::unique_ptr<LivePicture> picture_;
};

TEST_F(LivePictureTest, HeadOnPairOpensOneEncounterForBothPartiesAndGuarantors) {
  FeedHeadOn();
  Cycle();
  auto north = picture_->Encounters({.party = PartyId("NORTH")}, {});
  ASSERT_TRUE(north.ok()) << north.status();
  ASSERT_EQ(north->size(), 1u);
  const EncounterView& e = north->front();
  EXPECT_EQ(e.record.party_a, "NORTH");
  EXPECT_EQ(e.record.party_b, "SOUTH");
  EXPECT_NEAR(e.latest.prediction.tcpa_s, 100, 1);
  EXPECT_LT(e.latest.prediction.dcpa_m, 10);
  EXPECT_GE(e.record.ledger_index, 0);
  EXPECT_EQ(EventTypes("NORTH"), std::vector<std::string>{"encounter.opened"});
  EXPECT_EQ(EventTypes("SOUTH"), std::vector<std::string>{"encounter.opened"});
  EXPECT_EQ(EventTypes("UNMO"), std::vector<std::string>{"encounter.opened"});
  EXPECT_TRUE(EventTypes("EAST").empty());
  // EAST sees neither the encounter nor the aircraft.
  auto east = picture_->Encounters({.party = PartyId("EAST")}, {});
  ASSERT_TRUE(east.ok());
  EXPECT_TRUE(east->empty());
  EXPECT_TRUE(picture_->Tracks({.party = PartyId("EAST")}).empty());
}

TEST_F(LivePictureTest, OtherPartysAircraftIsSeenOnlyInAnOpenEncounterAndWithoutCallsign) {
  Feed({Aircraft("NORTH", "n1", 38.0, 90, clock_.Now(), "NAF01"),
        Aircraft("SOUTH", "far", 20.0, 90, clock_.Now(), "SAF09")});
  Cycle();
  std::vector<VisibleTrack> seen = picture_->Tracks({.party = PartyId("NORTH")});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].report.callsign, "NAF01");

  FeedHeadOn();
  Cycle();
  seen = picture_->Tracks({.party = PartyId("NORTH")});
  ASSERT_EQ(seen.size(), 2u);  // n1 and s1, not "far"
  EXPECT_EQ(seen[1].report.track.id.value(), "s1");
  EXPECT_EQ(seen[1].report.callsign, "");
  EXPECT_FALSE(seen[1].own);
  // The guarantor sees all three, callsigns included.
  seen = picture_->Tracks({.party = PartyId("UNMO"), .sees_everything = true});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].report.callsign, "SAF01");
}

TEST_F(LivePictureTest, AHostSeesOtherPartiesAircraftInsideItsTerritoryWithoutCallsign) {
  Feed({Aircraft("NORTH", "inside", 38.0, 90, clock_.Now(), "NAF01"),
        Aircraft("NORTH", "outside", 20.0, 90, clock_.Now(), "NAF02")});
  Cycle();
  // A territory around 35 N 38 E, every altitude, from now on.
  absl::StatusOr<geo::Volume4D> land =
      geo::Volume4D::Make(geo::Polygon{{{34.5, 37.5}, {34.5, 38.5}, {35.5, 38.5}, {35.5, 37.5}}},
                          {-8000, 100000}, {clock_.Now() - 1h, clock_.Now() + 24h},
                          geo::VolumeLimits{.max_area_km2 = 1e6}, clock_.Now(), "");
  ASSERT_TRUE(land.ok()) << land.status();
  Viewer host{.party = PartyId("HOST"), .sees_everything = false, .territory = {}};
  EXPECT_TRUE(picture_->Tracks(host).empty());  // no territory: nothing of others
  host.territory.push_back(std::make_shared<const geo::Volume4D>(*land));
  std::vector<VisibleTrack> seen = picture_->Tracks(host);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].report.track.id.value(), "inside");
  EXPECT_EQ(seen[0].report.callsign, "");
  EXPECT_TRUE(seen[0].in_territory);
  EXPECT_FALSE(seen[0].own);
}

TEST_F(LivePictureTest, UnchangedPredictionSendsNoUpdateAndClosingIsLogged) {
  FeedHeadOn();
  Cycle();
  for (int i = 0; i < 5; ++i) {  // steady closure: tcpa falls 1 s per second, not news
    clock_.Advance(1s);
    Cycle();
  }
  EXPECT_EQ(EventTypes("NORTH"), std::vector<std::string>{"encounter.opened"});
  // SOUTH turns away and climbs: the prediction changes beyond the thresholds.
  Feed({Aircraft("SOUTH", "s1", 38.0 + 40'000 / (111'320 * std::cos(35 * M_PI / 180)), 0,
                 clock_.Now())});
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(1s);
    Cycle();
  }
  EXPECT_EQ(EventTypes("NORTH"),
            (std::vector<std::string>{"encounter.opened", "encounter.closed"}));
  auto closed =
      picture_->Encounters({.party = PartyId("SOUTH")}, {.state = store::EncounterState::kClosed});
  ASSERT_TRUE(closed.ok());
  ASSERT_EQ(closed->size(), 1u);
  EXPECT_EQ(closed->front().record.close_reason, "clear");
  EXPECT_FALSE(closed->front().record.opening.empty());
  // Once closed, NORTH no longer sees SOUTH's aircraft.
  EXPECT_EQ(picture_->Tracks({.party = PartyId("NORTH")}).size(), 1u);
}

TEST_F(LivePictureTest, AcknowledgementIsDurableToldToTheOtherPartyAndAnsweredOnce) {
  FeedHeadOn();
  Cycle();
  auto ack = [&](const std::string& party) {
    std::promise<absl::StatusOr<AckResult>> result;
    picture_->Acknowledge({.party = PartyId(party)}, {.encounter = 1},
                          [&](absl::StatusOr<AckResult> r) { result.set_value(std::move(r)); });
    return result.get_future().get();
  };
  absl::StatusOr<AckResult> first = ack("SOUTH");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  EXPECT_GE(first->ack.ledger_index, 0);
  absl::StatusOr<AckResult> again = ack("SOUTH");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->ack.ledger_index, first->ack.ledger_index);
  EXPECT_EQ(EventTypes("NORTH"),
            (std::vector<std::string>{"encounter.opened", "encounter.acknowledged"}));
  EXPECT_EQ(EventTypes("SOUTH"), std::vector<std::string>{"encounter.opened"});
  EXPECT_EQ(ack("EAST").status().code(), absl::StatusCode::kNotFound);
  std::promise<absl::StatusOr<AckResult>> by_guarantor;
  picture_->Acknowledge({.party = PartyId("UNMO"), .sees_everything = true}, {.encounter = 1},
                        [&](absl::StatusOr<AckResult> r) { by_guarantor.set_value(r); });
  EXPECT_EQ(by_guarantor.get_future().get().status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ack("NORTH").status().code(), absl::StatusCode::kOk);
  auto view = picture_->Encounter({.party = PartyId("NORTH")}, 1);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->acks.size(), 2u);
}

TEST_F(LivePictureTest, SilenceAfterTheDeadlineIsReportedOnceNamingWhoIsSilent) {
  FeedHeadOn();
  Cycle();
  std::promise<absl::StatusOr<AckResult>> acked;
  picture_->Acknowledge({.party = PartyId("NORTH")}, {.encounter = 1},
                        [&](absl::StatusOr<AckResult> r) { acked.set_value(r); });
  ASSERT_TRUE(acked.get_future().get().ok());
  for (int i = 0; i < 35; ++i) {
    clock_.Advance(1s);
    FeedHeadOn();  // keep both aircraft fresh and in conflict
    Cycle();
  }
  std::vector<std::string> north = EventTypes("SOUTH");
  EXPECT_EQ(std::count(north.begin(), north.end(), "encounter.unacknowledged"), 1);
  auto rows = store_->WithReader(
      [&](store::Database& db) { return store::ReadPartyEvents(db, "UNMO", 0, 100); });
  ASSERT_TRUE(rows.ok());
  bool named_south_only = false;
  for (const store::EventRow& row : *rows) {
    if (row.type != "encounter.unacknowledged") continue;
    auto event = events::FromRow(row);
    ASSERT_TRUE(event.ok()) << event.status();
    const auto& u = std::get<events::EncounterUnacknowledged>(event->payload);
    named_south_only = u.parties == std::vector<PartyId>{PartyId("SOUTH")};
  }
  EXPECT_TRUE(named_south_only);
}

TEST_F(LivePictureTest, RestartClosesOpenEncountersAndNeverReusesAnId) {
  FeedHeadOn();
  Cycle();
  Restart();
  EXPECT_EQ(EventTypes("NORTH"),
            (std::vector<std::string>{"encounter.opened", "encounter.closed"}));
  auto closed = picture_->Encounter({.party = PartyId("NORTH")}, 1);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->record.close_reason, "restart");
  FeedHeadOn();
  Cycle();
  auto open =
      picture_->Encounters({.party = PartyId("NORTH")}, {.state = store::EncounterState::kOpen});
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().record.id, 2);
}

TEST_F(LivePictureTest, HistoryKeepsOnePointPerIntervalAndFollowsVisibility) {
  for (int i = 0; i < 30; ++i) {
    Feed({Aircraft("NORTH", "n1", 38.0 + i * 0.002, 90, clock_.Now()),
          Aircraft("EAST", "e1", 20.0, 90, clock_.Now())});
    clock_.Advance(1s);
    Cycle();
  }
  store::TrackHistoryQuery q{.from = clock_.Now() - 1h, .to = clock_.Now()};
  auto own = picture_->History({.party = PartyId("NORTH")}, q);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->size(), 3u);  // t = 0, 10, 20 s
  for (const store::TrackPointRecord& p : *own) EXPECT_EQ(p.party, "NORTH");
  auto all = picture_->History({.party = PartyId("UNMO"), .sees_everything = true}, q);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 6u);
}

TEST_F(LivePictureTest, ATableFullOfTracksRefusesNewOnesButAcceptsKnownOnes) {
  picture_.reset();
  picture_ =
      std::make_unique<LivePicture>(*store_, *log_, clock_, LivePictureOptions{.max_tracks = 2});
  ASSERT_TRUE(picture_->Load().ok());
  picture_->Ingest([&](Intake& in) {
    EXPECT_TRUE(in.Apply(Aircraft("NORTH", "a", 38, 90, clock_.Now())).ok());
    EXPECT_TRUE(in.Apply(Aircraft("NORTH", "b", 38, 90, clock_.Now())).ok());
    absl::Status third = in.Apply(Aircraft("NORTH", "c", 38, 90, clock_.Now()));
    EXPECT_TRUE(IsLimitExceeded(third)) << third;
    EXPECT_TRUE(in.Apply(Aircraft("NORTH", "a", 38.1, 90, clock_.Now())).ok());
    EXPECT_EQ(in.Newest(PartyId("NORTH"), TrackId("a")), clock_.Now());
  });
}

}  // namespace
}  // namespace deconflict::live

namespace deconflict::live {
namespace {

TEST_F(LivePictureTest, LedgerCheckMatchesEncounterRowsAndAcksAndNamesAnEditedRow) {
  FeedHeadOn();
  Cycle();
  std::promise<absl::StatusOr<AckResult>> acked;
  picture_->Acknowledge({.party = PartyId("SOUTH")}, {.encounter = 1},
                        [&](absl::StatusOr<AckResult> r) { acked.set_value(r); });
  ASSERT_TRUE(acked.get_future().get().ok());
  auto check = [&] {
    return store_->WithReader([&](store::Database& db) {
      return store::LedgerReader(db).Check(store_->ledger().signer().verifier());
    });
  };
  absl::StatusOr<store::LedgerCheckReport> report = check();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->encounters, 1u);
  EXPECT_EQ(report->encounter_acks, 1u);
  // Someone edits the stored prediction in the database file.
  auto editor =
      store::Database::Open((dir_ / "deconflict.db").string(), store::Database::Mode::kReadWrite);
  ASSERT_TRUE(editor.ok()) << editor.status();
  ASSERT_TRUE((*editor)
                  ->Exec("UPDATE encounters SET opening = replace(opening, '\"dcpa_m\"', "
                         "'\"dcpa_m\":9999,\"x\"')")
                  .ok());
  report = check();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("encounters row 1"), std::string::npos)
      << report.status();
}

TEST(EncounterAckDigest, SignedFormIsTheAcknowledgementRecordDigest) {
  parties::VerifiedAck verified{.statement_bytes = "deconflict-ack/v1\nencounter\n7\n...",
                                .signature = std::string(64, '\x5a'),
                                .key_id = "k1"};
  store::EncounterAckRecord row{.encounter = 7,
                                .party = "SOUTH",
                                .key_id = verified.key_id,
                                .signature = verified.signature,
                                .statement = verified.statement_bytes};
  EXPECT_EQ(store::EncounterAckDigest(row), parties::AckRecordDigest(verified));
}

}  // namespace
}  // namespace deconflict::live

namespace deconflict::live {
namespace {

TEST_F(LivePictureTest, TracksLeaveThePictureAfterTheirMaxAgeAndTheirEncounterClosesAsLost) {
  FeedHeadOn();
  Cycle();
  clock_.Advance(31s);  // default track_max_age: 30 s, and nobody reported since
  Cycle();
  EXPECT_TRUE(picture_->Tracks({.party = PartyId("UNMO"), .sees_everything = true}).empty());
  auto closed = picture_->Encounter({.party = PartyId("NORTH")}, 1);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->record.close_reason, "track_lost");
  EXPECT_EQ(picture_->stats().open_encounters, 0u);
}

TEST_F(LivePictureTest, FeedReportsAreValidatedAndRefusalsCounted) {
  feeds::TrackReport good = Aircraft("NORTH", "4CA2D6", 38.0, 90, clock_.Now());
  EXPECT_TRUE(picture_->Offer(good).ok());
  feeds::TrackReport older = Aircraft("NORTH", "4CA2D6", 38.0, 90, clock_.Now() - 5s);
  EXPECT_FALSE(picture_->Offer(older).ok());  // older than the held report
  feeds::TrackReport high = Aircraft("NORTH", "4CA2D7", 38.0, 90, clock_.Now());
  high.track.alt_m = 40'000;
  EXPECT_FALSE(picture_->Offer(high).ok());
  EXPECT_EQ(picture_->stats().feed_reports_refused, 2);
  EXPECT_EQ(picture_->stats().reports_applied, 1);
}

}  // namespace
}  // namespace deconflict::live

namespace deconflict::live {
namespace {

TEST_F(LivePictureTest, APredictionThatMovesBeyondTheThresholdsIsSentAsAnUpdate) {
  FeedHeadOn();
  Cycle();
  // SOUTH slows from 200 to 50 m/s: closing at 250 m/s, CPA moves from 100 s to 160 s ahead.
  feeds::TrackReport slower = Aircraft(
      "SOUTH", "s1", 38.0 + 40'000 / (111'320 * std::cos(35 * M_PI / 180)), 270, clock_.Now());
  slower.track.ground_speed_mps = 50;
  Feed({slower});
  clock_.Advance(1s);
  Cycle();
  EXPECT_EQ(EventTypes("SOUTH"),
            (std::vector<std::string>{"encounter.opened", "encounter.updated"}));
  auto open = picture_->Encounter({.party = PartyId("SOUTH")}, 1);
  ASSERT_TRUE(open.ok());
  EXPECT_NEAR(open->latest.prediction.tcpa_s, 159, 2);
}

}  // namespace
}  // namespace deconflict::live
