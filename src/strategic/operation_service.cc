#include "strategic/operation_service.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/ascii.h"
#include "common/digest.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"
#include "store/record_digest.h"

namespace deconflict::strategic {
namespace {

// Volumes read back from the store were validated when filed; re-validate their shape but not
// their times against today's clock (an operation filed yesterday may have started).
geo::VolumeLimits StoredVolumeLimits(const geo::VolumeLimits& limits) {
  geo::VolumeLimits stored = limits;
  stored.horizon = std::chrono::hours(24 * 365 * 300);
  stored.max_start_age = std::chrono::hours(24 * 366 * 20000);  // any RFC 3339 year
  return stored;
}

}  // namespace

absl::StatusOr<std::vector<std::shared_ptr<const geo::Volume4D>>> ParseStoredExtents(
    const store::OperationRecord& record, const geo::VolumeLimits& limits) {
  const auto row_error = [&](std::string_view what) {
    return absl::DataLossError(fmt::format("operations row {}: {}", record.id, what));
  };
  absl::StatusOr<boost::json::value> extents = ParseJson(record.extents);
  if (!extents.ok()) return row_error("extents: malformed JSON");
  if (!extents->is_array()) return row_error("extents: not an array");
  std::vector<std::shared_ptr<const geo::Volume4D>> volumes;
  for (size_t i = 0; i < extents->get_array().size(); ++i) {
    absl::StatusOr<geo::Volume4D> v = geo::Volume4D::FromJson(
        extents->get_array()[i], IndexPath("extents", i), StoredVolumeLimits(limits), Timestamp{});
    if (!v.ok()) return row_error(std::string(v.status().message()));
    volumes.push_back(std::make_shared<const geo::Volume4D>(*std::move(v)));
  }
  if (volumes.empty()) return row_error("extents: empty");
  return volumes;
}

namespace {

bool AllEnded(const std::vector<std::shared_ptr<const geo::Volume4D>>& volumes, Timestamp now) {
  return std::all_of(volumes.begin(), volumes.end(),
                     [&](const auto& v) { return v->time().end <= now; });
}

std::string Lower(std::string text) {
  absl::AsciiStrToLower(&text);
  return text;
}

absl::Status StaleOvn(const std::string& id, const std::string& current) {
  return absl::AbortedError(
      fmt::format("stale OVN: operation {} is now at OVN {}; read it again", id, current));
}

}  // namespace

OperationRef RefOf(const store::OperationRecord& r) {
  return OperationRef{
      .id = OperationId(r.id), .party = PartyId(r.party), .state = r.state, .ovn = r.ovn};
}

geo::Overlap UnionOf(const geo::Overlap& a, const geo::Overlap& b) {
  return geo::Overlap{
      .rect = a.rect.Union(b.rect),
      .altitude = {std::min(a.altitude.lower_m, b.altitude.lower_m),
                   std::max(a.altitude.upper_m, b.altitude.upper_m)},
      .time = {std::min(a.time.start, b.time.start), std::max(a.time.end, b.time.end)}};
}

std::string UpdateDigest(const std::string& request_digest, const std::string& from_ovn) {
  return Sha256(fmt::format("deconflict/update/v1\n{}\n{}", HexEncode(request_digest), from_ovn));
}

// One write (Put or End) as it goes through the steps. Lives on the writer thread.
struct OperationService::WriteStep {
  enum class Kind { kCreate, kUpdate, kEnd } kind;
  Caller caller;
  std::string id;
  std::string if_ovn;                       // kUpdate, kEnd
  std::optional<OperationRequest> request;  // kCreate, kUpdate
  Timestamp now;
  // LoadStored
  std::optional<store::OperationRecord> stored;
  // CheckOwnership: the version to write, or `retry` (answer `result` again, write nothing).
  bool retry = false;
  // CheckKeyRule
  std::vector<std::shared_ptr<const geo::Volume4D>> volumes;
  std::vector<Conflict> conflicts;
  // Per hook of protected_ (same order), its hits: each hook records its own.
  std::vector<std::vector<ProtectedHit>> protected_hits;
  // The answer.
  WriteOutcome outcome;
  bool applied = false;  // memory changed: a failed commit must reload

  absl::Status Fail(absl::Status s) {
    outcome.status = s;
    return s;
  }
};

OperationService::OperationService(OperationRepository& repository, const Clock& clock,
                                   OperationServiceOptions options)
    : repository_(repository), clock_(clock), options_(std::move(options)) {
  if (options_.eviction_interval.count() > 0) timer_ = std::thread([this] { EvictionLoop(); });
}

OperationService::OperationService(store::Store& store, const Clock& clock,
                                   OperationServiceOptions options, const events::EventLog* events)
    : owned_repository_(std::make_unique<SqliteOperationRepository>(store, events)),
      repository_(*owned_repository_),
      clock_(clock),
      options_(std::move(options)) {
  if (options_.eviction_interval.count() > 0) timer_ = std::thread([this] { EvictionLoop(); });
}

OperationService::~OperationService() {
  {
    WriterLock lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.SignalAll();
  if (timer_.joinable()) timer_.join();
}

void OperationService::EvictionLoop() {
  for (;;) {
    {
      // Sleep a whole interval (a spurious wake-up waits again) unless the destructor stops us.
      WriterLock lock(timer_mu_);
      const auto deadline = std::chrono::steady_clock::now() + options_.eviction_interval;
      while (!stopping_) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::nanoseconds::zero()) break;
        timer_cv_.WaitFor(timer_mu_, left);
      }
      if (stopping_) return;
    }
    if (size_t evicted = EvictEnded(); evicted > 0) {
      spdlog::info("strategic: evicted {} ended operations from memory", evicted);
    }
  }
}

size_t OperationService::EvictEnded() {
  const Timestamp now = clock_.Now();
  WriterLock lock(mu_);
  std::vector<std::string> ended;
  for (const auto& [id, op] : ops_) {
    if (op.visible() && AllEnded(op.volumes, now)) ended.push_back(id);
  }
  for (const std::string& id : ended) Unindex(id);
  return ended.size();
}

absl::Status OperationService::Load() {
  ASSIGN_OR_RETURN(std::vector<store::OperationRecord> records, repository_.LoadLive());
  const Timestamp now = clock_.Now();
  // Parse everything before touching the live state, so a failure leaves it as it was.
  std::vector<LiveOperation> loaded;
  loaded.reserve(records.size());
  size_t ended = 0;
  for (store::OperationRecord& record : records) {
    ASSIGN_OR_RETURN(auto volumes, ParseStoredExtents(record, options_.limits.volume));
    if (AllEnded(volumes, now)) {
      ++ended;
      continue;
    }
    const int64_t version = record.version;
    loaded.push_back(LiveOperation{
        .record = std::move(record), .volumes = std::move(volumes), .committed_version = version});
  }
  WriterLock lock(mu_);
  ops_.clear();
  id_of_handle_.clear();
  ops_of_party_.clear();
  index_ = std::make_unique<VolumeIndex>();
  for (LiveOperation& op : loaded) Index(std::move(op));
  spdlog::info(
      "strategic: {} live operations with {} volumes loaded ({} past their windows left "
      "in the store)",
      ops_.size(), index_->size(), ended);
  return absl::OkStatus();
}

size_t OperationService::live_operations() const {
  ReaderLock lock(mu_);
  return ops_.size();
}

void OperationService::Index(LiveOperation op) {
  op.handle = next_handle_++;
  for (size_t i = 0; i < op.volumes.size(); ++i) {
    index_->Insert(VolumeKey{op.handle, static_cast<uint32_t>(i)}, op.volumes[i]);
  }
  id_of_handle_[op.handle] = op.record.id;
  ops_of_party_[op.record.party].insert(op.record.id);
  std::string id = op.record.id;
  ops_[id] = std::move(op);
}

void OperationService::Unindex(const std::string& id) {
  auto it = ops_.find(id);
  if (it == ops_.end()) return;
  index_->RemoveOwner(it->second.handle);
  id_of_handle_.erase(it->second.handle);
  auto party = ops_of_party_.find(it->second.record.party);
  if (party != ops_of_party_.end()) {
    party->second.erase(id);
    if (party->second.empty()) ops_of_party_.erase(party);
  }
  ops_.erase(it);
}

std::vector<OperationService::Clash> OperationService::FindClashes(
    const std::string& party, const std::string& self_id,
    const std::vector<std::shared_ptr<const geo::Volume4D>>& volumes, Timestamp now,
    bool committed_only) const {
  std::map<std::string, Clash> clashes;  // ordered by id: stable answers
  for (size_t volume_idx = 0; volume_idx < volumes.size(); ++volume_idx) {
    const geo::Volume4D& mine = *volumes[volume_idx];
    index_->Query(mine, [&](VolumeKey key, const geo::Volume4D& theirs) {
      mu_.AssertReaderHeld();  // the callback runs inside Query, under the caller's lock
      if (theirs.time().end <= now) return;  // a past overlap is no conflict
      auto id = id_of_handle_.find(key.owner);
      if (id == id_of_handle_.end() || id->second == self_id) return;
      const LiveOperation& other = ops_.at(id->second);
      if (other.record.party == party) return;
      if (committed_only && !other.visible()) return;
      std::optional<geo::Overlap> overlap = geo::OverlapOf(mine, theirs);
      if (!overlap) return;  // Invariant: Query reports only intersecting volumes.
      auto [it, inserted] = clashes.try_emplace(other.record.id, Clash{&other, *overlap, {}});
      if (!inserted) it->second.overlap = UnionOf(it->second.overlap, *overlap);
      it->second.pairs.emplace_back(volume_idx, *overlap);
    });
  }
  std::vector<Clash> out;
  out.reserve(clashes.size());
  for (auto& [id, clash] : clashes) out.push_back(std::move(clash));
  return out;
}

std::vector<Conflict> OperationService::ConflictsOf(const std::vector<Clash>& clashes) const {
  std::vector<Conflict> out;
  out.reserve(clashes.size());
  for (const Clash& c : clashes) out.push_back(Conflict{RefOf(c.other->record), c.overlap});
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writes: Admit, then on the writer thread LoadStored -> CheckOwnership -> CheckKeyRule ->
// Persist, then Finish once the transaction is durable (or failed).

absl::Status OperationService::Admit(const std::string& id) const {
  if (!IsUuid(id)) return InvalidField("id", "must be a UUID (8-4-4-4-12 hex digits)");
  if (size_t pending = repository_.pending(); pending >= options_.max_pending_writes) {
    return Overloaded(
        fmt::format("overloaded: {} writes are waiting for the store; retry shortly", pending));
  }
  return absl::OkStatus();
}

void OperationService::Put(const Caller& caller, const OperationId& id,
                           std::optional<std::string> if_ovn, OperationRequest request, Done done) {
  auto step = std::make_shared<WriteStep>();
  step->kind = if_ovn ? WriteStep::Kind::kUpdate : WriteStep::Kind::kCreate;
  step->caller = caller;
  step->id = Lower(id.value());
  step->if_ovn = Lower(if_ovn.value_or(""));
  for (std::string& ovn : request.key) ovn = Lower(std::move(ovn));
  step->request = std::move(request);
  Submit(std::move(step), std::move(done));
}

void OperationService::End(const Caller& caller, const OperationId& id, const std::string& ovn,
                           Done done) {
  auto step = std::make_shared<WriteStep>();
  step->kind = WriteStep::Kind::kEnd;
  step->caller = caller;
  step->id = Lower(id.value());
  step->if_ovn = Lower(ovn);
  Submit(std::move(step), std::move(done));
}

void OperationService::Submit(std::shared_ptr<WriteStep> step, Done done) {
  if (absl::Status admitted = Admit(step->id); !admitted.ok()) {
    done(WriteOutcome{.status = std::move(admitted)});
    return;
  }
  repository_.Submit(
      [this, step](OperationWrites& writes) -> absl::Status {
        WriteStep& s = *step;
        s.now = clock_.Now();
        RETURN_IF_ERROR(LoadStored(s, writes));
        RETURN_IF_ERROR(CheckOwnership(s));
        if (s.retry) return absl::OkStatus();
        RETURN_IF_ERROR(CheckKeyRule(s));
        return Persist(s, writes);
      },
      [this, step, done = std::move(done)](absl::Status committed) {
        Finish(*step, std::move(committed), done);
      });
}

// 1. What is stored under this id (also ended operations, which are not in memory).
absl::Status OperationService::LoadStored(WriteStep& step, OperationWrites& writes) {
  ASSIGN_OR_RETURN(step.stored, writes.Find(step.id));
  return absl::OkStatus();
}

// 2. Who may write, from which version; or an identical retry of the write that made the
// current version.
absl::Status OperationService::CheckOwnership(WriteStep& step) {
  const std::optional<store::OperationRecord>& stored = step.stored;
  const std::string& id = step.id;
  const bool ended = stored && stored->state == StateName(OperationState::kEnded);
  const bool own = stored && stored->party == step.caller.party.value();
  bool retry = false;
  switch (step.kind) {
    case WriteStep::Kind::kCreate:
      if (!stored) return absl::OkStatus();
      retry =
          own && !ended && stored->version == 1 && stored->request_digest == step.request->digest;
      if (!retry) {
        return step.Fail(absl::AlreadyExistsError(fmt::format(
            "operation {} already exists; change it with PUT /v1/operations/{}/{{ovn}}", id, id)));
      }
      break;
    case WriteStep::Kind::kUpdate:
      if (!stored) return step.Fail(absl::NotFoundError(fmt::format("no operation {}", id)));
      if (!own) {
        return step.Fail(
            absl::PermissionDeniedError(fmt::format("operation {} belongs to another party", id)));
      }
      if (ended)
        return step.Fail(absl::FailedPreconditionError(fmt::format("operation {} has ended", id)));
      if (stored->ovn == step.if_ovn) return absl::OkStatus();
      // A retry after a lost response: this very update (same body, from the same OVN) made
      // the current version.
      retry = stored->request_digest == UpdateDigest(step.request->digest, step.if_ovn);
      if (!retry) return step.Fail(StaleOvn(id, stored->ovn));
      break;
    case WriteStep::Kind::kEnd:
      if (!stored) return step.Fail(absl::NotFoundError(fmt::format("no operation {}", id)));
      if (!own) {
        return step.Fail(
            absl::PermissionDeniedError(fmt::format("operation {} belongs to another party", id)));
      }
      if (ended) {
        return step.Fail(
            absl::FailedPreconditionError(fmt::format("operation {} has already ended", id)));
      }
      if (stored->ovn != step.if_ovn) return step.Fail(StaleOvn(id, stored->ovn));
      return absl::OkStatus();
  }
  // Answer as the first write did: the stored version with its conflicts as they are now.
  step.retry = true;
  ReaderLock lock(mu_);
  std::vector<Conflict> conflicts;
  if (auto it = ops_.find(id); it != ops_.end()) {
    conflicts = ConflictsOf(
        FindClashes(step.caller.party.value(), id, it->second.volumes, step.now, false));
  }
  step.outcome.result = WriteResult{.operation = *stored,
                                    .conflicts = std::move(conflicts),
                                    .ledger_index = static_cast<uint64_t>(stored->ledger_index),
                                    .created = false};
  return absl::OkStatus();
}

// 3. The key rule: every other party's live operation the new volumes meet must be in the key.
absl::Status OperationService::CheckKeyRule(WriteStep& step) {
  if (step.kind == WriteStep::Kind::kEnd) return absl::OkStatus();  // ending frees airspace
  const OperationRequest& request = *step.request;
  step.volumes.reserve(request.extents.size());
  for (const geo::Volume4D& v : request.extents) {
    step.volumes.push_back(std::make_shared<const geo::Volume4D>(v));
  }
  absl::flat_hash_set<std::string> key(request.key.begin(), request.key.end());
  KeyRuleRefusal refusal;
  {
    ReaderLock lock(mu_);
    for (const Clash& clash :
         FindClashes(step.caller.party.value(), step.id, step.volumes, step.now, false)) {
      OperationRef ref = RefOf(clash.other->record);
      if (!key.contains(ref.ovn)) {
        MissingOperation missing{.other = ref, .overlap = clash.overlap, .overlaps = {}};
        for (const auto& [volume_idx, overlap] : clash.pairs) {
          missing.overlaps.push_back({volume_idx, overlap});
        }
        refusal.missing.push_back(std::move(missing));
      }
      step.conflicts.push_back(Conflict{std::move(ref), clash.overlap});
    }
  }
  // The protected places of the hooks (strategic/protected_volumes.h): a version the filer was
  // told of must be in the key too.
  for (const ProtectedVolumes* hook : protected_) {
    step.protected_hits.push_back(hook->Meet(step.caller.party, step.volumes, step.now));
    for (const ProtectedHit& hit : step.protected_hits.back()) {
      if (hit.key_required && !key.contains(hit.version)) refusal.protected_missing.push_back(hit);
    }
  }
  if (refusal.missing.empty() && refusal.protected_missing.empty()) return absl::OkStatus();
  const size_t count = refusal.missing.size();
  const size_t places = refusal.protected_missing.size();
  step.outcome.refusal = std::move(refusal);
  if (count == 0) {
    return step.Fail(absl::AbortedError(fmt::format(
        "the key lacks the version of {} protected place(s) the operation meets; add each "
        "missing version to key after reviewing the place",
        places)));
  }
  return step.Fail(absl::AbortedError(fmt::format(
      "the key lacks the OVN of {} overlapping operation(s) of other parties{}; add "
      "each missing ovn to key after reviewing the overlap",
      count, places == 0 ? "" : fmt::format(" and the version of {} protected place(s)", places))));
}

// 4. The new version, its ledger entry and the row in this transaction; memory follows (Finish
// reloads if the commit fails).
absl::Status OperationService::Persist(WriteStep& step, OperationWrites& writes) {
  store::OperationRecord record;
  std::string action;
  if (step.kind == WriteStep::Kind::kEnd) {
    record = *step.stored;
    record.state = StateName(OperationState::kEnded);
    action = ledger::kActionOperationEnd;
  } else {
    const OperationRequest& request = *step.request;
    const bool create = step.kind == WriteStep::Kind::kCreate;
    record = store::OperationRecord{
        .id = step.id,
        .party = step.caller.party.value(),
        .version = create ? 1 : step.stored->version,
        .state = StateName(request.state),
        .label = request.label,
        .extents = request.extents_json,
        .request_digest = create ? request.digest : UpdateDigest(request.digest, step.if_ovn),
        .created_at = create ? step.now : step.stored->created_at};
    if (!create) record.version += 1;
    action = create ? ledger::kActionOperationCreate : ledger::kActionOperationUpdate;
  }
  if (step.kind == WriteStep::Kind::kEnd) record.version += 1;
  record.ovn = NewUuid();
  record.updated_at = step.now;
  // The ledger entry commits to the row exactly as stored (store/record_digest.h). Its opening
  // goes to the owner, guarantors and the parties whose operations this version meets: each can
  // prove later what it was shown.
  std::vector<std::string> readers;
  for (const Conflict& conflict : step.conflicts) {
    if (std::find(readers.begin(), readers.end(), conflict.other.party.value()) == readers.end()) {
      readers.push_back(conflict.other.party.value());
    }
  }
  RETURN_IF_ERROR(writes.Save(ledger::Entry{.party = step.caller.party.value(),
                                            .action = action,
                                            .object_id = step.id,
                                            .content_digest = store::OperationRecordDigest(record),
                                            .server_time = step.now},
                              readers, record));
  RETURN_IF_ERROR(Notify(step, record, writes));
  // Each hook records its hits in this transaction (strategic/protected_volumes.h).
  for (size_t hook_idx = 0; hook_idx < step.protected_hits.size(); ++hook_idx) {
    if (step.protected_hits[hook_idx].empty()) continue;
    store::Txn* txn = writes.txn();
    if (txn == nullptr) {
      return absl::InternalError("strategic: protected places need a store transaction");
    }
    RETURN_IF_ERROR(protected_[hook_idx]->Record(*txn, step.caller.party, OperationId(step.id),
                                                 step.protected_hits[hook_idx], step.now));
  }
  step.applied = true;
  WriterLock lock(mu_);
  int64_t committed_version = 0;  // a new version is invisible until its commit
  if (auto it = ops_.find(step.id); it != ops_.end())
    committed_version = it->second.committed_version;
  Unindex(step.id);
  if (step.kind != WriteStep::Kind::kEnd) {
    Index(LiveOperation{
        .record = record, .volumes = step.volumes, .committed_version = committed_version});
  }
  const auto ledger_index = static_cast<uint64_t>(record.ledger_index);
  std::vector<ProtectedHit> shown;
  for (const std::vector<ProtectedHit>& hits : step.protected_hits) {
    for (const ProtectedHit& hit : hits) {
      if (hit.key_required) shown.push_back(hit);
    }
  }
  step.outcome.result = WriteResult{.operation = std::move(record),
                                    .conflicts = std::move(step.conflicts),
                                    .protected_hits = std::move(shown),
                                    .ledger_index = ledger_index,
                                    .created = step.kind == WriteStep::Kind::kCreate};
  return absl::OkStatus();
}

// Events of a write, in its transaction (before memory changes): the owner of each operation a
// new version meets learns its id, party, new OVN and the overlap, nothing more; the end of an
// operation reaches its owner and every party whose live operation it met.
absl::Status OperationService::Notify(const WriteStep& step, const store::OperationRecord& record,
                                      OperationWrites& writes) {
  if (step.kind != WriteStep::Kind::kEnd) {
    for (const Conflict& conflict : step.conflicts) {
      RETURN_IF_ERROR(writes.NotifyConflict(
          PartyId(conflict.other.party),
          events::OperationConflict{.operation = OperationId(step.id),
                                    .party = step.caller.party,
                                    .ovn = record.ovn,
                                    .your_operation = OperationId(conflict.other.id),
                                    .overlap = conflict.overlap}));
    }
    return absl::OkStatus();
  }
  std::vector<PartyId> recipients{PartyId(record.party)};
  {
    ReaderLock lock(mu_);
    if (auto it = ops_.find(step.id); it != ops_.end()) {
      for (const Clash& clash :
           FindClashes(record.party, step.id, it->second.volumes, step.now, false)) {
        PartyId other(clash.other->record.party);
        if (std::find(recipients.begin(), recipients.end(), other) == recipients.end()) {
          recipients.push_back(std::move(other));
        }
      }
    }
  }
  return writes.NotifyEnded(recipients, events::OperationEnded{.operation = OperationId(step.id),
                                                               .party = PartyId(record.party)});
}

void OperationService::Publish(const std::string& id, int64_t version) {
  WriterLock lock(mu_);
  auto it = ops_.find(id);
  if (it != ops_.end() && it->second.committed_version < version) {
    it->second.committed_version = std::min(version, it->second.record.version);
  }
}

void OperationService::Finish(WriteStep& step, absl::Status committed, const Done& done) {
  if (step.applied && !committed.ok()) {
    // The unit changed memory but its transaction did not commit: rebuild from the store, once
    // per failed commit (every unit of that batch lands here).
    if (repository_.commit_failures() != reloaded_after_failures_) {
      reloaded_after_failures_ = repository_.commit_failures();
      spdlog::error("strategic: commit failed ({}); reloading operations", committed.message());
      if (absl::Status reload = Load(); !reload.ok()) {
        spdlog::critical("strategic: reload failed, the index may be stale: {}", reload.message());
      }
    }
    done(WriteOutcome{.status = committed});
    return;
  }
  if (committed.ok() && step.applied) {
    Publish(step.id, step.outcome.result->operation.version);
    repository_.EventsCommitted();
  }
  // A unit refused by its own checks keeps its answer (and its refusal).
  if (!committed.ok() && step.outcome.status.ok()) {
    step.outcome.status = committed;
    step.outcome.result.reset();
  }
  done(std::move(step.outcome));
}

}  // namespace deconflict::strategic
