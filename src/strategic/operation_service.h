// strategic/operation_service.h: operations, the OVN/key rule and strategic conflicts.
//
// The key rule (design.md §2, ASTM F3548): a party may create or change an operation only if its
// request carries, in `key`, the OVN of every live operation of another party that any of its
// new volumes intersects (footprint on the sphere, closed altitude band, half-open time window).
// Otherwise the write is refused with the list of what is missing and nothing is stored. With all
// of them in the key the write is accepted and the conflicts are listed in the answer: each party
// has seen every conflict it creates, and the ledger proves it.
//
//   OperationService service(store, clock);
//   RETURN_IF_ERROR(service.Load());            // rebuild the index from the store
//   service.Put(caller, id, std::nullopt, std::move(request), [](WriteOutcome out) {...});
//
// Writes run as units of work on the store's writer thread (group commit) and are answered
// after their transaction is durable. Reads see the in-memory state under a shared lock.
//
// Visibility (design.md §5): the owner, and a caller with `sees_everything` (guarantor), see an
// operation whole; any other party sees it only as its overlap with the caller's own volumes
// (or, for operators, the area it queries), with its id, party, state and OVN (needed for the
// key). Readers see only committed versions: a unit applies its change to memory on the writer
// thread (so later units of the same group commit obey it), but the change is published to
// readers only once its transaction is durable. While an update commits (milliseconds), lists
// may omit that operation; they never show what is not committed.
//
// Thread-safety: thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "boost/json.hpp"
#include "common/clock.h"
#include "events/event_log.h"
#include "store/store.h"
#include "strategic/operation.h"
#include "strategic/volume_index.h"

namespace deconflict::strategic {

struct Caller {
  std::string party;
  bool sees_everything = false;  // guarantors: whole operations of every party
  // Operators may learn what a filing of theirs would meet (Query shows other parties'
  // operations as their overlap with the area, as a refused PUT would). Default: false.
  bool may_probe = false;
};

// The answer to a write. `status` OK: `body` is {"operation", "conflicts", "ledger_index"} and
// `created` says 201 rather than 200. Aborted with `body` {"missing": [...]}: the key rule
// refused the write. Any other status: the error, `body` empty.
struct WriteOutcome {
  absl::Status status;
  boost::json::object body;
  bool created = false;
};

struct OperationServiceOptions {
  OperationLimits limits;  // Defaults: see OperationLimits.
  // Writes waiting for the store above which new ones are refused with ResourceExhausted
  // (HTTP 429) instead of queueing without bound. Default: 20,000 (a few seconds of work).
  size_t max_pending_writes = 20000;
};

class OperationService {
 public:
  using Done = std::function<void(WriteOutcome)>;

  // `store` and `clock` must outlive the service. `events` (may be null: no events), if given,
  // must too: a write then also stores operation.conflict / operation.ended events in its
  // transaction and tells the log after the commit.
  OperationService(store::Store& store, const Clock& clock, OperationServiceOptions options = {},
                   const events::EventLog* events = nullptr);
  OperationService(const OperationService&) = delete;
  OperationService& operator=(const OperationService&) = delete;

  // Replaces the in-memory state with the live operations in the store.
  absl::Status Load();

  // PUT /v1/operations/{id} (if_ovn empty: create) and PUT /v1/operations/{id}/{ovn} (update).
  // Failures: InvalidArgument (id not a UUID), ResourceExhausted (overloaded), NotFound, PermissionDenied (not the owner),
  // AlreadyExists (id taken by a different operation), FailedPrecondition (stale OVN, ended),
  // Aborted with "missing" (key rule). `done` runs once, on the store's writer thread.
  void Put(const Caller& caller, const std::string& id, std::optional<std::string> if_ovn,
           OperationRequest request, Done done);

  // DELETE /v1/operations/{id}/{ovn}: the operation becomes Ended and leaves the index.
  void End(const Caller& caller, const std::string& id, const std::string& ovn, Done done);

  // GET /v1/operations/{id}. NotFound also when the caller may not see it at all.
  absl::StatusOr<boost::json::object> Get(const Caller& caller, const std::string& id);

  // POST /v1/operations/query: {"operations": [...]} of live operations intersecting `area`.
  boost::json::object Query(const Caller& caller, const geo::Volume4D& area) const;

  // GET /v1/conflicts: {"conflicts": [...]} between the caller's live operations and other
  // parties' live operations.
  boost::json::object Conflicts(const Caller& caller) const;

  size_t live_operations() const;

 private:
  struct LiveOperation {
    store::OperationRecord record;  // newest version, possibly not yet committed
    std::vector<std::shared_ptr<const geo::Volume4D>> volumes;
    uint64_t handle = 0;
    int64_t committed_version = 0;  // newest version known durable; readers need == version
    bool visible() const { return committed_version == record.version; }
  };
  struct Clash;  // another party's operation met by a set of volumes

  // Checks done before a write is queued: a UUID id (InvalidArgument) and room in the writer's
  // queue (ResourceExhausted).
  absl::Status Admit(const std::string& id) const;

  // The other parties' live operations that `volumes` intersect, ordered by id.
  std::vector<Clash> FindClashes(const std::string& party, const std::string& self_id,
                                 const std::vector<std::shared_ptr<const geo::Volume4D>>& volumes,
                                 Timestamp now, bool committed_only) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status Apply(const Caller& caller, const std::string& id,
                     const std::optional<std::string>& if_ovn, const OperationRequest& request,
                     store::Txn& txn, WriteOutcome& outcome) ABSL_LOCKS_EXCLUDED(mu_);
  void Index(LiveOperation op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Unindex(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  boost::json::object FullView(const store::OperationRecord& record) const;
  void Finish(std::shared_ptr<WriteOutcome> outcome, bool applied, absl::Status committed,
              const Done& done);
  // Marks version `version` of operation `id` durable (visible to readers).
  void Publish(const std::string& id, int64_t version) ABSL_LOCKS_EXCLUDED(mu_);

  store::Store& store_;
  const Clock& clock_;
  const OperationServiceOptions options_;
  const events::EventLog* const events_;  // may be null

  // std::shared_mutex rather than absl::Mutex: Debian's Abseil is not built for ThreadSanitizer,
  // which then cannot see absl::Mutex's ordering; libstdc++'s pthread-based lock it can.
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<std::string, LiveOperation> ops_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, std::string> id_of_handle_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> ops_of_party_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<VolumeIndex> index_ ABSL_GUARDED_BY(mu_) = std::make_unique<VolumeIndex>();
  uint64_t next_handle_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t reloaded_after_failures_ = 0;  // writer thread only: store commit failures handled
};

// The JSON form of an overlap union: see geo::OverlapToJson.
geo::Overlap UnionOf(const geo::Overlap& a, const geo::Overlap& b);

}  // namespace deconflict::strategic
