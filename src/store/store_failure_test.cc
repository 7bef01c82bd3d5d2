// Failed commits (issue 7 items 2 and 9): a fault injected at each step of a group commit is
// rolled back whole, the writer goes on, and health tells the truth; a rollback that fails
// leaves the store failed, loudly.
#include <sqlite3.h>

#include <filesystem>
#include <future>
#include <mutex>

#include "common/status.h"
#include "gtest/gtest.h"
#include "ledger/entry.h"
#include "store/fault_injector.h"
#include "store/record_digest.h"
#include "store/sqlite_ledger.h"
#include "store/store.h"

namespace deconflict::store {
namespace {

using std::chrono::seconds;

// Fails the steps it is told to, and counts the group commits it saw begin.
class TestFaults final : public FaultInjector {
 public:
  void FailAt(CommitStep step, uint64_t batch) {
    std::lock_guard lock(mu_);
    faults_.emplace_back(step, batch);
  }
  uint64_t batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }
  absl::Status Before(CommitStep step, uint64_t batch) override {
    std::lock_guard lock(mu_);
    if (step == CommitStep::kBegin) batches_ = batch;
    for (const auto& [fault_step, fault_batch] : faults_) {
      if (fault_step == step && fault_batch == batch) {
        return absl::InternalError(fmt::format("injected at {}", CommitStepName(step)));
      }
    }
    return absl::OkStatus();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<CommitStep, uint64_t>> faults_;
  uint64_t batches_ = 0;
};

PartyRecord Party(const std::string& id) {
  return PartyRecord{.id = id,
                     .name = id + " forces",
                     .role = "operator",
                     .token_hash = std::string(32, id[0]),
                     .created_at = Timestamp{}};
}

// The party.add entry `ledger check` expects beside a parties row (store/record_digest.h).
std::string PartyAddEntry(const std::string& id) {
  return ledger::EncodeEntry(ledger::Entry{.party = id,
                                           .action = ledger::kActionPartyAdd,
                                           .object_id = id,
                                           .content_digest = PartyRecordDigest(Party(id)),
                                           .server_time = Timestamp{}});
}

// A unit that records a party and its ledger entry, like every domain write.
Store::Work PartyWithEntry(const std::string& id, bool refuse = false) {
  return [id, refuse](Txn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.InsertParty(Party(id)));
    RETURN_IF_ERROR(txn.AppendLedger(PartyAddEntry(id)).status());
    if (refuse) return absl::InvalidArgumentError("refused after writing");
    return absl::OkStatus();
  };
}

class StoreFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("store_failure_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open(StoreOptions options) {
    auto store = Store::Open(dir_.string(), options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  // Submits `units` so that they all run in one group commit: the writer is held inside a
  // first batch until all are queued. Returns what each unit's `done` got.
  static std::vector<absl::Status> RunInOneBatch(Store& store, std::vector<Store::Work> units) {
    std::promise<void> entered, release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<absl::Status> held_done;
    store.Submit(
        [&entered, released](Txn&) {
          entered.set_value();
          released.wait();
          return absl::OkStatus();
        },
        [&held_done](absl::Status s) { held_done.set_value(s); });
    entered.get_future().wait();
    std::vector<std::promise<absl::Status>> promises(units.size());
    for (size_t i = 0; i < units.size(); ++i) {
      store.Submit(std::move(units[i]),
                   [&promises, i](absl::Status s) { promises[i].set_value(s); });
    }
    release.set_value();
    EXPECT_TRUE(held_done.get_future().get().ok());
    std::vector<absl::Status> out;
    for (auto& p : promises) out.push_back(p.get_future().get());
    return out;
  }

  static std::vector<std::string> PartyIds(Store& store) {
    std::vector<std::string> ids;
    absl::StatusOr<std::vector<PartyRecord>> parties = store.ListParties();
    EXPECT_TRUE(parties.ok()) << parties.status();
    for (const PartyRecord& p : parties.value_or(std::vector<PartyRecord>{})) ids.push_back(p.id);
    return ids;
  }

  static absl::StatusOr<LedgerCheckReport> CheckLedger(Store& store) {
    return store.WithReader(
        [&](Database& db) { return LedgerReader(db).Check(store.ledger().signer().verifier()); });
  }

  static absl::Status CheckWritable(Store& store) {
    std::promise<absl::Status> p;
    store.CheckWritable([&p](absl::Status s) { p.set_value(s); });
    return p.get_future().get();
  }

  std::filesystem::path dir_;
};

class FailedStepTest : public StoreFailureTest, public ::testing::WithParamInterface<CommitStep> {};

TEST_P(FailedStepTest, BatchIsRolledBackWholeAndTheNextCommits) {
  TestFaults faults;
  std::unique_ptr<Store> store = Open({.faults = &faults});
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Write(PartyWithEntry("A")).ok());  // group commit 1

  // Group commit 3 (2 holds the writer): B, a unit that refuses after writing (so ROLLBACK TO
  // runs), and C.
  faults.FailAt(GetParam(), 3);
  std::vector<absl::Status> got = RunInOneBatch(
      *store, {PartyWithEntry("B"), PartyWithEntry("X", /*refuse=*/true), PartyWithEntry("C")});
  ASSERT_EQ(faults.batches(), 3u);
  EXPECT_EQ(store->commit_failures(), 1u);
  for (const absl::Status& s : got) {
    EXPECT_TRUE(absl::IsUnavailable(s)) << s;
    EXPECT_NE(s.message().find("injected at " + std::string(CommitStepName(GetParam()))),
              std::string::npos)
        << s;
  }
  // Nothing of the failed batch is stored, in the tables or the ledger.
  EXPECT_EQ(PartyIds(*store), std::vector<std::string>({"A"}));
  auto report = CheckLedger(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries, 1u);
  EXPECT_FALSE(store->failure().has_value());

  // The writer goes on: no "cannot start a transaction within a transaction", and the next
  // ledger entry follows the last committed one.
  uint64_t index = 0;
  ASSERT_TRUE(store
                  ->Write([&](Txn& txn) -> absl::Status {
                    RETURN_IF_ERROR(txn.InsertParty(Party("D")));
                    ASSIGN_OR_RETURN(index, txn.AppendLedger(PartyAddEntry("D")));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(index, 1u);
  EXPECT_EQ(PartyIds(*store), std::vector<std::string>({"A", "D"}));
  report = CheckLedger(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries, 2u);
  EXPECT_TRUE(CheckWritable(*store).ok());
}

INSTANTIATE_TEST_SUITE_P(EveryStep, FailedStepTest,
                         ::testing::Values(CommitStep::kBegin, CommitStep::kSavepoint,
                                           CommitStep::kRollbackTo, CommitStep::kRelease,
                                           CommitStep::kFinishBatch, CommitStep::kCommit),
                         [](const ::testing::TestParamInfo<CommitStep>& info) {
                           return std::string(CommitStepName(info.param));
                         });

TEST_F(StoreFailureTest, FailedRollbackFailsTheStoreLoudlyAndLosesNothingCommitted) {
  TestFaults faults;
  faults.FailAt(CommitStep::kCommit, 2);
  faults.FailAt(CommitStep::kRollback, 2);
  {
    std::unique_ptr<Store> store = Open({.faults = &faults});
    ASSERT_TRUE(store);
    std::promise<absl::Status> notified;
    int notifications = 0;
    store->OnFailure([&](const absl::Status& s) {
      if (++notifications == 1) notified.set_value(s);
    });
    ASSERT_TRUE(store->Write(PartyWithEntry("A")).ok());

    absl::Status lost = store->Write(PartyWithEntry("B"));
    EXPECT_TRUE(absl::IsUnavailable(lost)) << lost;
    std::future<absl::Status> told = notified.get_future();
    ASSERT_EQ(told.wait_for(seconds(30)), std::future_status::ready) << "the failure was not told";
    absl::Status reason = told.get();
    EXPECT_TRUE(absl::IsUnavailable(reason));
    EXPECT_NE(reason.message().find("restarted"), std::string::npos) << reason;
    ASSERT_TRUE(store->failure().has_value());

    // Every later unit is answered at once without running; health says why.
    bool ran = false;
    absl::Status later = store->Write([&](Txn&) {
      ran = true;
      return absl::OkStatus();
    });
    EXPECT_TRUE(absl::IsUnavailable(later)) << later;
    EXPECT_FALSE(ran);
    absl::Status health = CheckWritable(*store);
    EXPECT_TRUE(absl::IsUnavailable(health));
    EXPECT_NE(health.message().find("the store has failed"), std::string::npos) << health;
    // The failure is told once: not again to a handler set later.
    bool late = false;
    store->OnFailure([&](const absl::Status&) { late = true; });
    EXPECT_FALSE(late);
    EXPECT_EQ(notifications, 1);
  }
  // A new process gets out of it: what was committed is there, the lost batch is not.
  std::unique_ptr<Store> store = Open({});
  ASSERT_TRUE(store);
  EXPECT_EQ(PartyIds(*store), std::vector<std::string>({"A"}));
  auto report = CheckLedger(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries, 1u);
  EXPECT_TRUE(store->Write(PartyWithEntry("C")).ok());
}

TEST_F(StoreFailureTest, HandlerSetAfterTheFailureIsCalledAtOnce) {
  TestFaults faults;
  faults.FailAt(CommitStep::kBegin, 1);
  faults.FailAt(CommitStep::kRollback, 2);  // BEGIN failed: nothing to roll back, no failure
  faults.FailAt(CommitStep::kFinishBatch, 2);
  std::unique_ptr<Store> store = Open({.faults = &faults});
  ASSERT_TRUE(store);
  EXPECT_TRUE(absl::IsUnavailable(store->Write(PartyWithEntry("A"))));
  EXPECT_FALSE(store->failure().has_value());
  EXPECT_TRUE(absl::IsUnavailable(store->Write(PartyWithEntry("B"))));
  ASSERT_TRUE(store->failure().has_value());
  bool told = false;
  store->OnFailure([&](const absl::Status& s) { told = absl::IsUnavailable(s); });
  EXPECT_TRUE(told);
}

TEST_F(StoreFailureTest, HealthTrustsAFreshCommitAndProbesAStaleOne) {
  TestFaults faults;
  FakeClock clock(Timestamp(seconds(1'800'000'000)));
  std::unique_ptr<Store> store =
      Open({.clock = &clock, .health_max_age = seconds(1), .faults = &faults});
  ASSERT_TRUE(store);
  // Nothing known yet: a probe commits (group commit 1).
  EXPECT_TRUE(CheckWritable(*store).ok());
  EXPECT_EQ(faults.batches(), 1u);
  // Fresh: answered without a commit.
  EXPECT_TRUE(CheckWritable(*store).ok());
  EXPECT_EQ(faults.batches(), 1u);

  // A write whose commit fails makes health fail at once, with the reason.
  faults.FailAt(CommitStep::kCommit, 2);
  EXPECT_TRUE(absl::IsUnavailable(store->Write(PartyWithEntry("A"))));
  absl::Status health = CheckWritable(*store);
  EXPECT_TRUE(absl::IsUnavailable(health));
  EXPECT_NE(
      health.message().find("the store cannot write: group commit failed: injected at commit"),
      std::string::npos)
      << health;
  EXPECT_EQ(faults.batches(), 2u);

  // Once stale, a probe finds the disk writable again (group commit 3).
  clock.Advance(seconds(2));
  EXPECT_TRUE(CheckWritable(*store).ok());
  EXPECT_EQ(faults.batches(), 3u);

  // A probe that fails says so, and is trusted while fresh.
  clock.Advance(seconds(2));
  faults.FailAt(CommitStep::kCommit, 4);
  EXPECT_TRUE(absl::IsUnavailable(CheckWritable(*store)));
  EXPECT_TRUE(absl::IsUnavailable(CheckWritable(*store)));
  EXPECT_EQ(faults.batches(), 4u);
}

TEST_F(StoreFailureTest, AReadOnlyDatabaseIsUnavailableNotInternal) {
  { ASSERT_TRUE(Open({})); }
  auto db = Database::Open((dir_ / "deconflict.db").string(), Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok()) << db.status();
  absl::Status write = (*db)->Exec("INSERT INTO store_probe(id, probed_at) VALUES(1, 0)");
  EXPECT_TRUE(absl::IsUnavailable(write)) << write;
  ASSERT_TRUE(SqliteCodeOf(write).has_value());
  EXPECT_EQ(*SqliteCodeOf(write) & 0xFF, SQLITE_READONLY);
  EXPECT_EQ(SqliteCodeText(*SqliteCodeOf(write)), "attempt to write a readonly database");
}

TEST(ScriptedFaults, ParsesStepsAtBatchesAndRefusesAnythingElse) {
  auto faults = ScriptedFaults::Parse("commit@2, rollback@2");
  ASSERT_TRUE(faults.ok()) << faults.status();
  EXPECT_TRUE((*faults)->Before(CommitStep::kCommit, 1).ok());
  EXPECT_EQ((*faults)->Before(CommitStep::kCommit, 2).message(),
            "injected fault at commit of group commit 2");
  EXPECT_FALSE((*faults)->Before(CommitStep::kRollback, 2).ok());
  EXPECT_TRUE((*faults)->Before(CommitStep::kBegin, 2).ok());
  for (const char* bad : {"commit", "commit@", "commit@0", "commit@x", "explode@1", "commit@1x"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ScriptedFaults::Parse(bad).status())) << bad;
  }
}

}  // namespace
}  // namespace deconflict::store
