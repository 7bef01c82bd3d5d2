// monitoring/findings.cc: guarantors' findings and the statements of the parties concerned
// (monitoring.h).
#include <algorithm>

#include "common/status.h"
#include "common/text.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "monitoring/internal/parties.h"
#include "monitoring/internal/signed.h"
#include "monitoring/monitoring.h"
#include "parties/acknowledgement.h"
#include "store/signing_keys_table.h"

namespace deconflict::monitoring {
namespace {

using internal::CheckPlainText;
using internal::Parties;
using Type = events::IncidentNotice::Type;

constexpr char kAckKindFinding[] = "incident.finding";
constexpr char kAckKindStatement[] = "incident.statement";

// The version `version` (default the newest) of `id`, read on the reader connection.
absl::StatusOr<store::IncidentRecord> VersionOf(store::Store& store, std::string_view id,
                                                std::optional<int64_t> version) {
  ASSIGN_OR_RETURN(
      std::vector<store::IncidentRecord> versions,
      store.WithReader([&](store::Database& db) { return store::ReadIncidentVersions(db, id); }));
  if (versions.empty()) {
    return FieldError(absl::StatusCode::kNotFound, "id", fmt::format("no incident {}", id));
  }
  if (!version) return versions.back();
  if (*version < 1 || *version > static_cast<int64_t>(versions.size())) {
    return FieldError(absl::StatusCode::kNotFound, "version",
                      fmt::format("incident {} has versions 1 to {}", id, versions.size()));
  }
  return versions[static_cast<size_t>(*version - 1)];
}

absl::StatusOr<parties::VerifiedAck> Verify(store::Store& store, const Clock& clock,
                                            const PartyId& party, std::string_view kind,
                                            const store::IncidentRecord& incident,
                                            const std::string& digest, const Signature& sig) {
  return internal::VerifySigned(store, clock, party, kind,
                                store::IncidentObjectId(incident.id, incident.version), digest,
                                sig);
}

}  // namespace

void Incidents::AddFinding(const PartyId& guarantor, FindingRequest request,
                           Done<IncidentView> done) {
  if (request.finding != "verified" && request.finding != "disputed" &&
      request.finding != "unverifiable") {
    return done(InvalidField("finding", "must be verified, disputed or unverifiable"));
  }
  if (request.confidence != "low" && request.confidence != "medium" &&
      request.confidence != "high") {
    return done(InvalidField("confidence", "must be low, medium or high"));
  }
  if (absl::Status s =
          CheckPlainText(request.attributed_party, "attributed_party", 0, options_.limits.max_text);
      !s.ok() || FindControlCharacter(request.attributed_party)) {
    return done(s.ok() ? InvalidField("attributed_party", "holds a control character") : s);
  }
  if (absl::Status s = CheckPlainText(request.notes, "notes", 0, options_.limits.max_notes);
      !s.ok()) {
    return done(s);
  }
  if (!request.signature) {
    return done(InvalidField("signature",
                             "is required: a finding is signed with the guarantor's registered "
                             "key (statement kind incident.finding)"));
  }
  absl::StatusOr<store::IncidentRecord> incident =
      VersionOf(store_, request.incident, request.version);
  if (!incident.ok()) return done(incident.status());
  const std::string digest = store::IncidentFindingDigest(
      incident->id, incident->version, incident->digest, request.finding, request.attributed_party,
      request.confidence, request.notes);
  absl::StatusOr<parties::VerifiedAck> verified =
      Verify(store_, clock_, guarantor, kAckKindFinding, *incident, digest, *request.signature);
  if (!verified.ok()) return done(verified.status());
  absl::StatusOr<Parties> parties = Parties::Read(store_);
  if (!parties.ok()) return done(parties.status());
  auto record = std::make_shared<store::IncidentFindingRecord>(
      store::IncidentFindingRecord{.incident = incident->id,
                                   .incident_version = incident->version,
                                   .guarantor = guarantor.value(),
                                   .finding = request.finding,
                                   .attributed_party = request.attributed_party,
                                   .confidence = request.confidence,
                                   .notes = request.notes,
                                   .key_id = verified->key_id,
                                   .signature = verified->signature,
                                   .statement = verified->statement_bytes,
                                   .digest = digest});
  auto created = std::make_shared<bool>(false);
  store_.Submit(
      [this, record, created, verified = *std::move(verified), incident = *std::move(incident),
       parties = *std::move(parties)](store::Txn& txn) -> absl::Status {
        store::IncidentFindingRecord& f = *record;
        ASSIGN_OR_RETURN(std::vector<store::IncidentFindingRecord> earlier,
                         store::ListIncidentFindings(txn.db(), f.incident));
        for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) {
          if (it->guarantor != f.guarantor) continue;
          // The same finding again (a retry): answered by the stored one.
          if (it->incident_version == f.incident_version && it->digest == f.digest) {
            return absl::OkStatus();
          }
          break;
        }
        f.at = clock_.Now();
        {
          WriterLock lock(mu_);
          findings_[f.incident].push_back(GuarantorFinding{.guarantor = f.guarantor,
                                                           .finding = f.finding,
                                                           .attributed_party = f.attributed_party,
                                                           .seq = 0});
        }
        *created = true;
        const std::vector<PartyId> told = Concerned(incident, parties, f.guarantor);
        const std::vector<std::string> readers = internal::IdsOf(told);
        ASSIGN_OR_RETURN(
            uint64_t index,
            txn.AppendLedger(ledger::EncodeEntry(parties::AckLedgerEntry(verified, f.at)),
                             readers));
        f.ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::InsertIncidentFinding(txn, f));
        std::string status;
        {
          WriterLock lock(mu_);
          findings_[f.incident].back().seq = f.seq;
          Restate(f.incident);
          status = std::string(StatusName(StatusOfLocked(f.incident)));
        }
        return events_
            .Append(txn, told,
                    events::IncidentNotice{.type = Type::kFinding,
                                           .id = f.incident,
                                           .version = f.incident_version,
                                           .reporter = PartyId(incident.reporter),
                                           .party = PartyId(f.guarantor),
                                           .finding = f.finding,
                                           .attributed_party = f.attributed_party,
                                           .status = status,
                                           .at = f.at,
                                           .is_signed = true,
                                           .ledger_index = f.ledger_index})
            .status();
      },
      [this, record, created, guarantor, done = std::move(done)](absl::Status committed) {
        AfterCommit(committed, *created);
        if (!committed.ok()) return done(committed);
        if (*created) events_.Committed();
        absl::StatusOr<IncidentView> view =
            Get(Viewer{.party = guarantor, .guarantor = true}, record->incident);
        if (view.ok()) view->created = *created;
        done(std::move(view));
      });
}

void Incidents::AddStatement(const PartyId& party, StatementRequest request,
                             Done<IncidentView> done) {
  if (absl::Status s = CheckPlainText(request.text, "text", 1, options_.limits.max_notes);
      !s.ok()) {
    return done(s);
  }
  absl::StatusOr<store::IncidentRecord> incident =
      VersionOf(store_, request.incident, request.version);
  if (!incident.ok()) return done(incident.status());
  bool concerned = incident->alleged_party == party.value();
  {
    ReaderLock lock(mu_);
    if (auto it = findings_.find(incident->id); it != findings_.end()) {
      for (const GuarantorFinding& f : it->second) {
        if (f.attributed_party == party.value()) concerned = true;
      }
    }
  }
  if (!concerned) {
    return done(FieldError(absl::StatusCode::kPermissionDenied, "id",
                           fmt::format("{} is neither the alleged nor an attributed party of "
                                       "incident {}: only they have a right of reply",
                                       party.value(), incident->id)));
  }
  const std::string digest = store::IncidentStatementDigest(
      incident->id, incident->version, incident->digest, party.value(), request.text);
  std::optional<parties::VerifiedAck> verified;
  if (request.signature) {
    absl::StatusOr<parties::VerifiedAck> checked =
        Verify(store_, clock_, party, kAckKindStatement, *incident, digest, *request.signature);
    if (!checked.ok()) return done(checked.status());
    verified = *std::move(checked);
  }
  absl::StatusOr<Parties> parties = Parties::Read(store_);
  if (!parties.ok()) return done(parties.status());
  auto record = std::make_shared<store::IncidentStatementRecord>(
      store::IncidentStatementRecord{.incident = incident->id,
                                     .incident_version = incident->version,
                                     .party = party.value(),
                                     .text = request.text,
                                     .digest = digest});
  if (verified) {
    record->key_id = verified->key_id;
    record->signature = verified->signature;
    record->statement = verified->statement_bytes;
  }
  auto created = std::make_shared<bool>(false);
  store_.Submit(
      [this, record, created, verified, incident = *std::move(incident),
       parties = *std::move(parties)](store::Txn& txn) -> absl::Status {
        store::IncidentStatementRecord& s = *record;
        ASSIGN_OR_RETURN(std::vector<store::IncidentStatementRecord> earlier,
                         store::ListIncidentStatements(txn.db(), s.incident));
        for (const store::IncidentStatementRecord& e : earlier) {
          if (e.party == s.party && e.digest == s.digest && e.signature == s.signature) {
            return absl::OkStatus();  // a retry
          }
        }
        s.at = clock_.Now();
        const std::vector<PartyId> told = Concerned(incident, parties, s.party);
        const std::vector<std::string> readers = internal::IdsOf(told);
        const ledger::Entry entry =
            verified ? parties::AckLedgerEntry(*verified, s.at)
                     : ledger::Entry{
                           .party = s.party,
                           .action = "incident.statement",
                           .object_id = store::IncidentObjectId(s.incident, s.incident_version),
                           .content_digest = store::IncidentStatementRecordDigest(s),
                           .server_time = s.at};
        ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(ledger::EncodeEntry(entry), readers));
        s.ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::InsertIncidentStatement(txn, s));
        *created = true;
        std::string status;
        {
          ReaderLock lock(mu_);
          status = std::string(StatusName(StatusOfLocked(s.incident)));
        }
        return events_
            .Append(txn, told,
                    events::IncidentNotice{.type = Type::kStatement,
                                           .id = s.incident,
                                           .version = s.incident_version,
                                           .reporter = PartyId(incident.reporter),
                                           .party = PartyId(s.party),
                                           .status = status,
                                           .at = s.at,
                                           .is_signed = !s.signature.empty(),
                                           .ledger_index = s.ledger_index})
            .status();
      },
      [this, record, created, party, done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (*created) events_.Committed();
        absl::StatusOr<IncidentView> view = Get(Viewer{.party = party}, record->incident);
        if (view.ok()) view->created = *created;
        done(std::move(view));
      });
}

}  // namespace deconflict::monitoring
