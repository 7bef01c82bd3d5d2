// store/incidents_check.cc: CheckIncidentRows (incidents_table.h), `deconflict ledger check` for
// monitoring's tables: each incident version's digest is recomputed from its row and must be the
// content digest of its incident.report entry; each finding and statement must match its entry
// (the signed ones by parties::AckRecordDigest's formula, recomputed here from the row).
#include <unordered_map>

#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "store/incidents_table.h"
#include "store/record_digest.h"

namespace deconflict::store {
namespace {

struct Committed {
  std::string action, object, party, digest;
};

}  // namespace

absl::StatusOr<uint64_t> CheckIncidentRows(Database& db, const EntryWalk& walk) {
  std::unordered_map<uint64_t, Committed> entries;  // every incident.* entry, by index
  RETURN_IF_ERROR(walk([&](uint64_t index, const ledger::Entry& e) -> absl::Status {
    if (e.action.rfind("incident.", 0) == 0) {
      entries.emplace(index, Committed{e.action, e.object_id, e.party, e.content_digest});
    }
    return absl::OkStatus();
  }));
  uint64_t matched = 0, differing = 0;
  std::vector<std::string> named;
  auto differ = [&](std::string line) {
    if (differing++ < static_cast<uint64_t>(kMaxRowsNamed)) named.push_back(std::move(line));
  };
  auto matches = [&](int64_t index, std::string_view action, std::string_view object,
                     std::string_view party, const std::string& digest) {
    auto it = entries.find(static_cast<uint64_t>(index));
    return index >= 0 && it != entries.end() && it->second.action == action &&
           it->second.object == object && it->second.party == party && it->second.digest == digest;
  };
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
          !matches(r.ledger_index, "incident.report", object, r.reporter, r.digest)) {
        differ(
            fmt::format("incident_versions row {}: its content does not match the digest "
                        "committed by ledger entry {}",
                        object, r.ledger_index));
      } else {
        ++matched;
      }
    }
    ASSIGN_OR_RETURN(std::vector<IncidentFindingRecord> findings, ListIncidentFindings(db, id));
    for (const IncidentFindingRecord& f : findings) {
      if (!matches(f.ledger_index, "incident.finding.ack",
                   IncidentObjectId(f.incident, f.incident_version), f.guarantor,
                   SignedAckRecordDigest(f.key_id, f.signature, f.statement))) {
        differ(fmt::format("incident_findings row ({}, {}): does not match ledger entry {}", id,
                           f.seq, f.ledger_index));
      } else {
        ++matched;
      }
    }
    ASSIGN_OR_RETURN(std::vector<IncidentStatementRecord> statements,
                     ListIncidentStatements(db, id));
    for (const IncidentStatementRecord& s : statements) {
      const bool is_signed = !s.signature.empty();
      if (!matches(s.ledger_index, is_signed ? "incident.statement.ack" : "incident.statement",
                   IncidentObjectId(s.incident, s.incident_version), s.party,
                   is_signed ? SignedAckRecordDigest(s.key_id, s.signature, s.statement)
                             : IncidentStatementRecordDigest(s))) {
        differ(fmt::format("incident_statements row ({}, {}): does not match ledger entry {}", id,
                           s.seq, s.ledger_index));
      } else {
        ++matched;
      }
    }
  }
  if (differing > 0) {
    std::string message = fmt::format("{} incident row(s) differ from the ledger:", differing);
    for (const std::string& line : named) message += "\n  " + line;
    if (differing > named.size()) {
      message += fmt::format("\n  ... and {} more", differing - named.size());
    }
    return absl::DataLossError(message);
  }
  return matched;
}

}  // namespace deconflict::store
