#include "events/hub.h"

#include <filesystem>

#include "events/event_log.h"
#include "events/internal_test_support.h"
#include "gtest/gtest.h"

namespace deconflict::events {
namespace {

using testing::Party;
using testing::RecordingSubscriber;

class HubTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    testing::StoreTest::SetUp();
    if (HasFatalFailure()) return;
    // A long poll interval: only Notify() (or a test's explicit wait) makes the hub read, so a
    // test proves what Notify-after-commit does.
    hub_ =
        std::make_unique<Hub>(*store_, HubOptions{.poll_interval = std::chrono::milliseconds(50)});
    ASSERT_TRUE(hub_->Start().ok());
  }
  void TearDown() override {
    hub_.reset();
    testing::StoreTest::TearDown();
  }
  // Ends operation `op` with an event to `to`, then wakes the hub after the commit.
  absl::Status Ended(const std::string& op, std::vector<PartyId> to) {
    absl::Status s = store_->Write([&](store::Txn& txn) {
      return log_.AppendOperationEnded(txn, to, OperationEnded{OperationId(op), PartyId("US")});
    });
    if (s.ok()) hub_->Notify();
    return s;
  }
  static std::vector<std::string> Ops(const std::vector<Event>& events) {
    std::vector<std::string> ops;
    for (const Event& e : events)
      ops.push_back(std::get<OperationEnded>(e.payload).operation.value());
    return ops;
  }

  std::unique_ptr<Hub> hub_;
  FakeClock clock_{Timestamp(std::chrono::seconds(1'800'000'000))};
  EventLog log_{clock_};
};

TEST_F(HubTest, DeliversInOrderOnlyToTheRecipientsSubscribers) {
  auto ru = std::make_shared<RecordingSubscriber>();
  auto tr = std::make_shared<RecordingSubscriber>();
  hub_->Subscribe(PartyId("RU"), 0, ru);
  hub_->Subscribe(PartyId("TR"), 0, tr);
  for (int i = 1; i <= 20; ++i) {
    ASSERT_TRUE(Ended("op" + std::to_string(i), i % 2 ? std::vector{PartyId("RU")}
                                                      : std::vector{PartyId("RU"), PartyId("TR")})
                    .ok());
  }
  std::vector<Event> got = ru->WaitFor(20);
  ASSERT_EQ(got.size(), 20u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(got[i].recipient, PartyId("RU"));
  }
  std::vector<Event> tr_got = tr->WaitFor(10);
  EXPECT_EQ(Ops(tr_got), (std::vector<std::string>{"op2", "op4", "op6", "op8", "op10", "op12",
                                                   "op14", "op16", "op18", "op20"}));
}

TEST_F(HubTest, RolledBackUnitPublishesNothing) {
  auto ru = std::make_shared<RecordingSubscriber>();
  hub_->Subscribe(PartyId("RU"), 0, ru);
  absl::Status refused = store_->Write([&](store::Txn& txn) -> absl::Status {
    RETURN_IF_ERROR(log_.AppendOperationEnded(txn, {PartyId("RU")},
                                              OperationEnded{OperationId("ghost"), PartyId("US")}));
    return absl::FailedPreconditionError("refused after appending");
  });
  ASSERT_FALSE(refused.ok());
  hub_->Notify();
  ASSERT_TRUE(Ended("real", {PartyId("RU")}).ok());
  std::vector<Event> got = ru->WaitFor(1);
  // The refused unit's event never reaches anyone, and the next one is seq 1 (no gap).
  ASSERT_EQ(Ops(got), std::vector<std::string>{"real"});
  EXPECT_EQ(got[0].seq, 1);
}

TEST_F(HubTest, ResumesAfterSeqWithoutGapOrDuplicateWhileEventsKeepComing) {
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(Ended("op" + std::to_string(i), {PartyId("RU")}).ok());
  auto first = std::make_shared<RecordingSubscriber>();
  uint64_t id = hub_->Subscribe(PartyId("RU"), 0, first);
  ASSERT_EQ(first->WaitFor(5).size(), 5u);
  hub_->Unsubscribe(id);
  // Reconnect after seq 3 while new events are committed concurrently.
  std::thread writer([&] {
    for (int i = 6; i <= 40; ++i)
      ASSERT_TRUE(Ended("op" + std::to_string(i), {PartyId("RU")}).ok());
  });
  auto second = std::make_shared<RecordingSubscriber>();
  hub_->Subscribe(PartyId("RU"), 3, second);
  writer.join();
  std::vector<Event> got = second->WaitFor(37);
  ASSERT_EQ(got.size(), 37u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].seq, static_cast<int64_t>(i + 4));
}

TEST_F(HubTest, SlowSubscriberIsClosedWithItsLastSeqWhileAFastOneKeepsReceiving) {
  auto slow = std::make_shared<RecordingSubscriber>(/*capacity=*/4);
  auto fast = std::make_shared<RecordingSubscriber>();
  hub_->Subscribe(PartyId("RU"), 0, slow);
  hub_->Subscribe(PartyId("RU"), 0, fast);
  ASSERT_TRUE(Ended("op0", {PartyId("RU")}).ok());
  ASSERT_EQ(slow->WaitFor(1).size(), 1u);  // both live now
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(Ended("op" + std::to_string(i), {PartyId("RU")}).ok());
  EXPECT_EQ(slow->WaitClosed(), CloseReason::kSlow);
  EXPECT_EQ(slow->last_seq(), 4);
  EXPECT_EQ(slow->events().size(), 4u);
  EXPECT_EQ(fast->WaitFor(11).size(), 11u);
  EXPECT_EQ(hub_->subscribers(), 1u);
}

TEST_F(HubTest, CatchingUpNeverOverflowsASubscriberWithLittleRoom) {
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(Ended("op" + std::to_string(i), {PartyId("RU")}).ok());
  auto small = std::make_shared<RecordingSubscriber>(/*capacity=*/4);
  hub_->Subscribe(PartyId("RU"), 0, small);
  ASSERT_EQ(small->WaitFor(4).size(), 4u);
  small->Drain();
  ASSERT_EQ(small->WaitFor(8).size(), 8u);
  small->Drain();
  std::vector<Event> got = small->WaitFor(10);
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got.back().seq, 10);
  EXPECT_EQ(hub_->subscribers(), 1u);  // never closed as slow
}

TEST_F(HubTest, RevocationClosesThatPartysSubscribersOnly) {
  auto tr = std::make_shared<RecordingSubscriber>();
  auto ru = std::make_shared<RecordingSubscriber>();
  hub_->Subscribe(PartyId("TR"), 0, tr);
  hub_->Subscribe(PartyId("RU"), 0, ru);
  ASSERT_TRUE(
      store_->Write([&](store::Txn& txn) { return log_.AppendPartyRevoked(txn, PartyId("TR")); })
          .ok());
  hub_->Notify();
  EXPECT_EQ(tr->WaitClosed(), CloseReason::kRevoked);
  std::vector<Event> got = ru->WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(std::get<PartyRevoked>(got[0].payload).party, PartyId("TR"));
  EXPECT_EQ(hub_->subscribers(), 1u);
}

TEST_F(HubTest, EventsCommittedByAnotherConnectionArriveWithoutNotify) {
  auto ru = std::make_shared<RecordingSubscriber>();
  hub_->Subscribe(PartyId("RU"), 0, ru);
  // A second Store on the same directory stands for another process (`deconflict party revoke`):
  // nothing tells this hub; it notices the data version change.
  auto other = store::Store::Open(dir_);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(
      (*other)
          ->Write([&](store::Txn& txn) { return log_.AppendPartyRevoked(txn, PartyId("US")); })
          .ok());
  std::vector<Event> got = ru->WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(std::get<PartyRevoked>(got[0].payload).party, PartyId("US"));
}

TEST_F(HubTest, StoppingClosesSubscribers) {
  auto ru = std::make_shared<RecordingSubscriber>();
  hub_->Subscribe(PartyId("RU"), 0, ru);
  hub_.reset();
  EXPECT_EQ(ru->WaitClosed(), CloseReason::kStopping);
}

}  // namespace
}  // namespace deconflict::events
