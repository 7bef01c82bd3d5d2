// The monitoring service (monitoring.h) on a real SQLite store with a fake clock: versions,
// imports, findings (signed) and statements, who is told, who sees the observation, statistics
// after a restart.
#include "monitoring/monitoring.h"

#include <filesystem>
#include <future>

#include "common/status.h"
#include "common/test_wait.h"
#include "common/time.h"
#include "gtest/gtest.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"
#include "store/event_log.h"
#include "store/sqlite_ledger.h"

namespace deconflict::monitoring {
namespace {

using namespace std::chrono_literals;

using testing::Wait;

// Parties: RU, TR (operators), UNMO and OSCE (guarantors), OBS (observer).
class IncidentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("monitoring_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Open();
    ASSERT_TRUE(store_
                    ->Write([](store::Txn& txn) -> absl::Status {
                      for (auto [id, role] : {std::pair{"RU", "operator"},
                                              {"TR", "operator"},
                                              {"UNMO", "guarantor"},
                                              {"OSCE", "guarantor"},
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
  }
  void TearDown() override {
    store_.reset();
    incidents_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    auto store = store::Store::Open(dir_.string(), {.synchronous_full = false, .clock = &clock_});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    log_ = std::make_unique<events::EventLog>(clock_);
    incidents_ = std::make_unique<Incidents>(*store_, *log_, clock_);
    ASSERT_TRUE(incidents_->Load().ok());
  }
  void Restart() {
    store_.reset();
    incidents_.reset();
    Open();
  }

  static IncidentRequest Strike(const std::string& id = "inc-1") {
    return IncidentRequest{.id = id,
                           .occurred_at = *ParseRfc3339("2026-11-30T09:40:00Z"),
                           .location = {35.93, 36.63},
                           .observation = Observation{.observer = {35.90, 36.60},
                                                      .bearing_deg = 40,
                                                      .distance_min_m = 3000,
                                                      .distance_max_m = 5000,
                                                      .mode = "heard"},
                           .event_type = "Explosions/Remote violence",
                           .sub_event_type = "Air/drone strike",
                           .alleged_party = "RU",
                           .target = "Civilians (Syria)",
                           .fatalities = {.best = 3, .low = 2, .high = 5},
                           .notes = "Two strikes on the market.",
                           .sources = {"SOHR", "Local witness"},
                           .admin1 = "Idleb",
                           .location_name = "Maarrat Misrin"};
  }
  absl::StatusOr<ReportResult> Report(IncidentRequest r, const std::string& by = "OBS") {
    Wait<ReportResult> w;
    incidents_->Report(PartyId(by), std::move(r), w.done());
    return w.get();
  }
  // A finding signed by `guarantor` with `key`.
  absl::StatusOr<IncidentView> Find(const std::string& guarantor,
                                    const parties::PrivateSigningKey& key,
                                    const std::string& finding, const std::string& attributed) {
    absl::StatusOr<IncidentView> now =
        incidents_->Get(Viewer{.party = PartyId(guarantor)}, "inc-1");
    if (!now.ok()) return now.status();
    const store::IncidentRecord& v = now->versions.back();
    FindingRequest f{.incident = "inc-1",
                     .finding = finding,
                     .attributed_party = attributed,
                     .confidence = "high",
                     .notes = "crater analysis"};
    const Timestamp signed_at = Timestamp(
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()));
    absl::StatusOr<std::string> sig = parties::SignAcknowledgement(
        key, parties::AckStatement{
                 .kind = "incident.finding",
                 .object_id = store::IncidentObjectId(v.id, v.version),
                 .object_digest = store::IncidentFindingDigest(
                     v.id, v.version, v.digest, finding, attributed, "high", "crater analysis"),
                 .party = PartyId(guarantor),
                 .time = signed_at});
    if (!sig.ok()) return sig.status();
    f.signature = Signature{.signature = *sig, .signed_at = signed_at};
    Wait<IncidentView> w;
    incidents_->AddFinding(PartyId(guarantor), std::move(f), w.done());
    return w.get();
  }
  std::vector<store::EventRow> EventsOf(const std::string& party) {
    absl::StatusOr<std::vector<store::EventRow>> rows = store_->WithReader(
        [&](store::Database& db) { return store::ReadPartyEvents(db, party, 0, 1000); });
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<store::EventRow>{};
  }

  FakeClock clock_{*ParseRfc3339("2026-12-01T07:00:00Z")};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<events::EventLog> log_;
  std::unique_ptr<Incidents> incidents_;
};

TEST_F(IncidentsTest, AReportIsVersionedAndARetryAnswersTheSame) {
  absl::StatusOr<ReportResult> first = Report(Strike());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->record.version, 1);
  EXPECT_GE(first->record.ledger_index, 0);
  absl::StatusOr<ReportResult> again = Report(Strike());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.ledger_index, first->record.ledger_index);
  IncidentRequest changed = Strike();
  changed.fatalities = {.best = 4, .low = 2, .high = 6};
  absl::StatusOr<ReportResult> second = Report(changed);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->record.version, 2);
  absl::StatusOr<IncidentView> view = incidents_->Get(Viewer{.party = PartyId("TR")}, "inc-1");
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->versions.size(), 2u);  // nothing is deleted
  EXPECT_EQ(view->versions[0].fatalities_best, 3);
  EXPECT_EQ(view->versions[1].fatalities_best, 4);
}

TEST_F(IncidentsTest, OnlyTheReporterFilesVersionsOfAnId) {
  ASSERT_TRUE(Report(Strike()).ok());
  absl::StatusOr<ReportResult> other = Report(Strike(), "TR");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(FieldOf(other.status()), "id");
}

TEST_F(IncidentsTest, BadInputNamesTheField) {
  IncidentRequest r = Strike();
  r.sub_event_type = "Armed clash";
  absl::StatusOr<ReportResult> bad = Report(r);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(bad.status()), "sub_event_type");
  EXPECT_EQ(incidents_->incidents(), 0u);
}

TEST_F(IncidentsTest, TheObservationIsShownOnlyToTheReporterAndGuarantors) {
  ASSERT_TRUE(Report(Strike()).ok());
  EXPECT_TRUE(
      incidents_->Get(Viewer{.party = PartyId("OBS")}, "inc-1")->versions[0].has_observation);
  EXPECT_TRUE(incidents_->Get(Viewer{.party = PartyId("UNMO"), .guarantor = true}, "inc-1")
                  ->versions[0]
                  .has_observation);
  const store::IncidentRecord seen_by_ru =
      incidents_->Get(Viewer{.party = PartyId("RU")}, "inc-1")->versions[0];
  EXPECT_FALSE(seen_by_ru.has_observation);
  EXPECT_EQ(seen_by_ru.observer_lat, 0);
  EXPECT_EQ(seen_by_ru.lat, 35.93);  // the impact point is everyone's
}

TEST_F(IncidentsTest, TheConcernedPartiesAreToldOfAReport) {
  ASSERT_TRUE(Report(Strike()).ok());
  for (const char* party : {"RU", "UNMO", "OSCE"}) {
    std::vector<store::EventRow> rows = EventsOf(party);
    ASSERT_EQ(rows.size(), 1u) << party;
    EXPECT_EQ(rows[0].type, "incident.reported");
  }
  EXPECT_TRUE(EventsOf("TR").empty());   // not concerned
  EXPECT_TRUE(EventsOf("OBS").empty());  // the reporter knows
}

TEST_F(IncidentsTest, SignedFindingsSetTheStatusAndOpenTheRightOfReply) {
  ASSERT_TRUE(Report(Strike()).ok());
  const parties::PrivateSigningKey unmo = parties::GenerateSigningKey();
  const parties::PrivateSigningKey osce = parties::GenerateSigningKey();
  ASSERT_TRUE(parties::AddSigningKey(*store_, clock_, PartyId("UNMO"), unmo.public_key).ok());
  ASSERT_TRUE(parties::AddSigningKey(*store_, clock_, PartyId("OSCE"), osce.public_key).ok());

  // TR cannot reply: it is neither alleged nor attributed.
  Wait<IncidentView> tr;
  incidents_->AddStatement(PartyId("TR"), StatementRequest{.incident = "inc-1", .text = "x"},
                           tr.done());
  EXPECT_EQ(tr.get().status().code(), absl::StatusCode::kPermissionDenied);

  absl::StatusOr<IncidentView> v = Find("UNMO", unmo, "verified", "TR");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->created);
  EXPECT_EQ(v->status, Status::kVerified);
  EXPECT_EQ(v->attributed_party, "TR");
  ASSERT_EQ(v->findings.size(), 1u);
  EXPECT_EQ(v->findings[0].signature.size(), 64u);
  // TR, now attributed, is told and may reply.
  ASSERT_FALSE(EventsOf("TR").empty());
  EXPECT_EQ(EventsOf("TR").back().type, "incident.finding");
  Wait<IncidentView> reply;
  incidents_->AddStatement(PartyId("TR"),
                           StatementRequest{.incident = "inc-1", .text = "No TR aircraft flew."},
                           reply.done());
  absl::StatusOr<IncidentView> replied = reply.get();
  ASSERT_TRUE(replied.ok()) << replied.status();
  ASSERT_EQ(replied->statements.size(), 1u);
  EXPECT_EQ(replied->statements[0].party, "TR");

  // A second guarantor disputes: the record shows the disagreement.
  absl::StatusOr<IncidentView> d = Find("OSCE", osce, "disputed", "");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->status, Status::kDisputed);
  // The first guarantor revises: its newer finding supersedes, both are kept.
  absl::StatusOr<IncidentView> u = Find("UNMO", unmo, "unverifiable", "");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->findings.size(), 3u);
  EXPECT_EQ(u->status, Status::kDisputed);
  // The same finding again is a retry.
  absl::StatusOr<IncidentView> retry = Find("UNMO", unmo, "unverifiable", "");
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(retry->findings.size(), 3u);

  // The status survives a restart.
  Restart();
  EXPECT_EQ(incidents_->Get(Viewer{.party = PartyId("RU")}, "inc-1")->status, Status::kDisputed);
}

TEST_F(IncidentsTest, AFindingMustBeSignedByTheGuarantorsKey) {
  ASSERT_TRUE(Report(Strike()).ok());
  Wait<IncidentView> unsigned_finding;
  incidents_->AddFinding(
      PartyId("UNMO"),
      FindingRequest{.incident = "inc-1", .finding = "verified", .confidence = "high"},
      unsigned_finding.done());
  absl::StatusOr<IncidentView> r = unsigned_finding.get();
  EXPECT_EQ(FieldOf(r.status()), "signature");
  // Signed by another key than the guarantor's.
  const parties::PrivateSigningKey unmo = parties::GenerateSigningKey();
  const parties::PrivateSigningKey stray = parties::GenerateSigningKey();
  ASSERT_TRUE(parties::AddSigningKey(*store_, clock_, PartyId("UNMO"), unmo.public_key).ok());
  absl::StatusOr<IncidentView> wrong = Find("UNMO", stray, "verified", "RU");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(wrong.status()), "signature");
  EXPECT_EQ(incidents_->Get(Viewer{.party = PartyId("RU")}, "inc-1")->status, Status::kReported);
}

TEST_F(IncidentsTest, AnImportStoresNewChangedAndUnchangedRowsAndRefusesOthersIds) {
  ASSERT_TRUE(Report(Strike("theirs"), "TR").ok());
  std::vector<ImportRow> rows;
  for (int i = 1; i <= 3; ++i)
    rows.push_back({.line = i + 1, .request = Strike(fmt::format("SYR{}", i))});
  rows.push_back({.line = 5, .request = Strike("theirs")});
  rows.push_back({.line = 6, .request = Strike("SYR1")});  // repeats line 2
  Wait<ImportResult> first;
  incidents_->Import(PartyId("OBS"), rows, first.done());
  absl::StatusOr<ImportResult> r = first.get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->created, 3);
  ASSERT_EQ(r->refused.size(), 2u);
  EXPECT_EQ(r->refused[0].line, 5);
  EXPECT_EQ(r->refused[0].column, "event_id_cnty");
  EXPECT_EQ(r->refused[1].line, 6);
  EXPECT_EQ(r->last_ledger_index - r->first_ledger_index, 2);
  // Guarantors hear of the batch once.
  ASSERT_EQ(EventsOf("OSCE").back().type, "incident.imported");

  rows.resize(3);
  rows[1].request.fatalities.best = 4;
  rows[1].request.fatalities.high = 6;
  Wait<ImportResult> again;
  incidents_->Import(PartyId("OBS"), rows, again.done());
  r = again.get();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->created, 0);
  EXPECT_EQ(r->changed, 1);
  EXPECT_EQ(r->unchanged, 2);
  EXPECT_EQ(incidents_->incidents(), 4u);
}

TEST_F(IncidentsTest, StatisticsAndListsAfterARestart) {
  for (int i = 0; i < 5; ++i) {
    IncidentRequest r = Strike(fmt::format("inc-{}", i));
    r.occurred_at = *ParseRfc3339("2026-11-25T00:00:00Z") + 24h * i;
    r.admin1 = i % 2 ? "Idleb" : "Aleppo";
    ASSERT_TRUE(Report(r).ok());
  }
  Restart();
  absl::StatusOr<Stats> s =
      incidents_->ComputeStatistics({.from = *ParseRfc3339("2026-11-26T00:00:00Z"),
                                     .to = *ParseRfc3339("2026-11-30T00:00:00Z"),
                                     .group_by = GroupBy::kAdmin1});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total.count, 4);
  EXPECT_EQ(s->total.best, 12);
  ASSERT_EQ(s->groups.size(), 2u);
  EXPECT_EQ(s->groups[0].key, "Aleppo");
  EXPECT_EQ(s->groups[0].current.count, 2);  // the 27th and the 29th
  EXPECT_EQ(s->previous_total.count, 1);     // the 25th

  absl::StatusOr<IncidentPage> page = incidents_->List(
      Viewer{.party = PartyId("RU")}, {.from = *ParseRfc3339("2026-11-01T00:00:00Z"),
                                       .to = *ParseRfc3339("2026-12-01T00:00:00Z"),
                                       .limit = 3});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->incidents.size(), 3u);
  EXPECT_TRUE(page->more);
  EXPECT_EQ(page->incidents[0].id, "inc-0");
  EXPECT_FALSE(page->incidents[0].has_observation);
  absl::StatusOr<IncidentPage> rest = incidents_->List(
      Viewer{.party = PartyId("RU")},
      {.from = *ParseRfc3339("2026-11-01T00:00:00Z"),
       .to = *ParseRfc3339("2026-12-01T00:00:00Z"),
       .after = std::pair{page->incidents.back().occurred_at, page->incidents.back().id},
       .limit = 3});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->incidents.size(), 2u);
  EXPECT_EQ(rest->incidents[1].id, "inc-4");
  EXPECT_FALSE(rest->more);
}

// `deconflict ledger check` (store::CheckIncidentRows): the rows the service writes match their
// entries; an edit of a stored report, done behind the service's back, is named.
TEST_F(IncidentsTest, LedgerCheckNamesAnEditedReport) {
  ASSERT_TRUE(Report(Strike()).ok());
  ASSERT_TRUE(Report(Strike("inc-2")).ok());
  const std::string path = (dir_ / "deconflict.db").string();
  auto check = [&]() -> absl::StatusOr<uint64_t> {
    auto db = store::Database::Open(path, store::Database::Mode::kReadOnly);
    if (!db.ok()) return db.status();
    store::LedgerReader reader(**db);
    return store::CheckIncidentRows(**db, [&](const auto& fn) { return reader.ForEachEntry(fn); });
  };
  absl::StatusOr<uint64_t> clean = check();
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(*clean, 2u);
  {
    auto db = store::Database::Open(path, store::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)->Exec("UPDATE incident_versions SET fatalities_best = 0 WHERE id = 'inc-2'").ok());
  }
  absl::StatusOr<uint64_t> edited = check();
  EXPECT_EQ(edited.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(edited.status().message().find("incident_versions row inc-2/1"), std::string::npos)
      << edited.status();
}

}  // namespace
}  // namespace deconflict::monitoring
