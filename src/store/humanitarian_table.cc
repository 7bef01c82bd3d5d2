#include "store/humanitarian_table.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "store/internal/columns.h"

namespace deconflict::store {
namespace {

using internal::BindOptionalTime;
using internal::OptionalTime;
using internal::Sized;

constexpr char kVersionColumns[] =
    "kind, id, version, ovn, notifier, change, category, name, geometry, coordinates, buffer_m, "
    "time_start, time_end, recipients, notes, vehicles, markings, escalation_channel, created_at, "
    "deadline_at, digest, ledger_index, overdue_at, overdue_ledger_index, escalated_to, "
    "settled_at";
constexpr char kReceiptColumns[] =
    "kind, id, version, party, type, at, key_id, signature, statement, ledger_index";
constexpr char kConflictColumns[] =
    "kind, id, version, notifier, operation, party, filer_is_recipient, lat_min, lng_min, "
    "lat_max, lng_max, altitude_lower_m, altitude_upper_m, time_start, time_end, at, "
    "ledger_index";

// Party ids never hold ','.
std::string Join(const std::vector<std::string>& items) { return absl::StrJoin(items, ","); }
std::vector<std::string> Split(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipEmpty());
}

// Coordinates as "lat lng;lat lng;...", each number with 17 significant digits (exact).
std::string EncodeCoordinates(const std::vector<std::pair<double, double>>& points) {
  std::vector<std::string> parts;
  parts.reserve(points.size());
  for (const auto& [lat, lng] : points) parts.push_back(fmt::format("{:.17g} {:.17g}", lat, lng));
  return absl::StrJoin(parts, ";");
}
std::vector<std::pair<double, double>> DecodeCoordinates(const std::string& text) {
  std::vector<std::pair<double, double>> out;
  for (absl::string_view part : absl::StrSplit(text, ';', absl::SkipEmpty())) {
    std::vector<absl::string_view> ll = absl::StrSplit(part, ' ');
    double lat = 0, lng = 0;
    if (ll.size() == 2 && absl::SimpleAtod(ll[0], &lat) && absl::SimpleAtod(ll[1], &lng)) {
      out.emplace_back(lat, lng);
    }
  }
  return out;
}

HumanitarianRecord VersionRowOf(const Statement& st) {
  HumanitarianRecord r;
  r.kind = st.ColumnText(0);
  r.id = st.ColumnText(1);
  r.version = st.ColumnInt(2);
  r.ovn = st.ColumnText(3);
  r.notifier = st.ColumnText(4);
  r.change = st.ColumnText(5);
  r.category = st.ColumnText(6);
  r.name = st.ColumnText(7);
  r.geometry = st.ColumnText(8);
  r.coordinates = DecodeCoordinates(st.ColumnText(9));
  r.buffer_m = st.ColumnDouble(10);
  r.time_start = FromMicros(st.ColumnInt(11));
  r.time_end = FromMicros(st.ColumnInt(12));
  r.recipients = Split(st.ColumnText(13));
  r.notes = st.ColumnText(14);
  r.vehicles = st.ColumnInt(15);
  r.markings = st.ColumnText(16);
  r.escalation_channel = st.ColumnText(17);
  r.created_at = FromMicros(st.ColumnInt(18));
  r.deadline_at = FromMicros(st.ColumnInt(19));
  r.digest = st.ColumnBlob(20);
  r.ledger_index = st.ColumnInt(21);
  r.overdue_at = OptionalTime(st, 22);
  r.overdue_ledger_index = st.ColumnInt(23);
  r.escalated_to = st.ColumnText(24);
  r.settled_at = OptionalTime(st, 25);
  return r;
}

HumanitarianReceiptRecord ReceiptRowOf(const Statement& st) {
  return HumanitarianReceiptRecord{.kind = st.ColumnText(0),
                                   .id = st.ColumnText(1),
                                   .version = st.ColumnInt(2),
                                   .party = st.ColumnText(3),
                                   .type = st.ColumnText(4),
                                   .at = FromMicros(st.ColumnInt(5)),
                                   .key_id = st.ColumnText(6),
                                   .signature = st.ColumnBlob(7),
                                   .statement = st.ColumnBlob(8),
                                   .ledger_index = st.ColumnInt(9)};
}

HumanitarianConflictRecord ConflictRowOf(const Statement& st) {
  return HumanitarianConflictRecord{.kind = st.ColumnText(0),
                                    .id = st.ColumnText(1),
                                    .version = st.ColumnInt(2),
                                    .notifier = st.ColumnText(3),
                                    .operation = st.ColumnText(4),
                                    .party = st.ColumnText(5),
                                    .filer_is_recipient = st.ColumnInt(6) != 0,
                                    .lat_min = st.ColumnDouble(7),
                                    .lng_min = st.ColumnDouble(8),
                                    .lat_max = st.ColumnDouble(9),
                                    .lng_max = st.ColumnDouble(10),
                                    .altitude_lower_m = st.ColumnDouble(11),
                                    .altitude_upper_m = st.ColumnDouble(12),
                                    .time_start = FromMicros(st.ColumnInt(13)),
                                    .time_end = FromMicros(st.ColumnInt(14)),
                                    .at = FromMicros(st.ColumnInt(15)),
                                    .ledger_index = st.ColumnInt(16)};
}

}  // namespace

const char kHumanitarianSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS humanitarian_versions (
  kind                  TEXT NOT NULL,           -- 'site' or 'movement'
  id                    TEXT NOT NULL,
  version               INTEGER NOT NULL,
  ovn                   TEXT NOT NULL,
  notifier              TEXT NOT NULL,
  change                TEXT NOT NULL,           -- 'notified', 'changed', 'removed'
  category              TEXT NOT NULL,
  name                  TEXT NOT NULL,
  geometry              TEXT NOT NULL,           -- 'point', 'polygon', 'linestring'
  coordinates           TEXT NOT NULL,           -- 'lat lng;lat lng;...'
  buffer_m              REAL NOT NULL,
  time_start            INTEGER NOT NULL,        -- microseconds since the Unix epoch, UTC
  time_end              INTEGER NOT NULL,
  recipients            TEXT NOT NULL,           -- party ids, sorted, ','-joined
  notes                 TEXT NOT NULL,
  vehicles              INTEGER NOT NULL,        -- -1: not given
  markings              TEXT NOT NULL,
  escalation_channel    TEXT NOT NULL,
  created_at            INTEGER NOT NULL,
  deadline_at           INTEGER NOT NULL,
  digest                BLOB NOT NULL,
  ledger_index          INTEGER NOT NULL,
  overdue_at            INTEGER,
  overdue_ledger_index  INTEGER NOT NULL,
  escalated_to          TEXT NOT NULL,
  settled_at            INTEGER,
  PRIMARY KEY (kind, id, version)
);
CREATE TABLE IF NOT EXISTS humanitarian_receipts (
  kind          TEXT NOT NULL,
  id            TEXT NOT NULL,
  version       INTEGER NOT NULL,
  party         TEXT NOT NULL,
  type          TEXT NOT NULL,                   -- 'deliver' or 'ack'
  at            INTEGER NOT NULL,
  key_id        TEXT NOT NULL,
  signature     BLOB NOT NULL,
  statement     BLOB NOT NULL,
  ledger_index  INTEGER NOT NULL,
  PRIMARY KEY (kind, id, version, party, type)
);
CREATE TABLE IF NOT EXISTS humanitarian_reads (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  kind     TEXT NOT NULL,
  id       TEXT NOT NULL,
  version  INTEGER NOT NULL,
  party    TEXT NOT NULL,
  at       INTEGER NOT NULL,
  refused  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS humanitarian_reads_by_place ON humanitarian_reads(kind, id, seq);
CREATE TABLE IF NOT EXISTS humanitarian_conflicts (
  kind                TEXT NOT NULL,
  id                  TEXT NOT NULL,
  version             INTEGER NOT NULL,
  notifier            TEXT NOT NULL,
  operation           TEXT NOT NULL,
  party               TEXT NOT NULL,
  filer_is_recipient  INTEGER NOT NULL,
  lat_min             REAL NOT NULL,
  lng_min             REAL NOT NULL,
  lat_max             REAL NOT NULL,
  lng_max             REAL NOT NULL,
  altitude_lower_m    REAL NOT NULL,
  altitude_upper_m    REAL NOT NULL,
  time_start          INTEGER NOT NULL,
  time_end            INTEGER NOT NULL,
  at                  INTEGER NOT NULL,
  ledger_index        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS humanitarian_conflicts_by_notifier
  ON humanitarian_conflicts(notifier, kind, id, at);
)sql";

std::string HumanitarianObjectId(std::string_view id, int64_t version) {
  return fmt::format("{}/{}", id, version);
}

std::string HumanitarianAction(std::string_view kind, std::string_view what) {
  return fmt::format("humanitarian.{}.{}", kind, what);
}

std::string HumanitarianVersionDigest(const HumanitarianRecord& r) {
  std::string text = fmt::format(
      "deconflict-humanitarian/v1\nkind {}\nid {}\nversion {}\novn {}\nnotifier {}\nchange {}\n"
      "category {}\ngeometry {}\nbuffer_m {:.17g}\ntime_start {}\ntime_end {}\nrecipients {}\n"
      "vehicles {}\ncreated_at {}\ndeadline_at {}\n",
      r.kind, r.id, r.version, r.ovn, r.notifier, r.change, r.category, r.geometry, r.buffer_m,
      Micros(r.time_start), Micros(r.time_end), Join(r.recipients), r.vehicles,
      Micros(r.created_at), Micros(r.deadline_at));
  text += Sized("coordinates", EncodeCoordinates(r.coordinates));
  text += Sized("name", r.name);
  text += Sized("notes", r.notes);
  text += Sized("markings", r.markings);
  text += Sized("escalation_channel", r.escalation_channel);
  return Sha256(text);
}

std::string HumanitarianReceiptDigest(const HumanitarianReceiptRecord& r) {
  return Sha256(fmt::format("deconflict/humanitarian-{}/v1\n{}\n{}\n{}\n{}\n{}", r.type, r.kind,
                            HumanitarianObjectId(r.id, r.version), r.party, Micros(r.at),
                            r.signature.empty() ? "" : Hex(r.signature)));
}

std::string HumanitarianOverdueDigest(std::string_view object_id,
                                      const std::vector<std::string>& laggards, Timestamp at) {
  return Sha256(fmt::format("deconflict/humanitarian-overdue/v1\n{}\n{}\n{}", object_id,
                            Join(laggards), Micros(at)));
}

std::string HumanitarianConflictDigest(const HumanitarianConflictRecord& c) {
  return Sha256(fmt::format(
      "deconflict/humanitarian-conflict/v1\n{}\n{}\n{}\n{}\n{}\n{:.17g} {:.17g} {:.17g} "
      "{:.17g}\n{:.17g} {:.17g}\n{} {}\n{}",
      c.kind, HumanitarianObjectId(c.id, c.version), c.operation, c.party, c.filer_is_recipient,
      c.lat_min, c.lng_min, c.lat_max, c.lng_max, c.altitude_lower_m, c.altitude_upper_m,
      Micros(c.time_start), Micros(c.time_end), Micros(c.at)));
}

// ---- versions ---------------------------------------------------------------------------------

absl::Status InsertHumanitarianVersion(Txn& txn, const HumanitarianRecord& r) {
  static const std::string kSql = fmt::format(
      "INSERT INTO humanitarian_versions({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
      "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
      kVersionColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, r.kind);
  st->Bind(2, r.id);
  st->Bind(3, r.version);
  st->Bind(4, r.ovn);
  st->Bind(5, r.notifier);
  st->Bind(6, r.change);
  st->Bind(7, r.category);
  st->Bind(8, r.name);
  st->Bind(9, r.geometry);
  st->Bind(10, EncodeCoordinates(r.coordinates));
  st->BindDouble(11, r.buffer_m);
  st->Bind(12, Micros(r.time_start));
  st->Bind(13, Micros(r.time_end));
  st->Bind(14, Join(r.recipients));
  st->Bind(15, r.notes);
  st->Bind(16, r.vehicles);
  st->Bind(17, r.markings);
  st->Bind(18, r.escalation_channel);
  st->Bind(19, Micros(r.created_at));
  st->Bind(20, Micros(r.deadline_at));
  st->BindBlob(21, r.digest);
  st->Bind(22, r.ledger_index);
  BindOptionalTime(*st, 23, r.overdue_at);
  st->Bind(24, r.overdue_ledger_index);
  st->Bind(25, r.escalated_to);
  BindOptionalTime(*st, 26, r.settled_at);
  return st->Run();
}

absl::Status UpdateHumanitarianState(Txn& txn, const HumanitarianRecord& r) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("UPDATE humanitarian_versions SET overdue_at = ?4, "
                                   "overdue_ledger_index = ?5, escalated_to = ?6, settled_at = ?7 "
                                   "WHERE kind = ?1 AND id = ?2 AND version = ?3"));
  st->Bind(1, r.kind);
  st->Bind(2, r.id);
  st->Bind(3, r.version);
  BindOptionalTime(*st, 4, r.overdue_at);
  st->Bind(5, r.overdue_ledger_index);
  st->Bind(6, r.escalated_to);
  BindOptionalTime(*st, 7, r.settled_at);
  return st->Run();
}

absl::StatusOr<std::vector<HumanitarianRecord>> ReadHumanitarianVersions(Database& db,
                                                                         std::string_view kind,
                                                                         std::string_view id) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM humanitarian_versions WHERE kind = ?1 AND id = ?2 ORDER BY version",
      kVersionColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, kind);
  st->Bind(2, id);
  return ReadRows<HumanitarianRecord>(*st, VersionRowOf);
}

absl::StatusOr<std::optional<HumanitarianRecord>> ReadLatestHumanitarian(Database& db,
                                                                         std::string_view kind,
                                                                         std::string_view id) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM humanitarian_versions WHERE kind = ?1 AND id = ?2 ORDER BY version DESC "
      "LIMIT 1",
      kVersionColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, kind);
  st->Bind(2, id);
  ASSIGN_OR_RETURN(std::vector<HumanitarianRecord> rows,
                   ReadRows<HumanitarianRecord>(*st, VersionRowOf));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

absl::StatusOr<std::vector<HumanitarianRecord>> ListLatestHumanitarian(Database& db) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM humanitarian_versions v WHERE version = (SELECT MAX(version) FROM "
      "humanitarian_versions w WHERE w.kind = v.kind AND w.id = v.id) ORDER BY kind, id",
      kVersionColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  return ReadRows<HumanitarianRecord>(*st, VersionRowOf);
}

absl::StatusOr<std::vector<HumanitarianRecord>> ListHumanitarianVersions(Database& db) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM humanitarian_versions ORDER BY kind, id, version", kVersionColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  return ReadRows<HumanitarianRecord>(*st, VersionRowOf);
}

// ---- receipts ---------------------------------------------------------------------------------

absl::StatusOr<bool> InsertHumanitarianReceipt(Txn& txn, const HumanitarianReceiptRecord& r) {
  static const std::string kSql = fmt::format(
      "INSERT OR IGNORE INTO humanitarian_receipts({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10)",
      kReceiptColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, r.kind);
  st->Bind(2, r.id);
  st->Bind(3, r.version);
  st->Bind(4, r.party);
  st->Bind(5, r.type);
  st->Bind(6, Micros(r.at));
  st->Bind(7, r.key_id);
  st->BindBlob(8, r.signature);
  st->BindBlob(9, r.statement);
  st->Bind(10, r.ledger_index);
  RETURN_IF_ERROR(st->Run());
  ASSIGN_OR_RETURN(int64_t changed, txn.db().QueryInt("SELECT changes()"));
  return changed > 0;
}

absl::StatusOr<std::vector<HumanitarianReceiptRecord>> ReadHumanitarianReceipts(
    Database& db, std::string_view kind, std::string_view id, int64_t version) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM humanitarian_receipts WHERE kind = ?1 AND id = ?2 AND version = ?3 ORDER BY "
      "party, type",
      kReceiptColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, kind);
  st->Bind(2, id);
  st->Bind(3, version);
  return ReadRows<HumanitarianReceiptRecord>(*st, ReceiptRowOf);
}

// ---- reads ------------------------------------------------------------------------------------

absl::Status InsertHumanitarianRead(Txn& txn, const HumanitarianReadRecord& r) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("INSERT INTO humanitarian_reads(kind, id, version, party, at, "
                                   "refused) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
  st->Bind(1, r.kind);
  st->Bind(2, r.id);
  st->Bind(3, r.version);
  st->Bind(4, r.party);
  st->Bind(5, Micros(r.at));
  st->Bind(6, static_cast<int64_t>(r.refused ? 1 : 0));
  return st->Run();
}

absl::StatusOr<std::vector<HumanitarianReadRecord>> ListHumanitarianReads(Database& db,
                                                                          std::string_view kind,
                                                                          std::string_view id) {
  ASSIGN_OR_RETURN(Statement * st,
                   db.Cached("SELECT kind, id, version, party, at, refused FROM humanitarian_reads "
                             "WHERE kind = ?1 AND id = ?2 ORDER BY seq"));
  st->Bind(1, kind);
  st->Bind(2, id);
  return ReadRows<HumanitarianReadRecord>(*st, [](const Statement& s) {
    return HumanitarianReadRecord{.kind = s.ColumnText(0),
                                  .id = s.ColumnText(1),
                                  .version = s.ColumnInt(2),
                                  .party = s.ColumnText(3),
                                  .at = FromMicros(s.ColumnInt(4)),
                                  .refused = s.ColumnInt(5) != 0};
  });
}

// ---- conflicts --------------------------------------------------------------------------------

absl::Status InsertHumanitarianConflict(Txn& txn, const HumanitarianConflictRecord& c) {
  static const std::string kSql = fmt::format(
      "INSERT INTO humanitarian_conflicts({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
      "?11, ?12, ?13, ?14, ?15, ?16, ?17)",
      kConflictColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, c.kind);
  st->Bind(2, c.id);
  st->Bind(3, c.version);
  st->Bind(4, c.notifier);
  st->Bind(5, c.operation);
  st->Bind(6, c.party);
  st->Bind(7, static_cast<int64_t>(c.filer_is_recipient ? 1 : 0));
  st->BindDouble(8, c.lat_min);
  st->BindDouble(9, c.lng_min);
  st->BindDouble(10, c.lat_max);
  st->BindDouble(11, c.lng_max);
  st->BindDouble(12, c.altitude_lower_m);
  st->BindDouble(13, c.altitude_upper_m);
  st->Bind(14, Micros(c.time_start));
  st->Bind(15, Micros(c.time_end));
  st->Bind(16, Micros(c.at));
  st->Bind(17, c.ledger_index);
  return st->Run();
}

absl::StatusOr<std::vector<HumanitarianConflictRecord>> ListHumanitarianConflicts(
    Database& db, std::string_view notifier) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM humanitarian_conflicts WHERE notifier = ?1 ORDER BY kind, id, at",
                  kConflictColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, notifier);
  return ReadRows<HumanitarianConflictRecord>(*st, ConflictRowOf);
}

}  // namespace deconflict::store
