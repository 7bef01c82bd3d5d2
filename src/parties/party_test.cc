#include "parties/party.h"

#include <unistd.h>

#include <filesystem>
#include <set>

#include "common/digest.h"
#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/commitment.h"
#include "ledger/entry.h"
#include "store/operations_table.h"
#include "store/record_digest.h"
#include "store/sqlite_ledger.h"

namespace deconflict::parties {
namespace {

using ::testing::HasSubstr;

// ---------------------------------------------------------------------------------------------
// Roles

TEST(Role, EveryRoleOfTheDesignParsesFromItsName) {
  const std::vector<std::string> names = {"operator", "host", "guarantor", "observer",
                                          "humanitarian"};
  ASSERT_EQ(std::size(kAllRoles), names.size());
  for (size_t role_idx = 0; role_idx < names.size(); ++role_idx) {
    EXPECT_EQ(RoleName(kAllRoles[role_idx]), names[role_idx]);
    absl::StatusOr<Role> parsed = ParseRole(names[role_idx]);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, kAllRoles[role_idx]);
  }
}

TEST(Role, UnknownNameIsRefusedNamingTheField) {
  for (std::string_view bad : {"pilot", "", "Operator", "operator ", "guarantors"}) {
    absl::StatusOr<Role> parsed = ParseRole(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(parsed.status()));
    EXPECT_EQ(FieldOf(parsed.status()), "role");
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("operator, host, guarantor"));
  }
  absl::StatusOr<Role> nested = ParseRole("pilot", "parties[2].role");
  EXPECT_EQ(FieldOf(nested.status()), "parties[2].role");
}

// ---------------------------------------------------------------------------------------------
// Tokens

TEST(Token, NewTokensHaveTheDocumentedShapeAndDiffer) {
  std::set<std::string> seen;
  for (int token_idx = 0; token_idx < 100; ++token_idx) {
    const std::string token = NewToken();
    EXPECT_EQ(token.size(), kTokenSize);
    EXPECT_EQ(token.substr(0, 3), "dc_");
    EXPECT_TRUE(IsWellFormedToken(token)) << token;
    EXPECT_TRUE(seen.insert(token).second) << "repeated token " << token;
  }
}

TEST(Token, MisshapenTokensAreRecognised) {
  const std::string good = NewToken();
  EXPECT_FALSE(IsWellFormedToken(""));
  EXPECT_FALSE(IsWellFormedToken("dc_wrong"));
  EXPECT_FALSE(IsWellFormedToken("xx_" + good.substr(3)));    // prefix
  EXPECT_FALSE(IsWellFormedToken(good + "A"));                // too long
  EXPECT_FALSE(IsWellFormedToken(good.substr(0, 45) + "="));  // padding
  EXPECT_FALSE(IsWellFormedToken(good.substr(0, 45) + "+"));  // base64, not base64url
  EXPECT_FALSE(IsWellFormedToken(good.substr(0, 45) + std::string(1, '\0')));
  // 43 characters carry 258 bits for 32 bytes; 'B' sets one of the two padding bits, so no
  // NewToken could have produced it (strict base64url decoding).
  EXPECT_FALSE(IsWellFormedToken(good.substr(0, 45) + "B"));
  EXPECT_TRUE(IsWellFormedToken(good.substr(0, 45) + "A"));
}

TEST(Token, OnlyTheSha256IsKept) {
  const std::string token = NewToken();
  EXPECT_EQ(HashToken(token), Sha256(token));
  EXPECT_EQ(HashToken(token).size(), 32u);
}

// ---------------------------------------------------------------------------------------------
// Party specs

TEST(PartySpec, EachBadFieldIsNamed) {
  EXPECT_EQ(FieldOf(ParsePartySpec("R U", "Forces", "operator").status()), "id");
  EXPECT_EQ(FieldOf(ParsePartySpec("", "Forces", "operator").status()), "id");
  EXPECT_EQ(FieldOf(ParsePartySpec("RU", "", "operator").status()), "name");
  EXPECT_EQ(FieldOf(ParsePartySpec("RU", std::string(201, 'x'), "operator").status()), "name");
  EXPECT_EQ(FieldOf(ParsePartySpec("RU", "Forces", "admin").status()), "role");
  absl::StatusOr<PartySpec> good = ParsePartySpec("UN-OCHA", "UN OCHA", "humanitarian");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->id, PartyId("UN-OCHA"));
  EXPECT_EQ(good->role, Role::kHumanitarian);
}

// ---------------------------------------------------------------------------------------------
// Adding and revoking, against a real store

class PartyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("party_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = store::Store::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  NewParty Add(const std::string& id, const std::string& role = "operator") {
    absl::StatusOr<PartySpec> spec = ParsePartySpec(id, id + " forces", role);
    EXPECT_TRUE(spec.ok()) << spec.status();
    absl::StatusOr<NewParty> added = AddParty(*store_, clock_, *spec);
    EXPECT_TRUE(added.ok()) << added.status();
    return added.ok() ? *std::move(added) : NewParty{};
  }

  // Stores an operation row (as the strategic module would, with its ledger entry).
  store::OperationRecord File(const std::string& party, const std::string& id,
                              const std::string& state = "Accepted") {
    store::OperationRecord record{.id = id,
                                  .party = party,
                                  .version = 1,
                                  .ovn = NewUuid(),
                                  .state = state,
                                  .label = "test",
                                  .extents = "[]",
                                  .request_digest = Sha256(id),
                                  .created_at = clock_.Now(),
                                  .updated_at = clock_.Now()};
    absl::Status written = store_->Write([&](store::Txn& txn) -> absl::Status {
      ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                           .party = party,
                                           .action = ledger::kActionOperationCreate,
                                           .object_id = id,
                                           .content_digest = store::OperationRecordDigest(record),
                                           .server_time = clock_.Now()})));
      record.ledger_index = static_cast<int64_t>(index);
      return txn.PutOperation(record);
    });
    EXPECT_TRUE(written.ok()) << written;
    return record;
  }

  uint64_t LedgerSize() {
    return store_->WithReader([](store::Database& db) {
      store::LedgerReader reader(db);
      absl::StatusOr<uint64_t> size = reader.Size();
      EXPECT_TRUE(size.ok()) << size.status();
      return size.value_or(0);
    });
  }

  ledger::Entry EntryAt(uint64_t index) {
    return store_->WithReader([&](store::Database& db) {
      store::LedgerReader reader(db);
      absl::StatusOr<std::vector<std::string>> bytes = reader.Entries(index, index + 1);
      EXPECT_TRUE(bytes.ok() && bytes->size() == 1) << bytes.status();
      // Leaves are salted commitments (ledger/commitment.h): open them with their stored opening.
      absl::StatusOr<std::vector<std::optional<store::StoredOpening>>> openings =
          reader.Openings(index, index + 1);
      EXPECT_TRUE(openings.ok() && openings->size() == 1) << openings.status();
      const ledger::Opening* opening =
          openings.ok() && openings->at(0) ? &openings->at(0)->opening : nullptr;
      absl::StatusOr<ledger::Entry> entry = ledger::OpenLeaf(bytes->at(0), opening);
      EXPECT_TRUE(entry.ok()) << entry.status();
      return entry.value_or(ledger::Entry{});
    });
  }

  store::OperationRecord Stored(const std::string& id) {
    absl::StatusOr<std::optional<store::OperationRecord>> record =
        store::ReadOperation(*store_, id);
    EXPECT_TRUE(record.ok() && record->has_value()) << id;
    return record.ok() && record->has_value() ? **record : store::OperationRecord{};
  }

  bool Revoked(const std::string& id) {
    absl::StatusOr<std::vector<store::PartyRecord>> parties = store_->ListParties();
    EXPECT_TRUE(parties.ok()) << parties.status();
    for (const store::PartyRecord& p : *parties) {
      if (p.id == id) return p.revoked_at.has_value();
    }
    ADD_FAILURE() << "no party " << id;
    return false;
  }

  std::filesystem::path dir_;
  FakeClock clock_{Timestamp(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store_;
};

TEST_F(PartyStoreTest, AddedPartyIsStoredWithItsRoleNameAndALedgerEntryWithoutTheToken) {
  NewParty added = Add("UNMO", "guarantor");
  EXPECT_TRUE(IsWellFormedToken(added.token));
  absl::StatusOr<std::vector<store::PartyRecord>> parties = store_->ListParties();
  ASSERT_TRUE(parties.ok());
  ASSERT_EQ(parties->size(), 1u);
  EXPECT_EQ((*parties)[0].role, "guarantor");
  EXPECT_EQ((*parties)[0].token_hash, HashToken(added.token));
  ledger::Entry entry = EntryAt(added.ledger_index);
  EXPECT_EQ(entry.action, ledger::kActionPartyAdd);
  EXPECT_EQ(entry.object_id, "UNMO");
  EXPECT_EQ(entry.content_digest, Sha256("UNMO\nUNMO forces\nguarantor"));
}

TEST_F(PartyStoreTest, AddingATakenIdIsAlreadyExists) {
  Add("RU");
  absl::StatusOr<NewParty> again =
      AddParty(*store_, clock_, *ParsePartySpec("RU", "Other", "host"));
  EXPECT_TRUE(absl::IsAlreadyExists(again.status())) << again.status();
}

TEST_F(PartyStoreTest, RevocationEndsTheLiveOperationsWithTheirLedgerEntries) {
  Add("A");
  Add("B");
  const store::OperationRecord a2 = File("A", "a2-0000"), a1 = File("A", "a1-0000");
  const store::OperationRecord a_ended = File("A", "a3-0000", "Ended");
  const store::OperationRecord b1 = File("B", "b1-0000");
  const uint64_t size_before = LedgerSize();
  clock_.Advance(std::chrono::minutes(5));

  absl::StatusOr<Revocation> revoked = RevokeParty(*store_, clock_, PartyId("A"));
  ASSERT_TRUE(revoked.ok()) << revoked.status();

  // The revocation's entry first, then one operation.end per live operation, by id.
  EXPECT_EQ(revoked->ledger_index, size_before);
  EXPECT_EQ(EntryAt(revoked->ledger_index).action, ledger::kActionPartyRevoke);
  ASSERT_EQ(revoked->ended_operations.size(), 2u);
  EXPECT_EQ(revoked->ended_operations[0].id, OperationId("a1-0000"));
  EXPECT_EQ(revoked->ended_operations[1].id, OperationId("a2-0000"));
  EXPECT_EQ(LedgerSize(), size_before + 3);
  for (const store::OperationRecord& before : {a1, a2}) {
    const store::OperationRecord after = Stored(before.id);
    EXPECT_EQ(after.state, "Ended");
    EXPECT_EQ(after.version, before.version + 1);
    EXPECT_NE(after.ovn, before.ovn);
    EXPECT_EQ(after.updated_at, clock_.Now());
    EXPECT_EQ(after.extents, before.extents);
    ledger::Entry entry = EntryAt(static_cast<uint64_t>(after.ledger_index));
    EXPECT_EQ(entry.action, ledger::kActionOperationEnd);
    EXPECT_EQ(entry.party, "A");
    EXPECT_EQ(entry.object_id, before.id);
    EXPECT_EQ(entry.server_time, clock_.Now());
    // The entry commits to the row exactly as stored.
    EXPECT_EQ(entry.content_digest, store::OperationRecordDigest(after));
  }
  // Already ended, and other parties' operations, are untouched.
  EXPECT_EQ(Stored(a_ended.id).version, a_ended.version);
  EXPECT_EQ(Stored(b1.id).version, b1.version);
  absl::StatusOr<std::vector<store::OperationRecord>> live = store::ListOperations(*store_, false);
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, b1.id);
  EXPECT_TRUE(Revoked("A"));
}

TEST_F(PartyStoreTest, RevocationIsAtomicWithTheEndingOfItsOperations) {
  Add("A");
  File("A", "a1-0000");
  File("A", "a2-0000");
  // A fault seam in the database itself: ending the second operation fails inside the unit.
  ASSERT_TRUE(store_
                  ->Write([](store::Txn& txn) {
                    return txn.db().Exec(
                        "CREATE TRIGGER fail_end BEFORE INSERT ON operations "
                        "WHEN NEW.id = 'a2-0000' AND NEW.state = 'Ended' "
                        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
                  })
                  .ok());
  const uint64_t size_before = LedgerSize();

  absl::StatusOr<Revocation> revoked = RevokeParty(*store_, clock_, PartyId("A"));
  ASSERT_FALSE(revoked.ok());
  EXPECT_THAT(std::string(revoked.status().message()), HasSubstr("injected failure"));
  // Nothing of it is stored: the party is active, both operations live, no ledger entry.
  EXPECT_FALSE(Revoked("A"));
  EXPECT_EQ(Stored("a1-0000").state, "Accepted");
  EXPECT_EQ(Stored("a2-0000").state, "Accepted");
  EXPECT_EQ(LedgerSize(), size_before);

  ASSERT_TRUE(
      store_->Write([](store::Txn& txn) { return txn.db().Exec("DROP TRIGGER fail_end"); }).ok());
  revoked = RevokeParty(*store_, clock_, PartyId("A"));
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->ended_operations.size(), 2u);
  EXPECT_EQ(LedgerSize(), size_before + 3);
}

TEST_F(PartyStoreTest, RevokingAPartyWithoutOperationsWritesOneEntry) {
  Add("OBS", "observer");
  const uint64_t size_before = LedgerSize();
  absl::StatusOr<Revocation> revoked = RevokeParty(*store_, clock_, PartyId("OBS"));
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_TRUE(revoked->ended_operations.empty());
  EXPECT_EQ(LedgerSize(), size_before + 1);
  ledger::Entry entry = EntryAt(revoked->ledger_index);
  EXPECT_EQ(entry.action, ledger::kActionPartyRevoke);
  EXPECT_EQ(entry.object_id, "OBS");
  EXPECT_TRUE(Revoked("OBS"));
}

TEST_F(PartyStoreTest, RevokingTwiceIsFailedPreconditionAndWritesNothing) {
  Add("A");
  ASSERT_TRUE(RevokeParty(*store_, clock_, PartyId("A")).ok());
  const uint64_t size_before = LedgerSize();
  absl::StatusOr<Revocation> again = RevokeParty(*store_, clock_, PartyId("A"));
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status())) << again.status();
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("already revoked"));
  EXPECT_EQ(LedgerSize(), size_before);
}

TEST_F(PartyStoreTest, OperationsOfPartiesRevokedByAnOlderVersionAreEndedOnce) {
  Add("A");
  Add("B");
  File("A", "a1-0000");
  File("B", "b1-0000");
  // An older version revoked the party without ending its operations.
  ASSERT_TRUE(
      store_->Write([&](store::Txn& txn) { return txn.RevokeParty("A", clock_.Now()); }).ok());
  const uint64_t size_before = LedgerSize();

  absl::StatusOr<std::vector<EndedOperation>> ended =
      EndOperationsOfRevokedParties(*store_, clock_);
  ASSERT_TRUE(ended.ok()) << ended.status();
  ASSERT_EQ(ended->size(), 1u);
  EXPECT_EQ((*ended)[0].id, OperationId("a1-0000"));
  EXPECT_EQ(LedgerSize(), size_before + 1);
  const store::OperationRecord after = Stored("a1-0000");
  EXPECT_EQ(after.state, "Ended");
  ledger::Entry entry = EntryAt((*ended)[0].ledger_index);
  EXPECT_EQ(entry.action, ledger::kActionOperationEnd);
  EXPECT_EQ(entry.content_digest, store::OperationRecordDigest(after));
  EXPECT_EQ(Stored("b1-0000").state, "Accepted");

  // Nothing left to end: nothing written.
  ended = EndOperationsOfRevokedParties(*store_, clock_);
  ASSERT_TRUE(ended.ok()) << ended.status();
  EXPECT_TRUE(ended->empty());
  EXPECT_EQ(LedgerSize(), size_before + 1);
}

TEST_F(PartyStoreTest, RevokingAnUnknownPartyIsNotFound) {
  absl::StatusOr<Revocation> revoked = RevokeParty(*store_, clock_, PartyId("NOBODY"));
  EXPECT_TRUE(absl::IsNotFound(revoked.status())) << revoked.status();
  EXPECT_EQ(LedgerSize(), 0u);
}

}  // namespace
}  // namespace deconflict::parties
