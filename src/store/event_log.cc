#include "store/event_log.h"

#include <sqlite3.h>

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::store {
namespace {

constexpr char kColumns[] =
    "id, recipient, seq, type, time, subject, subject_party, ovn, your_operation, lat_min, "
    "lng_min, lat_max, lng_max, altitude_lower, altitude_upper, time_start, time_end, detail";
// What readers select: kColumns, with a copy's detail read from the row it refers to.
constexpr char kSelectColumns[] =
    "e.id, e.recipient, e.seq, e.type, e.time, e.subject, e.subject_party, e.ovn, "
    "e.your_operation, e.lat_min, e.lng_min, e.lat_max, e.lng_max, e.altitude_lower, "
    "e.altitude_upper, e.time_start, e.time_end, "
    "CASE WHEN e.detail_of IS NULL THEN e.detail "
    "ELSE (SELECT d.detail FROM events d WHERE d.id = e.detail_of) END";

double ColumnDouble(const Statement& st, int col) {
  // Statement has no double accessor; overlaps are stored as text of full precision instead of
  // REAL so that a value reads back bit for bit (%.17g round-trips a double).
  return std::stod(st.ColumnText(col));
}

EventRow ReadRow(const Statement& st) {
  EventRow row;
  row.id = st.ColumnInt(0);
  row.recipient = st.ColumnText(1);
  row.seq = st.ColumnInt(2);
  row.type = st.ColumnText(3);
  row.time = FromMicros(st.ColumnInt(4));
  row.subject = st.ColumnText(5);
  row.subject_party = st.ColumnText(6);
  row.ovn = st.ColumnText(7);
  row.your_operation = st.ColumnText(8);
  if (!st.ColumnIsNull(9)) {
    row.overlap = EventOverlapColumns{.lat_min = ColumnDouble(st, 9),
                                      .lng_min = ColumnDouble(st, 10),
                                      .lat_max = ColumnDouble(st, 11),
                                      .lng_max = ColumnDouble(st, 12),
                                      .altitude_lower_m = ColumnDouble(st, 13),
                                      .altitude_upper_m = ColumnDouble(st, 14),
                                      .time_start = FromMicros(st.ColumnInt(15)),
                                      .time_end = FromMicros(st.ColumnInt(16))};
  }
  row.detail = st.ColumnText(17);  // NULL reads as empty; a copy's is its original's
  return row;
}

absl::StatusOr<std::vector<EventRow>> ReadAll(Statement& st) {
  std::vector<EventRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more) break;
    rows.push_back(ReadRow(st));
  }
  st.Reset();
  return rows;
}

}  // namespace

const char kEventLogSchema[] = R"sql(
CREATE TABLE events (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: readers tail by id
  recipient      TEXT NOT NULL,
  seq            INTEGER NOT NULL,                   -- 1, 2, ... per recipient
  type           TEXT NOT NULL,
  time           INTEGER NOT NULL,                   -- microseconds since the Unix epoch, UTC
  subject        TEXT NOT NULL,
  subject_party  TEXT NOT NULL,
  ovn            TEXT NOT NULL,
  your_operation TEXT NOT NULL,
  lat_min TEXT, lng_min TEXT, lat_max TEXT, lng_max TEXT,  -- %.17g text: exact round trip
  altitude_lower TEXT, altitude_upper TEXT,
  time_start INTEGER, time_end INTEGER,
  UNIQUE (recipient, seq)
);
)sql";

const char kEventDetailOfSchema[] = R"sql(
ALTER TABLE events ADD COLUMN detail_of INTEGER;  -- a copy's detail is that row's (id)
)sql";

absl::StatusOr<int64_t> AppendEventRow(Txn& txn, EventRow& row) {
  Database& db = txn.db();
  ASSIGN_OR_RETURN(Statement * next, db.Cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM events "
                                               "WHERE recipient = ?1"));
  next->Bind(1, row.recipient);
  ASSIGN_OR_RETURN(bool found, next->Step());
  // Invariant: an aggregate without GROUP BY always yields one row.
  row.seq = found ? next->ColumnInt(0) : 1;
  next->Reset();

  static const std::string kInsert = fmt::format(
      "INSERT INTO events({}, detail_of) VALUES(NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
      "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
      kColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kInsert));
  st->Bind(1, row.recipient);
  st->Bind(2, row.seq);
  st->Bind(3, row.type);
  st->Bind(4, Micros(row.time));
  st->Bind(5, row.subject);
  st->Bind(6, row.subject_party);
  st->Bind(7, row.ovn);
  st->Bind(8, row.your_operation);
  if (row.overlap) {
    const EventOverlapColumns& o = *row.overlap;
    const double numbers[] = {o.lat_min, o.lng_min,          o.lat_max,
                              o.lng_max, o.altitude_lower_m, o.altitude_upper_m};
    for (int i = 0; i < 6; ++i) st->Bind(9 + i, fmt::format("{:.17g}", numbers[i]));
    st->Bind(15, Micros(o.time_start));
    st->Bind(16, Micros(o.time_end));
  } else {
    for (int col = 9; col <= 16; ++col) st->BindNull(col);
  }
  if (row.detail.empty() || row.detail_of > 0) {
    st->BindNull(17);
  } else {
    st->Bind(17, row.detail);
  }
  if (row.detail_of > 0 && !row.detail.empty()) {
    st->Bind(18, row.detail_of);
  } else {
    st->BindNull(18);
  }
  RETURN_IF_ERROR(st->Run());
  row.id = sqlite3_last_insert_rowid(db.raw());
  return row.seq;
}

absl::StatusOr<std::vector<std::string>> AllPartyIds(Txn& txn) {
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached("SELECT id FROM parties ORDER BY id"));
  std::vector<std::string> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    ids.push_back(st->ColumnText(0));
  }
  st->Reset();
  return ids;
}

absl::StatusOr<std::vector<EventRow>> ReadEventsAfterId(Database& db, int64_t after_id,
                                                        int64_t limit) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM events e WHERE e.id > ?1 ORDER BY e.id LIMIT ?2", kSelectColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, after_id);
  st->Bind(2, limit);
  return ReadAll(*st);
}

absl::StatusOr<std::vector<EventRow>> ReadPartyEvents(Database& db, const std::string& party,
                                                      int64_t after_seq, int64_t limit) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM events e WHERE e.recipient = ?1 AND e.seq > ?2 ORDER BY e.seq LIMIT ?3",
      kSelectColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, party);
  st->Bind(2, after_seq);
  st->Bind(3, limit);
  return ReadAll(*st);
}

absl::StatusOr<int64_t> MaxEventId(Database& db) {
  return db.QueryInt("SELECT COALESCE(MAX(id), 0) FROM events");
}

}  // namespace deconflict::store
