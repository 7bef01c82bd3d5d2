#include "store/store.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "common/status.h"
#include "gtest/gtest.h"
#include "ledger/note.h"
#include "ledger/server_key.h"
#include "store/dir_lock.h"

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
    return PartyRecord{.id = id,
                       .name = id + " forces",
                       .role = "operator",
                       .token_hash = std::string(32, id[0]),
                       .created_at = Timestamp{}};
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
  ASSERT_TRUE((*store)
                  ->Write([&](Txn& txn) -> absl::Status {
                    auto i = txn.AppendLedger("kept");
                    if (!i.ok()) return i.status();
                    index = *i;
                    return absl::OkStatus();
                  })
                  .ok());
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

// Issue 7 item 4: a lost or replaced ledger.key must not be silently replaced by a new one.
TEST_F(StoreTest, FreshStoreCreatesItsLedgerKey) {
  ASSERT_TRUE(Store::Open(dir_).ok());
  EXPECT_TRUE(ledger::LoadServerKey(dir_.string()).ok());
}

TEST_F(StoreTest, MissingLedgerKeyIsRefusedSayingWhatToRestore) {
  {
    auto store = Store::Open(dir_);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Write([](Txn& txn) { return txn.AppendLedger("e").status(); }).ok());
  }
  const std::filesystem::path key = dir_ / ledger::kServerKeyFile;
  const std::filesystem::path saved = dir_.string() + ".key";
  std::filesystem::rename(key, saved);
  auto refused = Store::Open(dir_);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("restore the file ledger.key from a backup of " +
                                            dir_.string()),
            std::string::npos)
      << refused.status();
  EXPECT_FALSE(std::filesystem::exists(key)) << "a new key was created";
  std::filesystem::rename(saved, key);
  EXPECT_TRUE(Store::Open(dir_).ok());
}

TEST_F(StoreTest, ReplacedLedgerKeyIsRefused) {
  { ASSERT_TRUE(Store::Open(dir_).ok()); }
  const std::string key = (dir_ / ledger::kServerKeyFile).string();
  const std::string original = [&] {
    std::ifstream in(key);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  {
    std::ofstream out(key, std::ios::trunc);
    out << ledger::Signer::Generate("deconflict/0123456789abcdef", ledger::KeyType::kEd25519)
               .ToString()
        << "\n";
  }
  auto refused = Store::Open(dir_);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("did not sign the store's checkpoints"),
            std::string::npos)
      << refused.status();
  {
    std::ofstream out(key, std::ios::trunc);
    out << original;
  }
  EXPECT_TRUE(Store::Open(dir_).ok());
}

// Issue 7 item 3: one server per data directory.
TEST_F(StoreTest, SecondDataDirLockIsRefusedNamingTheHolder) {
  FakeClock clock(Timestamp(std::chrono::seconds(1'800'000'000)));
  {
    auto first = DataDirLock::Acquire(dir_.string(), clock);
    ASSERT_TRUE(first.ok()) << first.status();
    auto second = DataDirLock::Acquire(dir_.string(), clock);
    EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
    EXPECT_NE(second.status().message().find(fmt::format("pid {} on host ", ::getpid())),
              std::string::npos)
        << second.status();
    EXPECT_NE(second.status().message().find("since 2027-01-15T08:00:00Z"), std::string::npos)
        << second.status();
    // Writers other than servers are not locked out.
    auto store = Store::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_TRUE((*store)->Write([](Txn& txn) { return txn.InsertParty(Party("RU")); }).ok());
  }
  EXPECT_TRUE(DataDirLock::Acquire(dir_.string(), clock).ok());  // released with its holder
}

}  // namespace
}  // namespace deconflict::store
