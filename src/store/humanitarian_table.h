// store/humanitarian_table.h: the SQL of humanitarian notifications (schema version 11): every
// version of every site and movement, their deliveries and acknowledgements, the reads of their
// coordinates (and refused attempts) and the operations that met them, so that no module outside
// store/ writes SQL for them (design.md §3). The rules are in humanitarian/humanitarian.h.
//
//   RETURN_IF_ERROR(InsertHumanitarianVersion(txn, record));            // in a unit of work
//   ASSIGN_OR_RETURN(auto versions, ReadHumanitarianVersions(db, "site", "al-shifa"));
//
// Tables:
//   humanitarian_versions   one row per version, (kind, id, version) unique; a change and a
//                           removal request are new versions (change = "changed" / "removed"),
//                           never an update of an old one, except for the deadline marks:
//                           overdue_at (set once, so a restart never raises it twice) and
//                           settled_at (once every recipient acknowledged).
//   humanitarian_receipts   (kind, id, version, party, type): the first delivery ("deliver") and
//                           the acknowledgement ("ack", signed or not) of a version by a recipient.
//   humanitarian_reads      each read of a place by a party other than its notifier, and each
//                           refused attempt (refused = 1), in order.
//   humanitarian_conflicts  each accepted operation version that met a place.
//
// Ledger actions (docs/humanitarian_format.md); object ids are "<id>/<version>":
//   humanitarian.<kind>.notify | .change | .remove   party: notifier; HumanitarianVersionDigest
//   humanitarian.<kind>.deliver   party: recipient; HumanitarianReceiptDigest
//   humanitarian.<kind>.ack       party: recipient; signed: parties::AckRecordDigest, unsigned:
//                                 HumanitarianReceiptDigest
//   humanitarian.<kind>.overdue   party: notifier; HumanitarianOverdueDigest
//   humanitarian.<kind>.conflict  party: the operation's filer; HumanitarianConflictDigest
//
// Thread-safety: the functions are as safe as the Database or Txn they are given (not
// thread-safe: the caller holds the connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace deconflict::store {

// One version of a site (kind "site") or movement (kind "movement").
struct HumanitarianRecord {
  std::string kind;
  std::string id;
  int64_t version = 0;  // 1, 2, ... per (kind, id)
  std::string ovn;      // the version's token, lower-case UUID (a recipient's key carries it)
  std::string notifier;
  std::string change;    // "notified" (version 1 or after a removal), "changed", "removed"
  std::string category;  // site: hospital, clinic, ...; movement: ""
  std::string name;      // site: its name; movement: its label (may be empty)
  std::string geometry;  // "point", "polygon" (sites) or "linestring" (movements)
  std::vector<std::pair<double, double>> coordinates;  // (lat, lng) degrees, in order
  double buffer_m = 0;                                 // site buffer or movement corridor
  Timestamp time_start, time_end;       // site validity or movement window, [start, end)
  std::vector<std::string> recipients;  // party ids, sorted, distinct
  std::string notes;
  int64_t vehicles = -1;  // movements: -1 when not given
  std::string markings;
  std::string escalation_channel;  // hotline channel for overdue escalations, or empty
  Timestamp created_at;
  Timestamp deadline_at;  // acknowledgement due
  std::string digest;     // HumanitarianVersionDigest (32 raw bytes)
  int64_t ledger_index = -1;
  std::optional<Timestamp> overdue_at;
  int64_t overdue_ledger_index = -1;
  std::string escalated_to;  // "<channel>/<seq>" or empty
  std::optional<Timestamp> settled_at;
  bool operator==(const HumanitarianRecord&) const = default;
};

struct HumanitarianReceiptRecord {
  std::string kind, id;
  int64_t version = 0;
  std::string party;
  std::string type;  // "deliver" or "ack"
  Timestamp at;
  std::string key_id;     // signed acks only
  std::string signature;  // 64 raw bytes, signed acks only
  std::string statement;  // the signed statement's bytes, signed acks only
  int64_t ledger_index = -1;
};

struct HumanitarianReadRecord {
  std::string kind, id;
  int64_t version = 0;  // the version read (the newest at the time)
  std::string party;
  Timestamp at;
  bool refused = false;  // an attempt by a party that may not read it
};

struct HumanitarianConflictRecord {
  std::string kind, id;
  int64_t version = 0;
  std::string notifier;
  std::string operation;
  std::string party;  // the operation's filer
  bool filer_is_recipient = false;
  double lat_min = 0, lng_min = 0, lat_max = 0, lng_max = 0;
  double altitude_lower_m = 0, altitude_upper_m = 0;
  Timestamp time_start, time_end;
  Timestamp at;
  int64_t ledger_index = -1;
};

extern const char kHumanitarianSchema[];  // migration 11

// "<id>/<version>": the object id of ledger entries and acknowledgement statements.
std::string HumanitarianObjectId(std::string_view id, int64_t version);
// "humanitarian.<kind>.<what>".
std::string HumanitarianAction(std::string_view kind, std::string_view what);

// SHA-256 of the canonical version (docs/humanitarian_format.md): every field a recipient reads,
// length-prefixed; what an acknowledgement signs.
std::string HumanitarianVersionDigest(const HumanitarianRecord& r);
std::string HumanitarianReceiptDigest(const HumanitarianReceiptRecord& r);
std::string HumanitarianOverdueDigest(std::string_view object_id,
                                      const std::vector<std::string>& laggards, Timestamp at);
std::string HumanitarianConflictDigest(const HumanitarianConflictRecord& c);

// ---- versions ----
[[nodiscard]] absl::Status InsertHumanitarianVersion(Txn& txn, const HumanitarianRecord& r);
// Updates only the deadline marks (overdue_*, escalated_to, settled_at) of the version.
[[nodiscard]] absl::Status UpdateHumanitarianState(Txn& txn, const HumanitarianRecord& r);
// Every version, oldest first (empty: no such place).
[[nodiscard]] absl::StatusOr<std::vector<HumanitarianRecord>> ReadHumanitarianVersions(
    Database& db, std::string_view kind, std::string_view id);
[[nodiscard]] absl::StatusOr<std::optional<HumanitarianRecord>> ReadLatestHumanitarian(
    Database& db, std::string_view kind, std::string_view id);
// The newest version of every place, by (kind, id).
[[nodiscard]] absl::StatusOr<std::vector<HumanitarianRecord>> ListLatestHumanitarian(Database& db);
// Every version of every place, by (kind, id, version).
[[nodiscard]] absl::StatusOr<std::vector<HumanitarianRecord>> ListHumanitarianVersions(
    Database& db);

// ---- receipts ----
// false when the (kind, id, version, party, type) row exists (nothing written).
[[nodiscard]] absl::StatusOr<bool> InsertHumanitarianReceipt(Txn& txn,
                                                             const HumanitarianReceiptRecord& r);
[[nodiscard]] absl::StatusOr<std::vector<HumanitarianReceiptRecord>> ReadHumanitarianReceipts(
    Database& db, std::string_view kind, std::string_view id, int64_t version);

// ---- reads ----
[[nodiscard]] absl::Status InsertHumanitarianRead(Txn& txn, const HumanitarianReadRecord& r);
// In the order they happened.
[[nodiscard]] absl::StatusOr<std::vector<HumanitarianReadRecord>> ListHumanitarianReads(
    Database& db, std::string_view kind, std::string_view id);

// ---- conflicts ----
[[nodiscard]] absl::Status InsertHumanitarianConflict(Txn& txn,
                                                      const HumanitarianConflictRecord& c);
// Those of `notifier`'s places, by kind, id, then time.
[[nodiscard]] absl::StatusOr<std::vector<HumanitarianConflictRecord>> ListHumanitarianConflicts(
    Database& db, std::string_view notifier);

}  // namespace deconflict::store
