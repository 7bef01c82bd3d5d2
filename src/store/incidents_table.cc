#include "store/incidents_table.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "store/internal/columns.h"

namespace deconflict::store {
namespace {

using internal::AppendSized;
using internal::Sized;

constexpr char kVersionColumns[] =
    "id, version, reporter, origin, created_at, occurred_at, time_precision, geo_precision, lat, "
    "lng, has_observation, observer_lat, observer_lng, bearing_deg, distance_min_m, "
    "distance_max_m, observation_mode, event_type, sub_event_type, alleged_party, target, "
    "fatalities_best, fatalities_low, fatalities_high, notes, sources, admin1, admin2, "
    "location_name, acled, digest, ledger_index";
constexpr char kFindingColumns[] =
    "incident, seq, incident_version, guarantor, finding, attributed_party, confidence, notes, at, "
    "key_id, signature, statement, digest, ledger_index";
constexpr char kStatementColumns[] =
    "incident, seq, incident_version, party, text, at, key_id, signature, statement, digest, "
    "ledger_index";

// Sources and the ACLED values hold no control characters (monitoring/incident.h): one per line.
std::string Lines(const std::vector<std::string>& items) { return absl::StrJoin(items, "\n"); }
std::vector<std::string> SplitLines(const std::string& text, bool keep_empty) {
  if (keep_empty) return absl::StrSplit(text, '\n');
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

IncidentRecord VersionRowOf(const Statement& st) {
  IncidentRecord r;
  r.id = st.ColumnText(0);
  r.version = st.ColumnInt(1);
  r.reporter = st.ColumnText(2);
  r.origin = st.ColumnText(3);
  r.created_at = FromMicros(st.ColumnInt(4));
  r.occurred_at = FromMicros(st.ColumnInt(5));
  r.time_precision = st.ColumnInt(6);
  r.geo_precision = st.ColumnInt(7);
  r.lat = st.ColumnDouble(8);
  r.lng = st.ColumnDouble(9);
  r.has_observation = st.ColumnInt(10) != 0;
  r.observer_lat = st.ColumnDouble(11);
  r.observer_lng = st.ColumnDouble(12);
  r.bearing_deg = st.ColumnDouble(13);
  r.distance_min_m = st.ColumnDouble(14);
  r.distance_max_m = st.ColumnDouble(15);
  r.observation_mode = st.ColumnText(16);
  r.event_type = st.ColumnText(17);
  r.sub_event_type = st.ColumnText(18);
  r.alleged_party = st.ColumnText(19);
  r.target = st.ColumnText(20);
  r.fatalities_best = st.ColumnInt(21);
  r.fatalities_low = st.ColumnInt(22);
  r.fatalities_high = st.ColumnInt(23);
  r.notes = st.ColumnText(24);
  r.sources = SplitLines(st.ColumnText(25), false);
  r.admin1 = st.ColumnText(26);
  r.admin2 = st.ColumnText(27);
  r.location_name = st.ColumnText(28);
  r.acled = SplitLines(st.ColumnText(29), true);
  r.acled.resize(kIncidentAcledCount);
  r.digest = st.ColumnBlob(30);
  r.ledger_index = st.ColumnInt(31);
  return r;
}

IncidentFindingRecord FindingRowOf(const Statement& st) {
  return IncidentFindingRecord{.incident = st.ColumnText(0),
                               .seq = st.ColumnInt(1),
                               .incident_version = st.ColumnInt(2),
                               .guarantor = st.ColumnText(3),
                               .finding = st.ColumnText(4),
                               .attributed_party = st.ColumnText(5),
                               .confidence = st.ColumnText(6),
                               .notes = st.ColumnText(7),
                               .at = FromMicros(st.ColumnInt(8)),
                               .key_id = st.ColumnText(9),
                               .signature = st.ColumnBlob(10),
                               .statement = st.ColumnBlob(11),
                               .digest = st.ColumnBlob(12),
                               .ledger_index = st.ColumnInt(13)};
}

IncidentStatementRecord StatementRowOf(const Statement& st) {
  return IncidentStatementRecord{.incident = st.ColumnText(0),
                                 .seq = st.ColumnInt(1),
                                 .incident_version = st.ColumnInt(2),
                                 .party = st.ColumnText(3),
                                 .text = st.ColumnText(4),
                                 .at = FromMicros(st.ColumnInt(5)),
                                 .key_id = st.ColumnText(6),
                                 .signature = st.ColumnBlob(7),
                                 .statement = st.ColumnBlob(8),
                                 .digest = st.ColumnBlob(9),
                                 .ledger_index = st.ColumnInt(10)};
}

absl::StatusOr<int64_t> NextSeq(Txn& txn, const char* table, std::string_view incident) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached(fmt::format(
                       "SELECT COALESCE(MAX(seq), 0) + 1 FROM {} WHERE incident = ?1", table)));
  st->Bind(1, incident);
  absl::StatusOr<bool> row = st->Step();
  const int64_t next = row.ok() && *row ? st->ColumnInt(0) : 1;
  st->Reset();
  if (!row.ok()) return row.status();
  return next;
}

}  // namespace

const char kIncidentsSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS incident_versions (
  id                TEXT NOT NULL,
  version           INTEGER NOT NULL,
  latest            INTEGER NOT NULL,             -- 1 on the newest version of the id
  reporter          TEXT NOT NULL,
  origin            TEXT NOT NULL,                -- 'report' or 'import'
  created_at        INTEGER NOT NULL,
  occurred_at       INTEGER NOT NULL,
  time_precision    INTEGER NOT NULL,
  geo_precision     INTEGER NOT NULL,
  lat               REAL NOT NULL,
  lng               REAL NOT NULL,
  has_observation   INTEGER NOT NULL,
  observer_lat      REAL NOT NULL,
  observer_lng      REAL NOT NULL,
  bearing_deg       REAL NOT NULL,
  distance_min_m    REAL NOT NULL,
  distance_max_m    REAL NOT NULL,
  observation_mode  TEXT NOT NULL,
  event_type        TEXT NOT NULL,
  sub_event_type    TEXT NOT NULL,
  alleged_party     TEXT NOT NULL,
  target            TEXT NOT NULL,
  fatalities_best   INTEGER NOT NULL,
  fatalities_low    INTEGER NOT NULL,
  fatalities_high   INTEGER NOT NULL,
  notes             TEXT NOT NULL,
  sources           TEXT NOT NULL,                -- one per line
  admin1            TEXT NOT NULL,
  admin2            TEXT NOT NULL,
  location_name     TEXT NOT NULL,
  acled             TEXT NOT NULL,                -- the 14 kept ACLED columns, one per line
  digest            BLOB NOT NULL,
  ledger_index      INTEGER NOT NULL,
  PRIMARY KEY (id, version)
);
CREATE INDEX IF NOT EXISTS incident_versions_by_time
  ON incident_versions(occurred_at, id) WHERE latest = 1;
CREATE TABLE IF NOT EXISTS incident_findings (
  incident          TEXT NOT NULL,
  seq               INTEGER NOT NULL,
  incident_version  INTEGER NOT NULL,
  guarantor         TEXT NOT NULL,
  finding           TEXT NOT NULL,                -- 'verified', 'disputed', 'unverifiable'
  attributed_party  TEXT NOT NULL,
  confidence        TEXT NOT NULL,                -- 'low', 'medium', 'high'
  notes             TEXT NOT NULL,
  at                INTEGER NOT NULL,
  key_id            TEXT NOT NULL,
  signature         BLOB NOT NULL,
  statement         BLOB NOT NULL,
  digest            BLOB NOT NULL,
  ledger_index      INTEGER NOT NULL,
  PRIMARY KEY (incident, seq)
);
CREATE TABLE IF NOT EXISTS incident_statements (
  incident          TEXT NOT NULL,
  seq               INTEGER NOT NULL,
  incident_version  INTEGER NOT NULL,
  party             TEXT NOT NULL,
  text              TEXT NOT NULL,
  at                INTEGER NOT NULL,
  key_id            TEXT NOT NULL,
  signature         BLOB NOT NULL,
  statement         BLOB NOT NULL,
  digest            BLOB NOT NULL,
  ledger_index      INTEGER NOT NULL,
  PRIMARY KEY (incident, seq)
);
)sql";

std::string IncidentObjectId(std::string_view id, int64_t version) {
  return fmt::format("{}/{}", id, version);
}

std::string IncidentVersionDigest(const IncidentRecord& r) {
  std::string text = fmt::format(
      "deconflict-incident/v1\nid {}\nversion {}\nreporter {}\norigin {}\ncreated_at {}\n"
      "occurred_at {}\ntime_precision {}\ngeo_precision {}\nlat {:.17g}\nlng {:.17g}\n"
      "observation {}\n",
      r.id, r.version, r.reporter, r.origin, Micros(r.created_at), Micros(r.occurred_at),
      r.time_precision, r.geo_precision, r.lat, r.lng, r.has_observation ? 1 : 0);
  text.reserve(text.size() + 1024 + r.notes.size());
  if (r.has_observation) {
    text += fmt::format(
        "observer {:.17g} {:.17g}\nbearing_deg {:.17g}\ndistance_m {:.17g} {:.17g}\n",
        r.observer_lat, r.observer_lng, r.bearing_deg, r.distance_min_m, r.distance_max_m);
    AppendSized(text, "mode", r.observation_mode);
  }
  text += "fatalities " + std::to_string(r.fatalities_best) + " " +
          std::to_string(r.fatalities_low) + " " + std::to_string(r.fatalities_high) + "\n";
  AppendSized(text, "event_type", r.event_type);
  AppendSized(text, "sub_event_type", r.sub_event_type);
  AppendSized(text, "alleged_party", r.alleged_party);
  AppendSized(text, "target", r.target);
  AppendSized(text, "notes", r.notes);
  text += "sources " + std::to_string(r.sources.size()) + "\n";
  for (const std::string& s : r.sources) AppendSized(text, "source", s);
  AppendSized(text, "admin1", r.admin1);
  AppendSized(text, "admin2", r.admin2);
  AppendSized(text, "location_name", r.location_name);
  for (size_t i = 0; i < kIncidentAcledCount; ++i) {
    AppendSized(text, kIncidentAcledColumns[i], i < r.acled.size() ? r.acled[i] : std::string());
  }
  return Sha256(text);
}

std::string IncidentFindingDigest(std::string_view incident, int64_t version,
                                  std::string_view incident_digest, std::string_view finding,
                                  std::string_view attributed_party, std::string_view confidence,
                                  std::string_view notes) {
  std::string text = fmt::format(
      "deconflict-incident-finding/v1\nincident {}\nversion {}\n"
      "incident_digest {}\nfinding {}\nconfidence {}\n",
      incident, version, Hex(incident_digest), finding, confidence);
  text += Sized("attributed_party", attributed_party);
  text += Sized("notes", notes);
  return Sha256(text);
}

std::string IncidentStatementDigest(std::string_view incident, int64_t version,
                                    std::string_view incident_digest, std::string_view party,
                                    std::string_view text) {
  std::string body = fmt::format(
      "deconflict-incident-statement/v1\nincident {}\nversion {}\n"
      "incident_digest {}\nparty {}\n",
      incident, version, Hex(incident_digest), party);
  body += Sized("text", text);
  return Sha256(body);
}

std::string IncidentStatementRecordDigest(const IncidentStatementRecord& s) {
  return Sha256(fmt::format("deconflict/incident-statement-record/v1\n{}\n{}\n{}", Hex(s.digest),
                            s.party, Micros(s.at)));
}

// ---- versions ---------------------------------------------------------------------------------

absl::Status InsertIncidentVersion(Txn& txn, const IncidentRecord& r) {
  if (r.version > 1) {
    ASSIGN_OR_RETURN(Statement * clear,
                     txn.db().Cached("UPDATE incident_versions SET latest = 0 WHERE id = ?1 AND "
                                     "version = ?2"));
    clear->Bind(1, r.id);
    clear->Bind(2, r.version - 1);
    RETURN_IF_ERROR(clear->Run());
  }
  static const std::string kSql = fmt::format(
      "INSERT INTO incident_versions(latest, {}) VALUES(1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, "
      "?28, ?29, ?30, ?31, ?32)",
      kVersionColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, r.id);
  st->Bind(2, r.version);
  st->Bind(3, r.reporter);
  st->Bind(4, r.origin);
  st->Bind(5, Micros(r.created_at));
  st->Bind(6, Micros(r.occurred_at));
  st->Bind(7, r.time_precision);
  st->Bind(8, r.geo_precision);
  st->BindDouble(9, r.lat);
  st->BindDouble(10, r.lng);
  st->Bind(11, int64_t{r.has_observation ? 1 : 0});
  st->BindDouble(12, r.observer_lat);
  st->BindDouble(13, r.observer_lng);
  st->BindDouble(14, r.bearing_deg);
  st->BindDouble(15, r.distance_min_m);
  st->BindDouble(16, r.distance_max_m);
  st->Bind(17, r.observation_mode);
  st->Bind(18, r.event_type);
  st->Bind(19, r.sub_event_type);
  st->Bind(20, r.alleged_party);
  st->Bind(21, r.target);
  st->Bind(22, r.fatalities_best);
  st->Bind(23, r.fatalities_low);
  st->Bind(24, r.fatalities_high);
  st->Bind(25, r.notes);
  st->Bind(26, Lines(r.sources));
  st->Bind(27, r.admin1);
  st->Bind(28, r.admin2);
  st->Bind(29, r.location_name);
  st->Bind(30, Lines(r.acled));
  st->BindBlob(31, r.digest);
  st->Bind(32, r.ledger_index);
  return st->Run();
}

absl::StatusOr<std::optional<IncidentRecord>> ReadLatestIncident(Database& db,
                                                                 std::string_view id) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM incident_versions WHERE id = ?1 ORDER BY version DESC LIMIT 1",
                  kVersionColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, id);
  ASSIGN_OR_RETURN(std::vector<IncidentRecord> rows, ReadRows<IncidentRecord>(*st, VersionRowOf));
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

absl::StatusOr<std::vector<IncidentRecord>> ReadIncidentVersions(Database& db,
                                                                 std::string_view id) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM incident_versions WHERE id = ?1 ORDER BY version", kVersionColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, id);
  return ReadRows<IncidentRecord>(*st, VersionRowOf);
}

absl::StatusOr<std::vector<IncidentRecord>> ListIncidents(Database& db, const IncidentQuery& q) {
  std::string sql = fmt::format(
      "SELECT {} FROM incident_versions WHERE latest = 1 AND occurred_at >= ?1 AND "
      "occurred_at < ?2",
      kVersionColumns);
  const bool box = q.lat_min && q.lat_max && q.lng_min && q.lng_max;
  if (box) sql += " AND lat >= ?3 AND lat <= ?4 AND lng >= ?5 AND lng <= ?6";
  if (q.after) sql += " AND (occurred_at > ?7 OR (occurred_at = ?7 AND id > ?8))";
  sql += " ORDER BY occurred_at, id LIMIT ?9";
  ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
  st->Bind(1, Micros(q.from));
  st->Bind(2, Micros(q.to));
  if (box) {
    st->BindDouble(3, *q.lat_min);
    st->BindDouble(4, *q.lat_max);
    st->BindDouble(5, *q.lng_min);
    st->BindDouble(6, *q.lng_max);
  }
  if (q.after) {
    st->Bind(7, Micros(q.after->first));
    st->Bind(8, q.after->second);
  }
  st->Bind(9, static_cast<int64_t>(q.limit));
  return ReadRows<IncidentRecord>(*st, VersionRowOf);
}

absl::Status ForEachLatestIncident(Database& db,
                                   const std::function<void(IncidentSummaryRow&&)>& fn) {
  ASSIGN_OR_RETURN(Statement st,
                   db.Prepare("SELECT id, version, reporter, occurred_at, lat, lng, event_type, "
                              "sub_event_type, alleged_party, admin1, fatalities_best, "
                              "fatalities_low, fatalities_high FROM incident_versions WHERE "
                              "latest = 1"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    fn(IncidentSummaryRow{.id = st.ColumnText(0),
                          .version = st.ColumnInt(1),
                          .reporter = st.ColumnText(2),
                          .occurred_at = FromMicros(st.ColumnInt(3)),
                          .lat = st.ColumnDouble(4),
                          .lng = st.ColumnDouble(5),
                          .event_type = st.ColumnText(6),
                          .sub_event_type = st.ColumnText(7),
                          .alleged_party = st.ColumnText(8),
                          .admin1 = st.ColumnText(9),
                          .fatalities_best = st.ColumnInt(10),
                          .fatalities_low = st.ColumnInt(11),
                          .fatalities_high = st.ColumnInt(12)});
  }
  return absl::OkStatus();
}

// ---- findings and statements ------------------------------------------------------------------

absl::Status InsertIncidentFinding(Txn& txn, IncidentFindingRecord& r) {
  ASSIGN_OR_RETURN(r.seq, NextSeq(txn, "incident_findings", r.incident));
  static const std::string kSql = fmt::format(
      "INSERT INTO incident_findings({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10, ?11, ?12, ?13, ?14)",
      kFindingColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, r.incident);
  st->Bind(2, r.seq);
  st->Bind(3, r.incident_version);
  st->Bind(4, r.guarantor);
  st->Bind(5, r.finding);
  st->Bind(6, r.attributed_party);
  st->Bind(7, r.confidence);
  st->Bind(8, r.notes);
  st->Bind(9, Micros(r.at));
  st->Bind(10, r.key_id);
  st->BindBlob(11, r.signature);
  st->BindBlob(12, r.statement);
  st->BindBlob(13, r.digest);
  st->Bind(14, r.ledger_index);
  return st->Run();
}

absl::StatusOr<std::vector<IncidentFindingRecord>> ListIncidentFindings(Database& db,
                                                                        std::string_view incident) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM incident_findings WHERE incident = ?1 ORDER BY seq", kFindingColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, incident);
  return ReadRows<IncidentFindingRecord>(*st, FindingRowOf);
}

absl::Status ForEachIncidentFinding(Database& db,
                                    const std::function<void(IncidentFindingRecord&&)>& fn) {
  ASSIGN_OR_RETURN(Statement st,
                   db.Prepare(fmt::format("SELECT {} FROM incident_findings ORDER BY incident, seq",
                                          kFindingColumns)));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    fn(FindingRowOf(st));
  }
  return absl::OkStatus();
}

absl::Status InsertIncidentStatement(Txn& txn, IncidentStatementRecord& r) {
  ASSIGN_OR_RETURN(r.seq, NextSeq(txn, "incident_statements", r.incident));
  static const std::string kSql = fmt::format(
      "INSERT INTO incident_statements({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10, ?11)",
      kStatementColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, r.incident);
  st->Bind(2, r.seq);
  st->Bind(3, r.incident_version);
  st->Bind(4, r.party);
  st->Bind(5, r.text);
  st->Bind(6, Micros(r.at));
  st->Bind(7, r.key_id);
  st->BindBlob(8, r.signature);
  st->BindBlob(9, r.statement);
  st->BindBlob(10, r.digest);
  st->Bind(11, r.ledger_index);
  return st->Run();
}

absl::StatusOr<std::vector<IncidentStatementRecord>> ListIncidentStatements(
    Database& db, std::string_view incident) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM incident_statements WHERE incident = ?1 ORDER BY seq", kStatementColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, incident);
  return ReadRows<IncidentStatementRecord>(*st, StatementRowOf);
}

}  // namespace deconflict::store
