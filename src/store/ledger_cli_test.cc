// End-to-end: `deconflict ledger key|export|verify|check` through the real binary
// ($DECONFLICT_BINARY, set by ctest) on a store filled through the Store API.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "boost/json.hpp"
#include "common/digest.h"
#include "common/status.h"
#include "gtest/gtest.h"
#include "ledger/bundle.h"
#include "ledger/commitment.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "store/record_digest.h"
#include "store/sqlite_ledger.h"
#include "store/store.h"

namespace deconflict::store {
namespace {

struct Result {
  int exit_code;
  std::string out;  // stdout and stderr
};

Result RunCli(const std::string& args) {
  const char* binary = std::getenv("DECONFLICT_BINARY");
  std::string command = std::string(binary ? binary : "deconflict") + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return Result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class LedgerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::getenv("DECONFLICT_BINARY")) GTEST_SKIP() << "DECONFLICT_BINARY is not set";
    dir_ = std::filesystem::temp_directory_path() /
           ("ledger_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = Store::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    for (int i = 0; i < 25; ++i) {
      const std::string entry = ledger::EncodeEntry(
          ledger::Entry{.party = "SOUTH",
                        .action = "test.entry",
                        .object_id = "op-" + std::to_string(i),
                        .content_digest = std::string(32, 'z'),
                        .server_time = Timestamp(std::chrono::seconds(1795258800 + i))});
      ASSERT_TRUE((*store)->Write([&](Txn& txn) { return txn.AppendLedger(entry).status(); }).ok());
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(LedgerCliTest, ExportedBundleVerifiesOfflineAndATamperedOneSaysWhatFailed) {
  Result key = RunCli("ledger key --data " + dir_.string());
  ASSERT_EQ(key.exit_code, 0) << key.out;
  const std::string server_key = key.out.substr(0, key.out.find('\n'));
  ASSERT_TRUE(ledger::ParseVerifierKey(server_key).ok()) << server_key;

  Result exported =
      RunCli("ledger export --data " + dir_.string() + " --index 17 --out " + Path("b.json"));
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  Result verified = RunCli("ledger verify --bundle " + Path("b.json") + " --key " + server_key);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("OK: entry 17"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("op-17"), std::string::npos) << verified.out;

  // The bundle carries the opening of the committed entry.
  std::ifstream in(Path("b.json"));
  std::stringstream text;
  text << in.rdbuf();
  auto bundle = ledger::ParseBundle(text.str());
  ASSERT_TRUE(bundle.ok());
  ASSERT_TRUE(bundle->opening.has_value());
  EXPECT_TRUE(ledger::IsCommitmentLeaf(bundle->entry));

  // A wrong opening (the entry of another index, its own salt) is refused, saying so.
  auto other = ledger::ParseBundle((
      RunCli("ledger export --data " + dir_.string() + " --index 16 --out " + Path("o.json")), [&] {
        std::ifstream o(Path("o.json"));
        std::stringstream t;
        t << o.rdbuf();
        return t.str();
      }()));
  ASSERT_TRUE(other.ok());
  auto lying = *bundle;
  lying.opening->entry = other->opening->entry;
  std::ofstream(Path("lying.json")) << ledger::FormatBundle(lying);
  Result lie = RunCli("ledger verify --bundle " + Path("lying.json") + " --key " + server_key);
  EXPECT_EQ(lie.exit_code, 1) << lie.out;
  EXPECT_NE(lie.out.find("FAILED: opening: SHA-256(salt || entry)"), std::string::npos) << lie.out;

  // Change one byte of the leaf: the inclusion proof no longer leads to the signed root.
  bundle->entry[10] ^= 1;
  std::ofstream(Path("bad.json")) << ledger::FormatBundle(*bundle);
  Result refused = RunCli("ledger verify --bundle " + Path("bad.json") + " --key " + server_key);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("FAILED: inclusion proof of entry 17"), std::string::npos)
      << refused.out;

  // A witness that never cosigned is named.
  ledger::Signer witness = ledger::Signer::Generate("w.example/1", ledger::KeyType::kCosignatureV1);
  Result unwitnessed = RunCli("ledger verify --bundle " + Path("b.json") + " --key " + server_key +
                              " --witness " + witness.verifier().ToString());
  EXPECT_EQ(unwitnessed.exit_code, 1);
  EXPECT_NE(unwitnessed.out.find("witness w.example/1"), std::string::npos) << unwitnessed.out;
}

TEST_F(LedgerCliTest, CheckIsCleanThenFindsARewrittenEntry) {
  Result clean = RunCli("ledger check --data " + dir_.string());
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_NE(clean.out.find("OK: 25 entries"), std::string::npos) << clean.out;
  {
    auto db = Database::Open(Path("deconflict.db"), Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE ledger_entries SET data = 'x' WHERE idx = 3").ok());
  }
  Result dirty = RunCli("ledger check --data " + dir_.string());
  EXPECT_EQ(dirty.exit_code, 1);
  EXPECT_NE(dirty.out.find("entries 2..3"), std::string::npos) << dirty.out;
}

// Writes a party and an operation the way the server does: each row with the entry that commits
// to its digest (store/record_digest.h).
void AddPartyAndOperation(Store& store, const std::string& operation_id) {
  const Timestamp now = Timestamp(std::chrono::seconds(1795258900));
  PartyRecord party{.id = "NORTH",
                    .name = "North Air Force",
                    .role = "operator",
                    .token_hash = std::string(32, 't'),
                    .created_at = now};
  OperationRecord op{
      .id = operation_id,
      .party = "NORTH",
      .version = 1,
      .ovn = "ovn-1",
      .state = "Accepted",
      .label = "patrol",
      .extents = R"([{"volume":{"outline_circle":{"center":{"lat":33.5,"lng":36.2}}}}])",
      .request_digest = std::string(32, 'r'),
      .created_at = now,
      .updated_at = now};
  absl::Status written = store.Write([&](Txn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.InsertParty(party));
    RETURN_IF_ERROR(txn.AppendLedger(ledger::EncodeEntry(
                                         ledger::Entry{.party = party.id,
                                                       .action = ledger::kActionPartyAdd,
                                                       .object_id = party.id,
                                                       .content_digest = PartyRecordDigest(party),
                                                       .server_time = now}))
                        .status());
    ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(ledger::EncodeEntry(
                                         ledger::Entry{.party = op.party,
                                                       .action = ledger::kActionOperationCreate,
                                                       .object_id = op.id,
                                                       .content_digest = OperationRecordDigest(op),
                                                       .server_time = now})));
    op.ledger_index = static_cast<int64_t>(index);
    return txn.PutOperation(op);
  });
  ASSERT_TRUE(written.ok()) << written;
}

std::string IntegrityCheck(const std::string& path) {
  auto db = Database::Open(path, Database::Mode::kReadOnly);
  if (!db.ok()) return std::string(db.status().message());
  auto st = (*db)->Prepare("PRAGMA integrity_check");
  if (!st.ok() || !*st->Step()) return "no answer";
  return st->ColumnText(0);
}

TEST_F(LedgerCliTest, CheckNamesAnOperationRowWhoseLatitudeWasEditedThoughIntegrityCheckPasses) {
  const std::string id = "6f1c2e7a-0000-4000-8000-000000000001";
  {
    auto store = Store::Open(dir_.string());
    ASSERT_TRUE(store.ok());
    AddPartyAndOperation(**store, id);
  }
  Result clean = RunCli("ledger check --data " + dir_.string());
  ASSERT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_NE(clean.out.find("1 operation rows, 1 party rows"), std::string::npos) << clean.out;
  {
    auto db = Database::Open(Path("deconflict.db"), Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)->Exec("UPDATE operations SET extents = replace(extents, '33.5', '33.6')").ok());
  }
  EXPECT_EQ(IntegrityCheck(Path("deconflict.db")), "ok");
  Result dirty = RunCli("ledger check --data " + dir_.string());
  EXPECT_EQ(dirty.exit_code, 1) << dirty.out;
  EXPECT_NE(dirty.out.find("operations row " + id), std::string::npos) << dirty.out;
  EXPECT_NE(dirty.out.find("does not match the digest"), std::string::npos) << dirty.out;
}

TEST_F(LedgerCliTest, CheckNamesEditedRevertedAndDeletedStateRows) {
  const std::string id = "6f1c2e7a-0000-4000-8000-000000000002";
  {
    auto store = Store::Open(dir_.string());
    ASSERT_TRUE(store.ok());
    AddPartyAndOperation(**store, id);
  }
  {
    auto db = Database::Open(Path("deconflict.db"), Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    // A role raised, and a row put back to an older ledger index (as a revert would).
    ASSERT_TRUE((*db)->Exec("UPDATE parties SET role = 'guarantor' WHERE id = 'NORTH'").ok());
    ASSERT_TRUE((*db)->Exec("UPDATE operations SET ledger_index = 3").ok());
  }
  Result dirty = RunCli("ledger check --data " + dir_.string());
  EXPECT_EQ(dirty.exit_code, 1) << dirty.out;
  EXPECT_NE(dirty.out.find("2 state row(s) differ"), std::string::npos) << dirty.out;
  EXPECT_NE(dirty.out.find("parties row NORTH: id, name or role"), std::string::npos) << dirty.out;
  EXPECT_NE(dirty.out.find("operations row " + id + ": ledger_index is 3"), std::string::npos)
      << dirty.out;
  {
    auto db = Database::Open(Path("deconflict.db"), Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("DELETE FROM operations").ok());
    ASSERT_TRUE((*db)->Exec("UPDATE parties SET role = 'operator', revoked_at = 1").ok());
  }
  Result deleted = RunCli("ledger check --data " + dir_.string());
  EXPECT_EQ(deleted.exit_code, 1) << deleted.out;
  EXPECT_NE(deleted.out.find("operations row " + id + ": missing"), std::string::npos)
      << deleted.out;
  EXPECT_NE(deleted.out.find("parties row NORTH: revoked_at is set"), std::string::npos)
      << deleted.out;
}

TEST_F(LedgerCliTest, CheckFindsAnOpeningChangedInTheStore) {
  {
    auto db = Database::Open(Path("deconflict.db"), Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("UPDATE ledger_openings SET entry = replace(entry, 'op-7', 'op-8') "
                           "WHERE idx = 7")
                    .ok());
  }
  Result dirty = RunCli("ledger check --data " + dir_.string());
  EXPECT_EQ(dirty.exit_code, 1) << dirty.out;
  EXPECT_NE(dirty.out.find("entry 7: opening"), std::string::npos) << dirty.out;
}

TEST_F(LedgerCliTest, WitnessCosignsACheckpointAndTheBundleThenNeedsItsCosignature) {
  const std::string server_key = RunCli("ledger key --data " + dir_.string()).out;
  const std::string key = server_key.substr(0, server_key.find('\n'));
  Result wkey = RunCli("ledger witness-key --name unmo.example/w --out " + Path("w.key"));
  ASSERT_EQ(wkey.exit_code, 0) << wkey.out;
  const std::string witness_key = wkey.out.substr(0, wkey.out.find('\n'));

  // The witness checks that checkpoint 25 extends checkpoint 10, which it cosigned before.
  std::string old_note, new_note, proof_json;
  {
    auto store = Store::Open(dir_.string());
    ASSERT_TRUE(store.ok());
    (*store)->WithReader([&](Database& db) {
      LedgerReader reader(db);
      old_note = reader.CheckpointAt(10)->note;
      new_note = reader.CheckpointAt(25)->note;
      boost::json::array proof;
      const std::vector<ledger::Hash> hashes = *ledger::ConsistencyProof(reader, 10, 25);
      for (const ledger::Hash& h : hashes) proof.emplace_back(Base64(ledger::HashBytes(h)));
      proof_json =
          boost::json::serialize(boost::json::object{{"from", 10}, {"to", 25}, {"proof", proof}});
    });
  }
  std::ofstream(Path("old.txt")) << old_note;
  std::ofstream(Path("new.txt")) << new_note;
  std::ofstream(Path("proof.json")) << proof_json;
  Result cosign = RunCli("ledger cosign --witness-key " + Path("w.key") + " --key " + key +
                         " --checkpoint " + Path("new.txt") + " --previous " + Path("old.txt") +
                         " --consistency " + Path("proof.json"));
  ASSERT_EQ(cosign.exit_code, 0) << cosign.out;
  auto body = boost::json::parse(cosign.out).as_object();
  // The server's operator binds the witness name to the party UNMO; first use registers nothing.
  auto post = [&]() {
    auto store = Store::Open(dir_.string());
    if (!store.ok()) return store.status();
    return (*store)->Write([&](Txn& txn) {
      return (*store)->ledger().AddCosignature(
          txn.db(), "UNMO", std::string(body.at("witness_key").as_string()),
          body.at("size").to_number<uint64_t>(), std::string(body.at("cosignature").as_string()));
    });
  };
  EXPECT_TRUE(absl::IsNotFound(post()));
  {
    auto store = Store::Open(dir_.string());
    ASSERT_TRUE(store.ok());
    const PartyRecord unmo{.id = "UNMO",
                           .name = "UN mission",
                           .role = "guarantor",
                           .token_hash = std::string(32, 'u'),
                           .created_at = Timestamp{}};
    ASSERT_TRUE((*store)
                    ->Write([&](Txn& txn) -> absl::Status {
                      RETURN_IF_ERROR(txn.InsertParty(unmo));
                      return txn
                          .AppendLedger(ledger::EncodeEntry(
                              ledger::Entry{.party = "UNMO",
                                            .action = ledger::kActionPartyAdd,
                                            .object_id = "UNMO",
                                            .content_digest = PartyRecordDigest(unmo),
                                            .server_time = Timestamp{}}))
                          .status();
                    })
                    .ok());
  }
  Result unknown_party =
      RunCli("ledger witness add --data " + dir_.string() + " --party NOBODY --key " + witness_key);
  EXPECT_EQ(unknown_party.exit_code, 1);
  EXPECT_NE(unknown_party.out.find("no party 'NOBODY'"), std::string::npos) << unknown_party.out;
  Result bound =
      RunCli("ledger witness add --data " + dir_.string() + " --party UNMO --key " + witness_key);
  ASSERT_EQ(bound.exit_code, 0) << bound.out;
  EXPECT_NE(bound.out.find("witness unmo.example/w bound to party UNMO"), std::string::npos)
      << bound.out;
  Result again =
      RunCli("ledger witness add --data " + dir_.string() + " --party UNMO --key " + witness_key);
  EXPECT_EQ(again.exit_code, 1) << again.out;
  ASSERT_TRUE(post().ok());
  Result listed = RunCli("ledger witness list --data " + dir_.string());
  EXPECT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_NE(listed.out.find("unmo.example/w\tparty UNMO\tbound by the operator"), std::string::npos)
      << listed.out;
  EXPECT_NE(listed.out.find("1 cosignature(s)"), std::string::npos) << listed.out;
  // A checkpoint that does not extend the old one is refused: swap old and new.
  Result backwards = RunCli("ledger cosign --witness-key " + Path("w.key") + " --key " + key +
                            " --checkpoint " + Path("old.txt") + " --previous " + Path("new.txt") +
                            " --consistency " + Path("proof.json"));
  EXPECT_EQ(backwards.exit_code, 1) << backwards.out;

  ASSERT_EQ(RunCli("ledger export --data " + dir_.string() + " --index 3 --out " + Path("b.json"))
                .exit_code,
            0);
  Result verified = RunCli("ledger verify --bundle " + Path("b.json") + " --key " + key +
                           " --witness " + witness_key);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("cosigned by witness unmo.example/w"), std::string::npos)
      << verified.out;
  Result checked = RunCli("ledger check --data " + dir_.string());
  EXPECT_EQ(checked.exit_code, 0) << checked.out;
  EXPECT_NE(checked.out.find("1 witness bindings,"), std::string::npos) << checked.out;

  // Removed: the name is unknown again, and the removal is in the ledger.
  Result removed =
      RunCli("ledger witness remove --data " + dir_.string() + " --name unmo.example/w");
  ASSERT_EQ(removed.exit_code, 0) << removed.out;
  EXPECT_TRUE(absl::IsNotFound(post()));
  EXPECT_EQ(RunCli("ledger check --data " + dir_.string()).exit_code, 0);
  EXPECT_EQ(
      RunCli("ledger witness remove --data " + dir_.string() + " --name unmo.example/w").exit_code,
      1);
}

// The SIGKILL test through the real binary: `ledger bench-append` is killed at random moments;
// after each kill `ledger check` finds the ledger clean and the log only grew. A loaded machine
// (a debug binary beside other builds) may kill every child of the first rounds before it
// appends anything: rounds go on, each a little later, until one has appended (at most 20).
TEST_F(LedgerCliTest, BinaryKilledWhileAppendingLeavesALedgerThatChecksClean) {
  const char* binary = std::getenv("DECONFLICT_BINARY");
  std::mt19937 random(7);
  uint64_t last = 25;
  for (int round = 0; round < 5 || (last == 25u && round < 20); ++round) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::execl(binary, binary, "ledger", "bench-append", "--data", dir_.c_str(), "--n", "100000000",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::usleep(std::uniform_int_distribution<int>(150000, 400000)(random) * (1 + round / 5));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "exit code " << WEXITSTATUS(status);
    Result check = RunCli("ledger check --data " + dir_.string());
    ASSERT_EQ(check.exit_code, 0) << "round " << round << ": " << check.out;
    const uint64_t entries = std::stoull(check.out.substr(check.out.find("OK: ") + 4));
    EXPECT_GE(entries, last);
    last = entries;
  }
  EXPECT_GT(last, 25u);
}

// The README's `ledger bench-append --data /tmp/b` must work for a new user: a missing data
// directory is created (it failed with "not a data directory" before).
TEST_F(LedgerCliTest, BenchAppendCreatesAMissingDataDirectory) {
  const std::string fresh = Path("fresh");
  ASSERT_FALSE(std::filesystem::exists(fresh));
  Result appended = RunCli("ledger bench-append --data " + fresh + " --n 10");
  EXPECT_EQ(appended.exit_code, 0) << appended.out;
  EXPECT_NE(appended.out.find("10 entries appended"), std::string::npos) << appended.out;
  Result checked = RunCli("ledger check --data " + fresh);
  EXPECT_EQ(checked.exit_code, 0) << checked.out;
}

}  // namespace
}  // namespace deconflict::store
