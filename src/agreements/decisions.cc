// agreements/decisions.cc: an approver's decision, the agreement the last approval makes, and
// the failure of a proposal (agreements.h).
#include <algorithm>

#include "agreements/agreements.h"
#include "agreements/internal/common.h"
#include "agreements/records.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "parties/acknowledgement.h"
#include "store/signing_keys_table.h"

namespace deconflict::agreements {

using internal::Approves;
using internal::Parties;
using Type = events::AgreementNotice::Type;

void Agreements::Decide(const PartyId& party, DecisionRequest request, Done<ProposalView> done) {
  absl::StatusOr<std::optional<store::ProposalRecord>> read = store_.WithReader(
      [&](store::Database& db) { return store::ReadProposal(db, request.proposal); });
  if (!read.ok()) return done(read.status());
  if (!read->has_value()) {
    return done(FieldError(absl::StatusCode::kNotFound, "id",
                           fmt::format("no proposal {}", request.proposal)));
  }
  const store::ProposalRecord p = **read;
  if (!Approves(p.approvers, party.value())) {
    return done(FieldError(absl::StatusCode::kPermissionDenied, "id",
                           fmt::format("{} is not an approver of proposal {}: only its "
                                       "approvers decide",
                                       party.value(), p.id)));
  }
  if (p.state != "open") {
    return done(
        FieldError(absl::StatusCode::kFailedPrecondition, "decision",
                   fmt::format("proposal {} is {}: no decision is taken any more", p.id, p.state)));
  }
  if (store_.pending() > options_.max_pending_writes) {
    return done(Overloaded("too many writes are waiting; retry shortly"));
  }
  store::DecisionRecord d{
      .proposal = p.id, .party = party.value(), .decision = request.approve ? "approve" : "reject"};
  std::optional<parties::VerifiedAck> verified;
  if (request.signature) {
    absl::StatusOr<std::vector<store::SigningKeyRecord>> keys =
        store::ListSigningKeys(store_, party.value());
    if (!keys.ok()) return done(keys.status());
    const parties::AckStatement statement{
        .kind = request.approve ? internal::kAckKindApprove : internal::kAckKindReject,
        .object_id = p.id,
        .object_digest = p.digest,
        .party = party,
        .time = request.signature->signed_at};
    absl::StatusOr<parties::VerifiedAck> checked = parties::VerifyAcknowledgement(
        *keys, statement, request.signature->signature, request.signature->key_id, clock_);
    if (!checked.ok()) return done(checked.status());
    verified = *std::move(checked);
    d.key_id = verified->key_id;
    d.signature = verified->signature;
    d.statement = verified->statement_bytes;
  }
  auto view = std::make_shared<ProposalView>();
  auto closed = std::make_shared<bool>(false);
  store_.Submit(
      [this, view, d, verified, closed](store::Txn& txn) mutable -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<store::ProposalRecord> stored,
                         store::ReadProposal(txn.db(), d.proposal));
        // Invariant: proposals are never deleted; Get found it.
        if (!stored) return absl::InternalError("agreements: a proposal vanished");
        store::ProposalRecord& p = view->proposal = *std::move(stored);
        if (p.state != "open") {
          return FieldError(
              absl::StatusCode::kFailedPrecondition, "decision",
              fmt::format("proposal {} is {}: no decision is taken any more", p.id, p.state));
        }
        d.at = clock_.Now();
        ledger::Entry entry = verified
                                  ? parties::AckLedgerEntry(*verified, d.at)
                                  : ledger::Entry{.party = d.party,
                                                  .action = fmt::format("proposal.{}", d.decision),
                                                  .object_id = p.id,
                                                  .content_digest = store::DecisionDigest(d),
                                                  .server_time = d.at};
        ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(ledger::EncodeEntry(entry), p.approvers));
        d.ledger_index = static_cast<int64_t>(index);
        ASSIGN_OR_RETURN(bool inserted, store::InsertDecision(txn, d));
        if (!inserted) {
          return FieldError(absl::StatusCode::kFailedPrecondition, "decision",
                            fmt::format("{} decided on proposal {} before", d.party, p.id));
        }
        std::vector<std::string> others;
        for (const std::string& a : p.approvers) {
          if (a != d.party) others.push_back(a);
        }
        RETURN_IF_ERROR(events_
                            .Append(txn, Parties(others),
                                    events::AgreementNotice{.type = Type::kDecided,
                                                            .proposal = p.id,
                                                            .kind = p.kind,
                                                            .proposer = PartyId(p.proposer),
                                                            .party = PartyId(d.party),
                                                            .decision = d.decision,
                                                            .at = d.at,
                                                            .is_signed = verified.has_value(),
                                                            .ledger_index = d.ledger_index})
                            .status());
        ASSIGN_OR_RETURN(view->decisions, store::ReadDecisions(txn.db(), p.id));
        if (d.decision == "reject") {
          p.state = "rejected";
          *closed = true;
          return CloseFailed(txn, p);
        }
        const size_t approvals =
            std::count_if(view->decisions.begin(), view->decisions.end(),
                          [](const store::DecisionRecord& x) { return x.decision == "approve"; });
        if (approvals < p.approvers.size()) return absl::OkStatus();
        *closed = true;
        return MakeAgreement(txn, p, *view);
      },
      [this, view, closed, done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (*closed) {
          Disarm(view->proposal.id);
          if (view->agreement) {
            if (absl::Status s = ApplyAgreement(*view->agreement); !s.ok()) {
              // Invariant: the content was validated when proposed. Reload says what is wrong.
              if (absl::Status reload = Load(); !reload.ok()) return done(reload);
            }
          }
        }
        events_.Committed();
        done(*view);
      });
}

absl::Status Agreements::CloseFailed(store::Txn& txn, store::ProposalRecord& p) const {
  p.closed_at = clock_.Now();
  ASSIGN_OR_RETURN(uint64_t index,
                   txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                        .party = p.proposer,
                                        .action = "proposal.fail",
                                        .object_id = p.id,
                                        .content_digest =
                                            store::ProposalCloseDigest(p.id, p.state, *p.closed_at),
                                        .server_time = *p.closed_at}),
                                    p.approvers));
  p.close_ledger_index = static_cast<int64_t>(index);
  RETURN_IF_ERROR(store::CloseProposal(txn, p));
  return events_
      .Append(txn, Parties(p.approvers),
              events::AgreementNotice{.type = Type::kFailed,
                                      .proposal = p.id,
                                      .kind = p.kind,
                                      .proposer = PartyId(p.proposer),
                                      .state = p.state,
                                      .at = *p.closed_at,
                                      .ledger_index = p.close_ledger_index})
      .status();
}

absl::Status Agreements::MakeAgreement(store::Txn& txn, store::ProposalRecord& p,
                                       ProposalView& view) const {
  ASSIGN_OR_RETURN(ProposalKind kind, ParseKind(p.kind));
  ASSIGN_OR_RETURN(Content content, DecodeContent(kind, p.content));
  ProposalRequest request{.id = p.id, .kind = kind, .content = content};
  if (!p.amends.empty()) request.amends = p.amends;
  const std::string thing = ThingOf(request);
  ASSIGN_OR_RETURN(std::optional<store::AgreementRecord> latest,
                   store::ReadLatestAgreement(txn.db(), thing));
  const int64_t now_version = latest ? latest->version : 0;
  if (now_version != p.base_version) {  // another agreement changed the thing meanwhile
    p.state = "superseded";
    return CloseFailed(txn, p);
  }
  const Timestamp now = clock_.Now();
  bool withdrawn = p.withdraw;
  if (const auto* entry = std::get_if<ListEntryChange>(&content)) {
    withdrawn = entry->op == ListEntryChange::Op::kRemove;
  }
  store::AgreementRecord a{.thing = thing,
                           .version = now_version + 1,
                           .ovn = NewUuid(),
                           .kind = p.kind,
                           .proposal = p.id,
                           .content = p.content,
                           .approvers = p.approvers,
                           .withdrawn = withdrawn,
                           .agreed_at = now};
  a.digest = store::AgreementDigest(a);
  ASSIGN_OR_RETURN(
      uint64_t index,
      txn.AppendLedger(
          ledger::EncodeEntry(ledger::Entry{
              .party = p.proposer,
              .action = fmt::format("agreement.{}.{}", p.kind, withdrawn ? "withdraw" : "agree"),
              .object_id = fmt::format("{}/{}", thing, a.version),
              .content_digest = a.digest,
              .server_time = now}),
          p.approvers));
  a.ledger_index = static_cast<int64_t>(index);
  RETURN_IF_ERROR(store::InsertAgreement(txn, a));
  if (const auto* entry = std::get_if<ListEntryChange>(&content)) {
    RETURN_IF_ERROR(
        store::InsertListEntry(txn, store::ListEntryRecord{.list = entry->list,
                                                           .name = entry->entry.name,
                                                           .version = a.version,
                                                           .present = !withdrawn,
                                                           .aliases = entry->entry.aliases,
                                                           .notes = entry->entry.notes,
                                                           .proposal = p.id,
                                                           .agreed_at = now}));
  }
  p.state = "agreed";
  p.closed_at = now;
  p.close_ledger_index = a.ledger_index;
  RETURN_IF_ERROR(store::CloseProposal(txn, p));
  RETURN_IF_ERROR(events_
                      .Append(txn, Parties(p.approvers),
                              events::AgreementNotice{.type = Type::kAgreed,
                                                      .proposal = p.id,
                                                      .kind = p.kind,
                                                      .thing = thing,
                                                      .version = a.version,
                                                      .ovn = a.ovn,
                                                      .proposer = PartyId(p.proposer),
                                                      .state = withdrawn ? "withdrawn" : "agreed",
                                                      .at = now,
                                                      .ledger_index = a.ledger_index})
                      .status());
  view.agreement = std::move(a);
  return absl::OkStatus();
}

}  // namespace deconflict::agreements
