#include "store/bundle_set.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "ledger/bundle.h"
#include "ledger/entry.h"
#include "store/store.h"

namespace deconflict::store {
namespace {

// Entry i: party kParties[i % 3], object "obj-<i>"; entry 4 names SOUTH as a reader.
constexpr const char* kParties[] = {"RU", "US", "SOUTH"};

class BundleSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bundle_set_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = Store::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    for (int i = 0; i < 8; ++i) {
      const std::string entry = ledger::EncodeEntry(
          ledger::Entry{.party = kParties[i % 3],
                        .action = "test.entry",
                        .object_id = "obj-" + std::to_string(i),
                        .content_digest = std::string(32, 'z'),
                        .server_time = Timestamp(std::chrono::seconds(1795258800 + i))});
      const std::vector<std::string> readers =
          i == 4 ? std::vector<std::string>{"SOUTH"} : std::vector<std::string>{};
      ASSERT_TRUE(
          store_->Write([&](Txn& txn) { return txn.AppendLedger(entry, readers).status(); }).ok());
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // What SOUTH (a party, not a guarantor) may read.
  absl::StatusOr<ledger::BundleSet> BuildForSouth(const std::vector<BundleSetRequest>& requests) {
    return store_->WithReader([&](Database& db) {
      return BuildBundleSet(db, "case al-shifa-strike", requests,
                            [](const StoredOpening& o) { return o.Entitles("SOUTH", "party"); });
    });
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(BundleSetTest, ThreeEntriesVerifyAgainstOneCheckpointAndOnlyEntitledOnesAreOpened) {
  auto set = BuildForSouth({{.index = 2, .label = "incident"},
                            {.index = 4, .label = "notification"},
                            {.index = 6, .label = "ack:RU"},
                            {.index = 2, .label = "case.open"}});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size, 8u);
  ASSERT_EQ(set->items.size(), 3u);
  EXPECT_EQ(set->items[0].label, "incident, case.open");  // index 2, asked for twice
  EXPECT_TRUE(set->items[0].opening.has_value());         // SOUTH's own entry
  EXPECT_TRUE(set->items[1].opening.has_value());         // US's, naming SOUTH as a reader
  EXPECT_FALSE(set->items[2].opening.has_value());        // RU's, not for SOUTH

  auto parsed = ledger::ParseBundleSet(ledger::FormatBundleSet(*set));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto verified =
      ledger::VerifyBundleSet(*parsed, store_->ledger().signer().verifier(), /*witnesses=*/{});
  ASSERT_TRUE(verified.ok()) << verified.status();
  ASSERT_EQ(verified->items.size(), 3u);
  ASSERT_TRUE(verified->items[0].entry.has_value());
  EXPECT_EQ(verified->items[0].entry->object_id, "obj-2");
  ASSERT_TRUE(verified->items[1].entry.has_value());
  EXPECT_EQ(verified->items[1].entry->party, "US");
  EXPECT_FALSE(verified->items[2].entry.has_value());
  EXPECT_EQ(verified->items[2].index, 6u);
}

TEST_F(BundleSetTest, AnIndexBeyondTheCheckpointAsksToRetry) {
  auto set = BuildForSouth({{.index = 1, .label = "incident"}, {.index = 8, .label = "ack:US"}});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(set.status().message(),
            "entry 8 is not yet in a signed checkpoint (size 8); retry in a second");
}

TEST_F(BundleSetTest, NoRequestsOrABadLabelIsRefusedNamingIt) {
  auto none = BuildForSouth({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("requests"), std::string::npos);
  auto unlabelled = BuildForSouth({{.index = 1, .label = "incident"}, {.index = 3, .label = ""}});
  ASSERT_FALSE(unlabelled.ok());
  EXPECT_EQ(unlabelled.status().message(), "requests[1].label: is empty");
  auto nobody = store_->WithReader([&](Database& db) {
    return BuildBundleSet(db, "case x", {{.index = 0, .label = "incident"}}, nullptr);
  });
  ASSERT_TRUE(nobody.ok()) << nobody.status();
  EXPECT_FALSE(nobody->items[0].opening.has_value());
}

// `deconflict ledger verify --bundle` reads a set as well as a single bundle.
struct Result {
  int exit_code;
  std::string out;  // stdout and stderr
};

Result RunCli(const std::string& args) {
  std::string command = std::string(std::getenv("DECONFLICT_BINARY")) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return Result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(BundleSetTest, LedgerVerifyPrintsEachItemAndNamesTheOneThatFails) {
  if (!std::getenv("DECONFLICT_BINARY")) GTEST_SKIP() << "DECONFLICT_BINARY is not set";
  auto set = BuildForSouth({{.index = 2, .label = "incident"},
                            {.index = 4, .label = "notification"},
                            {.index = 6, .label = "ack:RU"}});
  ASSERT_TRUE(set.ok()) << set.status();
  const std::string key = store_->ledger().signer().verifier().ToString();
  const std::string path = (dir_ / "case.bundle").string();
  auto write = [&](const ledger::BundleSet& s) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << ledger::FormatBundleSet(s);
  };
  write(*set);
  Result ok = RunCli("ledger verify --bundle " + path + " --key " + key);
  ASSERT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("OK: 3 entries of case al-shifa-strike are in the log " +
                        store_->ledger().signer().name() + " of size 8 (root "),
            std::string::npos)
      << ok.out;
  EXPECT_NE(ok.out.find("entry 2  incident: party SOUTH, action test.entry, object obj-2, time "
                        "2026-11-21T"),
            std::string::npos)
      << ok.out;
  EXPECT_NE(ok.out.find("entry 6  ack:RU: present (content not disclosed to this holder)"),
            std::string::npos)
      << ok.out;

  ledger::BundleSet tampered = *set;
  tampered.items[1].opening->entry.replace(tampered.items[1].opening->entry.find("obj-4"), 5,
                                           "obj-5");
  write(tampered);
  Result failed = RunCli("ledger verify --bundle " + path + " --key " + key);
  EXPECT_EQ(failed.exit_code, 1) << failed.out;
  EXPECT_NE(failed.out.find("FAILED: items[1] (notification, entry 4): opening:"),
            std::string::npos)
      << failed.out;
}

}  // namespace
}  // namespace deconflict::store
