// store/encounters_table.h: the SQL of the live picture (schema version 9): encounters, their
// acknowledgements and the downsampled track history, so that no module outside store/ writes
// SQL for them (design.md §3).
//
//   RETURN_IF_ERROR(PutEncounter(txn, record));                          // in a unit of work
//   ASSIGN_OR_RETURN(auto page, ListEncounters(db, {.party = "RU", .state = kOpen}));
//
// An encounter row is written when the encounter opens and rewritten when it closes; each
// version is recorded by a ledger entry (encounter.open, encounter.close) whose content digest
// is EncounterRecordDigest of the row (record_digest.h). The `opening` and `closing` columns
// are the alerts as the events module encodes them (events/event.h EncodeAlert): this file does
// not look inside them.
//
// Thread-safety: the functions are as safe as the Database or Txn they are given (not
// thread-safe: the caller holds the connection).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace deconflict::store {

struct EncounterRecord {
  int64_t id = 0;  // unique across restarts (the tracker starts past MaxEncounterId)
  // The pair, ordered by (party, track).
  std::string party_a, track_a, party_b, track_b;
  Timestamp opened_at;
  std::string opening;                 // the alert as opened (opaque here)
  std::vector<std::string> alerted;    // who was told of the opening: the pair, the guarantors
  std::optional<Timestamp> closed_at;  // nullopt while open
  std::string close_reason;            // "clear", "track_lost", "restart"; empty while open
  std::string closing;                 // the last alert before closing (opaque); empty while open
  int64_t ledger_index = -1;           // the entry recording this version
};

struct EncounterAckRecord {
  int64_t encounter = 0;
  std::string party;
  Timestamp at;
  std::string key_id;     // empty for an unsigned acknowledgement
  std::string signature;  // 64 raw bytes, empty when unsigned
  std::string statement;  // the signed statement's bytes (parties/acknowledgement.h), or empty
  int64_t ledger_index = -1;
};

// One downsampled position of a track (tactical/track.h units).
struct TrackPointRecord {
  std::string party, track;
  Timestamp time;
  double lat_deg = 0, lng_deg = 0, alt_m = 0, gs_mps = 0, trk_deg = 0, vs_mps = 0;
};

// The DDL of migration 9 (also adds events.detail).
extern const char kLiveSchema[];

// Inserts or replaces the row with record.id.
[[nodiscard]] absl::Status PutEncounter(Txn& txn, const EncounterRecord& record);
// The row with this id, or nullopt.
[[nodiscard]] absl::StatusOr<std::optional<EncounterRecord>> ReadEncounter(Database& db,
                                                                           int64_t id);
// The largest encounter id stored, 0 when none.
[[nodiscard]] absl::StatusOr<int64_t> MaxEncounterId(Database& db);

enum class EncounterState { kOpen, kClosed, kAll };
struct EncounterFilter {
  std::string party;  // only encounters involving this party; empty: every encounter
  EncounterState state = EncounterState::kAll;
  int64_t after_id = 0;  // rows with id > after_id
  int64_t limit = 100;
};
// Rows matching `filter`, by increasing id.
[[nodiscard]] absl::StatusOr<std::vector<EncounterRecord>> ListEncounters(
    Database& db, const EncounterFilter& filter);

// AlreadyExists when (encounter, party) is already acknowledged.
[[nodiscard]] absl::Status InsertEncounterAck(Txn& txn, const EncounterAckRecord& ack);
// The acknowledgements of `encounter`, by party.
[[nodiscard]] absl::StatusOr<std::vector<EncounterAckRecord>> ReadEncounterAcks(Database& db,
                                                                                int64_t encounter);

// The ids of the parties with `role` that are not revoked, in id order, as `db` sees them.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ActivePartiesWithRole(
    Database& db, const std::string& role);

// Inserts points (a point already stored for the same party, track and time is kept).
[[nodiscard]] absl::Status InsertTrackPoints(Txn& txn, std::span<const TrackPointRecord> points);
// Deletes the points older than `before`; returns how many.
[[nodiscard]] absl::StatusOr<int64_t> PruneTrackHistory(Txn& txn, Timestamp before);

struct TrackHistoryQuery {
  // Whose view: own points always; `everything` (guarantors) sees all; otherwise another
  // party's point only while an encounter between it and one of the viewer's tracks was open
  // (from its opening to its closing, or to `now` while open).
  std::string viewer;
  bool everything = false;
  double lat_min = -90, lat_max = 90, lng_min = -180, lng_max = 180;  // lng_min <= lng_max
  Timestamp from, to;                                                 // closed interval
  Timestamp now;
  // Resume after this point (time, party, track) of an earlier page; nullopt: from the start.
  std::optional<std::tuple<Timestamp, std::string, std::string>> after;
  int64_t limit = 1000;
};
// Points matching `query`, ordered by (time, party, track).
[[nodiscard]] absl::StatusOr<std::vector<TrackPointRecord>> QueryTrackHistory(
    Database& db, const TrackHistoryQuery& query);

}  // namespace deconflict::store
