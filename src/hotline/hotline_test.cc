#include "hotline/hotline.h"

#include <filesystem>
#include <future>

#include "common/digest.h"
#include "common/status.h"
#include "common/test_wait.h"
#include "common/time.h"
#include "gtest/gtest.h"
#include "ledger/entry.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"
#include "rapidcheck/gtest.h"
#include "store/event_log.h"
#include "store/record_digest.h"
#include "store/sqlite_ledger.h"

namespace deconflict::hotline {
namespace {

using namespace std::chrono_literals;

// Waits for one asynchronous answer of the hotline.
using testing::Wait;

class HotlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hotline_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    clock_.Set(*ParseRfc3339("2026-12-01T07:00:00Z"));
    Open();
    ASSERT_TRUE(store_
                    ->Write([](store::Txn& txn) -> absl::Status {
                      for (const char* id : {"RU-HMEIMIM", "US-AMMAN", "RU-MOD", "US-DOD", "UK"}) {
                        store::PartyRecord party{.id = id,
                                                 .name = id,
                                                 .role = "operator",
                                                 .token_hash = std::string(32, id[0]) + id};
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
  // The store first: it drains its units, whose completions use the hotline.
  void TearDown() override {
    hotline_->Stop();
    store_.reset();
    hotline_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    auto store = store::Store::Open(dir_.string(), {.synchronous_full = false, .clock = &clock_});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    log_ = std::make_unique<events::EventLog>(clock_);
    hotline_ = std::make_unique<Hotline>(*store_, *log_, clock_, HotlineOptions{.tick = 0ms});
    ASSERT_TRUE(hotline_->Load().ok());
  }
  void Restart() {
    hotline_->Stop();
    store_.reset();
    hotline_.reset();
    Open();
  }

  absl::StatusOr<ChannelResult> Create(const std::string& by, ChannelRequest request) {
    Wait<ChannelResult> w;
    hotline_->CreateChannel(PartyId(by), std::move(request), w.done());
    return w.get();
  }
  // "moscow-washington" (RU-MOD, US-DOD) and "amman-hmeimim" (RU-HMEIMIM, US-AMMAN) escalating
  // to it, flash deadline 2 min.
  void CreateBoth() {
    ASSERT_TRUE(Create("RU-MOD", {.id = ChannelId("moscow-washington"),
                                  .name = "Moscow-Washington",
                                  .members = {PartyId("RU-MOD"), PartyId("US-DOD")}})
                    .ok());
    ASSERT_TRUE(Create("US-AMMAN", {.id = ChannelId("amman-hmeimim"),
                                    .name = "Amman-Hmeimim",
                                    .members = {PartyId("US-AMMAN"), PartyId("RU-HMEIMIM")},
                                    .escalation_channel = ChannelId("moscow-washington")})
                    .ok());
  }
  absl::StatusOr<SendResult> Send(const std::string& by, const std::string& channel,
                                  std::string id = NewUuid(), std::string body = "SECRET-PAYLOAD") {
    Wait<SendResult> w;
    hotline_->Send(PartyId(by),
                   {.channel = ChannelId(channel),
                    .id = MessageId(std::move(id)),
                    .priority = Priority::kFlash,
                    .subject = "Strike package",
                    .body = std::move(body)},
                   w.done());
    return w.get();
  }
  absl::StatusOr<AckResult> Ack(const std::string& by, const std::string& channel,
                                const std::string& message,
                                std::optional<AckSignature> signature = std::nullopt) {
    Wait<AckResult> w;
    hotline_->Acknowledge(
        PartyId(by),
        {.channel = ChannelId(channel), .message = message, .signature = std::move(signature)},
        w.done());
    return w.get();
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
  std::vector<std::string> Types(const std::string& party) {
    std::vector<std::string> types;
    for (const events::Event& e : Events(party)) types.emplace_back(events::TypeName(e.payload));
    return types;
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
  absl::StatusOr<store::LedgerCheckReport> LedgerCheck() {
    return store_->WithReader([&](store::Database& db) {
      return store::LedgerReader(db).Check(store_->ledger().signer().verifier());
    });
  }

  FakeClock clock_{Timestamp{}};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<events::EventLog> log_;
  std::unique_ptr<Hotline> hotline_;
};

TEST_F(HotlineTest, SendIsToldInChannelOrderToEveryOtherMemberWithItsLedgerEntry) {
  CreateBoth();
  absl::StatusOr<SendResult> first = Send("US-AMMAN", "amman-hmeimim");
  absl::StatusOr<SendResult> second = Send("RU-HMEIMIM", "amman-hmeimim");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->message.seq, 1);
  EXPECT_EQ(second->message.seq, 2);
  EXPECT_EQ(first->message.deadline_at, first->message.sent_at + 2min);
  // The ledger holds channel/seq, sender, priority (in the action), time, the digest.
  const ledger::Entry entry = EntryAt(first->message.ledger_index);
  EXPECT_EQ(entry.action, "hotline.send.flash");
  EXPECT_EQ(entry.object_id, "amman-hmeimim/1");
  EXPECT_EQ(entry.party, "US-AMMAN");
  EXPECT_EQ(entry.server_time, first->message.sent_at);
  EXPECT_EQ(entry.content_digest, store::HotlineMessageDigest(first->message));
  // RU-HMEIMIM hears of the channel, then of US-AMMAN's message (not its own).
  EXPECT_EQ(Types("RU-HMEIMIM"),
            (std::vector<std::string>{"hotline.channel.created", "hotline.message"}));
  const auto told = std::get<events::HotlineMessage>(Events("RU-HMEIMIM").back().payload);
  EXPECT_EQ(told.channel_seq, 1);
  EXPECT_EQ(told.id.value(), first->message.id);
  EXPECT_EQ(told.body, "SECRET-PAYLOAD");
}

TEST_F(HotlineTest, SameIdSameContentAnswersTheFirstSendOtherContentIsRefused) {
  CreateBoth();
  const std::string id = NewUuid();
  absl::StatusOr<SendResult> first = Send("US-AMMAN", "amman-hmeimim", id);
  absl::StatusOr<SendResult> again = Send("US-AMMAN", "amman-hmeimim", id);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->message, first->message);
  absl::StatusOr<SendResult> other = Send("US-AMMAN", "amman-hmeimim", id, "other text");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(FieldOf(other.status()), "id");
  EXPECT_EQ(Types("RU-HMEIMIM").size(), 2u);  // created + one message
}

TEST_F(HotlineTest, SuspendedChannelRefusesSendsNamingTheSuspensionUntilResumed) {
  CreateBoth();
  Wait<ChannelResult> suspended;
  hotline_->Suspend(PartyId("RU-HMEIMIM"), ChannelId("amman-hmeimim"), "memorandum suspended",
                    suspended.done());
  ASSERT_TRUE(suspended.get().ok());
  absl::StatusOr<SendResult> refused = Send("US-AMMAN", "amman-hmeimim");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("memorandum suspended"), std::string::npos);
  Wait<ChannelResult> resumed;
  hotline_->Resume(PartyId("US-AMMAN"), ChannelId("amman-hmeimim"), resumed.done());
  ASSERT_TRUE(resumed.get().ok());
  EXPECT_TRUE(Send("US-AMMAN", "amman-hmeimim").ok());
  EXPECT_EQ(Types("US-AMMAN"),
            (std::vector<std::string>{"hotline.channel.created", "hotline.channel.suspended",
                                      "hotline.channel.resumed"}));
}

TEST_F(HotlineTest, NonMemberIsRefusedAndLearnsNothingUnknownChannelIsNotFound) {
  CreateBoth();
  absl::StatusOr<SendResult> outsider = Send("UK", "amman-hmeimim");
  EXPECT_EQ(outsider.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(outsider.status().message().find("Amman"), std::string::npos);
  EXPECT_EQ(outsider.status().message().find("RU-HMEIMIM"), std::string::npos);
  EXPECT_EQ(hotline_->Messages(PartyId("UK"), ChannelId("amman-hmeimim"), 0, 10).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Send("US-AMMAN", "nowhere").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(hotline_->Channels(PartyId("UK")).empty());
}

TEST_F(HotlineTest, TheCreatorMustBeAMemberAndMembersMustBeParties) {
  EXPECT_EQ(FieldOf(Create("UK", {.id = ChannelId("c"),
                                  .name = "c",
                                  .members = {PartyId("RU-MOD"), PartyId("US-DOD")}})
                        .status()),
            "members");
  EXPECT_EQ(FieldOf(Create("UK", {.id = ChannelId("c"),
                                  .name = "c",
                                  .members = {PartyId("UK"), PartyId("NOBODY")}})
                        .status()),
            "members[0]");
  EXPECT_EQ(FieldOf(Create("UK", {.id = ChannelId("c"),
                                  .name = "c",
                                  .members = {PartyId("UK"), PartyId("US-DOD")},
                                  .escalation_channel = ChannelId("nowhere")})
                        .status()),
            "escalation_channel");
}

TEST_F(HotlineTest, SignedAckSignsTheDocumentedStatementAndABadSignatureIsRefused) {
  CreateBoth();
  const parties::PrivateSigningKey key = parties::GenerateSigningKey();
  ASSERT_TRUE(parties::AddSigningKey(*store_, clock_, PartyId("RU-HMEIMIM"), key.public_key).ok());
  absl::StatusOr<SendResult> sent = Send("US-AMMAN", "amman-hmeimim");
  ASSERT_TRUE(sent.ok());
  const Timestamp at = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  const parties::AckStatement statement{.kind = "hotline.message",
                                        .object_id = "amman-hmeimim/1",
                                        .object_digest = sent->message.digest,
                                        .party = PartyId("RU-HMEIMIM"),
                                        .time = at};
  // The byte string, exactly as docs/acknowledgements.md and docs/hotline_format.md say.
  EXPECT_EQ(*parties::EncodeAckStatement(statement),
            "deconflict-ack/v1\nhotline.message\namman-hmeimim/1\n" + Hex(sent->message.digest) +
                "\nRU-HMEIMIM\n2026-12-01T07:00:00Z\n");
  const std::string signature = *parties::SignAcknowledgement(key, statement);

  std::string wrong = signature;
  wrong[0] ^= 1;
  absl::StatusOr<AckResult> refused =
      Ack("RU-HMEIMIM", "amman-hmeimim", "1", AckSignature{.signature = wrong, .signed_at = at});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(refused.status()), "signature");

  absl::StatusOr<AckResult> acked = Ack("RU-HMEIMIM", "amman-hmeimim", sent->message.id,
                                        AckSignature{.signature = signature, .signed_at = at});
  ASSERT_TRUE(acked.ok()) << acked.status();
  EXPECT_TRUE(acked->created);
  const ledger::Entry entry = EntryAt(acked->ack.ledger_index);
  EXPECT_EQ(entry.action, "hotline.message.ack");
  EXPECT_EQ(entry.object_id, "amman-hmeimim/1");
  EXPECT_EQ(entry.party, "RU-HMEIMIM");
  EXPECT_EQ(entry.content_digest, store::HotlineAckDigest(acked->ack));
  // The sender hears of the delivery (the ack proves it) and of the acknowledgement.
  EXPECT_EQ(Types("US-AMMAN"),
            (std::vector<std::string>{"hotline.channel.created", "hotline.delivered",
                                      "hotline.acknowledged"}));
  // Again: the first is answered. Own message, another party's key: refused.
  EXPECT_FALSE(Ack("RU-HMEIMIM", "amman-hmeimim", "1")->created);
  EXPECT_EQ(Ack("US-AMMAN", "amman-hmeimim", "1").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Ack("RU-HMEIMIM", "amman-hmeimim", "7").status().code(), absl::StatusCode::kNotFound);
  // Settled: no deadline left.
  EXPECT_EQ(hotline_->pending_deadlines(), 0u);
  absl::StatusOr<store::LedgerCheckReport> check = LedgerCheck();
  EXPECT_TRUE(check.ok()) << check.status();
}

TEST_F(HotlineTest, DeliveryIsRecordedOnceAndToldToTheSender) {
  CreateBoth();
  absl::StatusOr<SendResult> sent = Send("US-AMMAN", "amman-hmeimim");
  hotline_->Delivered(PartyId("RU-HMEIMIM"), MessageId(sent->message.id));
  hotline_->Delivered(PartyId("RU-HMEIMIM"), MessageId(sent->message.id));
  hotline_->Delivered(PartyId("US-AMMAN"), MessageId(sent->message.id));  // the sender: nothing
  ASSERT_TRUE(hotline_->Messages(PartyId("RU-HMEIMIM"), ChannelId("amman-hmeimim"), 0, 10).ok());
  // Units run in order: once this one commits, the deliveries have.
  ASSERT_TRUE(store_->Write([](store::Txn&) { return absl::OkStatus(); }).ok());
  EXPECT_EQ(Types("US-AMMAN"),
            (std::vector<std::string>{"hotline.channel.created", "hotline.delivered"}));
  auto views = hotline_->Messages(PartyId("US-AMMAN"), ChannelId("amman-hmeimim"), 0, 10);
  ASSERT_TRUE(views.ok());
  ASSERT_EQ(views->front().deliveries.size(), 1u);
  EXPECT_EQ(views->front().deliveries[0].party, "RU-HMEIMIM");
}

TEST_F(HotlineTest, DeliveriesOfOneUnitAreOneRunPerRecipientAndAnEditedRowIsNamed) {
  CreateBoth();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Send("US-AMMAN", "amman-hmeimim")->message.id);
  // The writer is held while five deliveries arrive out of order: its next unit takes them all.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  store_->Submit(
      [released](store::Txn&) {
        released.wait();
        return absl::OkStatus();
      },
      [](absl::Status) {});
  for (int i : {2, 0, 1, 4, 3}) {
    clock_.Advance(1ms);
    hotline_->Delivered(PartyId("RU-HMEIMIM"), MessageId(ids[i]));
  }
  release.set_value();
  ASSERT_TRUE(store_->Write([](store::Txn&) { return absl::OkStatus(); }).ok());

  std::vector<events::Event> told = Events("US-AMMAN");
  ASSERT_EQ(told.size(), 2u);  // created, one delivery run
  const auto& run = std::get<events::HotlineDelivered>(told[1].payload).receipt;
  EXPECT_EQ(run.channel_seq, 1);
  EXPECT_EQ(run.through_seq, 5);
  EXPECT_EQ(run.id, MessageId(ids[0]));
  EXPECT_EQ(run.at, clock_.Now());  // the latest delivery
  const ledger::Entry entry = EntryAt(run.ledger_index);
  EXPECT_EQ(entry.action, "hotline.deliver");
  EXPECT_EQ(entry.object_id, "amman-hmeimim/1-5");
  EXPECT_EQ(entry.party, "RU-HMEIMIM");
  std::vector<store::HotlineReceiptRecord> rows;
  for (const std::string& id : ids) {
    auto views = hotline_->Messages(PartyId("US-AMMAN"), ChannelId("amman-hmeimim"), 0, 10);
    ASSERT_TRUE(views.ok());
    for (const MessageView& v : *views) {
      if (v.message.id != id) continue;
      ASSERT_EQ(v.deliveries.size(), 1u);
      EXPECT_EQ(v.deliveries[0].ledger_index, run.ledger_index);
      rows.push_back(v.deliveries[0]);
    }
  }
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(entry.content_digest, store::HotlineDeliveryRunDigest(rows));
  // Each row keeps its own time: message 3 arrived first.
  EXPECT_LT(rows[2].at, rows[0].at);
  absl::StatusOr<store::LedgerCheckReport> clean = LedgerCheck();
  EXPECT_TRUE(clean.ok()) << clean.status();

  // One row's time edited: the check names the run.
  ASSERT_TRUE(store_
                  ->Write([&](store::Txn& txn) {
                    return txn.db().Exec(
                        "UPDATE hotline_deliveries SET at = at + 1 WHERE message = '" + ids[3] +
                        "'");
                  })
                  .ok());
  absl::StatusOr<store::LedgerCheckReport> edited = LedgerCheck();
  ASSERT_FALSE(edited.ok());
  EXPECT_NE(edited.status().message().find("amman-hmeimim/1-5"), std::string_view::npos)
      << edited.status();
}

TEST_F(HotlineTest, UnacknowledgedFlashIsOverdueAfterTwoMinutesAndEscalatesAndChains) {
  CreateBoth();
  absl::StatusOr<SendResult> sent = Send("US-AMMAN", "amman-hmeimim");
  ASSERT_TRUE(sent.ok());
  clock_.Advance(119s);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  EXPECT_EQ(Types("US-AMMAN").back(), "hotline.channel.created");  // not yet
  clock_.Advance(1s);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  // The sender and the laggard are told; the escalation channel gets a message that links it.
  const auto overdue = std::get<events::HotlineOverdue>(Events("US-AMMAN").back().payload);
  EXPECT_EQ(overdue.laggards, std::vector<PartyId>{PartyId("RU-HMEIMIM")});
  EXPECT_EQ(overdue.escalated_to, "moscow-washington/1");
  EXPECT_EQ(Types("RU-HMEIMIM").back(), "hotline.overdue");
  for (const char* top : {"RU-MOD", "US-DOD"}) {
    const auto up = std::get<events::HotlineMessage>(Events(top).back().payload);
    EXPECT_EQ(up.channel.value(), "moscow-washington");
    EXPECT_EQ(up.escalates, "amman-hmeimim/1");
    EXPECT_EQ(up.refs, std::vector<std::string>{sent->message.id});
    EXPECT_EQ(up.body.find("SECRET-PAYLOAD"), std::string::npos);  // not the original's text
  }
  // Raised once.
  clock_.Advance(10min);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  size_t raised = 0;
  for (const std::string& t : Types("RU-HMEIMIM")) raised += t == "hotline.overdue";
  EXPECT_EQ(raised, 1u);
  // The escalation (sender US-AMMAN, not a member up there) is overdue in its turn: both
  // members are laggards; moscow-washington escalates nowhere, so the chain ends.
  const auto second = std::get<events::HotlineOverdue>(Events("US-DOD").back().payload);
  EXPECT_EQ(second.channel.value(), "moscow-washington");
  EXPECT_EQ(second.laggards.size(), 2u);
  EXPECT_EQ(second.escalated_to, "");
  EXPECT_EQ(hotline_->pending_deadlines(), 0u);
  absl::StatusOr<store::LedgerCheckReport> check = LedgerCheck();
  EXPECT_TRUE(check.ok()) << check.status();
}

TEST_F(HotlineTest, AfterARestartOverdueChecksResumeWithoutFiringTwice) {
  CreateBoth();
  ASSERT_TRUE(Send("US-AMMAN", "amman-hmeimim").ok());
  Restart();
  EXPECT_EQ(hotline_->pending_deadlines(), 1u);
  clock_.Advance(3min);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  auto overdue_count = [&] {
    size_t raised = 0;
    for (const std::string& t : Types("US-AMMAN")) raised += t == "hotline.overdue";
    return raised;
  };
  EXPECT_EQ(overdue_count(), 1u);
  Restart();
  // What is left to judge is the escalation's own deadline (due at +5 min), not the original.
  EXPECT_EQ(hotline_->pending_deadlines(), 1u);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  EXPECT_EQ(overdue_count(), 1u);
  clock_.Advance(2min);
  Restart();
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  EXPECT_EQ(overdue_count(), 2u);  // the escalation, once
  Restart();
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  EXPECT_EQ(overdue_count(), 2u);
  EXPECT_EQ(hotline_->pending_deadlines(), 0u);
}

TEST_F(HotlineTest, LedgerCheckNamesAnEditedMessage) {
  CreateBoth();
  ASSERT_TRUE(Send("US-AMMAN", "amman-hmeimim").ok());
  ASSERT_TRUE(LedgerCheck().ok());
  ASSERT_TRUE(store_
                  ->Write([](store::Txn& txn) {
                    return txn.db().Exec("UPDATE hotline_messages SET body = 'edited'");
                  })
                  .ok());
  absl::StatusOr<store::LedgerCheckReport> check = LedgerCheck();
  ASSERT_FALSE(check.ok());
  EXPECT_NE(check.status().message().find("hotline_messages row amman-hmeimim/1"),
            std::string::npos)
      << check.status();
}

// Channel order: whatever the interleaving of sends by both members and catch-up pages of any
// size, a reader that resumes from the last seq it saw reads every message once, in order.
RC_GTEST_PROP(HotlineOrder, CatchUpSeesEveryMessageOnceInOrder, ()) {
  const auto steps = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 6));
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("hotline_prop_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  FakeClock clock(*ParseRfc3339("2026-12-01T07:00:00Z"));
  {
    auto store = *store::Store::Open(dir.string(), {.synchronous_full = false, .clock = &clock});
    RC_ASSERT(store
                  ->Write([](store::Txn& txn) -> absl::Status {
                    for (const char* id : {"A", "B"}) {
                      RETURN_IF_ERROR(txn.InsertParty(
                          {.id = id, .name = id, .role = "operator", .token_hash = id}));
                    }
                    return absl::OkStatus();
                  })
                  .ok());
    events::EventLog log(clock);
    Hotline hotline(*store, log, clock, {.tick = 0ms});
    RC_ASSERT(hotline.Load().ok());
    Wait<ChannelResult> created;
    hotline.CreateChannel(
        PartyId("A"), {.id = ChannelId("c"), .name = "c", .members = {PartyId("A"), PartyId("B")}},
        created.done());
    RC_ASSERT(created.get().ok());
    int64_t sent = 0, seen = 0;
    std::vector<Wait<SendResult>> pending;
    for (int step : steps) {
      if (step < 3) {  // a send by A or B, not waited for: several may share a group commit
        pending.emplace_back();
        hotline.Send(PartyId(step == 0 ? "A" : "B"),
                     {.channel = ChannelId("c"),
                      .id = MessageId(NewUuid()),
                      .priority = Priority::kRoutine,
                      .subject = "s",
                      .body = "b"},
                     pending.back().done());
        ++sent;
      } else {  // a catch-up page of 1..3 messages after the last seen
        auto page = hotline.Messages(PartyId("B"), ChannelId("c"), seen, step - 2);
        RC_ASSERT(page.ok());
        for (const MessageView& v : *page) RC_ASSERT(v.message.seq == ++seen);
      }
    }
    for (Wait<SendResult>& w : pending) RC_ASSERT(w.get().ok());
    auto rest = hotline.Messages(PartyId("B"), ChannelId("c"), seen, 1000);
    RC_ASSERT(rest.ok());
    for (const MessageView& v : *rest) RC_ASSERT(v.message.seq == ++seen);
    RC_ASSERT(seen == sent);
    store.reset();  // drains the delivery units before the hotline goes
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace deconflict::hotline
