#include "store/encounters_table.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::store {
namespace {

constexpr char kEncounterColumns[] =
    "id, party_a, track_a, party_b, track_b, opened_at, opening, closed_at, close_reason, "
    "closing, ledger_index, alerted";

// `alerted` is stored as the ids joined by ',' (party ids never hold one: common/ids.h).
std::string JoinIds(const std::vector<std::string>& ids) { return absl::StrJoin(ids, ","); }
std::vector<std::string> SplitIds(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipEmpty());
}

EncounterRecord EncounterRowOf(const Statement& st) {
  EncounterRecord r;
  r.id = st.ColumnInt(0);
  r.party_a = st.ColumnText(1);
  r.track_a = st.ColumnText(2);
  r.party_b = st.ColumnText(3);
  r.track_b = st.ColumnText(4);
  r.opened_at = FromMicros(st.ColumnInt(5));
  r.opening = st.ColumnText(6);
  if (!st.ColumnIsNull(7)) r.closed_at = FromMicros(st.ColumnInt(7));
  r.close_reason = st.ColumnText(8);
  r.closing = st.ColumnText(9);
  r.ledger_index = st.ColumnInt(10);
  r.alerted = SplitIds(st.ColumnText(11));
  return r;
}

}  // namespace

const char kLiveSchema[] = R"sql(
ALTER TABLE events ADD COLUMN detail TEXT;           -- typed payload fields (events/event.h)
CREATE TABLE IF NOT EXISTS encounters (
  id            INTEGER PRIMARY KEY,                 -- never reused across restarts
  party_a       TEXT NOT NULL,
  track_a       TEXT NOT NULL,
  party_b       TEXT NOT NULL,
  track_b       TEXT NOT NULL,
  opened_at     INTEGER NOT NULL,                    -- microseconds since the Unix epoch, UTC
  opening       TEXT NOT NULL,                       -- the alert as opened (events/event.h)
  closed_at     INTEGER,                             -- NULL while open
  close_reason  TEXT NOT NULL,
  closing       TEXT NOT NULL,
  ledger_index  INTEGER NOT NULL,
  alerted       TEXT NOT NULL                        -- party ids told of the opening, ','-joined
);
CREATE INDEX IF NOT EXISTS encounters_open ON encounters(closed_at);
CREATE INDEX IF NOT EXISTS encounters_by_party_a ON encounters(party_a, id);
CREATE INDEX IF NOT EXISTS encounters_by_party_b ON encounters(party_b, id);
CREATE TABLE IF NOT EXISTS encounter_acks (
  encounter     INTEGER NOT NULL REFERENCES encounters(id),
  party         TEXT NOT NULL,
  at            INTEGER NOT NULL,
  key_id        TEXT NOT NULL,
  signature     BLOB NOT NULL,
  statement     BLOB NOT NULL,
  ledger_index  INTEGER NOT NULL,
  PRIMARY KEY (encounter, party)
);
CREATE TABLE IF NOT EXISTS track_history (
  party   TEXT NOT NULL,
  track   TEXT NOT NULL,
  time    INTEGER NOT NULL,
  lat     REAL NOT NULL,
  lng     REAL NOT NULL,
  alt_m   REAL NOT NULL,
  gs_mps  REAL NOT NULL,
  trk_deg REAL NOT NULL,
  vs_mps  REAL NOT NULL,
  PRIMARY KEY (time, party, track)
) WITHOUT ROWID;
)sql";

absl::Status PutEncounter(Txn& txn, const EncounterRecord& r) {
  static const std::string kSql = fmt::format(
      "INSERT OR REPLACE INTO encounters({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
      "?9, ?10, ?11, ?12)",
      kEncounterColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, r.id);
  st->Bind(2, r.party_a);
  st->Bind(3, r.track_a);
  st->Bind(4, r.party_b);
  st->Bind(5, r.track_b);
  st->Bind(6, Micros(r.opened_at));
  st->Bind(7, r.opening);
  if (r.closed_at) {
    st->Bind(8, Micros(*r.closed_at));
  } else {
    st->BindNull(8);
  }
  st->Bind(9, r.close_reason);
  st->Bind(10, r.closing);
  st->Bind(11, r.ledger_index);
  st->Bind(12, JoinIds(r.alerted));
  return st->Run();
}

absl::StatusOr<std::optional<EncounterRecord>> ReadEncounter(Database& db, int64_t id) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM encounters WHERE id = ?1", kEncounterColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, id);
  ASSIGN_OR_RETURN(std::vector<EncounterRecord> rows,
                   ReadRows<EncounterRecord>(*st, EncounterRowOf));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

absl::StatusOr<int64_t> MaxEncounterId(Database& db) {
  return db.QueryInt("SELECT COALESCE(MAX(id), 0) FROM encounters");
}

absl::StatusOr<std::vector<EncounterRecord>> ListEncounters(Database& db,
                                                            const EncounterFilter& filter) {
  // ?1 party ('' = any), ?2 state (0 open, 1 closed, 2 all), ?3 after id, ?4 limit.
  static const std::string kSql = fmt::format(
      "SELECT {} FROM encounters WHERE (?1 = '' OR party_a = ?1 OR party_b = ?1) AND "
      "(?2 = 2 OR (?2 = 0 AND closed_at IS NULL) OR (?2 = 1 AND closed_at IS NOT NULL)) AND "
      "id > ?3 ORDER BY id LIMIT ?4",
      kEncounterColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, filter.party);
  st->Bind(2, static_cast<int64_t>(filter.state == EncounterState::kOpen     ? 0
                                   : filter.state == EncounterState::kClosed ? 1
                                                                             : 2));
  st->Bind(3, filter.after_id);
  st->Bind(4, filter.limit);
  return ReadRows<EncounterRecord>(*st, EncounterRowOf);
}

absl::Status InsertEncounterAck(Txn& txn, const EncounterAckRecord& ack) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("INSERT INTO encounter_acks(encounter, party, at, key_id, "
                                   "signature, statement, ledger_index) VALUES(?1, ?2, ?3, ?4, "
                                   "?5, ?6, ?7)"));
  st->Bind(1, ack.encounter);
  st->Bind(2, ack.party);
  st->Bind(3, Micros(ack.at));
  st->Bind(4, ack.key_id);
  st->BindBlob(5, ack.signature);
  st->BindBlob(6, ack.statement);
  st->Bind(7, ack.ledger_index);
  return st->Run();
}

absl::StatusOr<std::vector<EncounterAckRecord>> ReadEncounterAcks(Database& db, int64_t encounter) {
  ASSIGN_OR_RETURN(Statement * st,
                   db.Cached("SELECT encounter, party, at, key_id, signature, statement, "
                             "ledger_index FROM encounter_acks WHERE encounter = ?1 "
                             "ORDER BY party"));
  st->Bind(1, encounter);
  return ReadRows<EncounterAckRecord>(*st, [](const Statement& row) {
    return EncounterAckRecord{.encounter = row.ColumnInt(0),
                              .party = row.ColumnText(1),
                              .at = FromMicros(row.ColumnInt(2)),
                              .key_id = row.ColumnText(3),
                              .signature = row.ColumnBlob(4),
                              .statement = row.ColumnBlob(5),
                              .ledger_index = row.ColumnInt(6)};
  });
}

absl::StatusOr<std::vector<std::string>> ActivePartiesWithRole(Database& db,
                                                               const std::string& role) {
  ASSIGN_OR_RETURN(Statement * st, db.Cached("SELECT id FROM parties WHERE role = ?1 AND "
                                             "revoked_at IS NULL ORDER BY id"));
  st->Bind(1, role);
  return ReadRows<std::string>(*st, [](const Statement& row) { return row.ColumnText(0); });
}

absl::Status InsertTrackPoints(Txn& txn, std::span<const TrackPointRecord> points) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("INSERT OR IGNORE INTO track_history(party, track, time, lat, "
                                   "lng, alt_m, gs_mps, trk_deg, vs_mps) VALUES(?1, ?2, ?3, ?4, "
                                   "?5, ?6, ?7, ?8, ?9)"));
  for (const TrackPointRecord& p : points) {
    st->Bind(1, p.party);
    st->Bind(2, p.track);
    st->Bind(3, Micros(p.time));
    st->BindDouble(4, p.lat_deg);
    st->BindDouble(5, p.lng_deg);
    st->BindDouble(6, p.alt_m);
    st->BindDouble(7, p.gs_mps);
    st->BindDouble(8, p.trk_deg);
    st->BindDouble(9, p.vs_mps);
    absl::Status ran = st->Run();
    st->Reset();
    RETURN_IF_ERROR(ran);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> PruneTrackHistory(Txn& txn, Timestamp before) {
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached("DELETE FROM track_history WHERE time < ?1"));
  st->Bind(1, Micros(before));
  absl::Status ran = st->Run();
  st->Reset();
  RETURN_IF_ERROR(ran);
  return txn.db().Changes();
}

absl::StatusOr<std::vector<TrackPointRecord>> QueryTrackHistory(Database& db,
                                                                const TrackHistoryQuery& q) {
  // ?1 viewer, ?2 everything, ?3..?6 box, ?7 from, ?8 to, ?9 now, ?10 resume (0/1),
  // ?11..?13 the resume point, ?14 limit. The primary key (time, party, track) orders and
  // resumes the scan; the window bounds it.
  static const char kSql[] =
      "SELECT party, track, time, lat, lng, alt_m, gs_mps, trk_deg, vs_mps FROM track_history h "
      "WHERE time >= ?7 AND time <= ?8 AND lat >= ?3 AND lat <= ?4 AND lng >= ?5 AND lng <= ?6 "
      "AND (?10 = 0 OR (time, party, track) > (?11, ?12, ?13)) "
      "AND (?2 = 1 OR party = ?1 OR EXISTS (SELECT 1 FROM encounters e WHERE "
      "((e.party_a = ?1 AND e.party_b = h.party AND e.track_b = h.track) OR "
      "(e.party_b = ?1 AND e.party_a = h.party AND e.track_a = h.track)) AND "
      "h.time >= e.opened_at AND h.time <= COALESCE(e.closed_at, ?9))) "
      "ORDER BY time, party, track LIMIT ?14";
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, q.viewer);
  st->Bind(2, static_cast<int64_t>(q.everything ? 1 : 0));
  st->BindDouble(3, q.lat_min);
  st->BindDouble(4, q.lat_max);
  st->BindDouble(5, q.lng_min);
  st->BindDouble(6, q.lng_max);
  st->Bind(7, Micros(q.from));
  st->Bind(8, Micros(q.to));
  st->Bind(9, Micros(q.now));
  st->Bind(10, static_cast<int64_t>(q.after ? 1 : 0));
  if (q.after) {
    st->Bind(11, Micros(std::get<0>(*q.after)));
    st->Bind(12, std::get<1>(*q.after));
    st->Bind(13, std::get<2>(*q.after));
  } else {
    st->Bind(11, int64_t{0});
    st->Bind(12, std::string_view());
    st->Bind(13, std::string_view());
  }
  st->Bind(14, q.limit);
  return ReadRows<TrackPointRecord>(*st, [](const Statement& row) {
    return TrackPointRecord{.party = row.ColumnText(0),
                            .track = row.ColumnText(1),
                            .time = FromMicros(row.ColumnInt(2)),
                            .lat_deg = row.ColumnDouble(3),
                            .lng_deg = row.ColumnDouble(4),
                            .alt_m = row.ColumnDouble(5),
                            .gs_mps = row.ColumnDouble(6),
                            .trk_deg = row.ColumnDouble(7),
                            .vs_mps = row.ColumnDouble(8)};
  });
}

}  // namespace deconflict::store
