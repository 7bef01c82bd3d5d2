#include "store/agreements_table.h"

#include <filesystem>

#include "common/digest.h"
#include "common/status.h"
#include "common/time.h"
#include "gtest/gtest.h"

namespace deconflict::store {
namespace {

using std::chrono::hours;

const Timestamp kT0 = *ParseRfc3339("2026-12-01T07:00:00Z");

class AgreementsTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("agreements_table_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = Store::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static ProposalRecord Proposal(const std::string& id) {
    ProposalRecord p{.id = id,
                     .proposer = "RU",
                     .kind = "list_entry",
                     .content = R"({"list":"designated-groups","op":"add","entry":{"name":"A"}})",
                     .approvers = {"RU", "TR", "US"},
                     .created_at = kT0,
                     .expires_at = kT0 + hours(72),
                     .ledger_index = 3};
    p.digest = ProposalDigest(p);
    return p;
  }
  static ListEntryRecord Entry(const std::string& name, int64_t version, bool present,
                               Timestamp at) {
    return ListEntryRecord{.list = "designated-groups",
                           .name = name,
                           .version = version,
                           .present = present,
                           .aliases = {name + "-alias", "other name"},
                           .notes = "notes\nover two lines",
                           .proposal = "p-" + name + std::to_string(version),
                           .agreed_at = at};
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(AgreementsTableTest, ProposalsRoundTripAndIdsAreTakenOnce) {
  ASSERT_TRUE(store_->Write([](Txn& txn) { return InsertProposal(txn, Proposal("p1")); }).ok());
  absl::Status again = store_->Write([](Txn& txn) { return InsertProposal(txn, Proposal("p1")); });
  EXPECT_TRUE(absl::IsAlreadyExists(again)) << again;
  EXPECT_EQ(FieldOf(again), "id");
  auto read = store_->WithReader([](Database& db) { return ReadProposal(db, "p1"); });
  ASSERT_TRUE(read.ok() && read->has_value()) << read.status();
  EXPECT_EQ(**read, Proposal("p1"));

  ProposalRecord closed = Proposal("p1");
  closed.state = "agreed";
  closed.closed_at = kT0 + hours(1);
  closed.close_ledger_index = 9;
  ASSERT_TRUE(store_->Write([&](Txn& txn) { return CloseProposal(txn, closed); }).ok());
  read = store_->WithReader([](Database& db) { return ReadProposal(db, "p1"); });
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(**read, closed);
  auto open = store_->WithReader([](Database& db) { return ListOpenProposals(db); });
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(open->empty());
}

TEST_F(AgreementsTableTest, AProposalIsListedToEachApproverOnly) {
  ASSERT_TRUE(store_
                  ->Write([](Txn& txn) -> absl::Status {
                    RETURN_IF_ERROR(InsertProposal(txn, Proposal("p1")));
                    ProposalRecord other = Proposal("p2");
                    other.approvers = {"RU", "US"};
                    return InsertProposal(txn, other);
                  })
                  .ok());
  auto of = [&](const std::string& party, const std::string& after) {
    auto rows =
        store_->WithReader([&](Database& db) { return ListProposalsOf(db, party, after, 10); });
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> ids;
    for (const ProposalRecord& p : *rows) ids.push_back(p.id);
    return ids;
  };
  EXPECT_EQ(of("US", ""), (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ(of("US", "p1"), (std::vector<std::string>{"p2"}));
  EXPECT_EQ(of("TR", ""), (std::vector<std::string>{"p1"}));
  EXPECT_TRUE(of("OBS", "").empty());
}

TEST_F(AgreementsTableTest, OneDecisionPerApprover) {
  DecisionRecord d{.proposal = "p1", .party = "TR", .decision = "approve", .at = kT0};
  ASSERT_TRUE(store_->Write([&](Txn& txn) { return InsertDecision(txn, d).status(); }).ok());
  DecisionRecord reject = d;
  reject.decision = "reject";
  absl::StatusOr<bool> second = false;
  ASSERT_TRUE(store_
                  ->Write([&](Txn& txn) -> absl::Status {
                    second = InsertDecision(txn, reject);
                    return second.status();
                  })
                  .ok());
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);  // the first decision stands
  auto decisions = store_->WithReader([](Database& db) { return ReadDecisions(db, "p1"); });
  ASSERT_TRUE(decisions.ok());
  ASSERT_EQ(decisions->size(), 1u);
  EXPECT_EQ((*decisions)[0].decision, "approve");
}

TEST_F(AgreementsTableTest, ListAtShowsEachEntryAsItWasThen) {
  ASSERT_TRUE(store_
                  ->Write([](Txn& txn) -> absl::Status {
                    RETURN_IF_ERROR(InsertListEntry(txn, Entry("a", 1, true, kT0 + hours(1))));
                    RETURN_IF_ERROR(InsertListEntry(txn, Entry("b", 1, true, kT0 + hours(2))));
                    RETURN_IF_ERROR(InsertListEntry(txn, Entry("a", 2, false, kT0 + hours(3))));
                    return InsertListEntry(txn, Entry("a", 3, true, kT0 + hours(4)));
                  })
                  .ok());
  auto names_at = [&](Timestamp at) {
    auto rows =
        store_->WithReader([&](Database& db) { return ReadListAt(db, "designated-groups", at); });
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::vector<std::string> names;
    for (const ListEntryRecord& e : *rows) names.push_back(e.name + std::to_string(e.version));
    return names;
  };
  EXPECT_TRUE(names_at(kT0).empty());
  EXPECT_EQ(names_at(kT0 + hours(1)), (std::vector<std::string>{"a1"}));
  EXPECT_EQ(names_at(kT0 + hours(2)), (std::vector<std::string>{"a1", "b1"}));
  EXPECT_EQ(names_at(kT0 + hours(3)), (std::vector<std::string>{"b1"}));  // a removed
  EXPECT_EQ(names_at(kT0 + hours(5)), (std::vector<std::string>{"a3", "b1"}));
  auto rows = store_->WithReader(
      [&](Database& db) { return ReadListAt(db, "designated-groups", kT0 + hours(2)); });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0], Entry("a", 1, true, kT0 + hours(1)));  // aliases and notes kept
}

TEST_F(AgreementsTableTest, AgreementVersionsAndTheNewestOfEachThing) {
  auto agreement = [](const std::string& thing, int64_t version, const std::string& kind) {
    AgreementRecord a{.thing = thing,
                      .version = version,
                      .ovn = "ovn-" + thing + std::to_string(version),
                      .kind = kind,
                      .proposal = "p",
                      .content = "{}",
                      .approvers = {"RU", "US"},
                      .agreed_at = kT0 + hours(version)};
    a.digest = AgreementDigest(a);
    return a;
  };
  ASSERT_TRUE(store_
                  ->Write([&](Txn& txn) -> absl::Status {
                    RETURN_IF_ERROR(
                        InsertAgreement(txn, agreement("aor/north", 1, "area_of_responsibility")));
                    RETURN_IF_ERROR(
                        InsertAgreement(txn, agreement("aor/north", 2, "area_of_responsibility")));
                    return InsertAgreement(txn, agreement("text/memo", 1, "text"));
                  })
                  .ok());
  auto latest =
      store_->WithReader([](Database& db) { return ReadLatestAgreement(db, "aor/north"); });
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->version, 2);
  auto versions =
      store_->WithReader([](Database& db) { return ReadAgreementVersions(db, "aor/north"); });
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 2u);
  auto aors = store_->WithReader(
      [](Database& db) { return ListLatestAgreements(db, "area_of_responsibility"); });
  ASSERT_TRUE(aors.ok());
  ASSERT_EQ(aors->size(), 1u);
  EXPECT_EQ((*aors)[0], agreement("aor/north", 2, "area_of_responsibility"));
  auto all = store_->WithReader([](Database& db) { return ListLatestAgreements(db, ""); });
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(AgreementsTableTest, DigestsChangeWithEveryField) {
  const ProposalRecord p = Proposal("p1");
  ProposalRecord q = p;
  q.content += " ";
  EXPECT_NE(ProposalDigest(p), ProposalDigest(q));
  q = p;
  q.approvers = {"RU", "US"};
  EXPECT_NE(ProposalDigest(p), ProposalDigest(q));
  q = p;
  q.expires_at += std::chrono::microseconds(1);
  EXPECT_NE(ProposalDigest(p), ProposalDigest(q));
  EXPECT_EQ(ProposalDigest(p).size(), kSha256Size);
  EXPECT_NE(ProposalCloseDigest("p1", "rejected", kT0), ProposalCloseDigest("p1", "expired", kT0));
}

}  // namespace
}  // namespace deconflict::store
