// store/incidents_check.cc: CheckIncidentRows (incidents_table.h), `deconflict ledger check` for
// monitoring's tables: each incident version's digest is recomputed from its row and must be the
// content digest of its incident.report entry; each finding and statement must match its entry
// (the signed ones by parties::AckRecordDigest's formula, recomputed here from the row).
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "store/incidents_table.h"
#include "store/internal/row_check.h"
#include "store/record_digest.h"

namespace deconflict::store {

absl::StatusOr<uint64_t> CheckIncidentRows(Database& db, const EntryWalk& walk) {
  internal::RowCheck check;  // every incident.* entry
  RETURN_IF_ERROR(check.Collect(walk, "incident."));
  ASSIGN_OR_RETURN(Statement versions,
                   db.Prepare("SELECT id FROM incident_versions WHERE version = 1 ORDER BY rowid"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, versions.Step());
    if (!row) break;
    const std::string id = versions.ColumnText(0);
    ASSIGN_OR_RETURN(std::vector<IncidentRecord> all, ReadIncidentVersions(db, id));
    for (const IncidentRecord& r : all) {
      const std::string object = IncidentObjectId(r.id, r.version);
      if (IncidentVersionDigest(r) != r.digest ||
          !check.Matches(r.ledger_index, "incident.report", object, r.reporter, r.digest)) {
        check.Differ(
            fmt::format("incident_versions row {}: its content does not match the digest "
                        "committed by ledger entry {}",
                        object, r.ledger_index));
      } else {
        check.Match();
      }
    }
    ASSIGN_OR_RETURN(std::vector<IncidentFindingRecord> findings, ListIncidentFindings(db, id));
    for (const IncidentFindingRecord& f : findings) {
      if (!check.Matches(f.ledger_index, "incident.finding.ack",
                         IncidentObjectId(f.incident, f.incident_version), f.guarantor,
                         SignedAckRecordDigest(f.key_id, f.signature, f.statement))) {
        check.Differ(fmt::format("incident_findings row ({}, {}): does not match ledger entry {}",
                                 id, f.seq, f.ledger_index));
      } else {
        check.Match();
      }
    }
    ASSIGN_OR_RETURN(std::vector<IncidentStatementRecord> statements,
                     ListIncidentStatements(db, id));
    for (const IncidentStatementRecord& s : statements) {
      const bool is_signed = !s.signature.empty();
      if (!check.Matches(s.ledger_index,
                         is_signed ? "incident.statement.ack" : "incident.statement",
                         IncidentObjectId(s.incident, s.incident_version), s.party,
                         is_signed ? SignedAckRecordDigest(s.key_id, s.signature, s.statement)
                                   : IncidentStatementRecordDigest(s))) {
        check.Differ(fmt::format("incident_statements row ({}, {}): does not match ledger entry {}",
                                 id, s.seq, s.ledger_index));
      } else {
        check.Match();
      }
    }
  }
  return check.Finish("incident");
}

}  // namespace deconflict::store
