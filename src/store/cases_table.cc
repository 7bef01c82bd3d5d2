#include "store/cases_table.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "store/internal/columns.h"

namespace deconflict::store {
namespace {

using internal::AppendSized;
using internal::BindOptionalTime;
using internal::OptionalTime;

// Binding by type: text, blobs (Blob), integers, doubles, times and optional times.
struct Blob {
  std::string_view bytes;
};
void BindOne(Statement& st, int i, std::string_view v) { st.Bind(i, v); }
void BindOne(Statement& st, int i, const std::string& v) { st.Bind(i, std::string_view(v)); }
void BindOne(Statement& st, int i, Blob v) { st.BindBlob(i, v.bytes); }
void BindOne(Statement& st, int i, int64_t v) { st.Bind(i, v); }
void BindOne(Statement& st, int i, double v) { st.BindDouble(i, v); }
void BindOne(Statement& st, int i, Timestamp v) { st.Bind(i, Micros(v)); }
void BindOne(Statement& st, int i, const std::optional<Timestamp>& v) {
  BindOptionalTime(st, i, v);
}
template <typename... Args>
void BindAll(Statement& st, const Args&... args) {
  int i = 1;
  (BindOne(st, i++, args), ...);
}

// "INSERT INTO <table>(<columns>) VALUES(?1, ..., ?n)".
std::string InsertSql(std::string_view table, std::string_view columns) {
  const size_t n = static_cast<size_t>(std::count(columns.begin(), columns.end(), ',')) + 1;
  std::vector<std::string> params;
  for (size_t i = 1; i <= n; ++i) params.push_back(fmt::format("?{}", i));
  return fmt::format("INSERT INTO {}({}) VALUES({})", table, columns, absl::StrJoin(params, ", "));
}

constexpr char kCaseColumns[] =
    "id, incident, incident_version, incident_digest, incident_ledger_index, reporter, "
    "alleged_party, occurred_at, lat, lng, radius_m, window_start, window_end, opened_at, "
    "response_due_at, digest, ledger_index, closed_at, closed_by, finding, notes, close_key_id, "
    "close_signature, close_statement, close_digest, close_ledger_index";
constexpr char kPlaceColumns[] =
    "case_id, kind, place, version, notifier, category, name, ovn, version_digest, "
    "version_ledger_index, notified_at, escalation_channel";
constexpr char kReceiptColumns[] =
    "case_id, kind, place, version, party, delivered_at, delivered_ledger_index, "
    "acknowledged_at, ack_ledger_index, key_id, signature, statement";
constexpr char kCaseOperationColumns[] =
    "case_id, operation, party, version, ovn, state, extents, ledger_index, lat_min, lng_min, "
    "lat_max, lng_max, altitude_lower_m, altitude_upper_m, time_start, time_end";
constexpr char kPointColumns[] =
    "case_id, party, track, time, lat_deg, lng_deg, alt_m, gs_mps, trk_deg, vs_mps";
constexpr char kRespondentColumns[] =
    "case_id, party, reasons, due_at, responded_at, overdue_at, overdue_ledger_index, "
    "escalated_to";
constexpr char kResponseColumns[] =
    "case_id, seq, party, text, at, key_id, signature, statement, digest, ledger_index";

CaseRecord CaseRowOf(const Statement& st) {
  CaseRecord r;
  r.id = st.ColumnText(0);
  r.incident = st.ColumnText(1);
  r.incident_version = st.ColumnInt(2);
  r.incident_digest = st.ColumnBlob(3);
  r.incident_ledger_index = st.ColumnInt(4);
  r.reporter = st.ColumnText(5);
  r.alleged_party = st.ColumnText(6);
  r.occurred_at = FromMicros(st.ColumnInt(7));
  r.lat = st.ColumnDouble(8);
  r.lng = st.ColumnDouble(9);
  r.radius_m = st.ColumnDouble(10);
  r.window_start = FromMicros(st.ColumnInt(11));
  r.window_end = FromMicros(st.ColumnInt(12));
  r.opened_at = FromMicros(st.ColumnInt(13));
  r.response_due_at = FromMicros(st.ColumnInt(14));
  r.digest = st.ColumnBlob(15);
  r.ledger_index = st.ColumnInt(16);
  r.closed_at = OptionalTime(st, 17);
  r.closed_by = st.ColumnText(18);
  r.finding = st.ColumnText(19);
  r.notes = st.ColumnText(20);
  r.close_key_id = st.ColumnText(21);
  r.close_signature = st.ColumnBlob(22);
  r.close_statement = st.ColumnBlob(23);
  r.close_digest = st.ColumnBlob(24);
  r.close_ledger_index = st.ColumnInt(25);
  return r;
}

CasePlaceRecord PlaceRowOf(const Statement& st) {
  return CasePlaceRecord{.kind = st.ColumnText(1),
                         .place = st.ColumnText(2),
                         .version = st.ColumnInt(3),
                         .notifier = st.ColumnText(4),
                         .category = st.ColumnText(5),
                         .name = st.ColumnText(6),
                         .ovn = st.ColumnText(7),
                         .version_digest = st.ColumnBlob(8),
                         .version_ledger_index = st.ColumnInt(9),
                         .notified_at = FromMicros(st.ColumnInt(10)),
                         .escalation_channel = st.ColumnText(11)};
}

CaseReceiptRecord ReceiptRowOf(const Statement& st) {
  return CaseReceiptRecord{.kind = st.ColumnText(1),
                           .place = st.ColumnText(2),
                           .version = st.ColumnInt(3),
                           .party = st.ColumnText(4),
                           .delivered_at = OptionalTime(st, 5),
                           .delivered_ledger_index = st.ColumnInt(6),
                           .acknowledged_at = OptionalTime(st, 7),
                           .ack_ledger_index = st.ColumnInt(8),
                           .key_id = st.ColumnText(9),
                           .signature = st.ColumnBlob(10),
                           .statement = st.ColumnBlob(11)};
}

CaseOperationRecord CaseOperationRowOf(const Statement& st) {
  return CaseOperationRecord{.operation = st.ColumnText(1),
                             .party = st.ColumnText(2),
                             .version = st.ColumnInt(3),
                             .ovn = st.ColumnText(4),
                             .state = st.ColumnText(5),
                             .extents = st.ColumnText(6),
                             .ledger_index = st.ColumnInt(7),
                             .lat_min = st.ColumnDouble(8),
                             .lng_min = st.ColumnDouble(9),
                             .lat_max = st.ColumnDouble(10),
                             .lng_max = st.ColumnDouble(11),
                             .altitude_lower_m = st.ColumnDouble(12),
                             .altitude_upper_m = st.ColumnDouble(13),
                             .time_start = FromMicros(st.ColumnInt(14)),
                             .time_end = FromMicros(st.ColumnInt(15))};
}

TrackPointRecord PointRowOf(const Statement& st) {
  return TrackPointRecord{.party = st.ColumnText(1),
                          .track = st.ColumnText(2),
                          .time = FromMicros(st.ColumnInt(3)),
                          .lat_deg = st.ColumnDouble(4),
                          .lng_deg = st.ColumnDouble(5),
                          .alt_m = st.ColumnDouble(6),
                          .gs_mps = st.ColumnDouble(7),
                          .trk_deg = st.ColumnDouble(8),
                          .vs_mps = st.ColumnDouble(9)};
}

CaseRespondentRecord RespondentRowOf(const Statement& st) {
  return CaseRespondentRecord{.party = st.ColumnText(1),
                              .reasons = st.ColumnText(2),
                              .due_at = FromMicros(st.ColumnInt(3)),
                              .responded_at = OptionalTime(st, 4),
                              .overdue_at = OptionalTime(st, 5),
                              .overdue_ledger_index = st.ColumnInt(6),
                              .escalated_to = st.ColumnText(7)};
}

CaseResponseRecord ResponseRowOf(const Statement& st) {
  return CaseResponseRecord{.case_id = st.ColumnText(0),
                            .seq = st.ColumnInt(1),
                            .party = st.ColumnText(2),
                            .text = st.ColumnText(3),
                            .at = FromMicros(st.ColumnInt(4)),
                            .key_id = st.ColumnText(5),
                            .signature = st.ColumnBlob(6),
                            .statement = st.ColumnBlob(7),
                            .digest = st.ColumnBlob(8),
                            .ledger_index = st.ColumnInt(9)};
}

std::string Num(double v) { return fmt::format("{:.9g}", v); }
std::string Time(Timestamp t) { return std::to_string(Micros(t)); }
std::string Time(const std::optional<Timestamp>& t) { return t ? Time(*t) : "-"; }

// The rows of `table` of case `id` in `order`.
template <typename T, typename RowOf>
absl::StatusOr<std::vector<T>> LinksOf(Database& db, std::string_view table,
                                       std::string_view columns, std::string_view order,
                                       std::string_view id, RowOf row_of) {
  ASSIGN_OR_RETURN(Statement * st, db.Cached(fmt::format("SELECT {} FROM {} WHERE case_id = ?1 "
                                                         "ORDER BY {}",
                                                         columns, table, order)));
  st->Bind(1, id);
  return ReadRows<T>(*st, row_of);
}

}  // namespace

const char kCasesSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS cases (
  id                     TEXT PRIMARY KEY,
  incident               TEXT NOT NULL,
  incident_version       INTEGER NOT NULL,
  incident_digest        BLOB NOT NULL,
  incident_ledger_index  INTEGER NOT NULL,
  reporter               TEXT NOT NULL,
  alleged_party          TEXT NOT NULL,
  occurred_at            INTEGER NOT NULL,
  lat                    REAL NOT NULL,
  lng                    REAL NOT NULL,
  radius_m               REAL NOT NULL,
  window_start           INTEGER NOT NULL,
  window_end             INTEGER NOT NULL,
  opened_at              INTEGER NOT NULL,
  response_due_at        INTEGER NOT NULL,
  digest                 BLOB NOT NULL,
  ledger_index           INTEGER NOT NULL,
  closed_at              INTEGER,
  closed_by              TEXT NOT NULL,
  finding                TEXT NOT NULL,
  notes                  TEXT NOT NULL,
  close_key_id           TEXT NOT NULL,
  close_signature        BLOB NOT NULL,
  close_statement        BLOB NOT NULL,
  close_digest           BLOB NOT NULL,
  close_ledger_index     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS case_places (
  case_id                TEXT NOT NULL,
  kind                   TEXT NOT NULL,
  place                  TEXT NOT NULL,
  version                INTEGER NOT NULL,
  notifier               TEXT NOT NULL,
  category               TEXT NOT NULL,
  name                   TEXT NOT NULL,
  ovn                    TEXT NOT NULL,
  version_digest         BLOB NOT NULL,
  version_ledger_index   INTEGER NOT NULL,
  notified_at            INTEGER NOT NULL,
  escalation_channel     TEXT NOT NULL,
  PRIMARY KEY (case_id, kind, place)
);
CREATE TABLE IF NOT EXISTS case_receipts (
  case_id                TEXT NOT NULL,
  kind                   TEXT NOT NULL,
  place                  TEXT NOT NULL,
  version                INTEGER NOT NULL,
  party                  TEXT NOT NULL,
  delivered_at           INTEGER,
  delivered_ledger_index INTEGER NOT NULL,
  acknowledged_at        INTEGER,
  ack_ledger_index       INTEGER NOT NULL,
  key_id                 TEXT NOT NULL,
  signature              BLOB NOT NULL,
  statement              BLOB NOT NULL,
  PRIMARY KEY (case_id, kind, place, party)
);
CREATE TABLE IF NOT EXISTS case_operations (
  case_id                TEXT NOT NULL,
  operation              TEXT NOT NULL,
  party                  TEXT NOT NULL,
  version                INTEGER NOT NULL,
  ovn                    TEXT NOT NULL,
  state                  TEXT NOT NULL,
  extents                TEXT NOT NULL,
  ledger_index           INTEGER NOT NULL,
  lat_min                REAL NOT NULL,
  lng_min                REAL NOT NULL,
  lat_max                REAL NOT NULL,
  lng_max                REAL NOT NULL,
  altitude_lower_m       REAL NOT NULL,
  altitude_upper_m       REAL NOT NULL,
  time_start             INTEGER NOT NULL,
  time_end               INTEGER NOT NULL,
  PRIMARY KEY (case_id, operation)
);
CREATE TABLE IF NOT EXISTS case_track_points (
  case_id                TEXT NOT NULL,
  party                  TEXT NOT NULL,
  track                  TEXT NOT NULL,
  time                   INTEGER NOT NULL,
  lat_deg                REAL NOT NULL,
  lng_deg                REAL NOT NULL,
  alt_m                  REAL NOT NULL,
  gs_mps                 REAL NOT NULL,
  trk_deg                REAL NOT NULL,
  vs_mps                 REAL NOT NULL,
  PRIMARY KEY (case_id, party, track, time)
);
CREATE TABLE IF NOT EXISTS case_respondents (
  case_id                TEXT NOT NULL,
  party                  TEXT NOT NULL,
  reasons                TEXT NOT NULL,
  due_at                 INTEGER NOT NULL,
  responded_at           INTEGER,
  overdue_at             INTEGER,
  overdue_ledger_index   INTEGER NOT NULL,
  escalated_to           TEXT NOT NULL,
  PRIMARY KEY (case_id, party)
);
CREATE TABLE IF NOT EXISTS case_responses (
  case_id                TEXT NOT NULL,
  seq                    INTEGER NOT NULL,
  party                  TEXT NOT NULL,
  text                   TEXT NOT NULL,
  at                     INTEGER NOT NULL,
  key_id                 TEXT NOT NULL,
  signature              BLOB NOT NULL,
  statement              BLOB NOT NULL,
  digest                 BLOB NOT NULL,
  ledger_index           INTEGER NOT NULL,
  PRIMARY KEY (case_id, seq)
);
)sql";

std::string CaseOpenDigest(const CaseSnapshot& s) {
  const CaseRecord& c = s.record;
  std::string text = "deconflict-case/v1\n";
  AppendSized(text, "id", c.id);
  AppendSized(text, "incident", c.incident);
  text += fmt::format("incident_version {}\nincident_digest {}\nincident_ledger_index {}\n",
                      c.incident_version, Hex(c.incident_digest), c.incident_ledger_index);
  AppendSized(text, "reporter", c.reporter);
  AppendSized(text, "alleged_party", c.alleged_party);
  text += fmt::format(
      "occurred_at {}\nlat {}\nlng {}\nradius_m {}\nwindow {} {}\nopened_at {}\n"
      "response_due_at {}\n",
      Time(c.occurred_at), Num(c.lat), Num(c.lng), Num(c.radius_m), Time(c.window_start),
      Time(c.window_end), Time(c.opened_at), Time(c.response_due_at));
  text += fmt::format("places {}\n", s.places.size());
  for (const CasePlaceRecord& p : s.places) {
    text += fmt::format("place {} {} {} {} {} {}\n", p.kind, p.place, p.version,
                        Hex(p.version_digest), p.version_ledger_index, Time(p.notified_at));
    AppendSized(text, "notifier", p.notifier);
  }
  text += fmt::format("receipts {}\n", s.receipts.size());
  for (const CaseReceiptRecord& r : s.receipts) {
    text += fmt::format("receipt {} {} {} {} {} {} {} {}\n", r.kind, r.place, r.version, r.party,
                        Time(r.delivered_at), r.delivered_ledger_index, Time(r.acknowledged_at),
                        r.ack_ledger_index);
  }
  text += fmt::format("operations {}\n", s.operations.size());
  for (const CaseOperationRecord& o : s.operations) {
    text += fmt::format("operation {} {} {} {} {} {}\n", o.operation, o.party, o.version, o.ovn,
                        o.state, o.ledger_index);
    AppendSized(text, "extents", o.extents);
  }
  text += fmt::format("track_points {}\n", s.track_points.size());
  for (const TrackPointRecord& p : s.track_points) {
    text += fmt::format("point {} {} {} {} {} {}\n", p.party, p.track, Time(p.time), Num(p.lat_deg),
                        Num(p.lng_deg), Num(p.alt_m));
  }
  text += fmt::format("respondents {}\n", s.respondents.size());
  for (const CaseRespondentRecord& r : s.respondents) {
    text += fmt::format("respondent {} {} {}\n", r.party, r.reasons, Time(r.due_at));
  }
  return Sha256(text);
}

std::string CaseResponseDigest(std::string_view case_id, std::string_view case_digest,
                               std::string_view party, std::string_view text) {
  std::string body = "deconflict-case-response/v1\n";
  AppendSized(body, "case", case_id);
  body += fmt::format("case_digest {}\n", Hex(case_digest));
  AppendSized(body, "party", party);
  AppendSized(body, "text", text);
  return Sha256(body);
}

std::string CaseResponseRecordDigest(const CaseResponseRecord& r) {
  return Sha256(
      fmt::format("deconflict/case-response-record/v1\n{}\n{}", Hex(r.digest), Micros(r.at)));
}

std::string CaseCloseDigest(std::string_view case_id, std::string_view case_digest,
                            std::string_view finding, std::string_view notes) {
  std::string body = "deconflict-case-close/v1\n";
  AppendSized(body, "case", case_id);
  body += fmt::format("case_digest {}\n", Hex(case_digest));
  AppendSized(body, "finding", finding);
  AppendSized(body, "notes", notes);
  return Sha256(body);
}

std::string CaseOverdueDigest(std::string_view case_id, const std::vector<std::string>& laggards,
                              Timestamp at) {
  return Sha256(fmt::format("deconflict/case-overdue/v1\n{}\n{}\n{}", case_id,
                            absl::StrJoin(laggards, ","), Micros(at)));
}

absl::Status InsertCase(Txn& txn, const CaseSnapshot& s) {
  const CaseRecord& c = s.record;
  ASSIGN_OR_RETURN(bool exists, CaseExists(txn.db(), c.id));
  if (exists) return absl::AlreadyExistsError(fmt::format("case {} exists", c.id));
  static const std::string kCase = InsertSql("cases", kCaseColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kCase));
  BindAll(*st, c.id, c.incident, c.incident_version, Blob{c.incident_digest},
          c.incident_ledger_index, c.reporter, c.alleged_party, c.occurred_at, c.lat, c.lng,
          c.radius_m, c.window_start, c.window_end, c.opened_at, c.response_due_at, Blob{c.digest},
          c.ledger_index, c.closed_at, c.closed_by, c.finding, c.notes, c.close_key_id,
          Blob{c.close_signature}, Blob{c.close_statement}, Blob{c.close_digest},
          c.close_ledger_index);
  RETURN_IF_ERROR(st->Run());
  static const std::string kPlace = InsertSql("case_places", kPlaceColumns);
  for (const CasePlaceRecord& p : s.places) {
    ASSIGN_OR_RETURN(st, txn.db().Cached(kPlace));
    BindAll(*st, c.id, p.kind, p.place, p.version, p.notifier, p.category, p.name, p.ovn,
            Blob{p.version_digest}, p.version_ledger_index, p.notified_at, p.escalation_channel);
    RETURN_IF_ERROR(st->Run());
  }
  static const std::string kReceipt = InsertSql("case_receipts", kReceiptColumns);
  for (const CaseReceiptRecord& r : s.receipts) {
    ASSIGN_OR_RETURN(st, txn.db().Cached(kReceipt));
    BindAll(*st, c.id, r.kind, r.place, r.version, r.party, r.delivered_at,
            r.delivered_ledger_index, r.acknowledged_at, r.ack_ledger_index, r.key_id,
            Blob{r.signature}, Blob{r.statement});
    RETURN_IF_ERROR(st->Run());
  }
  static const std::string kOperation = InsertSql("case_operations", kCaseOperationColumns);
  for (const CaseOperationRecord& o : s.operations) {
    ASSIGN_OR_RETURN(st, txn.db().Cached(kOperation));
    BindAll(*st, c.id, o.operation, o.party, o.version, o.ovn, o.state, o.extents, o.ledger_index,
            o.lat_min, o.lng_min, o.lat_max, o.lng_max, o.altitude_lower_m, o.altitude_upper_m,
            o.time_start, o.time_end);
    RETURN_IF_ERROR(st->Run());
  }
  static const std::string kPoint = InsertSql("case_track_points", kPointColumns);
  for (const TrackPointRecord& p : s.track_points) {
    ASSIGN_OR_RETURN(st, txn.db().Cached(kPoint));
    BindAll(*st, c.id, p.party, p.track, p.time, p.lat_deg, p.lng_deg, p.alt_m, p.gs_mps, p.trk_deg,
            p.vs_mps);
    RETURN_IF_ERROR(st->Run());
  }
  static const std::string kRespondent = InsertSql("case_respondents", kRespondentColumns);
  for (const CaseRespondentRecord& r : s.respondents) {
    ASSIGN_OR_RETURN(st, txn.db().Cached(kRespondent));
    BindAll(*st, c.id, r.party, r.reasons, r.due_at, r.responded_at, r.overdue_at,
            r.overdue_ledger_index, r.escalated_to);
    RETURN_IF_ERROR(st->Run());
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> CaseExists(Database& db, std::string_view id) {
  ASSIGN_OR_RETURN(Statement * st, db.Cached("SELECT 1 FROM cases WHERE id = ?1"));
  st->Bind(1, id);
  absl::StatusOr<bool> row = st->Step();
  st->Reset();
  return row;
}

absl::StatusOr<std::optional<CaseSnapshot>> ReadCase(Database& db, std::string_view id) {
  static const std::string kSql = fmt::format("SELECT {} FROM cases WHERE id = ?1", kCaseColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, id);
  ASSIGN_OR_RETURN(std::vector<CaseRecord> rows, ReadRows<CaseRecord>(*st, CaseRowOf));
  if (rows.empty()) return std::optional<CaseSnapshot>();
  CaseSnapshot s{.record = std::move(rows[0])};
  ASSIGN_OR_RETURN(s.places, LinksOf<CasePlaceRecord>(db, "case_places", kPlaceColumns,
                                                      "kind, place", id, PlaceRowOf));
  ASSIGN_OR_RETURN(s.receipts, LinksOf<CaseReceiptRecord>(db, "case_receipts", kReceiptColumns,
                                                          "kind, place, party", id, ReceiptRowOf));
  ASSIGN_OR_RETURN(s.operations,
                   LinksOf<CaseOperationRecord>(db, "case_operations", kCaseOperationColumns,
                                                "operation", id, CaseOperationRowOf));
  ASSIGN_OR_RETURN(s.track_points, LinksOf<TrackPointRecord>(db, "case_track_points", kPointColumns,
                                                             "party, track, time", id, PointRowOf));
  ASSIGN_OR_RETURN(s.respondents,
                   LinksOf<CaseRespondentRecord>(db, "case_respondents", kRespondentColumns,
                                                 "party", id, RespondentRowOf));
  return std::optional<CaseSnapshot>(std::move(s));
}

absl::StatusOr<std::vector<CaseRecord>> ListCases(Database& db) {
  static const std::string kSql = fmt::format("SELECT {} FROM cases ORDER BY id", kCaseColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  return ReadRows<CaseRecord>(*st, CaseRowOf);
}

absl::Status CloseCase(Txn& txn, const CaseRecord& c) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("UPDATE cases SET closed_at = ?2, closed_by = ?3, finding = ?4, "
                                   "notes = ?5, close_key_id = ?6, close_signature = ?7, "
                                   "close_statement = ?8, close_digest = ?9, "
                                   "close_ledger_index = ?10 WHERE id = ?1"));
  BindAll(*st, c.id, c.closed_at, c.closed_by, c.finding, c.notes, c.close_key_id,
          Blob{c.close_signature}, Blob{c.close_statement}, Blob{c.close_digest},
          c.close_ledger_index);
  return st->Run();
}

absl::StatusOr<std::vector<std::pair<std::string, CaseRespondentRecord>>> ListPendingRespondents(
    Database& db) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM case_respondents r JOIN cases c ON c.id = r.case_id "
      "WHERE r.responded_at IS NULL AND r.overdue_at IS NULL AND c.closed_at IS NULL "
      "ORDER BY r.case_id, r.party",
      "r.case_id, r.party, r.reasons, r.due_at, r.responded_at, r.overdue_at, "
      "r.overdue_ledger_index, r.escalated_to");
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  return ReadRows<std::pair<std::string, CaseRespondentRecord>>(
      *st, [](const Statement& s) { return std::make_pair(s.ColumnText(0), RespondentRowOf(s)); });
}

absl::Status UpdateCaseRespondent(Txn& txn, std::string_view case_id,
                                  const CaseRespondentRecord& r) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("UPDATE case_respondents SET responded_at = ?3, "
                                   "overdue_at = ?4, overdue_ledger_index = ?5, escalated_to = ?6 "
                                   "WHERE case_id = ?1 AND party = ?2"));
  BindAll(*st, case_id, r.party, r.responded_at, r.overdue_at, r.overdue_ledger_index,
          r.escalated_to);
  return st->Run();
}

absl::Status InsertCaseResponse(Txn& txn, CaseResponseRecord& r) {
  ASSIGN_OR_RETURN(
      Statement * st,
      txn.db().Cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM case_responses WHERE case_id = ?1"));
  st->Bind(1, r.case_id);
  absl::StatusOr<bool> row = st->Step();
  r.seq = row.ok() && *row ? st->ColumnInt(0) : 1;
  st->Reset();
  if (!row.ok()) return row.status();
  static const std::string kSql = InsertSql("case_responses", kResponseColumns);
  ASSIGN_OR_RETURN(st, txn.db().Cached(kSql));
  BindAll(*st, r.case_id, r.seq, r.party, r.text, r.at, r.key_id, Blob{r.signature},
          Blob{r.statement}, Blob{r.digest}, r.ledger_index);
  return st->Run();
}

absl::StatusOr<std::vector<CaseResponseRecord>> ListCaseResponses(Database& db,
                                                                  std::string_view case_id) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM case_responses WHERE case_id = ?1 ORDER BY seq", kResponseColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, case_id);
  return ReadRows<CaseResponseRecord>(*st, ResponseRowOf);
}

}  // namespace deconflict::store
