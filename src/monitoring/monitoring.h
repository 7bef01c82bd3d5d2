// monitoring/monitoring.h: ceasefire monitoring (design.md §2 "incident"; issue 13). Parties and
// observers report incidents (incident.h), one at a time or as ACLED files (acled.h); guarantors
// record signed findings; the parties concerned add statements (the right of reply); everyone
// reads the same incidents, map and statistics (stats.h). Knows neither HTTP, SQL nor JSON:
// api/incident_routes.cc speaks to it in the types below, store/incidents_table.h holds its rows.
//
//   monitoring::Incidents incidents(store, event_log, clock);
//   RETURN_IF_ERROR(incidents.Load());
//   incidents.Report(PartyId("UN"), std::move(request), [](absl::StatusOr<ReportResult> r) {...});
//
// Versions: a report whose content differs from the newest version of its id is a new version
// (reports are never deleted); the same content again answers the newest (created = false).
// Only the reporter of an id files its versions (another party gets PermissionDenied "id").
//
// Findings: a guarantor's finding (verified, disputed or unverifiable, with an attributed party,
// a confidence and notes) is signed with its registered key: the statement of
// parties/acknowledgement.h, kind "incident.finding", object "<id>/<version>", digest
// store::IncidentFindingDigest (which binds the incident version's digest and every field of the
// finding). A guarantor's newer finding supersedes its older one (both are kept). The status
// follows the newest finding of each guarantor: none, reported; any disputed, disputed; else any
// verified, verified; else unverifiable. The attributed party of an incident (for statistics) is
// that of the newest verified finding.
//
// Statements: the alleged party (when `alleged_party` is a party of this server) and every
// attributed party may add statements, optionally signed (kind "incident.statement", digest
// store::IncidentStatementDigest).
//
// Who is told: each step is an event (events/event.h incident.*) and a ledger entry. The parties
// concerned are the reporter, the alleged party and the attributed parties (when they are parties
// of this server) and every guarantor, less the party that acted. An import tells guarantors once
// per batch (incident.imported: count, first and last id, ledger range), and the alleged parties
// of its rows per row.
//
// Who reads: every party reads every incident, its findings and statements, the CSV, GeoJSON and
// statistics; the observation (where the observer stood) only the reporter and guarantors.
//
// Thread-safety: thread-safe. Callbacks (`done`) run on the store's writer thread, or on the
// calling thread for a refusal made before any write.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/mutex.h"
#include "events/event_log.h"
#include "monitoring/incident.h"
#include "monitoring/stats.h"
#include "store/incidents_table.h"
#include "store/store.h"

namespace deconflict::monitoring {

namespace internal {
struct Parties;  // internal/parties.h
}

struct MonitoringOptions {
  IncidentLimits limits;
  // Writes waiting for the store above which reports and imports are refused with Overloaded
  // (HTTP 429). Default: 20,000.
  size_t max_pending_writes = 20000;
  // Rows of one import call. Default: 20,000.
  size_t max_import_rows = 20000;
};

struct Viewer {
  PartyId party;
  bool guarantor = false;
};

struct ReportResult {
  store::IncidentRecord record;
  bool created = false;  // false: the newest version already says this (a retry)
};

struct ImportRow {
  int64_t line = 0;  // in the user's file, for refusals
  IncidentRequest request;
};
struct ImportRefusal {
  int64_t line = 0;
  std::string column;  // ACLED's column name
  std::string message;
};
struct ImportResult {
  int64_t created = 0, changed = 0, unchanged = 0;
  std::vector<ImportRefusal> refused;
  int64_t first_ledger_index = -1, last_ledger_index = -1;  // -1: nothing written
};

struct Signature {
  std::string signature;  // 64 raw bytes
  std::string key_id;     // empty: any active key of the party
  Timestamp signed_at;    // the statement's time (whole seconds)
};

struct FindingRequest {
  std::string incident;
  std::optional<int64_t> version;      // nullopt: the newest
  std::string finding;                 // verified, disputed, unverifiable
  std::string attributed_party;        // may be empty (not attributed)
  std::string confidence;              // low, medium, high
  std::string notes;                   // up to 8 KiB
  std::optional<Signature> signature;  // required: a missing one is InvalidArgument "signature"
};

struct StatementRequest {
  std::string incident;
  std::optional<int64_t> version;
  std::string text;  // 1 byte to 8 KiB
  std::optional<Signature> signature;
};

// An incident as a reader sees it.
struct IncidentView {
  std::vector<store::IncidentRecord> versions;  // oldest first; observations cleared for others
  std::vector<store::IncidentFindingRecord> findings;
  std::vector<store::IncidentStatementRecord> statements;
  Status status = Status::kReported;
  std::string attributed_party;
  bool created = false;  // findings and statements: a new one was stored
};

// The newest versions of a page, with their status.
struct IncidentPage {
  std::vector<store::IncidentRecord> incidents;  // observations cleared for others
  std::vector<Status> statuses;                  // one per incident
  bool more = false;
};

// Consulted in the unit of work of every new incident version (cases.h implements it).
class IncidentHook {
 public:
  virtual ~IncidentHook() = default;
  // In the unit that stored `record` (a new version, its ledger index set); may write in `txn`.
  // An error fails the unit (the report or the whole import call).
  [[nodiscard]] virtual absl::Status Recorded(store::Txn& txn,
                                              const store::IncidentRecord& record) = 0;
  // After such a unit, with its outcome (an error: what Recorded put in memory must go).
  virtual void Settled(const absl::Status& committed) = 0;
};

class Incidents {
 public:
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // `events` and `clock` must outlive it; `store` must be stopped before it is destroyed.
  Incidents(store::Store& store, const events::EventLog& events, const Clock& clock,
            MonitoringOptions options = {});
  Incidents(const Incidents&) = delete;
  Incidents& operator=(const Incidents&) = delete;

  // Reads the newest version of every incident and every finding. Call once, before any other
  // call. DataLoss naming the row when a stored row no longer reads.
  [[nodiscard]] absl::Status Load() ABSL_LOCKS_EXCLUDED(mu_);

  // PUT /v1/incidents/{id}. Errors: ValidateIncident's; PermissionDenied "id" (reported by
  // another party); ResourceExhausted (Overloaded).
  void Report(const PartyId& caller, IncidentRequest request, Done<ReportResult> done);

  // An ACLED import's rows (already parsed; each is validated again here). One unit of work:
  // every valid row is stored with its ledger entry, or none when the commit fails. A row of an
  // id reported by another party is refused (column event_id_cnty), as is a row whose id repeats
  // an earlier row of the same call. Errors: InvalidArgument "rows" (more than max_import_rows),
  // Overloaded.
  void Import(const PartyId& caller, std::vector<ImportRow> rows, Done<ImportResult> done);

  // GET /v1/incidents/{id}. NotFound "id".
  [[nodiscard]] absl::StatusOr<IncidentView> Get(const Viewer& viewer, std::string_view id) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // GET /v1/incidents.csv and .geojson: the newest versions in (occurred_at, id) order.
  [[nodiscard]] absl::StatusOr<IncidentPage> List(const Viewer& viewer,
                                                  const store::IncidentQuery& query) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // POST /v1/incidents/{id}/findings by a guarantor (the API checks the role). Errors: NotFound
  // "id" / "version"; InvalidArgument "finding", "confidence", "attributed_party", "notes",
  // "signature" (missing or not verifying) and VerifyAcknowledgement's ("key_id", "time").
  void AddFinding(const PartyId& guarantor, FindingRequest request, Done<IncidentView> done);

  // POST /v1/incidents/{id}/statements. Errors: NotFound "id" / "version"; PermissionDenied "id"
  // (the caller is neither the alleged nor an attributed party); InvalidArgument "text" and the
  // signature's.
  void AddStatement(const PartyId& party, StatementRequest request, Done<IncidentView> done);

  // GET /v1/incidents/stats. ComputeStats' errors.
  [[nodiscard]] absl::StatusOr<Stats> ComputeStatistics(const StatsQuery& query) const
      ABSL_LOCKS_EXCLUDED(mu_);

  size_t incidents() const ABSL_LOCKS_EXCLUDED(mu_);
  Timestamp Now() const { return clock_.Now(); }

  // The hook of every new version (automatic cases). Set once, before any write; must outlive
  // this.
  void SetHook(IncidentHook* hook) { hook_ = hook; }

 private:
  struct GuarantorFinding {
    std::string guarantor, finding, attributed_party;
    int64_t seq = 0;
  };
  struct Row {
    int64_t version = 0;
    uint32_t reporter = 0;  // facts_ name id
    uint32_t fact = 0;      // facts_ row
  };

  // Applies a version written in this unit to memory (writer thread).
  void Apply(const store::IncidentRecord& record) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Load's blocks: applies `versions` and `findings` to memory, then empties them.
  void ApplyLoaded(std::vector<store::IncidentRecord>& versions,
                   std::vector<store::IncidentFindingRecord>& findings) ABSL_LOCKS_EXCLUDED(mu_);
  // Recomputes the status and attribution of `id` from its findings.
  void Restate(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status StatusOfLocked(const std::string& id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // A completion after a unit that changed memory: reload if its commit failed.
  void AfterCommit(const absl::Status& committed, bool changed_memory);
  // The concerned parties of `record` other than `actor` (see the header comment).
  std::vector<PartyId> Concerned(const store::IncidentRecord& record,
                                 const internal::Parties& parties, const std::string& actor) const
      ABSL_LOCKS_EXCLUDED(mu_);

  store::Store& store_;
  const events::EventLog& events_;
  const Clock& clock_;
  const MonitoringOptions options_;
  IncidentHook* hook_ = nullptr;

  mutable Mutex mu_;
  Facts facts_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Row> rows_ ABSL_GUARDED_BY(mu_);  // by incident id
  // Findings of the incidents that have any, oldest first.
  absl::flat_hash_map<std::string, std::vector<GuarantorFinding>> findings_ ABSL_GUARDED_BY(mu_);
};

}  // namespace deconflict::monitoring
