// store/cases_check.cc: CheckCaseRows (cases_table.h), `deconflict ledger check` for the automatic
// cases: each case's snapshot digest is recomputed from its rows (places, receipts, operations,
// track points, respondents) and must be the content digest of its case.open entry; each
// response, overdue mark and close must match its entry; every case the log opened has a row.
#include <set>
#include <unordered_map>

#include "common/status.h"
#include "fmt/format.h"
#include "store/cases_table.h"
#include "store/record_digest.h"

namespace deconflict::store {
namespace {

struct Committed {
  std::string action, object, party, digest;
};

}  // namespace

absl::StatusOr<uint64_t> CheckCaseRows(Database& db, const EntryWalk& walk) {
  std::unordered_map<uint64_t, Committed> entries;  // every case.* entry, by index
  std::set<std::string> opened;                     // the cases the log opened
  RETURN_IF_ERROR(walk([&](uint64_t index, const ledger::Entry& e) -> absl::Status {
    if (e.action.rfind("case.", 0) == 0) {
      entries.emplace(index, Committed{e.action, e.object_id, e.party, e.content_digest});
      if (e.action == "case.open") opened.insert(e.object_id);
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
  ASSIGN_OR_RETURN(std::vector<CaseRecord> cases, ListCases(db));
  for (const CaseRecord& listed : cases) {
    opened.erase(listed.id);
    ASSIGN_OR_RETURN(std::optional<CaseSnapshot> s, ReadCase(db, listed.id));
    if (!s) continue;  // removed between the two reads: not in this read transaction
    const CaseRecord& c = s->record;
    if (CaseOpenDigest(*s) != c.digest ||
        !matches(c.ledger_index, "case.open", c.id, c.reporter, c.digest)) {
      differ(fmt::format(
          "cases row {}: its snapshot (places, receipts, operations, tracks, respondents) does "
          "not match the digest committed by ledger entry {}",
          c.id, c.ledger_index));
    } else {
      ++matched;
    }
    if (c.closed_at) {
      if (!matches(c.close_ledger_index, "case.close.ack", c.id, c.closed_by,
                   SignedAckRecordDigest(c.close_key_id, c.close_signature, c.close_statement)) ||
          CaseCloseDigest(c.id, c.digest, c.finding, c.notes) != c.close_digest) {
        differ(fmt::format("cases row {}: its close does not match ledger entry {}", c.id,
                           c.close_ledger_index));
      } else {
        ++matched;
      }
    }
    for (const CaseRespondentRecord& r : s->respondents) {
      if (!r.overdue_at) continue;
      if (!matches(r.overdue_ledger_index, "case.overdue", c.id, r.party,
                   CaseOverdueDigest(c.id, {r.party}, *r.overdue_at))) {
        differ(
            fmt::format("case_respondents row ({}, {}): its overdue mark does not match "
                        "ledger entry {}",
                        c.id, r.party, r.overdue_ledger_index));
      } else {
        ++matched;
      }
    }
    ASSIGN_OR_RETURN(std::vector<CaseResponseRecord> responses, ListCaseResponses(db, c.id));
    for (const CaseResponseRecord& r : responses) {
      const bool is_signed = !r.signature.empty();
      const bool ok =
          CaseResponseDigest(c.id, c.digest, r.party, r.text) == r.digest &&
          matches(r.ledger_index, is_signed ? "case.response.ack" : "case.response", c.id, r.party,
                  is_signed ? SignedAckRecordDigest(r.key_id, r.signature, r.statement)
                            : CaseResponseRecordDigest(r));
      if (!ok) {
        differ(fmt::format("case_responses row ({}, {}): does not match ledger entry {}", c.id,
                           r.seq, r.ledger_index));
      } else {
        ++matched;
      }
    }
  }
  for (const std::string& id : opened) {
    differ(fmt::format("cases: the ledger opened case {} but no row holds it", id));
  }
  if (differing > 0) {
    std::string message = fmt::format("{} case row(s) differ from the ledger:", differing);
    for (const std::string& line : named) message += "\n  " + line;
    if (differing > named.size()) {
      message += fmt::format("\n  ... and {} more", differing - named.size());
    }
    return absl::DataLossError(message);
  }
  return matched;
}

}  // namespace deconflict::store
