// monitoring/case_acts.cc: responses, the guarantors' close and the response deadlines of the
// automatic cases (cases.h).
#include <algorithm>

#include "common/status.h"
#include "common/text.h"
#include "common/time.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "ledger/entry.h"
#include "monitoring/cases.h"
#include "monitoring/internal/signed.h"
#include "parties/acknowledgement.h"
#include "spdlog/spdlog.h"
#include "store/encounters_table.h"
#include "store/signing_keys_table.h"

namespace deconflict::monitoring {
namespace {

using Type = events::IncidentNotice::Type;

constexpr char kAckKindCaseClose[] = "case.close";

// Everyone the case's acts are told to: its viewers and the guarantors, less `actor`.
absl::StatusOr<std::vector<PartyId>> Told(store::Txn& txn, const std::set<std::string>& viewers,
                                          std::string_view actor) {
  ASSIGN_OR_RETURN(std::vector<std::string> guarantors,
                   store::ActivePartiesWithRole(txn.db(), "guarantor"));
  std::set<std::string> all = viewers;
  all.insert(guarantors.begin(), guarantors.end());
  all.erase(std::string(actor));
  std::vector<PartyId> out;
  for (const std::string& p : all) out.emplace_back(p);
  return out;
}

absl::Status NoCaseInUnit(std::string_view id) {
  return FieldError(absl::StatusCode::kNotFound, "id", fmt::format("no case {}", id));
}

std::string KeyOf(std::string_view case_id, std::string_view party) {
  return fmt::format("{}\n{}", case_id, party);
}

}  // namespace

void Cases::Respond(const PartyId& party, ResponseRequest request, Done<CaseView> done) {
  if (absl::Status s = internal::CheckPlainText(request.text, "text", 1, options_.max_text);
      !s.ok()) {
    return done(s);
  }
  const Viewer viewer{.party = party};
  absl::StatusOr<CaseView> view = Get(viewer, request.case_id);
  if (!view.ok()) return done(view.status());
  const store::CaseRecord& c = view->snapshot.record;
  if (c.closed_at) {
    return done(FieldError(absl::StatusCode::kFailedPrecondition, "id",
                           fmt::format("case {} was closed by {} at {}; it takes no more "
                                       "responses",
                                       c.id, c.closed_by, FormatRfc3339(*c.closed_at))));
  }
  auto record = std::make_shared<store::CaseResponseRecord>(store::CaseResponseRecord{
      .case_id = c.id,
      .party = party.value(),
      .text = request.text,
      .digest = store::CaseResponseDigest(c.id, c.digest, party.value(), request.text)});
  std::optional<parties::VerifiedAck> verified;
  if (request.signature) {
    absl::StatusOr<parties::VerifiedAck> v =
        internal::VerifySigned(store_, clock_, party, parties::kAckKindCaseResponse, c.id,
                               record->digest, *request.signature);
    if (!v.ok()) return done(v.status());
    record->key_id = v->key_id;
    record->signature = v->signature;
    record->statement = v->statement_bytes;
    verified = *std::move(v);
  }
  std::set<std::string> viewers;
  {
    ReaderLock lock(mu_);
    viewers = known_.at(c.id).viewers;  // Invariant: Get found it
  }
  auto created = std::make_shared<bool>(false);
  store_.Submit(
      [this, record, created, verified, viewers](store::Txn& txn) -> absl::Status {
        store::CaseResponseRecord& r = *record;
        ASSIGN_OR_RETURN(std::optional<store::CaseSnapshot> s,
                         store::ReadCase(txn.db(), r.case_id));
        if (!s) return NoCaseInUnit(r.case_id);
        if (s->record.closed_at) {
          return FieldError(absl::StatusCode::kFailedPrecondition, "id",
                            fmt::format("case {} was closed meanwhile", r.case_id));
        }
        ASSIGN_OR_RETURN(std::vector<store::CaseResponseRecord> earlier,
                         store::ListCaseResponses(txn.db(), r.case_id));
        for (const store::CaseResponseRecord& e : earlier) {
          if (e.party == r.party && e.digest == r.digest) return absl::OkStatus();  // a retry
        }
        r.at = clock_.Now();
        ASSIGN_OR_RETURN(std::vector<PartyId> told, Told(txn, viewers, r.party));
        std::vector<std::string> readers;
        for (const PartyId& p : told) readers.push_back(p.value());
        const ledger::Entry entry =
            verified ? parties::AckLedgerEntry(*verified, r.at)
                     : ledger::Entry{.party = r.party,
                                     .action = "case.response",
                                     .object_id = r.case_id,
                                     .content_digest = store::CaseResponseRecordDigest(r),
                                     .server_time = r.at};
        ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(ledger::EncodeEntry(entry), readers));
        r.ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::InsertCaseResponse(txn, r));
        for (store::CaseRespondentRecord& who : s->respondents) {
          if (who.party != r.party || who.responded_at) continue;
          who.responded_at = r.at;
          RETURN_IF_ERROR(store::UpdateCaseRespondent(txn, r.case_id, who));
          WriterLock lock(mu_);
          due_.Clear(KeyOf(r.case_id, r.party));
          dirty_ = true;
        }
        *created = true;
        return events_
            .Append(txn, told,
                    events::IncidentNotice{.type = Type::kCaseResponse,
                                           .id = r.case_id,
                                           .version = s->record.incident_version,
                                           .reporter = PartyId(s->record.reporter),
                                           .party = PartyId(r.party),
                                           .status = "open",
                                           .at = r.at,
                                           .is_signed = !r.signature.empty(),
                                           .ledger_index = r.ledger_index})
            .status();
      },
      [this, record, created, viewer, done = std::move(done)](absl::Status committed) {
        Settled(committed);
        if (!committed.ok()) return done(committed);
        if (*created) events_.Committed();
        absl::StatusOr<CaseView> view = Get(viewer, record->case_id);
        if (view.ok()) view->created = *created;
        done(std::move(view));
      });
}

void Cases::Close(const PartyId& guarantor, CloseRequest request, Done<CaseView> done) {
  if (request.finding != "violation" && request.finding != "no_violation" &&
      request.finding != "inconclusive") {
    return done(InvalidField("finding", "must be violation, no_violation or inconclusive"));
  }
  if (absl::Status s = internal::CheckPlainText(request.notes, "notes", 0, options_.max_text);
      !s.ok()) {
    return done(s);
  }
  if (!request.signature) {
    return done(InvalidField("signature",
                             "is required: a case is closed with the guarantor's signed finding "
                             "(statement kind case.close)"));
  }
  const Viewer viewer{.party = guarantor, .guarantor = true};
  absl::StatusOr<CaseView> view = Get(viewer, request.case_id);
  if (!view.ok()) return done(view.status());
  const store::CaseRecord& c = view->snapshot.record;
  const std::string digest = store::CaseCloseDigest(c.id, c.digest, request.finding, request.notes);
  if (c.closed_at) {
    if (c.closed_by == guarantor.value() && c.close_digest == digest) return done(*view);
    return done(FieldError(absl::StatusCode::kFailedPrecondition, "id",
                           fmt::format("case {} was closed by {} at {} ({})", c.id, c.closed_by,
                                       FormatRfc3339(*c.closed_at), c.finding)));
  }
  absl::StatusOr<parties::VerifiedAck> verified = internal::VerifySigned(
      store_, clock_, guarantor, kAckKindCaseClose, c.id, digest, *request.signature);
  if (!verified.ok()) return done(verified.status());
  std::set<std::string> viewers;
  {
    ReaderLock lock(mu_);
    viewers = known_.at(c.id).viewers;
  }
  auto created = std::make_shared<bool>(false);
  auto id = std::make_shared<std::string>(c.id);
  store_.Submit(
      [this, id, created, viewers, digest, guarantor, finding = request.finding,
       notes = request.notes, verified = *std::move(verified)](store::Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<store::CaseSnapshot> s, store::ReadCase(txn.db(), *id));
        if (!s) return NoCaseInUnit(*id);
        store::CaseRecord& c = s->record;
        if (c.closed_at) {
          if (c.closed_by == guarantor.value() && c.close_digest == digest) {
            return absl::OkStatus();
          }
          return FieldError(absl::StatusCode::kFailedPrecondition, "id",
                            fmt::format("case {} was closed meanwhile by {}", c.id, c.closed_by));
        }
        const Timestamp now = clock_.Now();
        ASSIGN_OR_RETURN(std::vector<PartyId> told, Told(txn, viewers, guarantor.value()));
        std::vector<std::string> readers;
        for (const PartyId& p : told) readers.push_back(p.value());
        ASSIGN_OR_RETURN(
            uint64_t index,
            txn.AppendLedger(ledger::EncodeEntry(parties::AckLedgerEntry(verified, now)), readers));
        c.closed_at = now;
        c.closed_by = guarantor.value();
        c.finding = finding;
        c.notes = notes;
        c.close_key_id = verified.key_id;
        c.close_signature = verified.signature;
        c.close_statement = verified.statement_bytes;
        c.close_digest = digest;
        c.close_ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::CloseCase(txn, c));
        {
          WriterLock lock(mu_);
          known_[c.id].closed = true;
          for (const store::CaseRespondentRecord& r : s->respondents) {
            due_.Clear(KeyOf(c.id, r.party));
          }
          dirty_ = true;
        }
        *created = true;
        return events_
            .Append(txn, told,
                    events::IncidentNotice{.type = Type::kCaseClosed,
                                           .id = c.id,
                                           .version = c.incident_version,
                                           .reporter = PartyId(c.reporter),
                                           .party = guarantor,
                                           .finding = finding,
                                           .status = "closed",
                                           .at = now,
                                           .is_signed = true,
                                           .ledger_index = c.close_ledger_index})
            .status();
      },
      [this, id, created, viewer, done = std::move(done)](absl::Status committed) {
        Settled(committed);
        if (!committed.ok()) return done(committed);
        if (*created) events_.Committed();
        absl::StatusOr<CaseView> view = Get(viewer, *id);
        if (view.ok()) view->created = *created;
        done(std::move(view));
      });
}

std::vector<std::string> Cases::ClaimDue(Timestamp now) {
  WriterLock lock(mu_);
  return due_.Claim(now);
}

absl::Status Cases::Judge(store::Txn& txn, const std::string& key, Timestamp now,
                          const hotline::Escalate& escalate) {
  const size_t nl = key.find('\n');
  const std::string case_id = key.substr(0, nl), party = key.substr(nl + 1);
  ASSIGN_OR_RETURN(std::optional<store::CaseSnapshot> s, store::ReadCase(txn.db(), case_id));
  if (!s || s->record.closed_at) return absl::OkStatus();
  auto who = std::find_if(s->respondents.begin(), s->respondents.end(),
                          [&](const auto& r) { return r.party == party; });
  if (who == s->respondents.end() || who->responded_at || who->overdue_at || who->due_at > now) {
    return absl::OkStatus();
  }
  const store::CaseRecord& c = s->record;
  // The escalation, into the first linked place's escalation channel, on its notifier's account.
  for (const store::CasePlaceRecord& p : s->places) {
    if (p.escalation_channel.empty()) continue;
    absl::StatusOr<std::string> posted = escalate(
        txn, ChannelId(p.escalation_channel),
        hotline::Escalation{
            .sender = p.notifier,
            .priority = "flash",
            .subject = fmt::format("ESCALATION: case {}: {} has not responded", c.id, party),
            .body = fmt::format(
                "Case {} opened at {}: incident {} version {} at {} fell on the notified {} {} "
                "version {}. {} ({}) was due to respond by {} and has not. The case, its links "
                "and its ledger entries: GET /v1/cases/{}.",
                c.id, FormatRfc3339(c.opened_at), c.incident, c.incident_version,
                FormatRfc3339(c.occurred_at), p.kind, p.place, p.version, party, who->reasons,
                FormatRfc3339(who->due_at), c.id),
            .refs = {c.id, c.incident},
            .escalates = fmt::format("case/{}/{}", c.id, party)});
    if (posted.ok()) {
      who->escalated_to = *posted;
    } else if (posted.status().code() != absl::StatusCode::kNotFound) {
      return posted.status();
    }  // A channel that no longer exists cannot be escalated to; the overdue mark still is.
    break;
  }
  ASSIGN_OR_RETURN(std::vector<std::string> guarantors,
                   store::ActivePartiesWithRole(txn.db(), "guarantor"));
  std::set<std::string> told_set(guarantors.begin(), guarantors.end());
  for (const store::CasePlaceRecord& p : s->places) told_set.insert(p.notifier);
  told_set.insert(party);
  const std::vector<std::string> readers(told_set.begin(), told_set.end());
  who->overdue_at = now;
  ASSIGN_OR_RETURN(
      uint64_t index,
      txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                           .party = party,
                           .action = "case.overdue",
                           .object_id = c.id,
                           .content_digest = store::CaseOverdueDigest(c.id, {party}, now),
                           .server_time = now}),
                       readers));
  who->overdue_ledger_index = static_cast<int64_t>(index);
  RETURN_IF_ERROR(store::UpdateCaseRespondent(txn, c.id, *who));
  std::vector<PartyId> told;
  for (const std::string& p : told_set) told.emplace_back(p);
  return events_
      .Append(txn, told,
              events::IncidentNotice{.type = Type::kCaseOverdue,
                                     .id = c.id,
                                     .version = c.incident_version,
                                     .reporter = PartyId(c.reporter),
                                     .party = PartyId(party),
                                     .status = "open",
                                     .count = 1,
                                     .last_id = who->escalated_to,
                                     .at = now,
                                     .ledger_index = who->overdue_ledger_index})
      .status();
}

void Cases::Judged(const std::vector<std::string>& keys, const absl::Status& committed) {
  WriterLock lock(mu_);
  due_.Release(keys, committed.ok());
}

}  // namespace deconflict::monitoring
