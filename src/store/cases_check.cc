// store/cases_check.cc: CheckCaseRows (cases_table.h), `deconflict ledger check` for the automatic
// cases: each case's snapshot digest is recomputed from its rows (places, receipts, operations,
// track points, respondents) and must be the content digest of its case.open entry; each
// response, overdue mark and close must match its entry; every case the log opened has a row.
#include <set>

#include "common/status.h"
#include "fmt/format.h"
#include "store/cases_table.h"
#include "store/internal/row_check.h"
#include "store/record_digest.h"

namespace deconflict::store {

absl::StatusOr<uint64_t> CheckCaseRows(Database& db, const EntryWalk& walk) {
  internal::RowCheck check;      // every case.* entry
  std::set<std::string> opened;  // the cases the log opened
  RETURN_IF_ERROR(check.Collect(walk, "case.", [&](const ledger::Entry& e) {
    if (e.action == "case.open") opened.insert(e.object_id);
  }));
  ASSIGN_OR_RETURN(std::vector<CaseRecord> cases, ListCases(db));
  for (const CaseRecord& listed : cases) {
    opened.erase(listed.id);
    ASSIGN_OR_RETURN(std::optional<CaseSnapshot> s, ReadCase(db, listed.id));
    if (!s) continue;  // removed between the two reads: not in this read transaction
    const CaseRecord& c = s->record;
    if (CaseOpenDigest(*s) != c.digest ||
        !check.Matches(c.ledger_index, "case.open", c.id, c.reporter, c.digest)) {
      check.Differ(fmt::format(
          "cases row {}: its snapshot (places, receipts, operations, tracks, respondents) does "
          "not match the digest committed by ledger entry {}",
          c.id, c.ledger_index));
    } else {
      check.Match();
    }
    if (c.closed_at) {
      if (!check.Matches(
              c.close_ledger_index, "case.close.ack", c.id, c.closed_by,
              SignedAckRecordDigest(c.close_key_id, c.close_signature, c.close_statement)) ||
          CaseCloseDigest(c.id, c.digest, c.finding, c.notes) != c.close_digest) {
        check.Differ(fmt::format("cases row {}: its close does not match ledger entry {}", c.id,
                                 c.close_ledger_index));
      } else {
        check.Match();
      }
    }
    for (const CaseRespondentRecord& r : s->respondents) {
      if (!r.overdue_at) continue;
      if (!check.Matches(r.overdue_ledger_index, "case.overdue", c.id, r.party,
                         CaseOverdueDigest(c.id, {r.party}, *r.overdue_at))) {
        check.Differ(
            fmt::format("case_respondents row ({}, {}): its overdue mark does not match "
                        "ledger entry {}",
                        c.id, r.party, r.overdue_ledger_index));
      } else {
        check.Match();
      }
    }
    ASSIGN_OR_RETURN(std::vector<CaseResponseRecord> responses, ListCaseResponses(db, c.id));
    for (const CaseResponseRecord& r : responses) {
      const bool is_signed = !r.signature.empty();
      const bool ok =
          CaseResponseDigest(c.id, c.digest, r.party, r.text) == r.digest &&
          check.Matches(r.ledger_index, is_signed ? "case.response.ack" : "case.response", c.id,
                        r.party,
                        is_signed ? SignedAckRecordDigest(r.key_id, r.signature, r.statement)
                                  : CaseResponseRecordDigest(r));
      if (!ok) {
        check.Differ(fmt::format("case_responses row ({}, {}): does not match ledger entry {}",
                                 c.id, r.seq, r.ledger_index));
      } else {
        check.Match();
      }
    }
  }
  for (const std::string& id : opened) {
    check.Differ(fmt::format("cases: the ledger opened case {} but no row holds it", id));
  }
  return check.Finish("case");
}

}  // namespace deconflict::store
