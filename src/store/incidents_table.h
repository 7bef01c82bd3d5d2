// store/incidents_table.h: the SQL of ceasefire monitoring (schema version 13): every version of
// every incident report, the guarantors' findings and the statements of the parties concerned,
// so that no module outside store/ writes SQL for them (design.md §3). The rules are in
// monitoring/monitoring.h; the canonical forms in docs/incidents_format.md.
//
//   RETURN_IF_ERROR(InsertIncidentVersion(txn, record));               // in a unit of work
//   ASSIGN_OR_RETURN(auto page, ListIncidents(db, {.from = a, .to = b, .limit = 1000}));
//
// Tables:
//   incident_versions    one row per version, (id, version) unique; `latest` is 1 on the newest
//                        version of each id (a new version clears it on the one before: the only
//                        update of a stored version). Indexed by (occurred_at, id) over the
//                        latest versions, the order of every list and export.
//   incident_findings    each finding of a guarantor, in order (seq 1, 2, ... per incident); a
//                        guarantor's newer finding supersedes its older one, which is kept.
//   incident_statements  each statement (right of reply) of a party concerned, in order.
//
// Ledger actions (docs/incidents_format.md); object ids are "<id>/<version>":
//   incident.report          party: reporter; IncidentVersionDigest
//   incident.finding.ack     party: guarantor; parties::AckRecordDigest of its signed statement
//                            (kind incident.finding, object digest IncidentFindingDigest)
//   incident.statement       party: author; IncidentStatementRecordDigest (unsigned), or
//   incident.statement.ack   parties::AckRecordDigest (signed; object digest
//                            IncidentStatementDigest)
//
// Thread-safety: the functions are as safe as the Database or Txn they are given.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "store/ledger_state_check.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace deconflict::store {

// The ACLED columns kept verbatim (monitoring/incident.h AcledExtras), in this order.
inline constexpr std::string_view kIncidentAcledColumns[] = {
    "disorder_type", "assoc_actor_1",      "inter1", "assoc_actor_2", "inter2",
    "interaction",   "civilian_targeting", "iso",    "region",        "country",
    "admin3",        "source_scale",       "tags",   "timestamp"};
inline constexpr size_t kIncidentAcledCount = 14;

struct IncidentRecord {
  std::string id;
  int64_t version = 0;  // 1, 2, ... per id
  std::string reporter;
  std::string origin;  // "report" (PUT) or "import" (an ACLED import)
  Timestamp created_at;
  Timestamp occurred_at;
  int64_t time_precision = 1, geo_precision = 1;
  double lat = 0, lng = 0;
  bool has_observation = false;
  double observer_lat = 0, observer_lng = 0, bearing_deg = 0, distance_min_m = 0,
         distance_max_m = 0;
  std::string observation_mode;  // empty without an observation
  std::string event_type, sub_event_type, alleged_party, target;
  int64_t fatalities_best = 0, fatalities_low = 0, fatalities_high = 0;
  std::string notes;
  std::vector<std::string> sources;
  std::string admin1, admin2, location_name;
  std::vector<std::string> acled;  // kIncidentAcledCount values, kIncidentAcledColumns' order
  std::string digest;              // IncidentVersionDigest (32 raw bytes)
  int64_t ledger_index = -1;
  bool operator==(const IncidentRecord&) const = default;
};

struct IncidentFindingRecord {
  std::string incident;
  int64_t seq = 0;               // 1, 2, ... per incident
  int64_t incident_version = 0;  // the version examined
  std::string guarantor;
  std::string finding;  // verified, disputed, unverifiable
  std::string attributed_party;
  std::string confidence;  // low, medium, high
  std::string notes;
  Timestamp at;
  std::string key_id, signature, statement;  // the verified signed statement
  std::string digest;                        // IncidentFindingDigest: what was signed
  int64_t ledger_index = -1;
};

struct IncidentStatementRecord {
  std::string incident;
  int64_t seq = 0;
  int64_t incident_version = 0;
  std::string party;
  std::string text;
  Timestamp at;
  std::string key_id, signature, statement;  // empty unless signed
  std::string digest;                        // IncidentStatementDigest
  int64_t ledger_index = -1;
};

// What Load keeps of the newest version of each incident.
struct IncidentSummaryRow {
  std::string id;
  int64_t version = 0;
  std::string reporter;
  Timestamp occurred_at;
  double lat = 0, lng = 0;
  std::string event_type, sub_event_type, alleged_party, admin1;
  int64_t fatalities_best = 0, fatalities_low = 0, fatalities_high = 0;
};

// A page of the latest versions, in (occurred_at, id) order.
struct IncidentQuery {
  Timestamp from, to;                                        // occurred_at in [from, to)
  std::optional<double> lat_min, lat_max, lng_min, lng_max;  // all four or none; lng_min <= lng_max
  std::optional<std::pair<Timestamp, std::string>> after;    // resume after this (time, id)
  size_t limit = 1000;
};

extern const char kIncidentsSchema[];  // migration 13

// "<id>/<version>".
std::string IncidentObjectId(std::string_view id, int64_t version);

// SHA-256 of the canonical version: every field, length-prefixed (docs/incidents_format.md).
std::string IncidentVersionDigest(const IncidentRecord& r);
// What a guarantor signs: the incident version's digest and the finding's content.
std::string IncidentFindingDigest(std::string_view incident, int64_t version,
                                  std::string_view incident_digest, std::string_view finding,
                                  std::string_view attributed_party, std::string_view confidence,
                                  std::string_view notes);
// What the author of a statement signs.
std::string IncidentStatementDigest(std::string_view incident, int64_t version,
                                    std::string_view incident_digest, std::string_view party,
                                    std::string_view text);
// The content digest of an unsigned statement's ledger entry: SHA-256 of
// "deconflict/incident-statement-record/v1\n<hex digest>\n<party>\n<at, microseconds>".
std::string IncidentStatementRecordDigest(const IncidentStatementRecord& s);

// ---- versions ----
// Inserts `r` as the latest version (and clears `latest` on version r.version - 1).
[[nodiscard]] absl::Status InsertIncidentVersion(Txn& txn, const IncidentRecord& r);
[[nodiscard]] absl::StatusOr<std::optional<IncidentRecord>> ReadLatestIncident(Database& db,
                                                                               std::string_view id);
// Every version, oldest first (empty: no such incident).
[[nodiscard]] absl::StatusOr<std::vector<IncidentRecord>> ReadIncidentVersions(Database& db,
                                                                               std::string_view id);
[[nodiscard]] absl::StatusOr<std::vector<IncidentRecord>> ListIncidents(Database& db,
                                                                        const IncidentQuery& q);
// Calls `fn` for the newest version of every incident (what Load keeps), in rowid order.
[[nodiscard]] absl::Status ForEachLatestIncident(
    Database& db, const std::function<void(IncidentSummaryRow&&)>& fn);

// ---- findings and statements ----
// Sets r.seq to the next of its incident and inserts it.
[[nodiscard]] absl::Status InsertIncidentFinding(Txn& txn, IncidentFindingRecord& r);
[[nodiscard]] absl::StatusOr<std::vector<IncidentFindingRecord>> ListIncidentFindings(
    Database& db, std::string_view incident);
// Every finding of every incident, by incident then seq (for Load).
[[nodiscard]] absl::Status ForEachIncidentFinding(
    Database& db, const std::function<void(IncidentFindingRecord&&)>& fn);
[[nodiscard]] absl::Status InsertIncidentStatement(Txn& txn, IncidentStatementRecord& r);
[[nodiscard]] absl::StatusOr<std::vector<IncidentStatementRecord>> ListIncidentStatements(
    Database& db, std::string_view incident);

// ---- `deconflict ledger check` (incidents_check.cc) ----
// Recomputes every version's digest and compares every version, finding and statement with the
// ledger entry at its index. Returns how many rows matched; DataLoss naming the differing rows
// (at most kMaxRowsNamed); the database's error.
[[nodiscard]] absl::StatusOr<uint64_t> CheckIncidentRows(Database& db, const EntryWalk& walk);

}  // namespace deconflict::store
