// The automatic case (cases.h) on a real SQLite store with a fake clock, with the humanitarian
// notifications, the operations and the hotline's deadline mechanism it links: what opens a case
// and what does not, what it links, who sees what, responses, overdue (once, across restarts)
// and the guarantors' signed close.
#include "monitoring/cases.h"

#include <filesystem>
#include <future>

#include "common/status.h"
#include "common/test_wait.h"
#include "common/time.h"
#include "gtest/gtest.h"
#include "hotline/hotline.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"
#include "store/cases_table.h"
#include "store/encounters_table.h"
#include "store/event_log.h"
#include "store/sqlite_ledger.h"
#include "strategic/operation_service.h"

namespace deconflict::monitoring {
namespace {

using namespace std::chrono_literals;
using testing::Wait;
using Type = events::IncidentNotice::Type;

constexpr double kLat = 31.5236, kLng = 34.4437;  // the hospital
constexpr double kMetrePerDegree = 111195.0;

Timestamp Seconds(Timestamp t) { return std::chrono::floor<std::chrono::seconds>(t); }

// Parties: ICRC (humanitarian), RU and US (operators), UNMO (guarantor), OBS (observer),
// TR (an operator linked to nothing).
class CasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cases_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Open();
    ASSERT_TRUE(store_
                    ->Write([](store::Txn& txn) -> absl::Status {
                      for (auto [id, role] : {std::pair{"ICRC", "humanitarian"},
                                              {"RU", "operator"},
                                              {"US", "operator"},
                                              {"TR", "operator"},
                                              {"UNMO", "guarantor"},
                                              {"OBS", "observer"}}) {
                        RETURN_IF_ERROR(txn.InsertParty(
                            store::PartyRecord{.id = id,
                                               .name = id,
                                               .role = role,
                                               .token_hash = std::string(32, id[0]) + id}));
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    ru_key_ = parties::GenerateSigningKey();
    unmo_key_ = parties::GenerateSigningKey();
    ASSERT_TRUE(parties::AddSigningKey(*store_, clock_, PartyId("RU"), ru_key_.public_key).ok());
    ASSERT_TRUE(
        parties::AddSigningKey(*store_, clock_, PartyId("UNMO"), unmo_key_.public_key).ok());
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    auto store = store::Store::Open(dir_.string(), {.synchronous_full = false, .clock = &clock_});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    log_ = std::make_unique<events::EventLog>(clock_);
    hotline_ = std::make_unique<hotline::Hotline>(*store_, *log_, clock_,
                                                  hotline::HotlineOptions{.tick = 0ms});
    notifications_ = std::make_unique<humanitarian::Notifications>(*store_, *log_, clock_);
    operations_ = std::make_unique<strategic::OperationService>(
        *store_, clock_, strategic::OperationServiceOptions{.eviction_interval = 0ms}, log_.get());
    operations_->AddProtectedVolumes(*notifications_);
    hotline_->AddDeadlineSource(*notifications_);
    incidents_ = std::make_unique<Incidents>(*store_, *log_, clock_);
    cases_ = std::make_unique<Cases>(*store_, *log_, clock_, *notifications_);
    incidents_->SetHook(cases_.get());
    hotline_->AddDeadlineSource(*cases_);
    ASSERT_TRUE(hotline_->Load().ok());
    ASSERT_TRUE(notifications_->Load().ok());
    ASSERT_TRUE(operations_->Load().ok());
    ASSERT_TRUE(incidents_->Load().ok());
    ASSERT_TRUE(cases_->Load().ok());
  }
  void Close() {
    hotline_->Stop();
    store_.reset();
    cases_.reset();
    incidents_.reset();
    operations_.reset();
    notifications_.reset();
    hotline_.reset();
  }
  void Restart() {
    Close();
    Open();
  }

  // The hospital, buffer 300 m, valid from an hour ago for 30 days, told to RU; RU acknowledges
  // it, signed.
  void NotifyHospitalAndAcknowledge() {
    humanitarian::NotificationRequest site{
        .kind = humanitarian::Kind::kSite,
        .id = "al-shifa",
        .category = "hospital",
        .name = "Al-Shifa Hospital",
        .geometry = {.type = humanitarian::Geometry::Type::kPoint, .points = {{kLat, kLng}}},
        .buffer_m = 300,
        .window = {clock_.Now() - 1h, clock_.Now() + 24h * 30},
        .recipients = {PartyId("RU")}};
    Wait<humanitarian::PutResult> put;
    notifications_->Put(PartyId("ICRC"), site, put.done());
    absl::StatusOr<humanitarian::PutResult> stored = put.get();
    ASSERT_TRUE(stored.ok()) << stored.status();
    const Timestamp at = Seconds(clock_.Now());
    const std::string signature = *parties::SignAcknowledgement(
        ru_key_, parties::AckStatement{.kind = "humanitarian.site",
                                       .object_id = "al-shifa/1",
                                       .object_digest = stored->record.digest,
                                       .party = PartyId("RU"),
                                       .time = at});
    Wait<humanitarian::AckResult> ack;
    notifications_->Acknowledge(
        PartyId("RU"),
        humanitarian::AckRequest{
            .kind = humanitarian::Kind::kSite,
            .id = "al-shifa",
            .signature = humanitarian::AckSignature{.signature = signature, .signed_at = at}},
        ack.done());
    ASSERT_TRUE(ack.get().ok());
    acked_at_ = clock_.Now();
  }
  // US's operation: a 400 m circle over the hospital, 0-3,000 m, from now for 2 h.
  void FileOperation(const std::string& id = "0b7d2f3e-1c4a-4e8b-9f00-000000000001") {
    absl::StatusOr<geo::Volume4D> v =
        geo::Volume4D::Make(geo::Circle{{kLat, kLng}, 400}, {0, 3000},
                            {clock_.Now(), clock_.Now() + 2h}, {}, clock_.Now(), "extents[0]");
    ASSERT_TRUE(v.ok()) << v.status();
    absl::StatusOr<strategic::OperationRequest> request =
        strategic::MakeOperationRequest({*v}, strategic::OperationState::kAccepted, {}, "", {});
    ASSERT_TRUE(request.ok());
    std::promise<strategic::WriteOutcome> p;
    operations_->Put(strategic::Caller{.party = PartyId("US")}, OperationId(id), std::nullopt,
                     *std::move(request), [&p](strategic::WriteOutcome o) { p.set_value(o); });
    strategic::WriteOutcome outcome = p.get_future().get();
    ASSERT_TRUE(outcome.status.ok()) << outcome.status;
  }
  // A strike `north_m` north of the hospital, five minutes ago.
  absl::StatusOr<ReportResult> Strike(const std::string& id, double north_m,
                                      const std::string& type = "Explosions/Remote violence",
                                      const std::string& sub = "Air/drone strike") {
    Wait<ReportResult> w;
    incidents_->Report(PartyId("OBS"),
                       IncidentRequest{.id = id,
                                       .occurred_at = clock_.Now() - 5min,
                                       .location = {kLat + north_m / kMetrePerDegree, kLng},
                                       .event_type = type,
                                       .sub_event_type = sub,
                                       .alleged_party = "US",
                                       .fatalities = {.best = 4, .low = 3, .high = 6},
                                       .notes = "Strike on the hospital's east wing."},
                       w.done());
    return w.get();
  }
  std::vector<events::IncidentNotice> Notices(const std::string& party, Type type) {
    auto rows = store_->WithReader(
        [&](store::Database& db) { return store::ReadPartyEvents(db, party, 0, 1000); });
    EXPECT_TRUE(rows.ok());
    std::vector<events::IncidentNotice> out;
    for (const store::EventRow& row : *rows) {
      absl::StatusOr<events::Event> e = events::FromRow(row);
      EXPECT_TRUE(e.ok()) << e.status();
      const auto* n = e.ok() ? std::get_if<events::IncidentNotice>(&e->payload) : nullptr;
      if (n != nullptr && n->type == type) out.push_back(*n);
    }
    return out;
  }
  absl::StatusOr<CaseView> Respond(const std::string& by, const std::string& text,
                                   bool sign = false) {
    ResponseRequest r{.case_id = "strike-1", .text = text};
    if (sign) {
      absl::StatusOr<CaseView> now = cases_->Get(Viewer{.party = PartyId(by)}, "strike-1");
      if (!now.ok()) return now.status();
      const Timestamp at = Seconds(clock_.Now());
      r.signature = Signature{
          .signature = *parties::SignAcknowledgement(
              ru_key_, parties::AckStatement{.kind = "case.response",
                                             .object_id = "strike-1",
                                             .object_digest = store::CaseResponseDigest(
                                                 "strike-1", now->snapshot.record.digest, by, text),
                                             .party = PartyId(by),
                                             .time = at}),
          .signed_at = at};
    }
    Wait<CaseView> w;
    cases_->Respond(PartyId(by), std::move(r), w.done());
    return w.get();
  }
  absl::StatusOr<CaseView> CloseCase(const std::string& finding) {
    absl::StatusOr<CaseView> now =
        cases_->Get(Viewer{.party = PartyId("UNMO"), .guarantor = true}, "strike-1");
    if (!now.ok()) return now.status();
    const Timestamp at = Seconds(clock_.Now());
    CloseRequest r{.case_id = "strike-1", .finding = finding, .notes = "Crater and fragments."};
    r.signature = Signature{
        .signature = *parties::SignAcknowledgement(
            unmo_key_,
            parties::AckStatement{.kind = "case.close",
                                  .object_id = "strike-1",
                                  .object_digest = store::CaseCloseDigest(
                                      "strike-1", now->snapshot.record.digest, finding, r.notes),
                                  .party = PartyId("UNMO"),
                                  .time = at}),
        .signed_at = at};
    Wait<CaseView> w;
    cases_->Close(PartyId("UNMO"), std::move(r), w.done());
    return w.get();
  }
  Viewer Guarantor() const { return Viewer{.party = PartyId("UNMO"), .guarantor = true}; }

  FakeClock clock_{*ParseRfc3339("2026-12-01T07:00:00Z")};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<events::EventLog> log_;
  std::unique_ptr<hotline::Hotline> hotline_;
  std::unique_ptr<humanitarian::Notifications> notifications_;
  std::unique_ptr<strategic::OperationService> operations_;
  std::unique_ptr<Incidents> incidents_;
  std::unique_ptr<Cases> cases_;
  parties::PrivateSigningKey ru_key_, unmo_key_;
  Timestamp acked_at_;
};

TEST_F(CasesTest, AStrikeOnANotifiedHospitalOpensACaseLinkingWhatWasKnownBefore) {
  NotifyHospitalAndAcknowledge();
  clock_.Advance(48h);  // two days later, US flies over it
  FileOperation();
  // A track of RU 3 km away at the time of the strike, and one of TR 15 km away.
  ASSERT_TRUE(store_
                  ->Write([&](store::Txn& txn) {
                    const store::TrackPointRecord points[] = {
                        {.party = "RU",
                         .track = "RU-1",
                         .time = clock_.Now() + 25min,
                         .lat_deg = kLat + 3000 / kMetrePerDegree,
                         .lng_deg = kLng,
                         .alt_m = 4000},
                        {.party = "TR",
                         .track = "TR-9",
                         .time = clock_.Now() + 25min,
                         .lat_deg = kLat + 15000 / kMetrePerDegree,
                         .lng_deg = kLng,
                         .alt_m = 4000}};
                    return store::InsertTrackPoints(txn, points);
                  })
                  .ok());
  clock_.Advance(30min);
  absl::StatusOr<ReportResult> strike = Strike("strike-1", 100);
  ASSERT_TRUE(strike.ok()) << strike.status();

  absl::StatusOr<CaseView> view = cases_->Get(Guarantor(), "strike-1");
  ASSERT_TRUE(view.ok()) << view.status();
  const store::CaseSnapshot& s = view->snapshot;
  EXPECT_EQ(s.record.incident_version, 1);
  EXPECT_EQ(s.record.incident_ledger_index, strike->record.ledger_index);
  ASSERT_EQ(s.places.size(), 1u);
  EXPECT_EQ(s.places[0].place, "al-shifa");
  EXPECT_EQ(s.places[0].version, 1);
  ASSERT_EQ(s.receipts.size(), 1u);
  EXPECT_EQ(s.receipts[0].party, "RU");
  ASSERT_TRUE(s.receipts[0].acknowledged_at);
  EXPECT_EQ(*s.receipts[0].acknowledged_at, acked_at_);  // two days before the strike
  EXPECT_FALSE(s.receipts[0].signature.empty());
  EXPECT_GE(s.receipts[0].ack_ledger_index, 0);
  ASSERT_EQ(s.operations.size(), 1u);
  EXPECT_EQ(s.operations[0].party, "US");
  EXPECT_FALSE(s.operations[0].extents.empty());
  ASSERT_EQ(s.track_points.size(), 1u);  // TR's is 15 km away
  EXPECT_EQ(s.track_points[0].party, "RU");
  ASSERT_EQ(s.respondents.size(), 2u);
  EXPECT_EQ(s.respondents[0].party, "RU");
  EXPECT_EQ(s.respondents[0].reasons, "track");
  EXPECT_EQ(s.respondents[1].party, "US");
  EXPECT_EQ(s.respondents[1].reasons, "operation");
  EXPECT_EQ(s.record.digest, store::CaseOpenDigest(s));

  // Everyone linked is told; TR is not.
  for (const char* party : {"ICRC", "RU", "US", "UNMO", "OBS"}) {
    EXPECT_EQ(Notices(party, Type::kCaseOpened).size(), 1u) << party;
  }
  EXPECT_TRUE(Notices("TR", Type::kCaseOpened).empty());
  EXPECT_EQ(cases_->Get(Viewer{.party = PartyId("TR")}, "strike-1").status().code(),
            absl::StatusCode::kNotFound);

  // The bundle's entries: the incident, the notification, the receipts, the operation, the case.
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> entries =
      cases_->Entries(Guarantor(), "strike-1");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 6u);  // incident, notification, delivered, acked, operation, open
  EXPECT_EQ(entries->back().first, "case.open strike-1");
  EXPECT_TRUE(std::is_sorted(entries->begin(), entries->end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; }));

  // A restart keeps it; a later version of the incident opens no second case.
  Restart();
  EXPECT_EQ(cases_->cases(), 1u);
  EXPECT_EQ(cases_->pending_deadlines(), 2u);
}

TEST_F(CasesTest, NothingOpensAwayFromThePlaceBeforeItsNotificationOrForANonViolentEvent) {
  NotifyHospitalAndAcknowledge();
  clock_.Advance(1h);
  ASSERT_TRUE(Strike("far", 2000).ok());  // 2 km north: beyond 300 m buffer + 500 m
  ASSERT_TRUE(Strike("protest", 0, "Protests", "Peaceful protest").ok());
  EXPECT_EQ(cases_->cases(), 0u);
  // The uncertainty counts: within 300 m + 500 m (geo_precision 1) opens one.
  ASSERT_TRUE(Strike("near", 750).ok());
  EXPECT_EQ(cases_->cases(), 1u);
  // Before the notification: an incident two hours before it was filed opens none.
  Wait<ReportResult> w;
  incidents_->Report(PartyId("OBS"),
                     IncidentRequest{.id = "before",
                                     .occurred_at = clock_.Now() - 4h,
                                     .location = {kLat, kLng},
                                     .event_type = "Battles",
                                     .sub_event_type = "Armed clash"},
                     w.done());
  ASSERT_TRUE(w.get().ok());
  EXPECT_EQ(cases_->cases(), 1u);
}

TEST_F(CasesTest, WhoSeesWhat) {
  NotifyHospitalAndAcknowledge();
  FileOperation();
  clock_.Advance(30min);
  ASSERT_TRUE(Strike("strike-1", 0).ok());
  // The reporter sees the case, not the place's name nor the operation's extents.
  absl::StatusOr<CaseView> obs = cases_->Get(Viewer{.party = PartyId("OBS")}, "strike-1");
  ASSERT_TRUE(obs.ok()) << obs.status();
  EXPECT_TRUE(obs->places_withheld.contains("site/al-shifa"));
  EXPECT_TRUE(obs->snapshot.places[0].name.empty());
  EXPECT_TRUE(obs->snapshot.receipts.empty());
  EXPECT_TRUE(obs->snapshot.operations[0].extents.empty());
  EXPECT_EQ(obs->snapshot.respondents.size(), 1u);
  // The notifier reads its place and every receipt; the filer its whole operation.
  absl::StatusOr<CaseView> icrc = cases_->Get(Viewer{.party = PartyId("ICRC")}, "strike-1");
  ASSERT_TRUE(icrc.ok());
  EXPECT_EQ(icrc->snapshot.places[0].name, "Al-Shifa Hospital");
  EXPECT_EQ(icrc->snapshot.receipts.size(), 1u);
  absl::StatusOr<CaseView> us = cases_->Get(Viewer{.party = PartyId("US")}, "strike-1");
  ASSERT_TRUE(us.ok());
  EXPECT_FALSE(us->snapshot.operations[0].extents.empty());
  EXPECT_TRUE(us->places_withheld.contains("site/al-shifa"));  // US was never told of it
  ASSERT_TRUE(cases_->List(Viewer{.party = PartyId("US")}).ok());
  EXPECT_EQ(cases_->List(Viewer{.party = PartyId("US")})->size(), 1u);
  EXPECT_TRUE(cases_->List(Viewer{.party = PartyId("TR")})->empty());
}

TEST_F(CasesTest, ResponsesOverdueOnceAndASignedClose) {
  NotifyHospitalAndAcknowledge();
  FileOperation();
  clock_.Advance(30min);
  ASSERT_TRUE(Strike("strike-1", 0).ok());
  EXPECT_EQ(FieldOf(Respond("US", "").status()), "text");
  EXPECT_EQ(Respond("TR", "not us").status().code(), absl::StatusCode::kNotFound);

  // The deadline passes: US is overdue, once, across a restart.
  clock_.Advance(49h);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  EXPECT_EQ(Notices("UNMO", Type::kCaseOverdue).size(), 1u);
  EXPECT_EQ(Notices("US", Type::kCaseOverdue).size(), 1u);
  EXPECT_EQ(Notices("ICRC", Type::kCaseOverdue).size(), 1u);
  Restart();
  clock_.Advance(1h);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  EXPECT_EQ(Notices("UNMO", Type::kCaseOverdue).size(), 1u);
  absl::StatusOr<CaseView> view = cases_->Get(Guarantor(), "strike-1");
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->snapshot.respondents[0].overdue_at);
  EXPECT_GE(view->snapshot.respondents[0].overdue_ledger_index, 0);

  // A late response is still taken; a retry answers it.
  absl::StatusOr<CaseView> late = Respond("US", "We were escorting a convoy; no ordnance used.");
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_TRUE(late->created);
  EXPECT_EQ(late->responses.size(), 1u);
  EXPECT_FALSE(Respond("US", "We were escorting a convoy; no ordnance used.")->created);
  // RU (a recipient, not a respondent) may add a signed statement.
  absl::StatusOr<CaseView> ru = Respond("RU", "We had acknowledged the notification.", true);
  ASSERT_TRUE(ru.ok()) << ru.status();
  EXPECT_FALSE(ru->responses.back().signature.empty());

  // The close: signed, once; then no more responses.
  CloseRequest unsigned_close{.case_id = "strike-1", .finding = "violation"};
  Wait<CaseView> w;
  cases_->Close(PartyId("UNMO"), unsigned_close, w.done());
  EXPECT_EQ(FieldOf(w.get().status()), "signature");
  absl::StatusOr<CaseView> closed = CloseCase("violation");
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_TRUE(closed->snapshot.record.closed_at);
  EXPECT_EQ(closed->snapshot.record.finding, "violation");
  EXPECT_EQ(Notices("US", Type::kCaseClosed).size(), 1u);
  EXPECT_EQ(Respond("US", "again").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CloseCase("no_violation").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(cases_->pending_deadlines(), 0u);

  // `ledger check`: the case, its close, the overdue mark and the two responses match their
  // entries; an edit of the snapshot in the database file is named.
  auto check = [&] {
    return store_->WithReader([&](store::Database& db) {
      store::LedgerReader reader(db);
      return store::CheckCaseRows(db, [&](const auto& fn) { return reader.ForEachEntry(fn); });
    });
  };
  absl::StatusOr<uint64_t> report = check();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(*report, 5u);
  auto editor =
      store::Database::Open((dir_ / "deconflict.db").string(), store::Database::Mode::kReadWrite);
  ASSERT_TRUE(editor.ok()) << editor.status();
  // Someone makes RU's receipt say it acknowledged later than it did.
  ASSERT_TRUE((*editor)
                  ->Exec("UPDATE case_receipts SET ack_ledger_index = ack_ledger_index + 1 "
                         "WHERE ack_ledger_index >= 0")
                  .ok());
  report = check();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("cases row strike-1"), std::string::npos)
      << report.status();
}

}  // namespace
}  // namespace deconflict::monitoring
