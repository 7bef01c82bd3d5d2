// store/cases_table.h: the SQL of the automatic cases of ceasefire monitoring (schema version
// 14): a case opened when a violent incident fell on a notified place, the snapshot of what was
// known before it (the notification versions in force, each recipient's receipts, the operations
// that covered the place and time, the tracks near it), the parties that must respond, their
// responses and the guarantors' closing finding, so that no module outside store/ writes SQL for
// them (design.md §3). The rules are in monitoring/cases.h.
//
//   RETURN_IF_ERROR(InsertCase(txn, snapshot));          // in the unit that stored the incident
//   ASSIGN_OR_RETURN(std::optional<CaseSnapshot> c, ReadCase(db, "syr-2026-1142"));
//
// Tables (the snapshot is written once, when the case opens, and never changed: it is what the
// record showed at that moment, whatever happens to the notification or operations later):
//   cases                one row per case; the close columns are set once, by the close.
//   case_places          the notification versions in force at the incident's place and time.
//   case_receipts        per place and recipient: delivered and acknowledged (times, ledger
//                        indexes, the signed statement), or nulls when neither happened.
//   case_operations      each operation whose volumes covered the place and time: its version
//                        as stored then (extents included) and the overlap.
//   case_track_points    the track history points within 10 km and 15 minutes.
//   case_respondents     the parties that must respond, their deadline, response and overdue
//                        marks (overdue_at set once: a restart never raises it twice).
//   case_responses       the responses, in order.
//
// Ledger actions (docs/cases_format.md); object ids are the case id:
//   case.open      party: the incident's reporter; CaseOpenDigest of the snapshot
//   case.response  party: the respondent; signed: parties::AckRecordDigest, else
//   CaseResponseRecordDigest case.overdue   party: the incident's reporter; CaseOverdueDigest
//   case.close     party: the guarantor; parties::AckRecordDigest (always signed)
//
// Thread-safety: the functions are as safe as the Database or Txn they are given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "store/encounters_table.h"
#include "store/ledger_state_check.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace deconflict::store {

struct CaseRecord {
  std::string id;  // the incident's id (one case per incident)
  std::string incident;
  int64_t incident_version = 0;
  std::string incident_digest;  // IncidentVersionDigest of that version
  int64_t incident_ledger_index = -1;
  std::string reporter;
  std::string alleged_party;
  Timestamp occurred_at;
  double lat = 0, lng = 0, radius_m = 0;  // the place searched: the impact point and uncertainty
  Timestamp window_start, window_end;     // the time searched for operations, [start, end)
  Timestamp opened_at;
  Timestamp response_due_at;
  std::string digest;  // CaseOpenDigest (32 raw bytes)
  int64_t ledger_index = -1;
  // The close (closed_at set once).
  std::optional<Timestamp> closed_at;
  std::string closed_by, finding, notes, close_key_id, close_signature, close_statement,
      close_digest;
  int64_t close_ledger_index = -1;
};

struct CasePlaceRecord {
  std::string kind, place;  // "site" / "movement", its id
  int64_t version = 0;      // the version in force at the incident
  std::string notifier, category, name, ovn;
  std::string version_digest;  // HumanitarianVersionDigest
  int64_t version_ledger_index = -1;
  Timestamp notified_at;  // when that version was filed
  std::string escalation_channel;
};

struct CaseReceiptRecord {
  std::string kind, place;
  int64_t version = 0;
  std::string party;  // a recipient of the version
  std::optional<Timestamp> delivered_at;
  int64_t delivered_ledger_index = -1;
  std::optional<Timestamp> acknowledged_at;
  int64_t ack_ledger_index = -1;
  std::string key_id, signature, statement;  // a signed acknowledgement
};

struct CaseOperationRecord {
  std::string operation, party;
  int64_t version = 0;
  std::string ovn, state;
  std::string extents;  // as the operations table held it (the ASTM JSON array)
  int64_t ledger_index = -1;
  // The overlap with the place searched (bounding rectangle, band, window).
  double lat_min = 0, lng_min = 0, lat_max = 0, lng_max = 0;
  double altitude_lower_m = 0, altitude_upper_m = 0;
  Timestamp time_start, time_end;
};

struct CaseRespondentRecord {
  std::string party;
  std::string reasons;  // "operation", "track" or "operation,track"
  Timestamp due_at;
  std::optional<Timestamp> responded_at;
  std::optional<Timestamp> overdue_at;
  int64_t overdue_ledger_index = -1;
  std::string escalated_to;  // "<channel>/<seq>" or empty
};

struct CaseResponseRecord {
  std::string case_id;
  int64_t seq = 0;  // 1, 2, ... per case
  std::string party, text;
  Timestamp at;
  std::string key_id, signature, statement;  // a signed response
  std::string digest;                        // CaseResponseDigest: what is signed
  int64_t ledger_index = -1;
};

// Everything a case links, as written when it opened, plus its respondents' state.
struct CaseSnapshot {
  CaseRecord record;
  std::vector<CasePlaceRecord> places;
  std::vector<CaseReceiptRecord> receipts;  // by place, then party
  std::vector<CaseOperationRecord> operations;
  std::vector<TrackPointRecord> track_points;  // by (party, track, time)
  std::vector<CaseRespondentRecord> respondents;
};

extern const char kCasesSchema[];  // migration 14

// SHA-256 of the canonical snapshot (docs/cases_format.md): the incident version's digest and
// every link (places with their version digests, receipts with their ledger indexes, operations
// with their versions, OVNs and ledger indexes, every track point, the respondents and the
// deadline), length-prefixed. What case.open records and what responses and the close bind.
std::string CaseOpenDigest(const CaseSnapshot& snapshot);
// What a respondent signs (kind case.response, object the case id).
std::string CaseResponseDigest(std::string_view case_id, std::string_view case_digest,
                               std::string_view party, std::string_view text);
// The ledger digest of an unsigned response: its digest and time.
std::string CaseResponseRecordDigest(const CaseResponseRecord& r);
// What a guarantor signs to close (kind case.close, object the case id).
std::string CaseCloseDigest(std::string_view case_id, std::string_view case_digest,
                            std::string_view finding, std::string_view notes);
std::string CaseOverdueDigest(std::string_view case_id, const std::vector<std::string>& laggards,
                              Timestamp at);

// ---- cases ----
// Writes the case and its links. AlreadyExists when the case exists.
[[nodiscard]] absl::Status InsertCase(Txn& txn, const CaseSnapshot& snapshot);
[[nodiscard]] absl::StatusOr<bool> CaseExists(Database& db, std::string_view id);
// nullopt when there is no such case.
[[nodiscard]] absl::StatusOr<std::optional<CaseSnapshot>> ReadCase(Database& db,
                                                                   std::string_view id);
// Every case row (no links), by id.
[[nodiscard]] absl::StatusOr<std::vector<CaseRecord>> ListCases(Database& db);
// Sets the close columns.
[[nodiscard]] absl::Status CloseCase(Txn& txn, const CaseRecord& r);

// ---- respondents and responses ----
// Every respondent of every case not closed whose response and overdue mark are both unset:
// (case id, respondent), for the deadline tracking.
[[nodiscard]] absl::StatusOr<std::vector<std::pair<std::string, CaseRespondentRecord>>>
ListPendingRespondents(Database& db);
// Updates responded_at, overdue_* and escalated_to of (case, party).
[[nodiscard]] absl::Status UpdateCaseRespondent(Txn& txn, std::string_view case_id,
                                                const CaseRespondentRecord& r);
// Assigns r.seq.
[[nodiscard]] absl::Status InsertCaseResponse(Txn& txn, CaseResponseRecord& r);
[[nodiscard]] absl::StatusOr<std::vector<CaseResponseRecord>> ListCaseResponses(
    Database& db, std::string_view case_id);

// ---- `deconflict ledger check` (cases_check.cc) ----
// Recomputes every case's snapshot digest from its rows and compares the case, its close, its
// overdue marks and its responses with the ledger entries at their indexes; every case.open
// entry must have a row. Returns how many rows matched; DataLoss naming the differing rows (at
// most kMaxRowsNamed); the database's error.
[[nodiscard]] absl::StatusOr<uint64_t> CheckCaseRows(Database& db, const EntryWalk& walk);

}  // namespace deconflict::store
