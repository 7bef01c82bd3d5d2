#include "store/sqlite_ledger.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <random>

#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "ledger/bundle.h"
#include "ledger/entry.h"
#include "store/record_digest.h"
#include "store/store.h"

namespace deconflict::store {
namespace {

std::string TestEntry(uint64_t i) {
  return ledger::EncodeEntry(ledger::Entry{.party = "RU",
                                           .action = "test.entry",
                                           .object_id = "op-" + std::to_string(i),
                                           .content_digest = std::string(32, 'c'),
                                           .server_time = Timestamp{}});
}

class SqliteLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sqlite_ledger_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open() {
    auto store = Store::Open(dir_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  static absl::StatusOr<uint64_t> AppendOne(Store& store, uint64_t i) {
    uint64_t index = 0;
    absl::Status s = store.Write([&](Txn& txn) -> absl::Status {
      ASSIGN_OR_RETURN(index, txn.AppendLedger(TestEntry(i)));
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return index;
  }

  static absl::StatusOr<LedgerCheckReport> Check(Store& store) {
    return store.WithReader([&](Database& db) {
      LedgerReader reader(db);
      return reader.Check(store.ledger().signer().verifier());
    });
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteLedgerTest, AFreshStoreHasASignedEmptyCheckpointAndAPrivateKey) {
  auto store = Open();
  ASSERT_TRUE(store);
  auto cp = store->WithReader([](Database& db) { return LedgerReader(db).LatestCheckpoint(); });
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->size, 0u);
  EXPECT_EQ(cp->root, ledger::EmptyRoot());
  struct stat st;
  ASSERT_EQ(::stat((dir_ / "ledger.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST_F(SqliteLedgerTest, AppendedEntriesHaveConsecutiveIndexesAndProveAgainstTheCheckpoint) {
  auto store = Open();
  ASSERT_TRUE(store);
  for (uint64_t i = 0; i < 37; ++i) {
    auto index = AppendOne(*store, i);
    ASSERT_TRUE(index.ok()) << index.status();
    ASSERT_EQ(*index, i);
  }
  auto report = Check(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries, 37u);
  EXPECT_EQ(report->checkpoints, 38u);  // one per transaction, plus the empty one
  store->WithReader([&](Database& db) {
    LedgerReader reader(db);
    auto cp = reader.LatestCheckpoint();
    ASSERT_TRUE(cp.ok());
    ASSERT_EQ(cp->size, 37u);
    for (uint64_t i = 0; i < 37; ++i) {
      auto proof = ledger::InclusionProof(reader, i, 37);
      ASSERT_TRUE(proof.ok()) << proof.status();
      // The tree holds a commitment; its stored opening is the entry appended.
      auto leaf = reader.Entries(i, i + 1);
      auto opening = reader.Openings(i, i + 1);
      ASSERT_TRUE(leaf.ok() && opening.ok() && (*opening)[0].has_value());
      EXPECT_EQ((*opening)[0]->opening.entry, TestEntry(i));
      EXPECT_EQ((*opening)[0]->party, "RU");
      ledger::Bundle bundle{.index = i,
                            .entry = (*leaf)[0],
                            .opening = (*opening)[0]->opening,
                            .size = 37,
                            .proof = ledger::ProofBytes(*proof),
                            .checkpoint = cp->note};
      auto verified = ledger::VerifyBundle(bundle, store->ledger().signer().verifier(), {});
      ASSERT_TRUE(verified.ok()) << verified.status();
    }
    for (uint64_t from = 1; from <= 37; ++from) {
      auto old_cp = reader.CheckpointAt(from);
      ASSERT_TRUE(old_cp.ok());
      auto proof = ledger::ConsistencyProof(reader, from, 37);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(ledger::VerifyConsistency(from, 37, ledger::ProofBytes(*proof),
                                            ledger::HashBytes(old_cp->root),
                                            ledger::HashBytes(cp->root))
                      .ok());
    }
  });
}

TEST_F(SqliteLedgerTest, AUnitRolledBackAfterAppendingLeavesNoTraceInTheTree) {
  auto store = Open();
  ASSERT_TRUE(store);
  std::vector<std::promise<absl::Status>> done(4);
  std::vector<int64_t> indexes(4, -1);
  for (int unit = 0; unit < 4; ++unit) {
    store->Submit(
        [&, unit](Txn& txn) -> absl::Status {
          ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(TestEntry(100 + unit)));
          indexes[unit] = static_cast<int64_t>(index);
          if (unit == 1 || unit == 3) {
            (void)txn.AppendLedger(TestEntry(200 + unit));
            return absl::AbortedError("refused after appending");
          }
          return absl::OkStatus();
        },
        [&, unit](absl::Status s) { done[unit].set_value(s); });
  }
  for (int unit = 0; unit < 4; ++unit) (void)done[unit].get_future().get();
  auto index = AppendOne(*store, 7);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*index, 2u);  // units 0 and 2 kept indexes 0 and 1
  auto report = Check(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries, 3u);
}

// Property: any mix of units that append 0..5 entries and then succeed or fail, grouped in
// commits of any size, gives consecutive indexes to exactly the entries of the units that
// succeeded, and a ledger that checks clean. The model is a counter.
TEST_F(SqliteLedgerTest, RandomMixesOfFailingAndSucceedingUnitsKeepTheTreeExact) {
  auto store = Open();
  ASSERT_TRUE(store);
  std::mt19937 random(4242);
  uint64_t expected_size = 0;
  for (int round = 0; round < 40; ++round) {
    const int units = std::uniform_int_distribution<int>(1, 30)(random);
    std::vector<std::promise<absl::Status>> done(units);
    std::vector<std::vector<uint64_t>> indexes(units);
    std::vector<uint8_t> fails(
        units);  // not vector<bool>: units read their own flag on the writer thread
    std::vector<int> appends(units);
    for (int unit = 0; unit < units; ++unit) {
      fails[unit] = std::bernoulli_distribution(0.3)(random);
      appends[unit] = std::uniform_int_distribution<int>(0, 5)(random);
      store->Submit(
          [&, unit](Txn& txn) -> absl::Status {
            for (int k = 0; k < appends[unit]; ++k) {
              ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(TestEntry(round * 1000 + k)));
              indexes[unit].push_back(index);
            }
            return fails[unit] ? absl::AbortedError("refused") : absl::OkStatus();
          },
          [&, unit](absl::Status s) { done[unit].set_value(s); });
    }
    for (int unit = 0; unit < units; ++unit) {
      const absl::Status s = done[unit].get_future().get();
      ASSERT_EQ(s.ok(), !fails[unit]) << s;
      if (fails[unit]) continue;
      for (uint64_t index : indexes[unit]) ASSERT_EQ(index, expected_size++) << "round " << round;
    }
  }
  auto report = Check(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries, expected_size);
}

TEST_F(SqliteLedgerTest, AFailedUnitThatEmptiesTheLogAgainIsFollowedByIndexZero) {
  auto store = Open();
  ASSERT_TRUE(store);
  std::promise<absl::Status> failed, kept;
  uint64_t kept_index = 99;
  store->Submit(
      [](Txn& txn) -> absl::Status {
        for (int k = 0; k < 3; ++k) RETURN_IF_ERROR(txn.AppendLedger(TestEntry(k)).status());
        return absl::AbortedError("refused");
      },
      [&](absl::Status s) { failed.set_value(s); });
  store->Submit(
      [&](Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(kept_index, txn.AppendLedger(TestEntry(7)));
        return txn.AppendLedger(TestEntry(8)).status();
      },
      [&](absl::Status s) { kept.set_value(s); });
  EXPECT_FALSE(failed.get_future().get().ok());
  ASSERT_TRUE(kept.get_future().get().ok());
  EXPECT_EQ(kept_index, 0u);
  auto report = Check(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries, 2u);
}

TEST_F(SqliteLedgerTest, TwoStoresOnOneDirectoryAppendToOneTree) {
  // The server and `deconflict party add` share the store: each sees the other's appends.
  auto server = Open();
  auto cli = Open();
  ASSERT_TRUE(server && cli);
  EXPECT_EQ(server->ledger().signer().verifier().ToString(),
            cli->ledger().signer().verifier().ToString());
  for (uint64_t i = 0; i < 20; ++i) {
    Store& store = (i % 3 == 0) ? *cli : *server;
    auto index = AppendOne(store, i);
    ASSERT_TRUE(index.ok()) << index.status();
    ASSERT_EQ(*index, i);
  }
  auto report = Check(*server);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries, 20u);
}

// A party row with its party.add entry, as the parties module writes them.
absl::Status AddParty(Store& store, const std::string& id) {
  const PartyRecord party{.id = id,
                          .name = id + " name",
                          .role = "guarantor",
                          .token_hash = Sha256(id),
                          .created_at = Timestamp{}};
  return store.Write([&](Txn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.InsertParty(party));
    return txn
        .AppendLedger(ledger::EncodeEntry(ledger::Entry{.party = id,
                                                        .action = ledger::kActionPartyAdd,
                                                        .object_id = id,
                                                        .content_digest = PartyRecordDigest(party),
                                                        .server_time = Timestamp{}}))
        .status();
  });
}

TEST_F(SqliteLedgerTest, WitnessCosignatureIsVerifiedStoredAndServedWithTheCheckpoint) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(AppendOne(*store, 0).ok());
  auto cp = store->WithReader([](Database& db) { return LedgerReader(db).LatestCheckpoint(); });
  ASSERT_TRUE(cp.ok());
  auto note = ledger::ParseNote(cp->note);
  ASSERT_TRUE(note.ok());
  ledger::Signer witness =
      ledger::Signer::Generate("un.example/w", ledger::KeyType::kCosignatureV1);
  const std::string key = witness.verifier().ToString();
  const std::string line = witness.SignNote(note->text, 1790000000);
  auto add = [&](const std::string& party, const std::string& key, uint64_t size,
                 const std::string& sig) {
    return store->Write(
        [&](Txn& txn) { return store->ledger().AddCosignature(txn.db(), party, key, size, sig); });
  };
  auto bind = [&](const std::string& party, const std::string& key) {
    return store->Write([&](Txn& txn) {
      return store->ledger().BindWitness(txn.db(), party, key, Timestamp{}).status();
    });
  };
  // The old path, "the first party to post registers the name", is refused: nobody bound it.
  EXPECT_TRUE(absl::IsNotFound(add("UN", key, 1, line)));
  EXPECT_TRUE(absl::IsNotFound(bind("UN", key)));  // no such party yet
  ASSERT_TRUE(AddParty(*store, "UN").ok());
  ASSERT_TRUE(AddParty(*store, "RU").ok());
  ASSERT_TRUE(bind("UN", key).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(bind("RU", key)));
  EXPECT_TRUE(absl::IsInvalidArgument(add("UN", key, 1, "garbage")));
  EXPECT_TRUE(absl::IsNotFound(add("UN", key, 99, line)));
  ASSERT_TRUE(add("UN", key, 1, line).ok());
  // Another party, or the bound name with another key, is refused.
  EXPECT_TRUE(absl::IsPermissionDenied(add("RU", key, 1, line)));
  ledger::Signer impostor =
      ledger::Signer::Generate("un.example/w", ledger::KeyType::kCosignatureV1);
  EXPECT_TRUE(absl::IsPermissionDenied(
      add("UN", impostor.verifier().ToString(), 1, impostor.SignNote(note->text, 1790000000))));
  auto served = store->WithReader([](Database& db) { return LedgerReader(db).CheckpointFor(0); });
  ASSERT_TRUE(served.ok());
  EXPECT_EQ(served->cosignatures, 1);
  auto parsed = ledger::ParseNote(served->note);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(ledger::VerifyNote(*parsed, witness.verifier()).ok());
  auto report = Check(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->cosignatures, 1u);
  EXPECT_EQ(report->witnesses, 1u);
  auto listed = store->WithReader([](Database& db) { return LedgerReader(db).Witnesses(); });
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].party, "UN");
  EXPECT_EQ((*listed)[0].cosignatures, 1u);
  EXPECT_TRUE((*listed)[0].ledger_index.has_value());

  // Removal drops the binding and its lines, in the ledger; the name is then unknown.
  ASSERT_TRUE(
      store
          ->Write([&](Txn& txn) {
            return store->ledger().RemoveWitness(txn.db(), "un.example/w", Timestamp{}).status();
          })
          .ok());
  EXPECT_TRUE(absl::IsNotFound(add("UN", key, 1, line)));
  served = store->WithReader([](Database& db) { return LedgerReader(db).CheckpointFor(0); });
  EXPECT_EQ(served->cosignatures, 0);
  report = Check(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->witnesses, 0u);
}

TEST_F(SqliteLedgerTest, AWitnessNameRegisteredByFirstUseIsRefusedUntilTheOperatorBindsIt) {
  auto store = Open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(AddParty(*store, "ICRC").ok());
  ASSERT_TRUE(AddParty(*store, "RU").ok());
  auto note = ledger::ParseNote(
      store->WithReader([](Database& db) { return LedgerReader(db).LatestCheckpoint(); })->note);
  const uint64_t size = ledger::ParseCheckpoint(note->text)->size;
  ledger::Signer squatter =
      ledger::Signer::Generate("icrc.example/w", ledger::KeyType::kCosignatureV1);
  ledger::Signer real = ledger::Signer::Generate("icrc.example/w", ledger::KeyType::kCosignatureV1);
  // A store of schema 2 or 3 where RU took ICRC's name first and cosigned with it.
  ASSERT_TRUE(store
                  ->Write([&](Txn& txn) -> absl::Status {
                    RETURN_IF_ERROR(txn.db().Exec(fmt::format(
                        "INSERT INTO ledger_witnesses(key_name, verifier_key, party, added_at) "
                        "VALUES('icrc.example/w', '{}', 'RU', 0)",
                        squatter.verifier().ToString())));
                    return txn.db().Exec(fmt::format(
                        "INSERT INTO ledger_cosignatures VALUES({}, 'icrc.example/w', '{}', 1)",
                        size, squatter.SignNote(note->text, 1)));
                  })
                  .ok());
  auto add = [&](const std::string& party, const ledger::Signer& w) {
    return store->Write([&](Txn& txn) {
      return store->ledger().AddCosignature(txn.db(), party, w.verifier().ToString(), size,
                                            w.SignNote(note->text, 1790000000));
    });
  };
  EXPECT_TRUE(absl::IsPermissionDenied(add("RU", squatter)));
  ASSERT_TRUE(store
                  ->Write([&](Txn& txn) {
                    return store->ledger()
                        .BindWitness(txn.db(), "ICRC", real.verifier().ToString(), Timestamp{})
                        .status();
                  })
                  .ok());
  EXPECT_TRUE(absl::IsPermissionDenied(add("RU", squatter)));
  EXPECT_TRUE(add("ICRC", real).ok());
  auto served =
      store->WithReader([&](Database& db) { return LedgerReader(db).CheckpointAt(size); });
  EXPECT_EQ(served->cosignatures, 1);  // the squatter's line is gone
  EXPECT_TRUE(ledger::VerifyNote(*ledger::ParseNote(served->note), real.verifier()).ok());
  auto report = Check(*store);
  EXPECT_TRUE(report.ok()) << report.status();
}

// A store written before ledger format 2 (schema 2: readable leaves, no openings) migrates to
// schema 4: its old leaves stay as they are and verify without an opening, new ones are
// commitments with openings, and `ledger check` accepts both.
TEST_F(SqliteLedgerTest, AStoreOfFormat1MigratesAndMixesReadableAndCommittedLeaves) {
  ASSERT_TRUE(Open());  // creates the store (schema 4), then we turn it back into schema 2
  {
    auto db = Database::Open((dir_ / "deconflict.db").string(), Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)
            ->Exec(
                "DROP TABLE ledger_openings; ALTER TABLE ledger_witnesses DROP COLUMN "
                "ledger_index; DELETE FROM ledger_checkpoints; DROP TABLE IF EXISTS store_probe; "
                "DROP TABLE IF EXISTS probes; DROP TABLE IF EXISTS events; PRAGMA user_version=2")
            .ok());
    ledger::Frontier frontier;
    for (uint64_t i = 0; i < 3; ++i) {
      auto put = (*db)->Prepare("INSERT INTO ledger_entries(idx, data) VALUES(?1, ?2)");
      put->Bind(1, static_cast<int64_t>(i));
      put->BindBlob(2, TestEntry(i));
      ASSERT_TRUE(put->Run().ok());
      frontier.Append(
          ledger::LeafHash(TestEntry(i)), [&](int level, uint64_t index, const ledger::Hash& h) {
            if (level == 0) return;
            auto node = (*db)->Prepare("INSERT INTO ledger_nodes(id, hash) VALUES(?1, ?2)");
            node->Bind(1, static_cast<int64_t>((static_cast<uint64_t>(level) << 56) | index));
            node->BindBlob(2, ledger::HashBytes(h));
            ASSERT_TRUE(node->Run().ok());
          });
    }
  }
  auto store = Open();
  ASSERT_TRUE(store);
  for (uint64_t i = 3; i < 5; ++i) ASSERT_TRUE(AppendOne(*store, i).ok());
  auto report = Check(*store);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries, 5u);
  store->WithReader([&](Database& db) {
    LedgerReader reader(db);
    auto leaves = reader.Entries(0, 5);
    auto openings = reader.Openings(0, 5);
    ASSERT_TRUE(leaves.ok() && openings.ok());
    for (uint64_t i = 0; i < 5; ++i) {
      EXPECT_EQ(ledger::IsCommitmentLeaf((*leaves)[i]), i >= 3) << i;
      EXPECT_EQ((*openings)[i].has_value(), i >= 3) << i;
      const ledger::Opening* opening = (*openings)[i] ? &(*openings)[i]->opening : nullptr;
      auto entry = ledger::OpenLeaf((*leaves)[i], opening);
      ASSERT_TRUE(entry.ok()) << entry.status();
      EXPECT_EQ(entry->object_id, "op-" + std::to_string(i));
    }
    auto cp = reader.LatestCheckpoint();
    auto proof = ledger::InclusionProof(reader, 1, 5);
    ASSERT_TRUE(cp.ok() && proof.ok());
    ledger::Bundle legacy{.index = 1,
                          .entry = (*leaves)[1],
                          .size = 5,
                          .proof = ledger::ProofBytes(*proof),
                          .checkpoint = cp->note};
    EXPECT_TRUE(ledger::VerifyBundle(legacy, store->ledger().signer().verifier(), {}).ok());
  });
}

TEST(Commitment, TwoCommitmentsOfOneEntryDifferSoALeafCannotBeMatchedToAGuess) {
  const std::string entry = TestEntry(1);
  const ledger::Opening a = ledger::NewOpening(entry), b = ledger::NewOpening(entry);
  EXPECT_NE(ledger::CommitmentLeaf(a), ledger::CommitmentLeaf(b));
  EXPECT_TRUE(ledger::VerifyOpening(ledger::CommitmentLeaf(a), a).ok());
  EXPECT_FALSE(ledger::VerifyOpening(ledger::CommitmentLeaf(a), b).ok());
}

TEST_F(SqliteLedgerTest, CheckFindsATamperedEntry) {
  {
    auto store = Open();
    ASSERT_TRUE(store);
    for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(AppendOne(*store, i).ok());
  }
  {
    auto db = Database::Open((dir_ / "deconflict.db").string(), Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE ledger_entries SET data = 'rewritten' WHERE idx = 4").ok());
  }
  auto store = Open();
  auto report = Check(*store);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("checkpoint 5: the stored root differs"),
            std::string::npos)
      << report.status();
}

// The SIGKILL test: a child process appends in group commits until it is killed at a random
// moment; after every kill the ledger checks clean and keeps growing from where it stopped.
TEST_F(SqliteLedgerTest, LedgerChecksCleanAfterSigkillAtRandomMoments) {
  std::mt19937 random(20261121);
  uint64_t last_size = 0;
  for (int round = 0; round < 12; ++round) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto store = Store::Open(dir_);
      if (!store.ok()) ::_exit(3);
      for (uint64_t i = 0;; ++i) {
        // Batches of concurrent units, like the server under load.
        std::vector<std::future<absl::Status>> results;
        for (int unit = 0; unit < 64; ++unit) {
          auto p = std::make_shared<std::promise<absl::Status>>();
          results.push_back(p->get_future());
          (*store)->Submit([i](Txn& txn) { return txn.AppendLedger(TestEntry(i)).status(); },
                           [p](absl::Status s) { p->set_value(s); });
        }
        for (auto& r : results) {
          if (!r.get().ok()) ::_exit(4);
        }
      }
    }
    ::usleep(std::uniform_int_distribution<int>(20000, 150000)(random));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    auto store = Open();
    ASSERT_TRUE(store);
    auto report = Check(*store);
    ASSERT_TRUE(report.ok()) << "round " << round << ": " << report.status();
    EXPECT_GE(report->entries, last_size);
    last_size = report->entries;
  }
  EXPECT_GT(last_size, 0u);
}

}  // namespace
}  // namespace deconflict::store
