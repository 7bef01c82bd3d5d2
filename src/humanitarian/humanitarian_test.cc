#include "humanitarian/humanitarian.h"

#include <filesystem>
#include <future>

#include "common/digest.h"
#include "common/status.h"
#include "common/test_wait.h"
#include "common/time.h"
#include "gtest/gtest.h"
#include "hotline/hotline.h"
#include "ledger/entry.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"
#include "store/event_log.h"
#include "store/record_digest.h"
#include "store/sqlite_ledger.h"
#include "strategic/operation_service.h"

namespace deconflict::humanitarian {
namespace {

using namespace std::chrono_literals;

using testing::Wait;

// The store of a real SQLite file in a temporary directory, the clock fake: nothing sleeps.
// Parties: ICRC (humanitarian), RU and US (operators), UNMO (guarantor), OBS (observer).
class NotificationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("humanitarian_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    clock_.Set(*ParseRfc3339("2026-12-01T07:00:00Z"));
    Open();
    ASSERT_TRUE(
        store_
            ->Write([](store::Txn& txn) -> absl::Status {
              for (auto [id, role] : {std::pair{"ICRC", "humanitarian"},
                                      {"RU", "operator"},
                                      {"US", "operator"},
                                      {"UNMO", "guarantor"},
                                      {"OBS", "observer"}}) {
                store::PartyRecord party{
                    .id = id, .name = id, .role = role, .token_hash = std::string(32, id[0]) + id};
                RETURN_IF_ERROR(txn.InsertParty(party));
              }
              return absl::OkStatus();
            })
            .ok());
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
    notifications_ = std::make_unique<Notifications>(*store_, *log_, clock_);
    operations_ = std::make_unique<strategic::OperationService>(
        *store_, clock_, strategic::OperationServiceOptions{.eviction_interval = 0ms}, log_.get());
    operations_->AddProtectedVolumes(*notifications_);
    hotline_->AddDeadlineSource(*notifications_);
    ASSERT_TRUE(hotline_->Load().ok());
    ASSERT_TRUE(notifications_->Load().ok());
    ASSERT_TRUE(operations_->Load().ok());
  }
  // The store first: it drains its units, whose completions use the services.
  void Close() {
    hotline_->Stop();
    store_.reset();
    operations_.reset();
    notifications_.reset();
    hotline_.reset();
  }
  void Restart() {
    Close();
    Open();
  }

  // A hospital at Gaza City (31.5236 N, 34.4437 E), buffer 300 m, valid 30 days, told to RU.
  NotificationRequest Hospital(std::vector<PartyId> recipients = {PartyId("RU")}) {
    return NotificationRequest{
        .kind = Kind::kSite,
        .id = "al-shifa",
        .category = "hospital",
        .name = "Al-Shifa Hospital",
        .geometry = {.type = Geometry::Type::kPoint, .points = {{31.5236, 34.4437}}},
        .buffer_m = 300,
        .window = {clock_.Now() - 1h, clock_.Now() + 24h * 30},
        .recipients = std::move(recipients)};
  }
  absl::StatusOr<PutResult> Put(NotificationRequest request, const std::string& by = "ICRC") {
    Wait<PutResult> w;
    notifications_->Put(PartyId(by), std::move(request), w.done());
    return w.get();
  }
  absl::StatusOr<PlaceView> Get(const std::string& by, bool guarantor = false) {
    Wait<PlaceView> w;
    notifications_->Get(Viewer{.party = PartyId(by), .guarantor = guarantor}, Kind::kSite,
                        "al-shifa", w.done());
    return w.get();
  }
  absl::StatusOr<AckResult> Ack(const std::string& by,
                                std::optional<AckSignature> signature = std::nullopt) {
    Wait<AckResult> w;
    notifications_->Acknowledge(
        PartyId(by), AckRequest{.kind = Kind::kSite, .id = "al-shifa", .signature = signature},
        w.done());
    return w.get();
  }
  // An operation of `by`: a 200 m circle `north_m` north of the hospital, 0-500 m, in 1 h for 1 h.
  strategic::WriteOutcome FileOperation(const std::string& by, const std::string& id,
                                        double north_m, std::vector<std::string> key = {}) {
    const double lat = 31.5236 + north_m / 111195.0;
    absl::StatusOr<geo::Volume4D> v =
        geo::Volume4D::Make(geo::Circle{{lat, 34.4437}, 200}, {0, 500},
                            {clock_.Now() + 1h, clock_.Now() + 2h}, {}, clock_.Now(), "extents[0]");
    EXPECT_TRUE(v.ok()) << v.status();
    absl::StatusOr<strategic::OperationRequest> request = strategic::MakeOperationRequest(
        {*v}, strategic::OperationState::kAccepted, std::move(key), "", {});
    EXPECT_TRUE(request.ok());
    std::promise<strategic::WriteOutcome> p;
    operations_->Put(strategic::Caller{.party = PartyId(by)}, OperationId(id), std::nullopt,
                     *std::move(request), [&p](strategic::WriteOutcome o) { p.set_value(o); });
    return p.get_future().get();
  }
  std::vector<events::Event> Events(const std::string& party) {
    auto rows = store_->WithReader(
        [&](store::Database& db) { return store::ReadPartyEvents(db, party, 0, 1000); });
    EXPECT_TRUE(rows.ok());
    std::vector<events::Event> out;
    for (const store::EventRow& row : *rows) {
      absl::StatusOr<events::Event> e = events::FromRow(row);
      EXPECT_TRUE(e.ok()) << e.status();
      if (e.ok()) out.push_back(*std::move(e));
    }
    return out;
  }
  std::vector<events::HumanitarianNotice> Notices(const std::string& party,
                                                  events::HumanitarianNotice::Type type) {
    std::vector<events::HumanitarianNotice> out;
    for (const events::Event& e : Events(party)) {
      const auto* n = std::get_if<events::HumanitarianNotice>(&e.payload);
      if (n != nullptr && n->type == type) out.push_back(*n);
    }
    return out;
  }
  ledger::Entry EntryAt(int64_t index) {
    absl::StatusOr<ledger::Entry> entry =
        store_->WithReader([&](store::Database& db) -> absl::StatusOr<ledger::Entry> {
          std::optional<ledger::Entry> found;
          RETURN_IF_ERROR(
              store::LedgerReader(db).ForEachEntry([&](uint64_t at, const ledger::Entry& e) {
                if (static_cast<int64_t>(at) == index) found = e;
                return absl::OkStatus();
              }));
          if (!found) return absl::NotFoundError("no entry");
          return *found;
        });
    EXPECT_TRUE(entry.ok()) << entry.status();
    return entry.value_or(ledger::Entry{});
  }

  std::filesystem::path dir_;
  FakeClock clock_{Timestamp{}};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<events::EventLog> log_;
  std::unique_ptr<hotline::Hotline> hotline_;
  std::unique_ptr<Notifications> notifications_;
  std::unique_ptr<strategic::OperationService> operations_;
};

using Type = events::HumanitarianNotice::Type;

TEST_F(NotificationsTest, PutNotifiesRecipientsARetryIsIdempotentAndAChangeIsANewVersion) {
  absl::StatusOr<PutResult> first = Put(Hospital());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->record.version, 1);
  EXPECT_EQ(first->record.change, "notified");
  EXPECT_EQ(first->record.deadline_at, clock_.Now() + 24h);  // sites: 24 h
  std::vector<events::HumanitarianNotice> told = Notices("RU", Type::kNotified);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].ovn, first->record.ovn);
  EXPECT_EQ(told[0].digest, first->record.digest);
  EXPECT_TRUE(Notices("US", Type::kNotified).empty());
  EXPECT_EQ(EntryAt(first->record.ledger_index).action, "humanitarian.site.notify");

  absl::StatusOr<PutResult> retry = Put(Hospital());
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(retry->record.ovn, first->record.ovn);

  NotificationRequest changed = Hospital();
  changed.buffer_m = 500;
  absl::StatusOr<PutResult> second = Put(changed);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->record.version, 2);
  EXPECT_EQ(second->record.change, "changed");
  EXPECT_NE(second->record.ovn, first->record.ovn);
  EXPECT_EQ(Notices("RU", Type::kNotified).size(), 2u);

  absl::StatusOr<PutResult> taken = Put(Hospital(), "US");
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(NotificationsTest, RecipientsMustBePartiesOtherThanTheNotifier) {
  EXPECT_EQ(FieldOf(Put(Hospital({PartyId("NOBODY")})).status()), "recipients[0]");
  EXPECT_EQ(FieldOf(Put(Hospital({PartyId("ICRC")})).status()), "recipients[0]");
  NotificationRequest bad = Hospital();
  bad.escalation_channel = ChannelId("no-such-channel");
  EXPECT_EQ(FieldOf(Put(bad).status()), "escalation_channel");
}

TEST_F(NotificationsTest, AThirdPartyGetsNotFoundAndTheNotifierSeesItsAttempt) {
  ASSERT_TRUE(Put(Hospital()).ok());
  EXPECT_EQ(Get("OBS").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Get("US").status().code(), absl::StatusCode::kNotFound);
  clock_.Advance(1min);
  absl::StatusOr<PlaceView> by_recipient = Get("RU");
  ASSERT_TRUE(by_recipient.ok());
  ASSERT_EQ(by_recipient->recipients.size(), 1u);
  EXPECT_EQ(by_recipient->recipients[0].delivered_at, clock_.Now());  // a fetch is a delivery
  ASSERT_TRUE(Get("UNMO", /*guarantor=*/true).ok());
  ASSERT_TRUE(Get("ICRC").ok());  // the notifier's own reads are not listed

  absl::StatusOr<std::vector<store::HumanitarianReadRecord>> reads =
      notifications_->Reads(PartyId("ICRC"), Kind::kSite, "al-shifa");
  ASSERT_TRUE(reads.ok());
  ASSERT_EQ(reads->size(), 4u);
  EXPECT_EQ((*reads)[0].party, "OBS");
  EXPECT_TRUE((*reads)[0].refused);
  EXPECT_EQ((*reads)[1].party, "US");
  EXPECT_TRUE((*reads)[1].refused);
  EXPECT_EQ((*reads)[2].party, "RU");
  EXPECT_FALSE((*reads)[2].refused);
  EXPECT_EQ((*reads)[3].party, "UNMO");
  // Only the notifier lists them; to anyone else the place does not exist.
  EXPECT_EQ(notifications_->Reads(PartyId("RU"), Kind::kSite, "al-shifa").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Notices("ICRC", Type::kDelivered).size(), 1u);
}

TEST_F(NotificationsTest, SignedAcknowledgementIsVerifiedStoredAndShownPerRecipient) {
  absl::StatusOr<PutResult> put = Put(Hospital({PartyId("RU"), PartyId("US")}));
  ASSERT_TRUE(put.ok());
  const parties::PrivateSigningKey key = parties::GenerateSigningKey();
  ASSERT_TRUE(parties::AddSigningKey(*store_, clock_, PartyId("RU"), key.public_key).ok());
  const Timestamp at = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  const parties::AckStatement statement{.kind = "humanitarian.site",
                                        .object_id = "al-shifa/1",
                                        .object_digest = put->record.digest,
                                        .party = PartyId("RU"),
                                        .time = at};
  EXPECT_EQ(*parties::EncodeAckStatement(statement),
            "deconflict-ack/v1\nhumanitarian.site\nal-shifa/1\n" + Hex(put->record.digest) +
                "\nRU\n2026-12-01T07:00:00Z\n");
  const std::string signature = *parties::SignAcknowledgement(key, statement);
  std::string wrong = signature;
  wrong[5] ^= 1;
  EXPECT_EQ(FieldOf(Ack("RU", AckSignature{.signature = wrong, .signed_at = at}).status()),
            "signature");
  EXPECT_EQ(Ack("OBS").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Ack("ICRC").status().code(), absl::StatusCode::kPermissionDenied);

  absl::StatusOr<AckResult> acked =
      Ack("RU", AckSignature{.signature = signature, .signed_at = at});
  ASSERT_TRUE(acked.ok()) << acked.status();
  EXPECT_TRUE(acked->created);
  const ledger::Entry entry = EntryAt(acked->ack.ledger_index);
  EXPECT_EQ(entry.action, "humanitarian.site.ack");
  EXPECT_EQ(entry.object_id, "al-shifa/1");
  EXPECT_FALSE(Ack("RU")->created);  // the first is kept

  absl::StatusOr<PlaceView> view = Get("ICRC");
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->recipients.size(), 2u);
  EXPECT_EQ(view->recipients[0].party, PartyId("RU"));
  EXPECT_TRUE(view->recipients[0].delivered_at.has_value());  // an ack proves receipt
  EXPECT_TRUE(view->recipients[0].acknowledged_at.has_value());
  EXPECT_TRUE(view->recipients[0].signature_valid);
  EXPECT_EQ(view->recipients[1].party, PartyId("US"));
  EXPECT_FALSE(view->recipients[1].delivered_at.has_value());
  EXPECT_FALSE(view->recipients[1].acknowledged_at.has_value());
  EXPECT_EQ(Notices("ICRC", Type::kAcknowledged).size(), 1u);
}

TEST_F(NotificationsTest, RecipientOperationOverTheHospitalIsRefusedUntilItsKeyCarriesTheVersion) {
  absl::StatusOr<PutResult> put = Put(Hospital());
  ASSERT_TRUE(put.ok());
  const std::string op = "11111111-1111-4111-8111-111111111111";
  strategic::WriteOutcome refused = FileOperation("RU", op, 400);  // 200 m circle, 300 m buffer
  EXPECT_EQ(refused.status.code(), absl::StatusCode::kAborted);
  ASSERT_TRUE(refused.refusal.has_value());
  ASSERT_EQ(refused.refusal->protected_missing.size(), 1u);
  EXPECT_EQ(refused.refusal->protected_missing[0].ref, "site/al-shifa");
  EXPECT_EQ(refused.refusal->protected_missing[0].version, put->record.ovn);
  EXPECT_TRUE(Notices("ICRC", Type::kConflict).empty());  // nothing stored of a refused write

  strategic::WriteOutcome accepted = FileOperation("RU", op, 400, {put->record.ovn});
  ASSERT_TRUE(accepted.status.ok()) << accepted.status;
  ASSERT_EQ(accepted.result->protected_hits.size(), 1u);
  for (const char* told : {"ICRC", "UNMO"}) {
    std::vector<events::HumanitarianNotice> c = Notices(told, Type::kConflict);
    ASSERT_EQ(c.size(), 1u) << told;
    EXPECT_EQ(c[0].operation, OperationId(op));
    EXPECT_EQ(c[0].party, PartyId("RU"));
    EXPECT_TRUE(c[0].filer_is_recipient);
    ASSERT_TRUE(c[0].overlap.has_value());
    EXPECT_EQ(c[0].overlap->time.start, clock_.Now() + 1h);  // the overlap only
  }
  absl::StatusOr<std::vector<store::HumanitarianConflictRecord>> listed =
      notifications_->Conflicts(PartyId("ICRC"));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(EntryAt((*listed)[0].ledger_index).action, "humanitarian.site.conflict");

  // 600 m away: beyond buffer + radius, no hit.
  EXPECT_TRUE(FileOperation("RU", "33333333-3333-4333-8333-333333333333", 600).status.ok());
}

TEST_F(NotificationsTest, NonRecipientOperationIsAcceptedAndFlaggedToTheNotifier) {
  ASSERT_TRUE(Put(Hospital()).ok());
  strategic::WriteOutcome accepted = FileOperation("US", "22222222-2222-4222-8222-222222222222", 0);
  ASSERT_TRUE(accepted.status.ok()) << accepted.status;
  EXPECT_TRUE(accepted.result->protected_hits.empty());  // never told: shown nothing
  std::vector<events::HumanitarianNotice> c = Notices("ICRC", Type::kConflict);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].party, PartyId("US"));
  EXPECT_FALSE(c[0].filer_is_recipient);
}

TEST_F(NotificationsTest, RemovalIsANewVersionThatLeavesTheLivePicture) {
  ASSERT_TRUE(Put(Hospital()).ok());
  EXPECT_EQ(notifications_->live_places(), 1u);
  Wait<PutResult> by_recipient;
  notifications_->Remove(PartyId("RU"), Kind::kSite, "al-shifa", by_recipient.done());
  EXPECT_EQ(by_recipient.get().status().code(), absl::StatusCode::kPermissionDenied);
  Wait<PutResult> removed;
  notifications_->Remove(PartyId("ICRC"), Kind::kSite, "al-shifa", removed.done());
  absl::StatusOr<PutResult> r = removed.get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->record.version, 2);
  EXPECT_EQ(r->record.change, "removed");
  EXPECT_EQ(EntryAt(r->record.ledger_index).action, "humanitarian.site.remove");
  EXPECT_EQ(notifications_->live_places(), 0u);
  EXPECT_TRUE(FileOperation("RU", "44444444-4444-4444-8444-444444444444", 0).status.ok());
  absl::StatusOr<PlaceView> view = Get("RU");
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->live);
  ASSERT_EQ(view->history.size(), 2u);  // history kept
  EXPECT_EQ(view->history[0].change, "notified");
  // After a restart too.
  Restart();
  EXPECT_EQ(notifications_->live_places(), 0u);
}

TEST_F(NotificationsTest, OverdueEscalatesIntoTheHotlineChannelOnceAcrossRestarts) {
  Wait<hotline::ChannelResult> channel;
  hotline_->CreateChannel(PartyId("ICRC"),
                          {.id = ChannelId("icrc-desk"),
                           .name = "ICRC deconfliction desk",
                           .members = {PartyId("ICRC"), PartyId("UNMO")}},
                          channel.done());
  ASSERT_TRUE(channel.get().ok());
  NotificationRequest site = Hospital({PartyId("RU"), PartyId("US")});
  site.escalation_channel = ChannelId("icrc-desk");
  ASSERT_TRUE(Put(site).ok());
  ASSERT_TRUE(Ack("US").ok());

  clock_.Advance(23h);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  EXPECT_TRUE(Notices("ICRC", Type::kOverdue).empty());  // not yet due

  clock_.Advance(2h);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  std::vector<events::HumanitarianNotice> overdue = Notices("ICRC", Type::kOverdue);
  ASSERT_EQ(overdue.size(), 1u);
  ASSERT_EQ(overdue[0].laggards.size(), 1u);
  EXPECT_EQ(overdue[0].laggards[0], PartyId("RU"));
  EXPECT_EQ(overdue[0].escalated_to, "icrc-desk/1");
  EXPECT_EQ(Notices("RU", Type::kOverdue).size(), 1u);
  EXPECT_TRUE(Notices("US", Type::kOverdue).empty());
  // The escalation is a hotline message in the channel, to its other member.
  bool escalation = false;
  for (const events::Event& e : Events("UNMO")) {
    if (const auto* m = std::get_if<events::HotlineMessage>(&e.payload)) {
      escalation = m->escalates == "site/al-shifa/1" && m->sender == PartyId("ICRC") &&
                   m->priority == "immediate";
    }
  }
  EXPECT_TRUE(escalation);
  EXPECT_EQ(notifications_->pending_deadlines(), 0u);

  Restart();
  clock_.Advance(48h);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  EXPECT_EQ(Notices("ICRC", Type::kOverdue).size(), 1u);  // never twice
}

TEST_F(NotificationsTest, MovementStartingSoonIsDueInTwoHours) {
  NotificationRequest convoy{.kind = Kind::kMovement,
                             .id = "convoy-7",
                             .name = "Rafah - Khan Younis",
                             .geometry = {.type = Geometry::Type::kLineString,
                                          .points = {{31.2968, 34.2435}, {31.3462, 34.3063}}},
                             .buffer_m = 500,
                             .window = {clock_.Now() + 3h, clock_.Now() + 6h},
                             .recipients = {PartyId("RU")},
                             .vehicles = 12,
                             .markings = "ICRC emblem on roofs"};
  absl::StatusOr<PutResult> put = Put(convoy);
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->record.deadline_at, clock_.Now() + 2h);
  convoy.id = "convoy-8";
  convoy.window = {clock_.Now() + 48h, clock_.Now() + 50h};
  put = Put(convoy);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->record.deadline_at, clock_.Now() + 24h);
}

}  // namespace
}  // namespace deconflict::humanitarian
