#include "store/store.h"

#include <filesystem>
#include <future>

#include "gtest/gtest.h"

namespace deconflict::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static PartyRecord Party(const std::string& id) {
    return PartyRecord{.id = id, .name = id + " forces", .role = "operator",
                       .token_hash = std::string(32, id[0]), .created_at = Timestamp{}};
  }

  std::filesystem::path dir_;
};

TEST_F(StoreTest, CommittedWritesSurviveReopen) {
  {
    auto store = Store::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Write([](Txn& txn) { return txn.InsertParty(Party("RU")); }).ok());
  }
  auto store = Store::Open(dir_);
  ASSERT_TRUE(store.ok()) << store.status();
  auto parties = (*store)->ListParties();
  ASSERT_TRUE(parties.ok());
  ASSERT_EQ(parties->size(), 1u);
  EXPECT_EQ((*parties)[0].name, "RU forces");
}

TEST_F(StoreTest, FailedUnitRollsBackOnlyItselfInAGroupCommit) {
  auto store = Store::Open(dir_);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<std::future<absl::Status>> results;
  std::vector<std::promise<absl::Status>> promises(3);
  for (auto& p : promises) results.push_back(p.get_future());
  (*store)->Submit([](Txn& txn) { return txn.InsertParty(Party("US")); },
                   [&](absl::Status s) { promises[0].set_value(s); });
  (*store)->Submit(
      [](Txn& txn) -> absl::Status {
        (void)txn.InsertParty(Party("XX"));
        return absl::InvalidArgumentError("refused after writing");
      },
      [&](absl::Status s) { promises[1].set_value(s); });
  (*store)->Submit([](Txn& txn) { return txn.InsertParty(Party("US")); },  // duplicate id
                   [&](absl::Status s) { promises[2].set_value(s); });
  EXPECT_TRUE(results[0].get().ok());
  EXPECT_TRUE(absl::IsInvalidArgument(results[1].get()));
  EXPECT_TRUE(absl::IsAlreadyExists(results[2].get()));
  auto parties = (*store)->ListParties();
  ASSERT_TRUE(parties.ok());
  ASSERT_EQ(parties->size(), 1u);
  EXPECT_EQ((*parties)[0].id, "US");
}

TEST_F(StoreTest, LedgerAppendIsPartOfTheTransaction) {
  auto store = Store::Open(dir_);
  ASSERT_TRUE(store.ok());
  absl::Status refused = (*store)->Write([](Txn& txn) -> absl::Status {
    auto index = txn.AppendLedger("entry that must vanish");
    if (!index.ok()) return index.status();
    return absl::InvalidArgumentError("no");
  });
  EXPECT_FALSE(refused.ok());
  uint64_t index = 99;
  ASSERT_TRUE((*store)->Write([&](Txn& txn) -> absl::Status {
    auto i = txn.AppendLedger("kept");
    if (!i.ok()) return i.status();
    index = *i;
    return absl::OkStatus();
  }).ok());
  EXPECT_EQ(index, 0u);
}

TEST_F(StoreTest, RevokeTwiceIsRefused) {
  auto store = Store::Open(dir_);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Write([](Txn& txn) { return txn.InsertParty(Party("RU")); }).ok());
  EXPECT_TRUE((*store)->Write([](Txn& txn) { return txn.RevokeParty("RU", Timestamp{}); }).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(
      (*store)->Write([](Txn& txn) { return txn.RevokeParty("RU", Timestamp{}); })));
  EXPECT_TRUE(absl::IsNotFound(
      (*store)->Write([](Txn& txn) { return txn.RevokeParty("ZZ", Timestamp{}); })));
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  { ASSERT_TRUE(Store::Open(dir_).ok()); }
  {
    auto db = Database::Open((dir_ / "deconflict.db").string(), Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version=999").ok());
  }
  auto store = Store::Open(dir_);
  EXPECT_TRUE(absl::IsFailedPrecondition(store.status())) << store.status();
}

}  // namespace
}  // namespace deconflict::store
