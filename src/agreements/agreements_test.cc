#include "agreements/agreements.h"

#include <filesystem>
#include <future>

#include "agreements/internal/common.h"
#include "common/digest.h"
#include "common/status.h"
#include "common/test_wait.h"
#include "common/time.h"
#include "gtest/gtest.h"
#include "hotline/hotline.h"
#include "ledger/entry.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"
#include "store/event_log.h"
#include "store/sqlite_ledger.h"
#include "strategic/operation_service.h"

namespace deconflict::agreements {
namespace {

using namespace std::chrono_literals;
using Type = events::AgreementNotice::Type;

using testing::Wait;

// Palmyra (34.55 N, 38.27 E): a square of about 22 x 18 km around it.
Ring PalmyraArea() { return {{34.45, 38.15}, {34.45, 38.39}, {34.65, 38.39}, {34.65, 38.15}}; }

// A real SQLite store in a temporary directory, a fake clock: nothing sleeps.
// Parties: RU, US, TR (operators), HOST (host), UNMO (guarantor), OBS (observer).
class AgreementsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("agreements_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    clock_.Set(*ParseRfc3339("2026-12-01T07:00:00Z"));
    Open();
    ASSERT_TRUE(
        store_
            ->Write([](store::Txn& txn) -> absl::Status {
              for (auto [id, role] : {std::pair{"RU", "operator"},
                                      {"US", "operator"},
                                      {"TR", "operator"},
                                      {"HOST", "host"},
                                      {"UNMO", "guarantor"},
                                      {"OBS", "observer"}}) {
                store::PartyRecord party{
                    .id = id, .name = id, .role = role, .token_hash = std::string(32, id[0]) + id};
                RETURN_IF_ERROR(txn.InsertParty(party));
              }
              return absl::OkStatus();
            })
            .ok());
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    auto store = store::Store::Open(dir_.string(), {.synchronous_full = false, .clock = &clock_});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    log_ = std::make_unique<events::EventLog>(clock_);
    hotline_ = std::make_unique<hotline::Hotline>(*store_, *log_, clock_,
                                                  hotline::HotlineOptions{.tick = 0ms});
    agreements_ = std::make_unique<Agreements>(*store_, *log_, clock_);
    operations_ = std::make_unique<strategic::OperationService>(
        *store_, clock_, strategic::OperationServiceOptions{.eviction_interval = 0ms}, log_.get());
    operations_->AddProtectedVolumes(*agreements_);
    hotline_->AddDeadlineSource(*agreements_);
    ASSERT_TRUE(hotline_->Load().ok());
    ASSERT_TRUE(agreements_->Load().ok());
    ASSERT_TRUE(operations_->Load().ok());
  }
  void Close() {
    hotline_->Stop();
    store_.reset();
    operations_.reset();
    agreements_.reset();
    hotline_.reset();
  }

  ProposalRequest ListEntry(const std::string& id, ListEntryChange::Op op,
                            const std::string& name = "Group A") {
    return ProposalRequest{
        .id = id,
        .kind = ProposalKind::kListEntry,
        .content = ListEntryChange{.list = "designated-groups",
                                   .op = op,
                                   .entry = {.name = name, .aliases = {"GA"}, .notes = "n"}},
        .approvers = {PartyId("US"), PartyId("TR")},
        .expires_at = clock_.Now() + 72h};
  }
  ProposalRequest Aor(const std::string& holder = "RU") {
    return ProposalRequest{
        .id = "aor-palmyra",
        .kind = ProposalKind::kAreaOfResponsibility,
        .content = AreaOfResponsibility{.party = PartyId(holder),
                                        .area = PalmyraArea(),
                                        .altitude = {0, 12000},
                                        .window = {clock_.Now(), clock_.Now() + 24h * 60}},
        .approvers = {PartyId("US")},
        .expires_at = clock_.Now() + 24h};
  }
  absl::StatusOr<ProposalView> Propose(ProposalRequest request, const std::string& by = "RU") {
    Wait<ProposalView> w;
    agreements_->Propose(PartyId(by), std::move(request), w.done());
    return w.get();
  }
  absl::StatusOr<ProposalView> Decide(const std::string& by, const std::string& proposal,
                                      bool approve = true,
                                      std::optional<DecisionSignature> signature = std::nullopt) {
    Wait<ProposalView> w;
    agreements_->Decide(
        PartyId(by),
        DecisionRequest{.proposal = proposal, .approve = approve, .signature = signature},
        w.done());
    return w.get();
  }
  // All of `parties` approve `proposal`; the last answer.
  absl::StatusOr<ProposalView> AllApprove(const std::string& proposal,
                                          std::vector<std::string> parties) {
    absl::StatusOr<ProposalView> last = absl::InternalError("nobody decided");
    for (const std::string& p : parties) {
      last = Decide(p, proposal);
      if (!last.ok()) return last;
    }
    return last;
  }
  std::vector<std::string> ListNames(Timestamp at) {
    absl::StatusOr<std::vector<store::ListEntryRecord>> entries =
        agreements_->ListAt("designated-groups", at);
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::vector<std::string> names;
    for (const store::ListEntryRecord& e :
         entries.value_or(std::vector<store::ListEntryRecord>{})) {
      names.push_back(e.name);
    }
    return names;
  }
  // An operation of `by`: a 2 km circle at (lat, lng), 0-3,000 m, in 1 h for 1 h.
  strategic::WriteOutcome FileOperation(const std::string& by, const std::string& id, double lat,
                                        double lng, std::vector<std::string> key = {}) {
    absl::StatusOr<geo::Volume4D> v =
        geo::Volume4D::Make(geo::Circle{{lat, lng}, 2000}, {0, 3000},
                            {clock_.Now() + 1h, clock_.Now() + 2h}, {}, clock_.Now(), "extents[0]");
    EXPECT_TRUE(v.ok()) << v.status();
    absl::StatusOr<strategic::OperationRequest> request = strategic::MakeOperationRequest(
        {*v}, strategic::OperationState::kAccepted, std::move(key), "", {});
    EXPECT_TRUE(request.ok());
    std::promise<strategic::WriteOutcome> p;
    operations_->Put(strategic::Caller{.party = PartyId(by)}, OperationId(id), std::nullopt,
                     *std::move(request), [&p](strategic::WriteOutcome o) { p.set_value(o); });
    return p.get_future().get();
  }
  std::vector<events::AgreementNotice> Notices(const std::string& party, Type type) {
    auto rows = store_->WithReader(
        [&](store::Database& db) { return store::ReadPartyEvents(db, party, 0, 1000); });
    EXPECT_TRUE(rows.ok());
    std::vector<events::AgreementNotice> out;
    for (const store::EventRow& row : rows.value_or(std::vector<store::EventRow>{})) {
      absl::StatusOr<events::Event> e = events::FromRow(row);
      EXPECT_TRUE(e.ok()) << e.status();
      if (!e.ok()) continue;
      const auto* n = std::get_if<events::AgreementNotice>(&e->payload);
      if (n != nullptr && n->type == type) out.push_back(*n);
    }
    return out;
  }
  ledger::Entry EntryAt(int64_t index) {
    absl::StatusOr<ledger::Entry> entry =
        store_->WithReader([&](store::Database& db) -> absl::StatusOr<ledger::Entry> {
          std::optional<ledger::Entry> found;
          RETURN_IF_ERROR(
              store::LedgerReader(db).ForEachEntry([&](uint64_t at, const ledger::Entry& e) {
                if (static_cast<int64_t>(at) == index) found = e;
                return absl::OkStatus();
              }));
          if (!found) return absl::NotFoundError("no entry");
          return *found;
        });
    EXPECT_TRUE(entry.ok()) << entry.status();
    return entry.value_or(ledger::Entry{});
  }

  std::filesystem::path dir_;
  FakeClock clock_{Timestamp{}};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<events::EventLog> log_;
  std::unique_ptr<hotline::Hotline> hotline_;
  std::unique_ptr<Agreements> agreements_;
  std::unique_ptr<strategic::OperationService> operations_;
};

const std::string kOp1 = "00000000-0000-4000-8000-000000000001";
const std::string kOp2 = "00000000-0000-4000-8000-000000000002";
const std::string kOp3 = "00000000-0000-4000-8000-000000000003";

TEST_F(AgreementsTest, AThreePartyListEntryIsAgreedThenWithdrawnAndAtShowsBoth) {
  const Timestamp before = clock_.Now();
  absl::StatusOr<ProposalView> proposed = Propose(ListEntry("add-a", ListEntryChange::Op::kAdd));
  ASSERT_TRUE(proposed.ok()) << proposed.status();
  EXPECT_TRUE(proposed->created);
  EXPECT_EQ(proposed->proposal.approvers, (std::vector<std::string>{"RU", "TR", "US"}));
  EXPECT_EQ(Notices("US", Type::kProposed).size(), 1u);
  EXPECT_TRUE(Notices("RU", Type::kProposed).empty());  // the proposer knows
  EXPECT_EQ(EntryAt(proposed->proposal.ledger_index).action, "proposal.create");

  clock_.Advance(1h);
  ASSERT_TRUE(Decide("RU", "add-a").ok());
  ASSERT_TRUE(Decide("US", "add-a").ok());
  EXPECT_TRUE(ListNames(clock_.Now()).empty());  // not yet: TR has not approved
  clock_.Advance(1h);
  absl::StatusOr<ProposalView> agreed = Decide("TR", "add-a");
  ASSERT_TRUE(agreed.ok()) << agreed.status();
  EXPECT_EQ(agreed->proposal.state, "agreed");
  ASSERT_TRUE(agreed->agreement.has_value());
  EXPECT_EQ(agreed->agreement->thing, "list/designated-groups/Group A");
  EXPECT_EQ(EntryAt(agreed->agreement->ledger_index).action, "agreement.list_entry.agree");
  const Timestamp agreed_at = clock_.Now();
  for (const char* p : {"RU", "US", "TR"}) EXPECT_EQ(Notices(p, Type::kAgreed).size(), 1u) << p;

  clock_.Advance(1h);
  ASSERT_TRUE(Propose(ListEntry("remove-a", ListEntryChange::Op::kRemove)).ok());
  ASSERT_TRUE(AllApprove("remove-a", {"RU", "US", "TR"}).ok());
  EXPECT_EQ(ListNames(before), std::vector<std::string>{});
  EXPECT_EQ(ListNames(agreed_at), std::vector<std::string>{"Group A"});
  EXPECT_EQ(ListNames(clock_.Now()), std::vector<std::string>{});

  absl::StatusOr<AgreementView> history =
      agreements_->GetAgreement(Viewer{.party = PartyId("OBS")}, "list/designated-groups/Group A");
  ASSERT_TRUE(history.ok()) << history.status();  // lists are public
  ASSERT_EQ(history->versions.size(), 2u);
  EXPECT_TRUE(history->versions[1].withdrawn);
  EXPECT_FALSE(history->live);
}

TEST_F(AgreementsTest, OneRejectionFailsTheProposalAndNoDecisionIsTakenAfter) {
  ASSERT_TRUE(Propose(ListEntry("add-a", ListEntryChange::Op::kAdd)).ok());
  ASSERT_TRUE(Decide("RU", "add-a").ok());
  absl::StatusOr<ProposalView> rejected = Decide("US", "add-a", /*approve=*/false);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->proposal.state, "rejected");
  EXPECT_EQ(EntryAt(rejected->proposal.close_ledger_index).action, "proposal.fail");
  for (const char* p : {"RU", "US", "TR"}) {
    ASSERT_EQ(Notices(p, Type::kFailed).size(), 1u) << p;
    EXPECT_EQ(Notices(p, Type::kFailed)[0].state, "rejected");
  }
  absl::Status late = Decide("TR", "add-a").status();
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition) << late;
  EXPECT_EQ(FieldOf(late), "decision");
  EXPECT_TRUE(ListNames(clock_.Now()).empty());
  EXPECT_EQ(agreements_->open_proposals(), 0u);
}

TEST_F(AgreementsTest, AnExpiredProposalFailsOnceAcrossARestart) {
  ASSERT_TRUE(Propose(ListEntry("add-a", ListEntryChange::Op::kAdd)).ok());
  ASSERT_TRUE(Decide("US", "add-a").ok());
  Close();
  Open();
  EXPECT_EQ(agreements_->open_proposals(), 1u);
  clock_.Advance(71h);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  EXPECT_TRUE(Notices("TR", Type::kFailed).empty());
  clock_.Advance(2h);
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  ASSERT_TRUE(hotline_->RunDeadlines().ok());
  ASSERT_EQ(Notices("TR", Type::kFailed).size(), 1u);
  EXPECT_EQ(Notices("TR", Type::kFailed)[0].state, "expired");
  absl::StatusOr<ProposalView> view = agreements_->Get(Viewer{.party = PartyId("TR")}, "add-a");
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->proposal.state, "expired");
  EXPECT_EQ(Decide("TR", "add-a").status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AgreementsTest, OnlyApproversDecideOnceAndOnlyTheySeeTheProposal) {
  ASSERT_TRUE(Propose(ListEntry("add-a", ListEntryChange::Op::kAdd)).ok());
  EXPECT_EQ(Decide("OBS", "add-a").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Decide("RU", "no-such").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Decide("US", "add-a").ok());
  absl::Status twice = Decide("US", "add-a", /*approve=*/false).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition) << twice;
  EXPECT_EQ(FieldOf(twice), "decision");
  EXPECT_EQ(agreements_->Get(Viewer{.party = PartyId("OBS")}, "add-a").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(agreements_->Get(Viewer{.party = PartyId("UNMO"), .guarantor = true}, "add-a").ok());
  absl::StatusOr<ProposalView> view = agreements_->Get(Viewer{.party = PartyId("TR")}, "add-a");
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->decisions.size(), 1u);
  EXPECT_EQ(view->decisions[0].party, "US");
}

TEST_F(AgreementsTest, ARetryAnswersTheProposalAndAnotherWithTheSameIdIsRefused) {
  ASSERT_TRUE(Propose(ListEntry("add-a", ListEntryChange::Op::kAdd)).ok());
  absl::StatusOr<ProposalView> again = Propose(ListEntry("add-a", ListEntryChange::Op::kAdd));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created);
  absl::Status other = Propose(ListEntry("add-a", ListEntryChange::Op::kAdd, "Group B")).status();
  EXPECT_EQ(other.code(), absl::StatusCode::kAlreadyExists) << other;
  EXPECT_EQ(FieldOf(other), "id");
  // Approvers must be parties; the list must lack what is added.
  ProposalRequest nobody = ListEntry("add-b", ListEntryChange::Op::kAdd, "Group B");
  nobody.approvers = {PartyId("US"), PartyId("NOBODY")};
  EXPECT_EQ(FieldOf(Propose(nobody).status()), "approvers[1]");
  ASSERT_TRUE(AllApprove("add-a", {"RU", "US", "TR"}).ok());
  absl::Status twice = Propose(ListEntry("add-a2", ListEntryChange::Op::kAdd)).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition) << twice;
  EXPECT_EQ(FieldOf(twice), "content.entry.name");
}

TEST_F(AgreementsTest, ASignedApprovalIsVerifiedAndItsLedgerEntryIsTheSignedRecord) {
  absl::StatusOr<ProposalView> proposed = Propose(ListEntry("add-a", ListEntryChange::Op::kAdd));
  ASSERT_TRUE(proposed.ok());
  const parties::PrivateSigningKey key = parties::GenerateSigningKey();
  ASSERT_TRUE(parties::AddSigningKey(*store_, clock_, PartyId("US"), key.public_key).ok());
  const Timestamp at = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  const parties::AckStatement statement{.kind = internal::kAckKindApprove,
                                        .object_id = "add-a",
                                        .object_digest = proposed->proposal.digest,
                                        .party = PartyId("US"),
                                        .time = at};
  const std::string signature = *parties::SignAcknowledgement(key, statement);
  // Signed as a rejection, it is no approval.
  parties::AckStatement as_reject = statement;
  as_reject.kind = internal::kAckKindReject;
  const std::string reject_signature = *parties::SignAcknowledgement(key, as_reject);
  EXPECT_EQ(FieldOf(Decide("US", "add-a", true,
                           DecisionSignature{.signature = reject_signature, .signed_at = at})
                        .status()),
            "signature");
  absl::StatusOr<ProposalView> decided =
      Decide("US", "add-a", true, DecisionSignature{.signature = signature, .signed_at = at});
  ASSERT_TRUE(decided.ok()) << decided.status();
  ASSERT_EQ(decided->decisions.size(), 1u);
  const store::DecisionRecord& d = decided->decisions[0];
  EXPECT_EQ(d.signature, signature);
  EXPECT_EQ(EntryAt(d.ledger_index).action, "proposal.approve.ack");
  ASSERT_EQ(Notices("RU", Type::kDecided).size(), 1u);
  EXPECT_TRUE(Notices("RU", Type::kDecided)[0].is_signed);
}

TEST_F(AgreementsTest, AnotherPartysOperationInAnAorIsRefusedUntilItsKeyCarriesTheVersion) {
  EXPECT_EQ(FieldOf(Propose(Aor("TR")).status()), "content.party");  // the holder approves
  ASSERT_TRUE(Propose(Aor()).ok());
  absl::StatusOr<ProposalView> agreed = AllApprove("aor-palmyra", {"RU", "US"});
  ASSERT_TRUE(agreed.ok()) << agreed.status();
  ASSERT_TRUE(agreed->agreement.has_value());
  EXPECT_EQ(agreements_->live_areas(), 1u);
  const std::string ovn = agreed->agreement->ovn;

  strategic::WriteOutcome own = FileOperation("RU", kOp1, 34.55, 38.27);
  EXPECT_TRUE(own.status.ok()) << own.status;  // the holder's own
  strategic::WriteOutcome refused =
      FileOperation("US", kOp2, 34.55, 38.20, {own.result->operation.ovn});
  ASSERT_EQ(refused.status.code(), absl::StatusCode::kAborted) << refused.status;
  ASSERT_TRUE(refused.refusal.has_value());
  ASSERT_EQ(refused.refusal->protected_missing.size(), 1u);
  EXPECT_EQ(refused.refusal->protected_missing[0].ref, "aor/aor-palmyra");
  EXPECT_TRUE(Notices("RU", Type::kAorConflict).empty());

  strategic::WriteOutcome accepted =
      FileOperation("US", kOp2, 34.55, 38.20, {own.result->operation.ovn, ovn});
  ASSERT_TRUE(accepted.status.ok()) << accepted.status;
  std::vector<events::AgreementNotice> told = Notices("RU", Type::kAorConflict);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].operation, OperationId(kOp2));
  EXPECT_EQ(told[0].party, PartyId("US"));
  ASSERT_TRUE(told[0].overlap.has_value());
  EXPECT_EQ(told[0].overlap->altitude.upper_m, 3000);

  // Outside the area: no refusal, nothing told.
  EXPECT_TRUE(FileOperation("US", kOp3, 35.5, 38.27).status.ok());
  EXPECT_EQ(Notices("RU", Type::kAorConflict).size(), 1u);

  // A restart keeps the area.
  Close();
  Open();
  EXPECT_EQ(agreements_->live_areas(), 1u);
}

TEST_F(AgreementsTest, TheHostIsToldOfEachOperationInsideItsTerritoryAndOfNothingOutside) {
  ProposalRequest territory{
      .id = "host-territory",
      .kind = ProposalKind::kTerritory,
      .content = Territory{.party = PartyId("HOST"), .areas = {PalmyraArea()}},
      .approvers = {PartyId("HOST"), PartyId("US")},
      .expires_at = clock_.Now() + 24h};
  ASSERT_TRUE(Propose(territory).ok());
  ASSERT_TRUE(AllApprove("host-territory", {"RU", "US", "HOST"}).ok());
  EXPECT_TRUE(FileOperation("US", kOp1, 34.55, 38.27).status.ok());  // never refused
  EXPECT_TRUE(FileOperation("US", kOp2, 36.0, 38.27).status.ok());   // outside
  std::vector<events::AgreementNotice> told = Notices("HOST", Type::kTerritoryOperation);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].operation, OperationId(kOp1));
  EXPECT_TRUE(told[0].ovn.empty());
  ASSERT_TRUE(told[0].overlap.has_value());
  // The overlap only: within the territory's bounds.
  EXPECT_GE(told[0].overlap->rect.lat_lo().degrees(), 34.45 - 1e-9);
  EXPECT_LE(told[0].overlap->rect.lat_hi().degrees(), 34.65 + 1e-9);
}

TEST_F(AgreementsTest, AnAmendmentNeedsTheSameApproversAndALaterOneIsSuperseded) {
  ASSERT_TRUE(Propose(Aor()).ok());
  ASSERT_TRUE(AllApprove("aor-palmyra", {"RU", "US"}).ok());
  ProposalRequest wider = Aor();
  wider.id = "aor-palmyra-2";
  wider.amends = "aor/aor-palmyra";
  wider.approvers = {PartyId("US"), PartyId("TR")};
  EXPECT_EQ(FieldOf(Propose(wider).status()), "approvers");
  wider.approvers = {PartyId("US")};
  ASSERT_TRUE(Propose(wider).ok());
  ProposalRequest withdraw = wider;
  withdraw.id = "aor-palmyra-end";
  withdraw.withdraw = true;
  withdraw.approvers = {PartyId("RU")};
  ASSERT_TRUE(Propose(withdraw, "US").ok());
  ASSERT_TRUE(AllApprove("aor-palmyra-end", {"RU", "US"}).ok());
  EXPECT_EQ(agreements_->live_areas(), 0u);  // withdrawn
  absl::StatusOr<ProposalView> late = AllApprove("aor-palmyra-2", {"RU", "US"});
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(late->proposal.state, "superseded");
  EXPECT_EQ(agreements_->live_areas(), 0u);
}

}  // namespace
}  // namespace deconflict::agreements
