// humanitarian/humanitarian.h: humanitarian notifications (design.md §2 "protected site" and
// "movement"; issue 11). A humanitarian party notifies the parties of a site or a movement
// (notification.h); each recipient gets a `humanitarian.notified` event, the server records when
// the notification first reached it (its socket or a fetch) and the recipient acknowledges
// receipt, optionally signing the documented statement with its registered key
// (parties/acknowledgement.h, kind humanitarian.site / humanitarian.movement, object
// "<id>/<version>", digest the version's). The notifier reads per recipient: delivered at,
// acknowledged at, signature valid. Notification is not permission: the record says notified,
// delivered, acknowledged, never "approved". Knows neither HTTP, SQL nor JSON:
// api/humanitarian_routes.cc speaks to it in the types below, store/humanitarian_table.h holds
// its rows.
//
//   humanitarian::Notifications notifications(store, event_log, clock);
//   RETURN_IF_ERROR(notifications.Load());
//   operations.AddProtectedVolumes(notifications);     // the key rule consults it
//   hotline.AddDeadlineSource(notifications);          // overdue and escalation, the hotline's
//   notifications.Put(PartyId("ICRC"), std::move(request), [](absl::StatusOr<PutResult> r) {...});
//
// Versions: every change and every removal request (Remove, its own act) is a new version with
// a new `ovn`; history is kept and readable. The newest version, unless it is a removal or its
// window has ended, is the place's live picture: what operations are checked against.
//
// Operations (strategic/protected_volumes.h): an operation whose volumes meet a live place (its
// footprint comes within the buffer or corridor during the window) filed by a recipient of the
// place is refused unless its key carries the place's current `ovn`; accepted, the meeting is
// recorded (ledger humanitarian.<kind>.conflict, a row, a `humanitarian.conflict` event to the
// notifier and guarantors with the filer, the operation's id and the overlap only). A
// non-recipient's operation is accepted and recorded the same way, so the gap in the recipient
// list shows.
//
// Deadlines: a version not acknowledged by every recipient by its deadline (default 24 h after
// it was filed for sites; 2 h for movements starting within 24 h, else 24 h) is overdue, judged
// by the hotline's deadline mechanism (hotline/deadline_source.h): `humanitarian.overdue` to the
// notifier and laggards, a ledger entry, the mark stored with the version (never raised twice,
// restarts included) and, when the version names an escalation channel, a server message posted
// there on the notifier's account (priority flash for movements, immediate for sites), which has
// a hotline deadline of its own.
//
// Who sees coordinates: only the notifier, the recipients of the newest version and guarantors
// read a place (Get, List); every read by a party other than the notifier is recorded, and so is
// every refused attempt on an existing place (NotFound to the caller, as for an unknown id). The
// notifier lists them (Reads).
//
// Thread-safety: thread-safe. Callbacks (`done`) run on the store's writer thread, or on the
// calling thread for a refusal made before any write.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/mutex.h"
#include "events/event_log.h"
#include "hotline/deadline_source.h"
#include "hotline/due_items.h"
#include "humanitarian/notification.h"
#include "store/humanitarian_table.h"
#include "store/store.h"
#include "strategic/protected_volumes.h"
#include "strategic/volume_index.h"

namespace deconflict::humanitarian {

struct NotificationOptions {
  NotificationLimits limits;  // Defaults: see NotificationLimits.
  // Acknowledgement deadlines. Defaults: 24 h for sites; for movements, 2 h when the movement
  // starts within `soon` (24 h) of the version, else 24 h.
  std::chrono::seconds site_deadline = std::chrono::hours(24);
  std::chrono::seconds movement_deadline = std::chrono::hours(2);
  std::chrono::seconds movement_later_deadline = std::chrono::hours(24);
  std::chrono::seconds soon = std::chrono::hours(24);
  // Writes waiting for the store above which puts are refused with Overloaded (HTTP 429).
  // Default: 20,000.
  size_t max_pending_writes = 20000;
};

// Who asks to read: guarantors read every place.
struct Viewer {
  PartyId party;
  bool guarantor = false;
};

struct PutResult {
  store::HumanitarianRecord record;
  bool created = false;  // false: the newest version already says this (a retry)
};

// A recipient's state for one version.
struct RecipientStatus {
  PartyId party;
  std::optional<Timestamp> delivered_at;
  std::optional<Timestamp> acknowledged_at;
  bool signature_valid = false;  // acknowledged with a signature the server verified
  std::string key_id;
  int64_t ack_ledger_index = -1;
};

// A place as a reader may see it.
struct PlaceView {
  store::HumanitarianRecord current;               // the newest version
  std::vector<store::HumanitarianRecord> history;  // every version, oldest first
  // The notifier and guarantors: every recipient of the newest version; a recipient: itself.
  std::vector<RecipientStatus> recipients;
  bool live = false;  // in the live picture (not removed, window not ended)
};

struct AckSignature {
  std::string signature;  // 64 raw bytes
  std::string key_id;     // empty: any active key of the party
  Timestamp signed_at;    // the statement's time (whole seconds)
};

struct AckRequest {
  Kind kind = Kind::kSite;
  std::string id;
  std::optional<int64_t> version;  // nullopt: the newest
  std::optional<AckSignature> signature;
};

struct AckResult {
  store::HumanitarianReceiptRecord ack;
  bool created = false;  // false: the party had acknowledged this version before
};

class Notifications final : public strategic::ProtectedVolumes, public hotline::DeadlineSource {
 public:
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // `events` and `clock` must outlive it; `store` must be stopped before it is destroyed.
  Notifications(store::Store& store, const events::EventLog& events, const Clock& clock,
                NotificationOptions options = {});
  Notifications(const Notifications&) = delete;
  Notifications& operator=(const Notifications&) = delete;

  // Reads the newest version of every place and its receipts. Call once, before any other call
  // (and again after a failed commit: the completions do). DataLoss naming the row when a stored
  // shape no longer builds; the store's errors.
  [[nodiscard]] absl::Status Load() ABSL_LOCKS_EXCLUDED(mu_);

  // PUT /v1/sites/{id}, PUT /v1/movements/{id} by `caller` (its role is the API's check).
  // Errors:
  //   InvalidArgument / LimitExceeded  ValidateNotification's; "recipients[i]" (not a party, a
  //                    revoked one, or the caller); "escalation_channel" (no such hotline
  //                    channel, or the caller is not a member)
  //   PermissionDenied "id"  another party notified this place
  //   ResourceExhausted (Overloaded)
  // The same content as the newest (not removed) version answers it (created = false).
  void Put(const PartyId& caller, NotificationRequest request, Done<PutResult> done);

  // DELETE /v1/sites/{id} (and movements): the removal request, a new version that takes the
  // place out of the live picture; told to the recipients, who acknowledge it as any version.
  // NotFound "id" (none, or the caller is not its notifier and may not see it), PermissionDenied
  // "id" (a recipient or guarantor: only the notifier removes). A second removal answers the
  // first (created = false).
  void Remove(const PartyId& caller, Kind kind, const std::string& id, Done<PutResult> done);

  // GET /v1/sites/{id}: the place for `viewer`, after its read is recorded (and, for a
  // recipient, the delivery of the newest version). NotFound "id" when there is no such place or
  // the viewer may not read it (that attempt is recorded first).
  void Get(const Viewer& viewer, Kind kind, const std::string& id, Done<PlaceView> done);

  // GET /v1/sites.geojson: the live places of `kind` the viewer may read, by id, after their
  // reads (and deliveries) are recorded.
  void List(const Viewer& viewer, Kind kind, Done<std::vector<store::HumanitarianRecord>> done);

  // GET /v1/sites/{id}/reads: reads and refused attempts, oldest first. Only the notifier:
  // NotFound "id" for anyone else (as Get).
  [[nodiscard]] absl::StatusOr<std::vector<store::HumanitarianReadRecord>> Reads(
      const PartyId& caller, Kind kind, const std::string& id) const;

  // POST /v1/sites/{id}/ack: the caller's acknowledgement of a version (default the newest),
  // durable, in the ledger, told to the notifier (humanitarian.acknowledged); it also records the
  // delivery if none was. Errors: NotFound "id" (no such place, or the caller is no recipient of
  // it); NotFound "version"; PermissionDenied "id" (the notifier itself); the errors of
  // parties::VerifyAcknowledgement ("signature", "key_id", "time"). A second acknowledgement
  // answers the first (created = false).
  void Acknowledge(const PartyId& caller, AckRequest request, Done<AckResult> done);

  // The delivery hook: `recipient` has been handed `version` of the place (its socket wrote the
  // humanitarian.notified event, or a page returned it). First time only: the delivery, its
  // ledger entry and humanitarian.delivered to the notifier. Cheap when known; never blocks.
  void Delivered(const PartyId& recipient, Kind kind, const std::string& id, int64_t version)
      ABSL_LOCKS_EXCLUDED(mu_);

  // GET /v1/sites/conflicts: the operations that met `notifier`'s places (committed).
  [[nodiscard]] absl::StatusOr<std::vector<store::HumanitarianConflictRecord>> Conflicts(
      const PartyId& notifier) const;

  // strategic::ProtectedVolumes (checks.cc).
  std::vector<strategic::ProtectedHit> Meet(
      const PartyId& filer, std::span<const std::shared_ptr<const geo::Volume4D>> volumes,
      Timestamp now) const override ABSL_LOCKS_EXCLUDED(mu_);
  [[nodiscard]] absl::Status Record(store::Txn& txn, const PartyId& filer,
                                    const OperationId& operation,
                                    const std::vector<strategic::ProtectedHit>& hits,
                                    Timestamp now) const override ABSL_LOCKS_EXCLUDED(mu_);

  // hotline::DeadlineSource (deadlines.cc).
  std::vector<std::string> ClaimDue(Timestamp now) override ABSL_LOCKS_EXCLUDED(mu_);
  [[nodiscard]] absl::Status Judge(store::Txn& txn, const std::string& key, Timestamp now,
                                   const hotline::Escalate& escalate) override;
  void Judged(const std::vector<std::string>& keys, const absl::Status& committed) override
      ABSL_LOCKS_EXCLUDED(mu_);

  // The versions in force at `at` whose footprint (grown by its buffer or corridor) comes within
  // `radius_m` of `point`, by (kind, id): of each place, the newest version filed at or before
  // `at`, unless it is a removal, when its window holds `at`. Every version since Load counts,
  // superseded and expired ones included: what the record showed at that instant (monitoring's
  // automatic cases). One index query: cheap when no place is near. On the writer thread it
  // sees the versions of the units already run.
  std::vector<store::HumanitarianRecord> InForceAt(geo::LatLng point, double radius_m,
                                                   Timestamp at) const ABSL_LOCKS_EXCLUDED(mu_);

  // Live places (tests, stats) and versions awaiting their deadline.
  size_t live_places() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t pending_deadlines() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // The newest committed (or, on the writer thread, just written) version of a place.
  struct Entry {
    store::HumanitarianRecord record;
    std::shared_ptr<const ProtectedPlace> place;  // null unless live
    uint64_t handle = 0;                          // in index_, 0 when not indexed
    std::set<std::string> delivered, acked;       // of record.version
    std::set<std::string> delivering;             // a delivery unit is under way
  };

  static std::string KeyOf(std::string_view kind, std::string_view id);
  // May `viewer` read `record`'s place?
  static bool MayRead(const Viewer& viewer, const store::HumanitarianRecord& record);
  // Applies a version written in this unit to memory (end of the unit, writer thread).
  [[nodiscard]] absl::Status Apply(const store::HumanitarianRecord& record)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Indexes the place of `node` (an element of places_, whose address is stable).
  void Index(std::pair<const std::string, Entry>& node) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Unindex(Entry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stores `record` (a new version) with its ledger entry and humanitarian.notified events.
  [[nodiscard]] absl::Status Persist(store::Txn& txn, store::HumanitarianRecord& record) const;
  // A completion after a unit that changed memory: reload if its commit failed.
  void AfterCommit(const absl::Status& committed, bool changed_memory);
  // Records the first delivery of `record` to `recipient` in `txn`; false when known.
  [[nodiscard]] absl::StatusOr<bool> RecordDelivery(store::Txn& txn,
                                                    const store::HumanitarianRecord& record,
                                                    const std::string& recipient) const;
  // When a version filed at `now` of a place of `kind` starting at `start` is due.
  Timestamp DeadlineOf(Kind kind, Timestamp start, Timestamp now) const;

  // A version's span in force (in_force.cc): [from, to) is its window cut to the time from its
  // filing to the next version's.
  struct Span {
    store::HumanitarianRecord record;
    std::shared_ptr<const ProtectedPlace> place;
    Timestamp from, to;
  };
  // Records `record` in the history (a new version ends the previous one's span; the same
  // version again changes nothing). `place` is null for a removal.
  void Remember(const store::HumanitarianRecord& record,
                std::shared_ptr<const ProtectedPlace> place) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void IndexSpan(uint64_t handle) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  store::Store& store_;
  const events::EventLog& events_;
  const Clock& clock_;
  const NotificationOptions options_;

  mutable Mutex mu_;
  std::map<std::string, Entry> places_ ABSL_GUARDED_BY(mu_);  // by KeyOf(kind, id)
  // The live places' bounds (ProtectedPlace::bound, all altitudes, their windows).
  std::unique_ptr<strategic::VolumeIndex> index_ ABSL_GUARDED_BY(mu_);
  // Handle -> element of places_ (std::map nodes do not move; places_ only grows, and Load
  // clears both): a check's candidates cost no string lookups.
  absl::flat_hash_map<uint64_t, const std::pair<const std::string, Entry>*> key_of_handle_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_handle_ ABSL_GUARDED_BY(mu_) = 1;
  // Versions not yet judged, by key (hotline/due_items.h: a tick reads only the due ones).
  hotline::DueItems due_ ABSL_GUARDED_BY(mu_);
  // The history (InForceAt): every version's span by handle, the newest version of each place
  // (its span's handle, 0 for a removal), and the spans' bounds.
  absl::flat_hash_map<uint64_t, Span> spans_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::pair<int64_t, uint64_t>> newest_span_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<strategic::VolumeIndex> history_ ABSL_GUARDED_BY(mu_);
  uint64_t next_span_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace deconflict::humanitarian
