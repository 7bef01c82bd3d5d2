#include "events/event_log.h"

#include <filesystem>

#include "events/internal_test_support.h"
#include "gtest/gtest.h"
#include "s2/s2latlng.h"
#include "store/event_log.h"

namespace deconflict::events {
namespace {

using testing::Party;

class EventLogTest : public testing::StoreTest {
 protected:
  std::vector<Event> Read(const std::string& party, int64_t after = 0) {
    Hub hub(*store_);
    auto page = hub.Page(PartyId(party), after, 1000);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *page : std::vector<Event>{};
  }

  FakeClock clock_{Timestamp(std::chrono::seconds(1'800'000'000))};
  EventLog log_{clock_};
};

TEST_F(EventLogTest, SequenceNumbersArePerPartyAndGapless) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_
                    ->Write([&](store::Txn& txn) {
                      return log_.AppendOperationEnded(
                          txn, {PartyId("RU"), PartyId("TR"), PartyId("RU")},
                          OperationEnded{OperationId("op"), PartyId("US")});
                    })
                    .ok());
  }
  ASSERT_TRUE(store_
                  ->Write([&](store::Txn& txn) {
                    return log_.AppendOperationEnded(
                        txn, {PartyId("TR")}, OperationEnded{OperationId("op2"), PartyId("US")});
                  })
                  .ok());
  std::vector<Event> ru = Read("RU"), tr = Read("TR"), us = Read("US");
  ASSERT_EQ(ru.size(), 3u);  // the duplicate recipient got one copy per append
  ASSERT_EQ(tr.size(), 4u);
  EXPECT_TRUE(us.empty());
  for (size_t i = 0; i < tr.size(); ++i) EXPECT_EQ(tr[i].seq, static_cast<int64_t>(i + 1));
  EXPECT_EQ(std::get<OperationEnded>(tr[3].payload).operation, OperationId("op2"));
  EXPECT_EQ(Read("TR", 2).front().seq, 3);
}

TEST_F(EventLogTest, RolledBackUnitLeavesNoEvent) {
  absl::Status s = store_->Write([&](store::Txn& txn) -> absl::Status {
    RETURN_IF_ERROR(log_.AppendPartyRevoked(txn, PartyId("RU")));
    return absl::AbortedError("the change this event reports was refused");
  });
  EXPECT_TRUE(absl::IsAborted(s));
  EXPECT_TRUE(Read("TR").empty());
  // The next append starts at 1: the rolled-back seq is not a gap.
  ASSERT_TRUE(
      store_->Write([&](store::Txn& txn) { return log_.AppendPartyRevoked(txn, PartyId("RU")); })
          .ok());
  ASSERT_EQ(Read("TR").size(), 1u);
  EXPECT_EQ(Read("TR")[0].seq, 1);
}

TEST_F(EventLogTest, PartyRevokedGoesToEveryPartyIncludingTheRevoked) {
  ASSERT_TRUE(
      store_->Write([&](store::Txn& txn) { return log_.AppendPartyRevoked(txn, PartyId("TR")); })
          .ok());
  for (const char* id : {"RU", "TR", "US"}) {
    std::vector<Event> got = Read(id);
    ASSERT_EQ(got.size(), 1u) << id;
    EXPECT_EQ(std::get<PartyRevoked>(got[0].payload).party, PartyId("TR"));
    EXPECT_EQ(got[0].time, clock_.Now());
    EXPECT_EQ(TypeName(got[0].payload), "party.revoked");
  }
}

TEST_F(EventLogTest, ConflictRoundTripsExactlyIncludingAnAntimeridianBox) {
  geo::Overlap overlap{
      .rect = S2LatLngRect(S2LatLng::FromDegrees(-0.1234567890123, 179.5),
                           S2LatLng::FromDegrees(1.0 / 3, -179.25)),
      .altitude = {.lower_m = 100.25, .upper_m = 1e4 / 3},
      .time = {.start = clock_.Now(), .end = clock_.Now() + std::chrono::minutes(90)}};
  ASSERT_TRUE(overlap.rect.lng().is_inverted());
  OperationConflict sent{.operation = OperationId("theirs"),
                         .party = PartyId("TR"),
                         .ovn = "ovn-1",
                         .your_operation = OperationId("mine"),
                         .overlap = overlap};
  ASSERT_TRUE(store_
                  ->Write([&](store::Txn& txn) {
                    return log_.AppendOperationConflict(txn, PartyId("RU"), sent);
                  })
                  .ok());
  std::vector<Event> got = Read("RU");
  ASSERT_EQ(got.size(), 1u);
  const auto& c = std::get<OperationConflict>(got[0].payload);
  EXPECT_EQ(c.operation, sent.operation);
  EXPECT_EQ(c.party, sent.party);
  EXPECT_EQ(c.ovn, sent.ovn);
  EXPECT_EQ(c.your_operation, sent.your_operation);
  EXPECT_EQ(c.overlap.rect, overlap.rect);
  EXPECT_EQ(c.overlap.altitude, overlap.altitude);
  EXPECT_EQ(c.overlap.time, overlap.time);
  EXPECT_TRUE(Read("TR").empty());  // the filer does not get the recipient's event
}

TEST_F(EventLogTest, ALongDetailIsStoredOnceAndReadBackByEveryCopy) {
  HotlineMessage sent{.channel = ChannelId("amman-hmeimim"),
                      .channel_seq = 7,
                      .id = MessageId("5f0c2a4e-1b7d-4c55-9a0e-3d2b1c4a5e6f"),
                      .sender = PartyId("US"),
                      .priority = "flash",
                      .subject = "Strike package",
                      .body = std::string(4096, 'x') + " north of Palmyra",
                      .sent_at = clock_.Now(),
                      .deadline = clock_.Now() + std::chrono::minutes(2),
                      .digest = std::string(32, '\x01'),
                      .ledger_index = 12};
  ASSERT_TRUE(
      store_
          ->Write([&](store::Txn& txn) {
            return log_.Append(txn, {PartyId("RU"), PartyId("TR"), PartyId("UK")}, sent).status();
          })
          .ok());
  for (const char* party : {"RU", "TR", "UK"}) {
    std::vector<Event> got = Read(party);
    ASSERT_EQ(got.size(), 1u) << party;
    const auto& m = std::get<HotlineMessage>(got[0].payload);
    EXPECT_EQ(m.body, sent.body) << party;
    EXPECT_EQ(m.digest, sent.digest) << party;
  }
  // The same rows through the hub's tail read.
  absl::StatusOr<std::vector<store::EventRow>> rows =
      store_->WithReader([](store::Database& db) { return store::ReadEventsAfterId(db, 0, 100); });
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  for (const store::EventRow& row : *rows) EXPECT_EQ(row.detail, (*rows)[0].detail);
  absl::StatusOr<int64_t> stored = store_->WithReader([](store::Database& db) {
    return db.QueryInt("SELECT COUNT(*) FROM events WHERE detail IS NOT NULL");
  });
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, 1);  // one copy of the text, two references
}

TEST_F(EventLogTest, EmptyRecipientIsRefusedAndNothingIsStored) {
  absl::Status s = store_->Write([&](store::Txn& txn) {
    return log_.AppendOperationEnded(txn, {PartyId("RU"), PartyId("")}, OperationEnded{});
  });
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(Read("RU").empty());
}

TEST_F(EventLogTest, UnknownStoredTypeIsDataLoss) {
  store::EventRow row{.recipient = "RU", .seq = 1, .type = "future.thing"};
  EXPECT_TRUE(absl::IsDataLoss(FromRow(row).status()));
  row.type = "operation.conflict";  // without its overlap
  EXPECT_TRUE(absl::IsDataLoss(FromRow(row).status()));
}

}  // namespace
}  // namespace deconflict::events
