// live/picture.h: the live picture. Parties stream their aircraft's tracks; a cycle thread runs
// the tactical engine over them, turns its predictions into encounters, stores and logs them,
// and tells both parties (and the guarantors) at once; each party acknowledges. Knows neither
// HTTP, SQL nor JSON: api/live_routes.cc speaks to it in the types below, store/encounters_table.h
// holds its rows.
//
//   live::LivePicture picture(store, event_log, clock, {.cycle = std::chrono::seconds(1)});
//   RETURN_IF_ERROR(picture.Load());     // closes encounters an earlier run left open
//   RETURN_IF_ERROR(picture.Start());    // the cycle thread
//   picture.Ingest([&](live::Intake& in) { ... in.Newest(party, id) ... in.Apply(report) ... });
//   picture.Acknowledge({.party = PartyId("SOUTH")}, {.encounter = 7}, [](auto result) {...});
//
// One cycle (every `cycle`, on the picture's own thread):
//   1. drop tracks older than track_max_age; copy the table (the intake waits only for the copy);
//   2. tactical::Detector over the copy (every pair of different parties), then
//      tactical::EncounterTracker (hysteresis, ids unique across restarts);
//   3. one unit of work for the store's writer holding, for this cycle: each opened encounter
//      (row, ledger entry encounter.open, event encounter.opened to both parties and every
//      guarantor), each update whose t_in or tcpa moved by more than update_time_threshold
//      (beyond the passage of time) or whose dcpa moved by more than update_dcpa_threshold
//      (event encounter.updated; no row, no ledger entry), each closed encounter (row rewritten,
//      ledger entry encounter.close, event encounter.closed), each party past its acknowledgement
//      deadline (event encounter.unacknowledged, once per party and encounter), and the track
//      history points sampled since the last cycle (and, once a minute, the pruning of points
//      older than history_window);
//   4. once that unit is durable, readers see the cycle's encounters and the hub pushes the
//      events (design.md §3: nothing is told before it is stored). A unit whose commit failed is
//      written again, first, with the next cycle's.
//
// Disclosure (design.md §5): a party sees its own tracks whole (with callsign); of another
// party's aircraft only the state (no callsign) of those in an open encounter with one of its
// own, while the encounter is open (a committed one), and, to a host, those inside its agreed
// territory (Viewer::territory). Guarantors see everything. Encounters are
// shown to their two parties and to guarantors; history follows the same rule over time
// (store::TrackHistoryQuery).
//
// Ledger: encounter.open and encounter.close entries have party = the pair's first party, the
// other as reader (ledger/commitment.h), content digest = store::EncounterRecordDigest of the row
// as written (the alert, when, and who was alerted: the pair and the guarantors of the moment);
// encounter.ack entries are the acknowledging party's (parties/acknowledgement.h for a signed one;
// otherwise SHA-256 of "deconflict/encounter-ack/v1\n<id>\n<party>\n<time us>").
//
// Thread-safety: thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/mutex.h"
#include "events/event.h"
#include "events/event_log.h"
#include "feeds/track_report.h"
#include "geo/volume.h"
#include "store/encounters_table.h"
#include "store/store.h"
#include "tactical/detector.h"
#include "tactical/encounter_tracker.h"
#include "tactical/track_table.h"

namespace deconflict::live {

struct LivePictureOptions {
  // Time between two cycles. Default: 1 s. REQUIRES: 10 ms .. 60 s.
  std::chrono::milliseconds cycle = std::chrono::seconds(1);
  // A track whose newest report is older than this leaves the picture. Default: 30 s.
  std::chrono::duration<double> track_max_age = std::chrono::seconds(30);
  // A party of an encounter that has not acknowledged it this long after it opened is reported
  // (encounter.unacknowledged). Default: 30 s.
  std::chrono::duration<double> ack_deadline = std::chrono::seconds(30);
  // The engine: lookahead (default 300 s), separation minima (default 5 NM, 1000 ft), threads.
  tactical::DetectorOptions detector;
  // Clear cycles before an encounter closes (tactical/encounter_tracker.h). Default: 3.
  int close_after_clear_cycles = 3;
  // encounter.updated is sent when t_in or tcpa moved by more than this since the last alert,
  // once the time elapsed is taken off. Default: 20 s.
  double update_time_threshold_s = 20;
  // ... or when dcpa moved by more than this. Default: 1 NM (1,852 m): a duty officer hears of a
  // change worth acting on, not of every turn.
  double update_dcpa_threshold_m = 1852;
  // One history point per track per this interval. Default: 10 s.
  std::chrono::duration<double> history_interval = std::chrono::seconds(10);
  // History older than this is pruned. Default: 24 h.
  std::chrono::duration<double> history_window = std::chrono::hours(24);
  // At most this many tracks in the picture; a report of a new track beyond it is refused
  // (LimitExceeded), so that no feeder can grow memory without bound. Default: 200,000.
  size_t max_tracks = 200'000;
};

// OK or InvalidArgument naming the option.
[[nodiscard]] absl::Status ValidateLivePictureOptions(const LivePictureOptions& options);

// Who is looking.
struct Viewer {
  PartyId party;
  bool sees_everything = false;  // guarantors
  // A host's agreed territory (agreements/agreements.h TerritoryOf; issue 12): Tracks also
  // shows other parties' aircraft inside it (geo::Contains at the report's time), as state
  // without callsign. Encounters and history are unchanged by it.
  std::vector<std::shared_ptr<const geo::Volume4D>> territory;
};

// A track as the viewer may see it: `report.callsign` is empty unless the viewer owns the track
// or sees everything.
struct VisibleTrack {
  feeds::TrackReport report;
  bool own = false;
  bool in_territory = false;  // shown only because it is inside the viewer's territory
};

// An encounter as its parties and guarantors see it.
struct EncounterView {
  store::EncounterRecord record;
  events::EncounterAlert latest;  // the newest prediction (open) or the last one (closed)
  std::vector<store::EncounterAckRecord> acks;
  // What an acknowledgement signs as the object digest (parties/acknowledgement.h, kind
  // "encounter", object id the decimal id): EncounterRecordDigest of the row as opened, 32 bytes.
  std::string object_digest;
};

// A signature for an acknowledgement (parties/acknowledgement.h, kind "encounter").
struct AckSignature {
  std::string signature;  // 64 raw bytes
  std::string key_id;     // empty: any active key of the party
  Timestamp signed_at;    // the statement's time (whole seconds)
};

struct AckRequest {
  int64_t encounter = 0;
  std::optional<AckSignature> signature;
};

struct AckResult {
  store::EncounterAckRecord ack;
  bool created = false;  // false: the party had already acknowledged (the first is returned)
};

struct LiveStats {
  int64_t cycles = 0;
  size_t tracks = 0;
  size_t open_encounters = 0;
  int64_t reports_applied = 0;
  int64_t feed_reports_refused = 0;  // by Offer
  int64_t commit_failures = 0;
  // Cycle durations (steps 1-3, not the commit) over the last 1,000 cycles, in microseconds.
  int64_t cycle_p50_us = 0, cycle_p99_us = 0, cycle_max_us = 0, last_cycle_us = 0;
};

// The intake's view of the track table while Ingest holds it.
class Intake {
 public:
  // The time of the newest report held for (party, id), or nullopt.
  virtual std::optional<Timestamp> Newest(const PartyId& party, const TrackId& id) const = 0;
  // Puts a report (validated by the caller: feeds::ValidateTrackReport) into the picture.
  // LimitExceeded("id") when it is a new track and the picture holds max_tracks.
  [[nodiscard]] virtual absl::Status Apply(feeds::TrackReport report) = 0;

 protected:
  ~Intake() = default;
};

class LivePicture {
 public:
  // `store`, `events` and `clock` must outlive the picture.
  LivePicture(store::Store& store, const events::EventLog& events, const Clock& clock,
              LivePictureOptions options = {});
  LivePicture(const LivePicture&) = delete;
  LivePicture& operator=(const LivePicture&) = delete;
  ~LivePicture();  // Stop()

  // Closes the encounters an earlier run left open (reason "restart": their tracks are gone),
  // and starts ids past the largest stored. Call once, before Start. The store's errors.
  [[nodiscard]] absl::Status Load();
  // Starts the cycle thread. InvalidArgument for bad options.
  [[nodiscard]] absl::Status Start();
  // Stops the cycle thread (idempotent); writes already submitted still commit.
  void Stop();

  // Runs `fn` with the track table held (reports of one batch are judged in order, against the
  // reports before them). `fn` must not block.
  void Ingest(const std::function<void(Intake&)>& fn);

  // One report from a feed the server itself reads (feeds/sbs_client.h): validated
  // (feeds::ValidateTrackReport against the newest report held for the track) and applied. The
  // validation's error, or LimitExceeded when the picture is full; counted in stats().
  [[nodiscard]] absl::Status Offer(feeds::TrackReport report);

  // Runs one cycle now, on the calling thread, and waits until its writes are durable (tests;
  // the cycle thread must not be running). The store's error if the write failed.
  [[nodiscard]] absl::Status RunCycle();

  // The tracks `viewer` may see, ordered by (party, id).
  std::vector<VisibleTrack> Tracks(const Viewer& viewer) const;

  // Encounters `viewer` may see (its own, or every one for guarantors) matching `filter`
  // (filter.party is set from the viewer). Open ones carry the newest prediction.
  [[nodiscard]] absl::StatusOr<std::vector<EncounterView>> Encounters(
      const Viewer& viewer, store::EncounterFilter filter);
  // One encounter. NotFound when there is none or the viewer may not see it.
  [[nodiscard]] absl::StatusOr<EncounterView> Encounter(const Viewer& viewer, int64_t id);

  // Records `viewer`'s acknowledgement of an encounter it is a party of, durably, in the ledger,
  // and tells the other party and the guarantors (encounter.acknowledged); `done` is called once,
  // after the commit (on the store's writer thread) or at once on a refusal:
  //   NotFound            "encounter": no such encounter, or not one the viewer may see
  //   PermissionDenied    "encounter": the viewer is not one of its two parties (a guarantor)
  //   the errors of parties::VerifyAcknowledgement for a bad signature (field "signature", ...)
  //   Unavailable         the store could not write
  // A second acknowledgement by the same party answers the first (created = false).
  void Acknowledge(const Viewer& viewer, AckRequest request,
                   std::function<void(absl::StatusOr<AckResult>)> done);

  // History points `query.viewer` may see (query.viewer/everything/now are set from `viewer`).
  [[nodiscard]] absl::StatusOr<std::vector<store::TrackPointRecord>> History(
      const Viewer& viewer, store::TrackHistoryQuery query);

  LiveStats stats() const;
  const LivePictureOptions& options() const { return options_; }

 private:
  class TableIntake;
  struct Extra {  // per held track, beside the table
    std::string callsign;
    std::optional<Timestamp> last_history;
  };
  // An encounter readers may see (committed).
  struct Published {
    events::EncounterAlert latest;
    std::set<std::string> acked;  // parties that acknowledged
  };
  // What one cycle writes.
  struct CycleWrite {
    std::vector<store::EncounterRecord> rows;                              // opened or closed
    std::vector<std::pair<std::vector<PartyId>, events::Payload>> events;  // recipients: pair
    std::vector<store::TrackPointRecord> points;
    std::optional<Timestamp> prune_before;
    // Applied to what readers see once durable.
    std::vector<events::EncounterAlert> opened_or_updated;
    std::vector<int64_t> closed;
    bool empty() const { return rows.empty() && events.empty() && points.empty() && !prune_before; }
  };

  void CycleLoop();
  // Steps 1-3; returns the unit to write (run by the cycle thread or RunCycle).
  CycleWrite Cycle(Timestamp now);
  // Submits `write` (after any earlier failed ones); `done` after the commit.
  void Submit(CycleWrite write, std::function<void(absl::Status)> done);
  void Publish(const CycleWrite& write);
  // Lets each party of `alert` see the other's aircraft (add) or no longer (remove).
  void Show(const events::EncounterAlert& alert, bool add) ABSL_EXCLUSIVE_LOCKS_REQUIRED(view_mu_);
  static events::EncounterPrediction PredictionOf(const tactical::EncounterEvent& event);
  events::EncounterAlert AlertOf(const tactical::EncounterEvent& event,
                                 std::span<const tactical::Track> snapshot) const;
  bool Visible(const Viewer& viewer, const store::EncounterRecord& record) const;
  [[nodiscard]] absl::StatusOr<EncounterView> ViewOf(store::Database& db,
                                                     store::EncounterRecord record) const;

  store::Store& store_;
  const events::EventLog& events_;
  const Clock& clock_;
  const LivePictureOptions options_;

  // The intake's state.
  mutable Mutex table_mu_;
  tactical::TrackTable table_ ABSL_GUARDED_BY(table_mu_);
  absl::flat_hash_map<std::pair<std::string, std::string>, Extra> extra_ ABSL_GUARDED_BY(table_mu_);
  std::vector<store::TrackPointRecord> sampled_ ABSL_GUARDED_BY(table_mu_);
  int64_t reports_applied_ ABSL_GUARDED_BY(table_mu_) = 0;
  int64_t feed_reports_refused_ ABSL_GUARDED_BY(table_mu_) = 0;

  // What readers see: committed encounters that are open. Lock order: table_mu_, then view_mu_.
  mutable Mutex view_mu_;
  std::map<int64_t, Published> open_ ABSL_GUARDED_BY(view_mu_);
  // (party, track) of another party -> the parties that may see it (open encounters).
  std::map<std::pair<std::string, std::string>, std::multiset<std::string>> shown_to_
      ABSL_GUARDED_BY(view_mu_);

  // (opened_at, id) of the committed encounters whose acknowledgement deadline is still to be
  // judged, in opening order.
  std::deque<std::pair<Timestamp, int64_t>> deadlines_ ABSL_GUARDED_BY(view_mu_);

  // The cycle's own state (one cycle at a time: the cycle thread, or RunCycle).
  Mutex cycle_mu_;
  tactical::Detector detector_ ABSL_GUARDED_BY(cycle_mu_);
  std::unique_ptr<tactical::EncounterTracker> tracker_ ABSL_GUARDED_BY(cycle_mu_);
  std::vector<tactical::Track> snapshot_ ABSL_GUARDED_BY(cycle_mu_);
  // The last alert sent of each open encounter.
  absl::flat_hash_map<int64_t, events::EncounterAlert> alerted_ ABSL_GUARDED_BY(cycle_mu_);
  Timestamp last_prune_ ABSL_GUARDED_BY(cycle_mu_);

  // Writes whose commit failed, to be written again first.
  Mutex retry_mu_;
  std::deque<CycleWrite> retry_ ABSL_GUARDED_BY(retry_mu_);

  mutable Mutex stats_mu_;
  LiveStats stats_ ABSL_GUARDED_BY(stats_mu_);
  std::deque<int64_t> cycle_us_ ABSL_GUARDED_BY(stats_mu_);

  Mutex stop_mu_;
  CondVar stop_cv_;
  bool stopping_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread thread_;
};

}  // namespace deconflict::live
