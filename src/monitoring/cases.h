// monitoring/cases.h: the automatic "notified place struck" case (issue 13). When a violent
// incident (taxonomy.h IsViolent: Battles, Explosions/Remote violence, Violence against
// civilians) is recorded on a place that was notified at that moment, a case opens by itself, in
// the same unit of work as the incident version, and freezes what the record showed before the
// strike: nobody can later say "there was no coordination", and nobody can add coordination
// that was not there. Knows neither HTTP, SQL nor JSON: api/case_routes.cc speaks to it in the
// types below, store/cases_table.h holds its rows.
//
//   monitoring::Cases cases(store, event_log, clock, notifications);
//   RETURN_IF_ERROR(cases.Load());
//   incidents.SetHook(&cases);                 // consulted in every incident unit
//   hotline.AddDeadlineSource(cases);          // response deadlines, the hotline's mechanism
//
// When a case opens. A new incident version (report or import) of a violent type whose impact
// point, grown by its uncertainty (incident.h GeoUncertaintyM: geo_precision or the
// observation's distance band), comes within a place's footprint plus buffer (a site) or
// corridor (a movement), where that place's version in force at `occurred_at` (the newest
// version filed at or before it, not a removal, its window holding it:
// humanitarian::Notifications::InForceAt) exists. One case per incident: its id is the
// incident's; a later version of the incident opens none (the case links the version that
// opened it).
//
// What it links (the snapshot, store::CaseSnapshot, digest store::CaseOpenDigest in the ledger
// entry case.open):
//   - the incident version;
//   - each place in force, with that version's digest and ledger index;
//   - each recipient of that version: delivered at, acknowledged at, the signed statement and
//     their ledger indexes, as the store held them when the case opened (nulls if neither);
//   - each operation (ended ones included) with a volume that meets the place searched (a
//     circle of the uncertainty around the impact point, any altitude) during the hour around
//     the incident (`operation_window` either side for time_precision 1; 3.5 days for 2, 15
//     days for 3), its version, OVN, extents and ledger index, and its overlap;
//   - the track history points within `track_radius_m` (10 km) and `track_window` (15 min)
//     either side of occurred_at (the live picture keeps 24 h of history: older incidents link
//     none);
//   - the respondents: every party, other than guarantors, with an operation or track linked,
//     each due to respond `response_deadline` after the case opened.
//
// Responses, deadlines, close. A respondent responds (Respond: a statement, optionally signed,
// kind case.response, digest store::CaseResponseDigest binding the case's digest); any party
// that may see the case may add one too, only respondents' settle their deadline. A respondent
// that has not responded by its deadline is overdue, judged by the hotline's deadline thread
// (hotline/deadline_source.h): case.overdue to the guarantors, the notifiers and the laggard,
// a ledger entry, the mark stored with the respondent (never raised twice) and, when a linked
// place's version names an escalation channel, a flash message posted there on the notifier's
// account. A guarantor closes the case (Close) with a signed finding (kind case.close, digest
// store::CaseCloseDigest); a closed case takes no more responses and has no more deadlines.
//
// Who sees what. The case: guarantors, the incident's reporter and alleged party, the places'
// notifiers and recipients, the parties of linked operations and tracks. Within it, places'
// coordinates only as humanitarian/humanitarian.h allows (notifier, recipients, guarantors);
// receipts: the notifier and guarantors all, a recipient its own; operations: guarantors and the
// filer whole, others as the overlap only; track points: guarantors all, a party its own; the
// respondents and responses to all who see the case.
//
// Thread-safety: thread-safe. Callbacks (`done`) run on the store's writer thread, or on the
// calling thread for a refusal made before any write.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/mutex.h"
#include "events/event_log.h"
#include "hotline/deadline_source.h"
#include "hotline/due_items.h"
#include "humanitarian/humanitarian.h"
#include "monitoring/monitoring.h"
#include "store/cases_table.h"
#include "store/store.h"

namespace deconflict::monitoring {

struct CaseOptions {
  std::chrono::seconds response_deadline = std::chrono::hours(48);  // Default: 48 h.
  double track_radius_m = 10000;                                    // Default: 10 km.
  std::chrono::seconds track_window = std::chrono::minutes(15);     // Default: 15 min each side.
  // Operations searched this long either side of occurred_at when the time is known to the
  // minute (time_precision 1). Default: 30 min (the hour around it).
  std::chrono::seconds operation_window = std::chrono::minutes(30);
  size_t max_track_points = 20000;  // Default: 20,000 points linked at most (the nearest first).
  size_t max_text = 8192;           // Default: 8 KiB of response or close notes.
};

// A case as `viewer` may see it.
struct CaseView {
  store::CaseSnapshot snapshot;  // cut to what the viewer may see
  std::vector<store::CaseResponseRecord> responses;
  // Places whose coordinates and name the viewer may not read (listed by kind, id and version).
  std::set<std::string> places_withheld;
  // Operations shown as their overlap only (extents cleared).
  std::set<std::string> operations_as_overlap;
  bool created = false;  // Respond / Close: a new act was stored
};

using CaseSignature = Signature;  // monitoring.h: 64 raw bytes, key id, the statement's time

struct ResponseRequest {
  std::string case_id;
  std::string text;  // 1 byte to max_text
  std::optional<CaseSignature> signature;
};

struct CloseRequest {
  std::string case_id;
  std::string finding;                     // "violation", "no_violation", "inconclusive"
  std::string notes;                       // up to max_text
  std::optional<CaseSignature> signature;  // required
};

class Cases final : public IncidentHook, public hotline::DeadlineSource {
 public:
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // `events`, `clock` and `places` must outlive it; `store` must be stopped before it is
  // destroyed.
  Cases(store::Store& store, const events::EventLog& events, const Clock& clock,
        const humanitarian::Notifications& places, CaseOptions options = {});
  Cases(const Cases&) = delete;
  Cases& operator=(const Cases&) = delete;

  // Reads every case's viewers and pending deadlines. Call once, before any other call.
  [[nodiscard]] absl::Status Load() ABSL_LOCKS_EXCLUDED(mu_);

  // GET /v1/cases: the cases `viewer` may see, newest first, without their links.
  [[nodiscard]] absl::StatusOr<std::vector<store::CaseRecord>> List(const Viewer& viewer) const;
  // GET /v1/cases/{id}. NotFound "id" (none, or the viewer may not see it).
  [[nodiscard]] absl::StatusOr<CaseView> Get(const Viewer& viewer, std::string_view id) const;
  // The ledger entries of the case for a bundle (label, index), in index order: the incident
  // version, the places' versions, the receipts, the operations' versions, case.open, the
  // responses, overdue marks and the close. NotFound "id" as Get.
  [[nodiscard]] absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> Entries(
      const Viewer& viewer, std::string_view id) const;

  // POST /v1/cases/{id}/responses. Errors: NotFound "id"; InvalidArgument "text", the
  // signature's ("signature", "key_id", "time"); FailedPrecondition "id" (closed).
  void Respond(const PartyId& party, ResponseRequest request, Done<CaseView> done);
  // POST /v1/cases/{id}/close by a guarantor (the API checks the role). Errors: NotFound "id";
  // InvalidArgument "finding", "notes", "signature" (missing or not verifying); FailedPrecondition
  // "id" (closed already, by another finding; the same close again answers the case).
  void Close(const PartyId& guarantor, CloseRequest request, Done<CaseView> done);

  // IncidentHook: opens the case of `record` when it falls on a place in force (see above).
  [[nodiscard]] absl::Status Recorded(store::Txn& txn, const store::IncidentRecord& record) override
      ABSL_LOCKS_EXCLUDED(mu_);
  void Settled(const absl::Status& committed) override ABSL_LOCKS_EXCLUDED(mu_);

  // hotline::DeadlineSource (case_acts.cc); item ids are "<case>\n<party>".
  std::vector<std::string> ClaimDue(Timestamp now) override ABSL_LOCKS_EXCLUDED(mu_);
  [[nodiscard]] absl::Status Judge(store::Txn& txn, const std::string& key, Timestamp now,
                                   const hotline::Escalate& escalate) override;
  void Judged(const std::vector<std::string>& keys, const absl::Status& committed) override
      ABSL_LOCKS_EXCLUDED(mu_);

  size_t cases() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t pending_deadlines() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Known {
    std::set<std::string> viewers;  // parties that may see it (guarantors aside)
    bool closed = false;
  };

  // Builds the snapshot of a case opening for `record` on `places` (case_open.cc).
  [[nodiscard]] absl::StatusOr<store::CaseSnapshot> Snapshot(
      store::Txn& txn, const store::IncidentRecord& record,
      const std::vector<store::HumanitarianRecord>& places, Timestamp now) const;
  static std::set<std::string> ViewersOf(const store::CaseSnapshot& s);
  bool MaySee(const Viewer& viewer, std::string_view id) const ABSL_LOCKS_EXCLUDED(mu_);
  // Reloads after a failed commit that had changed memory.
  void AfterCommit(const absl::Status& committed, bool changed_memory);

  store::Store& store_;
  const events::EventLog& events_;
  const Clock& clock_;
  const humanitarian::Notifications& places_;
  const CaseOptions options_;

  mutable Mutex mu_;
  std::map<std::string, Known> known_ ABSL_GUARDED_BY(mu_);
  // Respondents due, by "<case>\n<party>".
  hotline::DueItems due_ ABSL_GUARDED_BY(mu_);
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;  // Recorded changed memory since the last Settled
};

}  // namespace deconflict::monitoring
