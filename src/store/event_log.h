// store/event_log.h: the SQL of the event stream (the `events` table, schema versions 3, 9 and
// 15).
//
// One row per recipient: an event that two parties may see is stored twice, each copy with the
// recipient's own sequence number (1, 2, 3, ... per party, no gap); a long detail (a hotline
// message's text) is stored once, the other copies referring to it. `id` is global and grows in
// commit order (SQLite serialises writers, and a row's id is taken under the write lock), so a
// reader that remembers the largest id it has seen finds every later commit, from this process or
// another, with `id > cursor`.
//
// The typed event lives in events/ (events/event.h); this file only knows columns. Fields that a
// type does not use are empty / nullopt.
//
//   ASSIGN_OR_RETURN(int64_t seq, AppendEventRow(txn, row));        // inside a unit of work
//   store.WithReader([&](Database& db) { return ReadPartyEvents(db, "RU", 41, 100); });
//
// Thread-safety: the functions are as safe as the Database or Txn they are given (not
// thread-safe: the caller holds the connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace deconflict::store {

struct EventOverlapColumns {
  double lat_min = 0, lng_min = 0, lat_max = 0, lng_max = 0;  // degrees
  double altitude_lower_m = 0, altitude_upper_m = 0;          // metres, WGS84 ellipsoid
  Timestamp time_start, time_end;
};

struct EventRow {
  int64_t id = 0;         // global, assigned by AppendEventRow
  std::string recipient;  // party id
  int64_t seq = 0;        // per recipient, assigned by AppendEventRow
  std::string type;       // "operation.conflict", ...
  Timestamp time;
  std::string subject;         // the operation or party the event is about
  std::string subject_party;   // the party owning `subject` (operations)
  std::string ovn;             // the subject operation's OVN
  std::string your_operation;  // the recipient's operation concerned (operation.conflict)
  std::optional<EventOverlapColumns> overlap;
  // The other fields of types that need more (encounter.*), as events/event.cc encodes them;
  // empty for the others. Column `detail`, added by schema version 9.
  std::string detail;
  // On append only: > 0 when the row with this id (same unit of work) holds the same detail,
  // which is then stored once: the row keeps a reference (column `detail_of`, schema version
  // 15) and reads back with the detail. Reads leave it 0.
  int64_t detail_of = 0;
};

// The DDL of migrations 3 and 15.
extern const char kEventLogSchema[];
extern const char kEventDetailOfSchema[];

// Inserts `row` for row.recipient with the next sequence number of that party; returns the
// sequence number (and sets row.id, row.seq). Errors: Internal from SQLite.
[[nodiscard]] absl::StatusOr<int64_t> AppendEventRow(Txn& txn, EventRow& row);

// The ids of every party (revoked ones included), in id order, as seen by this transaction.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> AllPartyIds(Txn& txn);

// Up to `limit` rows with id > after_id, in id order.
[[nodiscard]] absl::StatusOr<std::vector<EventRow>> ReadEventsAfterId(Database& db,
                                                                      int64_t after_id,
                                                                      int64_t limit);
// Up to `limit` rows of `party` with seq > after_seq, in seq order.
[[nodiscard]] absl::StatusOr<std::vector<EventRow>> ReadPartyEvents(Database& db,
                                                                    const std::string& party,
                                                                    int64_t after_seq,
                                                                    int64_t limit);
// The largest id stored (0 when none).
[[nodiscard]] absl::StatusOr<int64_t> MaxEventId(Database& db);

}  // namespace deconflict::store
