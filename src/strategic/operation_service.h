// strategic/operation_service.h: operations, the OVN/key rule and strategic conflicts. Knows
// neither HTTP, SQL nor JSON: it answers typed values (api/operation_json.h renders them).
//
// The key rule (design.md §2, ASTM F3548): a party may create or change an operation only if its
// request carries, in `key`, the OVN of every live operation of another party that any of its
// new volumes intersects (footprint on the sphere, closed altitude band, half-open time window,
// overlaps wholly in the past ignored). Otherwise the write is refused with the list of what is
// missing (KeyRuleRefusal) and nothing is stored. With all of them in the key the write is
// accepted and its conflicts are listed in the answer: each party has seen every conflict it
// creates, and the ledger proves it.
//
//   SqliteOperationRepository repo(store);
//   OperationService service(repo, clock);
//   RETURN_IF_ERROR(service.Load());            // rebuild the index from the store
//   service.Put(caller, id, std::nullopt, std::move(request), [](WriteOutcome out) {...});
//
// Writes run as units of work on the repository's writer thread (group commit) in four named
// steps shared by Put and End (LoadStored, CheckOwnership, CheckKeyRule, Persist) and are
// answered after their transaction is durable. Reads see the in-memory state under a shared
// lock.
//
// Ids and OVNs are canonicalised to lower case on the way in (an upper-case twin of an id names
// the same operation).
//
// Visibility (design.md §5): the owner, and a caller with `sees_everything` (guarantor), see an
// operation whole; any other party sees it only as its overlap with the caller's own volumes
// (or, for operators, the area it queries), with its id, party, state and OVN (needed for the
// key). Readers see only committed versions: a unit applies its change to memory on the writer
// thread (so later units of the same group commit obey it), but the change is published to
// readers only once its transaction is durable.
//
// Memory holds only operations with a volume not yet ended: the others are evicted at Load and
// by EvictEnded (every `eviction_interval` on the service's own timer thread, and callable
// directly). They stay in the store, readable through Get by their owner.
//
// Thread-safety: thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/mutex.h"
#include "geo/volume.h"
#include "store/store.h"
#include "strategic/operation.h"
#include "strategic/operation_repository.h"
#include "strategic/protected_volumes.h"
#include "strategic/volume_index.h"

namespace deconflict::strategic {

struct Caller {
  PartyId party;
  bool sees_everything = false;  // guarantors: whole operations of every party
  // Operators may learn what a filing of theirs would meet (Query shows other parties'
  // operations as their overlap with the area, as a refused PUT would). Default: false.
  bool may_probe = false;
  // A host's agreed territory (agreements/agreements.h TerritoryOf; issue 12): the caller sees
  // every other party's live operation that meets it, as its overlap with it (Get, InTerritory),
  // and nothing more of it. Empty: no territory.
  std::vector<std::shared_ptr<const geo::Volume4D>> territory;
};

// What any party may learn of an operation it meets: enough to put its OVN in a key.
struct OperationRef {
  OperationId id;
  PartyId party;
  std::string state;
  std::string ovn;
};
OperationRef RefOf(const store::OperationRecord& record);

// Another party's operation that the written operation meets; `overlap` is the union envelope.
struct Conflict {
  OperationRef other;
  geo::Overlap overlap;
};

// An operation missing from a key: its envelope overlap and, per volume of the request
// (`extent` its index), the overlap with that volume.
struct MissingOperation {
  OperationRef other;
  geo::Overlap overlap;
  struct PerExtent {
    size_t extent;
    geo::Overlap overlap;
  };
  std::vector<PerExtent> overlaps;
};

// An accepted write: the stored version, the conflicts it has (Put only), its ledger entry.
struct WriteResult {
  store::OperationRecord operation;
  std::vector<Conflict> conflicts;
  // The protected places (strategic/protected_volumes.h) it meets whose version the caller's key
  // had to carry (Put only; places the caller was never told of are not shown to it).
  std::vector<ProtectedHit> protected_hits;
  uint64_t ledger_index = 0;
  bool created = false;  // a new operation (HTTP 201) rather than a change or a retry (200)
};

// The key rule's refusal (status Aborted): every operation whose OVN the key lacks, by id.
struct KeyRuleRefusal {
  std::vector<MissingOperation> missing;
  // Protected places whose version the key lacks (strategic/protected_volumes.h).
  std::vector<ProtectedHit> protected_missing;
};

// The answer to a write: `status` OK and `result` set, or `status` the error; when the key
// rule refused, `status` is Aborted and `refusal` is set.
struct WriteOutcome {
  absl::Status status;
  std::optional<WriteResult> result;
  std::optional<KeyRuleRefusal> refusal;
};

// GET: the operation whole (`whole` set), or as far as it overlaps the caller's own live
// operations (`overlaps`: own operation id and the overlap's envelope).
struct OperationView {
  OperationRef ref;
  std::optional<store::OperationRecord> whole;
  struct OwnOverlap {
    OperationId operation;
    geo::Overlap overlap;
  };
  std::vector<OwnOverlap> overlaps;
  // For a host: the envelope of the operation's overlap with the caller's territory.
  std::optional<geo::Overlap> territory;
};

// Query hit: whole, or (another party's, for a prober) its overlap with the area, coarsened
// (see OperationServiceOptions) unless the caller has a live operation that meets it.
struct QueryHit {
  OperationRef ref;
  std::optional<store::OperationRecord> whole;
  std::optional<geo::Overlap> overlap;
  bool coarsened = false;
};

// Who learned of one of the caller's operations through a query, and how often (the owner's
// view of probes, issue 7 "disclosure"; stored, so it survives restarts).
struct ProbeRecord {
  OperationId operation;  // the owner's operation
  PartyId party;          // who queried an area that showed it
  uint64_t count = 0;
  Timestamp last;
};

// A conflict of one of the caller's operations.
struct OwnConflict {
  OperationId operation;  // the caller's
  OperationRef other;
  geo::Overlap overlap;
};

// Pagination (design.md §5): at most `limit` items after position `after` (empty: from the
// start). `next` is the position to continue from, empty when nothing remains. Positions are
// the service's own strings; the API wraps them in an opaque cursor.
struct PageRequest {
  size_t limit = 100;
  std::string after;
};
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next;
};

// The stored extents of an operations row (the ASTM JSON array, geo's codec), read with
// `limits` widened to any stored time. DataLoss naming the row when one cannot be parsed.
[[nodiscard]] absl::StatusOr<std::vector<std::shared_ptr<const geo::Volume4D>>> ParseStoredExtents(
    const store::OperationRecord& record, const geo::VolumeLimits& limits = {});

struct OperationServiceOptions {
  OperationLimits limits;  // Defaults: see OperationLimits.
  // Writes waiting for the store above which new ones are refused with Overloaded (HTTP 429)
  // instead of queueing without bound. Default: 20,000 (a few seconds of work).
  size_t max_pending_writes = 20000;
  // How often the timer thread evicts ended operations from memory; zero: no timer thread
  // (call EvictEnded yourself). Default: 60 s.
  std::chrono::milliseconds eviction_interval = std::chrono::seconds(60);
  // Queries that show other parties' operations, per party and per rolling minute, above which
  // such queries are refused with Overloaded (HTTP 429). Default: 30.
  size_t max_probes_per_minute = 30;
  // What a query shows of another party's operation that none of the caller's own operations
  // meets: its overlap widened to multiples of `coarse_degrees` of latitude and longitude
  // (default 0.01°, ~1 km) and of `coarse_time` (default 15 min).
  double coarse_degrees = 0.01;
  std::chrono::minutes coarse_time = std::chrono::minutes(15);
};

class OperationService {
 public:
  using Done = std::function<void(WriteOutcome)>;

  // `repository` and `clock` must outlive the service.
  OperationService(OperationRepository& repository, const Clock& clock,
                   OperationServiceOptions options = {});
  // Over the store (a SqliteOperationRepository owned by the service). With `events` (may be
  // null: no events; must outlive the service), a write also stores operation.conflict for the
  // owners of the operations it meets and operation.ended for those an ended one met, in its
  // transaction; subscribers hear of them after the commit.
  OperationService(store::Store& store, const Clock& clock, OperationServiceOptions options = {},
                   const events::EventLog* events = nullptr);
  OperationService(const OperationService&) = delete;
  OperationService& operator=(const OperationService&) = delete;
  ~OperationService();  // stops the eviction timer

  // Replaces the in-memory state with the stored operations that have a volume not yet ended.
  // DataLoss naming the row ("operations row <id>: extents: ...") when one cannot be parsed.
  [[nodiscard]] absl::Status Load();

  // PUT /v1/operations/{id} (if_ovn empty: create) and PUT /v1/operations/{id}/{ovn} (update).
  // Failures: InvalidArgument (id not a UUID), ResourceExhausted (overloaded), NotFound,
  // PermissionDenied (not the owner), AlreadyExists (id taken by a different operation),
  // Aborted without `refusal` (stale OVN: read it again), FailedPrecondition (ended), Aborted
  // with `refusal` (key rule).
  // An identical retry (same body; for an update the same OVN it was made from) of the write
  // that produced the current version answers that write's result again (created false).
  // `done` runs once, on the writer thread.
  void Put(const Caller& caller, const OperationId& id, std::optional<std::string> if_ovn,
           OperationRequest request, Done done);

  // Registers a hook that the key rule consults (strategic/protected_volumes.h); `hook` must
  // outlive the service. REQUIRES: called before any write (not thread-safe with writes).
  void AddProtectedVolumes(const ProtectedVolumes& hook) { protected_.push_back(&hook); }

  // DELETE /v1/operations/{id}/{ovn}: the operation becomes Ended and leaves memory. The result
  // has no conflicts. FailedPrecondition when already ended.
  void End(const Caller& caller, const OperationId& id, const std::string& ovn, Done done);

  // GET /v1/operations/{id}. NotFound also when the caller may not see it at all. A host sees
  // another party's live operation that meets its territory as that overlap (`territory`).
  [[nodiscard]] absl::StatusOr<OperationView> Get(const Caller& caller, const OperationId& id);

  // POST /v1/operations/query: live operations intersecting `area`, ordered by id; positions
  // are ids. A query whose page shows other parties' operations is a probe: counted against
  // the caller's max_probes_per_minute (Overloaded past it, nothing shown) and recorded in the
  // store for the owners (Probes) before anything is shown: `done` then runs on the writer
  // thread (with the store's error, nothing shown, if the record fails). Otherwise `done` runs
  // at once on the calling thread.
  using QueryDone = std::function<void(absl::StatusOr<Page<QueryHit>>)>;
  void Query(const Caller& caller, const geo::Volume4D& area, const PageRequest& page,
             QueryDone done);

  // GET /v1/operations: the caller's own live operations (those with a volume not yet ended),
  // whole, ordered by id; positions are ids. Not a probe: nobody else's operation is shown.
  [[nodiscard]] Page<store::OperationRecord> Own(const Caller& caller,
                                                 const PageRequest& page) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // GET /v1/territory/operations: other parties' live operations that meet the caller's
  // territory (Caller::territory), each as the envelope of its overlap with it (`overlap`; never
  // whole, never coarsened), ordered by id; positions are ids. Not a probe: the territory was
  // agreed by the operators working there. Empty when the caller has no territory.
  [[nodiscard]] Page<QueryHit> InTerritory(const Caller& caller, const PageRequest& page) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // GET /v1/probes: who probed the caller's operations and how often (from the store),
  // ordered by operation then party. Unavailable when the store cannot be read.
  [[nodiscard]] absl::StatusOr<std::vector<ProbeRecord>> Probes(const Caller& caller);

  // GET /v1/conflicts: between the caller's live operations and other parties' live
  // operations, ordered by (own id, other id); positions are "<own id>/<other id>".
  Page<OwnConflict> Conflicts(const Caller& caller, const PageRequest& page = {}) const;

  // Removes from memory the operations whose every volume has ended (time_end <= now).
  // Returns how many.
  size_t EvictEnded() ABSL_LOCKS_EXCLUDED(mu_);

  size_t live_operations() const;

 private:
  struct LiveOperation {
    store::OperationRecord record;  // newest version, possibly not yet committed
    std::vector<std::shared_ptr<const geo::Volume4D>> volumes;
    uint64_t handle = 0;
    int64_t committed_version = 0;  // newest version known durable; readers need == version
    bool visible() const { return committed_version == record.version; }
  };
  // Another party's operation that some of our volumes meet; `overlap` is the union
  // envelope, `pairs` each (our volume index, overlap).
  struct Clash {
    const LiveOperation* other;
    geo::Overlap overlap;
    std::vector<std::pair<size_t, geo::Overlap>> pairs;
  };
  struct WriteStep;  // one write going through the named steps (operation_service.cc)

  [[nodiscard]] absl::Status Admit(const std::string& id) const;
  void Submit(std::shared_ptr<WriteStep> step, Done done);
  // The steps of a write, in order.
  [[nodiscard]] absl::Status LoadStored(WriteStep& step, OperationWrites& writes);
  [[nodiscard]] absl::Status CheckOwnership(WriteStep& step);
  [[nodiscard]] absl::Status CheckKeyRule(WriteStep& step) ABSL_LOCKS_EXCLUDED(mu_);
  [[nodiscard]] absl::Status Persist(WriteStep& step, OperationWrites& writes)
      ABSL_LOCKS_EXCLUDED(mu_);

  std::vector<Clash> FindClashes(const std::string& party, const std::string& self_id,
                                 const std::vector<std::shared_ptr<const geo::Volume4D>>& volumes,
                                 Timestamp now, bool committed_only) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::vector<Conflict> ConflictsOf(const std::vector<Clash>& clashes) const;
  // The envelope of `op`'s overlap with `territory` from `now` on; nullopt when they do not meet.
  static std::optional<geo::Overlap> TerritoryOverlap(
      const LiveOperation& op, const std::vector<std::shared_ptr<const geo::Volume4D>>& territory,
      Timestamp now);
  // True when one of `party`'s live operations meets `other` (not only in the past).
  bool MeetsOwn(const std::string& party, const LiveOperation& other, Timestamp now) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  geo::Overlap Coarsen(const geo::Overlap& overlap) const;
  void Index(LiveOperation op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Unindex(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  [[nodiscard]] absl::Status Notify(const WriteStep& step, const store::OperationRecord& record,
                                    OperationWrites& writes) ABSL_LOCKS_EXCLUDED(mu_);
  void Finish(WriteStep& step, absl::Status committed, const Done& done);
  // Marks version `version` of operation `id` durable (visible to readers).
  void Publish(const std::string& id, int64_t version) ABSL_LOCKS_EXCLUDED(mu_);
  void EvictionLoop();

  std::unique_ptr<OperationRepository> owned_repository_;
  OperationRepository& repository_;
  const Clock& clock_;
  const OperationServiceOptions options_;

  // common/mutex.h rather than absl::Mutex: Debian's Abseil is not built for ThreadSanitizer,
  // which then cannot see absl::Mutex's ordering; clang's -Wthread-safety checks this one.
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, LiveOperation> ops_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, std::string> id_of_handle_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> ops_of_party_
      ABSL_GUARDED_BY(mu_);
  std::unique_ptr<VolumeIndex> index_ ABSL_GUARDED_BY(mu_) = std::make_unique<VolumeIndex>();
  uint64_t next_handle_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<const ProtectedVolumes*> protected_;  // set before any write, then read-only
  uint64_t reloaded_after_failures_ = 0;  // writer thread only: store commit failures handled

  // Per party, the times of its probes in the last minute (the rate limit).
  Mutex probe_mu_;
  absl::flat_hash_map<std::string, std::vector<Timestamp>> recent_probes_
      ABSL_GUARDED_BY(probe_mu_);

  Mutex timer_mu_;
  CondVar timer_cv_;
  bool stopping_ ABSL_GUARDED_BY(timer_mu_) = false;
  std::thread timer_;
};

// The envelope of two overlaps.
geo::Overlap UnionOf(const geo::Overlap& a, const geo::Overlap& b);

// The digest an update's version stores: the request's digest bound to the OVN it was made
// from, so that a retry of that very update is recognised (and a same body from another OVN
// is not).
std::string UpdateDigest(const std::string& request_digest, const std::string& from_ovn);

}  // namespace deconflict::strategic
