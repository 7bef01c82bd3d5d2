#include "strategic/operation_service.h"

#include <algorithm>
#include <map>

#include "common/digest.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "spdlog/spdlog.h"
#include "store/record_digest.h"

namespace deconflict::strategic {
namespace {

// Volumes read back from the store were validated when filed; re-validate their shape but not
// their times against today's clock (an operation filed yesterday may have started).
geo::VolumeLimits StoredVolumeLimits(const geo::VolumeLimits& limits) {
  geo::VolumeLimits stored = limits;
  stored.horizon = std::chrono::hours(24 * 365 * 300);
  return stored;
}

absl::StatusOr<std::vector<std::shared_ptr<const geo::Volume4D>>> ParseStoredExtents(
    const store::OperationRecord& record, const geo::VolumeLimits& limits) {
  ASSIGN_OR_RETURN(boost::json::value extents, ParseJson(record.extents));
  if (!extents.is_array()) return absl::DataLossError(fmt::format("operation {}: extents not an array", record.id));
  std::vector<std::shared_ptr<const geo::Volume4D>> volumes;
  for (size_t i = 0; i < extents.get_array().size(); ++i) {
    absl::StatusOr<geo::Volume4D> v = geo::Volume4D::FromJson(
        extents.get_array()[i], IndexPath("extents", i), StoredVolumeLimits(limits), Timestamp{});
    if (!v.ok()) {
      return absl::DataLossError(fmt::format("operation {}: stored volume unreadable: {}", record.id, v.status().message()));
    }
    volumes.push_back(std::make_shared<const geo::Volume4D>(*std::move(v)));
  }
  return volumes;
}

boost::json::object Reference(const store::OperationRecord& r) {
  return boost::json::object{{"id", r.id}, {"party", r.party}, {"state", r.state}, {"ovn", r.ovn}};
}

bool IsLive(const std::string& state) { return state != StateName(OperationState::kEnded); }

}  // namespace

geo::Overlap UnionOf(const geo::Overlap& a, const geo::Overlap& b) {
  return geo::Overlap{
      .rect = a.rect.Union(b.rect),
      .altitude = {std::min(a.altitude.lower_m, b.altitude.lower_m),
                   std::max(a.altitude.upper_m, b.altitude.upper_m)},
      .time = {std::min(a.time.start, b.time.start), std::max(a.time.end, b.time.end)}};
}

// Another party's operation that some of our volumes meet; `overlap` is the union envelope,
// `pairs` each (our volume index, overlap).
struct OperationService::Clash {
  const LiveOperation* other;
  geo::Overlap overlap;
  std::vector<std::pair<size_t, geo::Overlap>> pairs;
};

OperationService::OperationService(store::Store& store, const Clock& clock,
                                   OperationServiceOptions options, const events::EventLog* events)
    : store_(store), clock_(clock), options_(std::move(options)), events_(events) {}

absl::Status OperationService::Load() {
  ASSIGN_OR_RETURN(std::vector<store::OperationRecord> records, store_.LoadOperations(false));
  // Parse everything before touching the live state, so a failure leaves it as it was.
  std::vector<LiveOperation> loaded;
  loaded.reserve(records.size());
  for (store::OperationRecord& record : records) {
    ASSIGN_OR_RETURN(auto volumes, ParseStoredExtents(record, options_.limits.volume));
    const int64_t version = record.version;
    loaded.push_back(LiveOperation{.record = std::move(record), .volumes = std::move(volumes),
                                   .committed_version = version});
  }
  std::unique_lock lock(mu_);
  ops_.clear();
  id_of_handle_.clear();
  ops_of_party_.clear();
  index_ = std::make_unique<VolumeIndex>();
  for (LiveOperation& op : loaded) Index(std::move(op));
  spdlog::info("strategic: {} live operations with {} volumes loaded", ops_.size(), index_->size());
  return absl::OkStatus();
}

size_t OperationService::live_operations() const {
  std::shared_lock lock(mu_);
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

boost::json::object OperationService::FullView(const store::OperationRecord& r) const {
  boost::json::value extents = boost::json::parse(r.extents);
  return boost::json::object{{"id", r.id},
                             {"party", r.party},
                             {"version", r.version},
                             {"ovn", r.ovn},
                             {"state", r.state},
                             {"label", r.label},
                             {"extents", std::move(extents)},
                             {"created_at", FormatRfc3339(r.created_at)},
                             {"updated_at", FormatRfc3339(r.updated_at)},
                             {"ledger_index", r.ledger_index}};
}

// ---------------------------------------------------------------------------------------------
// Writes

absl::Status OperationService::Admit(const std::string& id) const {
  if (!IsUuid(id)) return InvalidField("id", "must be a UUID (8-4-4-4-12 hex digits)");
  if (size_t pending = store_.pending(); pending >= options_.max_pending_writes) {
    return Overloaded(fmt::format(
        "overloaded: {} writes are waiting for the store; retry shortly", pending));
  }
  return absl::OkStatus();
}

void OperationService::Put(const Caller& caller, const std::string& id,
                           std::optional<std::string> if_ovn, OperationRequest request, Done done) {
  if (absl::Status admitted = Admit(id); !admitted.ok()) {
    done(WriteOutcome{.status = std::move(admitted)});
    return;
  }
  auto outcome = std::make_shared<WriteOutcome>();
  auto applied = std::make_shared<bool>(false);
  auto shared_request = std::make_shared<OperationRequest>(std::move(request));
  store_.Submit(
      [this, caller, id, if_ovn, shared_request, outcome, applied](store::Txn& txn) {
        absl::Status s = Apply(caller, id, if_ovn, *shared_request, txn, *outcome);
        *applied = s.ok();
        return s;
      },
      [this, id, outcome, applied, done = std::move(done)](absl::Status committed) {
        if (*applied && committed.ok()) {
          Publish(id, outcome->body.at("operation").at("version").to_number<int64_t>());
        }
        Finish(outcome, *applied, std::move(committed), done);
      });
}

void OperationService::Publish(const std::string& id, int64_t version) {
  std::unique_lock lock(mu_);
  auto it = ops_.find(id);
  if (it != ops_.end() && it->second.committed_version < version) {
    it->second.committed_version = std::min(version, it->second.record.version);
  }
}

void OperationService::Finish(std::shared_ptr<WriteOutcome> outcome, bool applied,
                              absl::Status committed, const Done& done) {
  if (applied && !committed.ok()) {
    // The unit changed memory but its transaction did not commit: rebuild from the store, once
    // per failed commit (every unit of that batch lands here).
    if (store_.commit_failures() != reloaded_after_failures_) {
      reloaded_after_failures_ = store_.commit_failures();
      spdlog::error("strategic: commit failed ({}); reloading operations", committed.message());
      if (absl::Status reload = Load(); !reload.ok()) {
        spdlog::critical("strategic: reload failed, the index may be stale: {}", reload.message());
      }
    }
    done(WriteOutcome{.status = committed});
    return;
  }
  // EVENTS: what this unit appended is durable; the hub pushes it now.
  if (applied && committed.ok() && events_ != nullptr) events_->Committed();
  // A unit refused by its own checks keeps its answer (and its "missing" list).
  if (!committed.ok() && outcome->status.ok()) outcome->status = committed;
  done(std::move(*outcome));
}

absl::Status OperationService::Apply(const Caller& caller, const std::string& id,
                                     const std::optional<std::string>& if_ovn,
                                     const OperationRequest& request, store::Txn& txn,
                                     WriteOutcome& outcome) {
  const Timestamp now = clock_.Now();
  // 1. What is stored under this id (also ended operations, which are not in memory).
  ASSIGN_OR_RETURN(store::Statement * cached,
                   txn.db().Cached("SELECT party, state, ovn, request_digest, version, created_at "
                                   "FROM operations WHERE id = ?1"));
  store::Statement& get = *cached;
  get.Bind(1, id);
  ASSIGN_OR_RETURN(bool exists, get.Step());
  struct Stored {
    std::string party, state, ovn, digest;
    int64_t version = 0;
    Timestamp created_at;
  } stored;
  if (exists) {
    stored = Stored{get.ColumnText(0), get.ColumnText(1), get.ColumnText(2), get.ColumnBlob(3),
                    get.ColumnInt(4), Timestamp(std::chrono::microseconds(get.ColumnInt(5)))};
  }
  get.Reset();  // no statement stays open across the unit
  const auto fail = [&](absl::Status s) {
    outcome.status = s;
    return s;
  };
  const bool ended = stored.state == StateName(OperationState::kEnded);
  int64_t version = 1;
  Timestamp created_at = now;
  if (!if_ovn) {
    if (exists) {
      if (stored.party == caller.party && stored.digest == request.digest && stored.version == 1 &&
          !ended) {
        // An identical retry of the request that created it (and nothing changed it since):
        // answer as before.
        std::unique_lock lock(mu_);
        auto it = ops_.find(id);
        if (it != ops_.end()) {
          std::vector<Clash> clashes = FindClashes(caller.party, id, it->second.volumes, now, false);
          boost::json::array conflicts;
          for (const Clash& c : clashes) {
            boost::json::object ref = Reference(c.other->record);
            ref["overlap"] = geo::OverlapToJson(c.overlap);
            conflicts.push_back(std::move(ref));
          }
          outcome.body = {{"operation", FullView(it->second.record)},
                          {"conflicts", std::move(conflicts)},
                          {"ledger_index", it->second.record.ledger_index}};
          outcome.created = false;
          return absl::OkStatus();
        }
      }
      return fail(absl::AlreadyExistsError(fmt::format(
          "operation {} already exists; change it with PUT /v1/operations/{}/{{ovn}}", id, id)));
    }
  } else {
    if (!exists) return fail(absl::NotFoundError(fmt::format("no operation {}", id)));
    if (stored.party != caller.party) {
      return fail(absl::PermissionDeniedError(fmt::format("operation {} belongs to another party", id)));
    }
    if (ended) return fail(absl::FailedPreconditionError(fmt::format("operation {} has ended", id)));
    if (stored.ovn != *if_ovn) {
      return fail(absl::FailedPreconditionError(fmt::format(
          "stale OVN: operation {} is now at OVN {}; read it again", id, stored.ovn)));
    }
    version = stored.version + 1;
    created_at = stored.created_at;
  }

  // 2. The key rule.
  std::vector<std::shared_ptr<const geo::Volume4D>> volumes;
  volumes.reserve(request.extents.size());
  for (const geo::Volume4D& v : request.extents) volumes.push_back(std::make_shared<const geo::Volume4D>(v));
  absl::flat_hash_set<std::string> key(request.key.begin(), request.key.end());
  boost::json::array conflicts, missing;
  // EVENTS: (owner, event) per clash; the new OVN is set once known.
  std::vector<std::pair<PartyId, events::OperationConflict>> conflict_events;
  {
    std::shared_lock lock(mu_);
    for (const Clash& clash : FindClashes(caller.party, id, volumes, now, false)) {
      conflict_events.emplace_back(PartyId(clash.other->record.party),  // EVENTS
                                   events::OperationConflict{
                                       .operation = OperationId(id), .party = PartyId(caller.party),
                                       .your_operation = OperationId(clash.other->record.id),
                                       .overlap = clash.overlap});
      boost::json::object ref = Reference(clash.other->record);
      ref["overlap"] = geo::OverlapToJson(clash.overlap);
      if (!key.contains(clash.other->record.ovn)) {
        boost::json::array per_volume;
        for (const auto& [volume_idx, overlap] : clash.pairs) {
          per_volume.push_back({{"extent", volume_idx}, {"overlap", geo::OverlapToJson(overlap)}});
        }
        boost::json::object item = ref;
        item["overlaps"] = std::move(per_volume);
        missing.push_back(std::move(item));
      }
      conflicts.push_back(std::move(ref));
    }
  }
  if (!missing.empty()) {
    outcome.body = {{"missing", std::move(missing)}};
    return fail(absl::AbortedError(fmt::format(
        "the key lacks the OVN of {} overlapping operation(s) of other parties; add each "
        "missing ovn to key after reviewing the overlap",
        outcome.body["missing"].as_array().size())));
  }

  // 3. The new version, its ledger entry and the row, in this transaction.
  store::OperationRecord record{.id = id,
                                .party = caller.party,
                                .version = version,
                                .ovn = NewUuid(),
                                .state = StateName(request.state),
                                .label = request.label,
                                .extents = request.extents_json,
                                .request_digest = request.digest,
                                .created_at = created_at,
                                .updated_at = now};
  // The ledger entry commits to the row exactly as stored (store/record_digest.h).
  ASSIGN_OR_RETURN(uint64_t ledger_index,
                   txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                       .party = caller.party,
                       .action = if_ovn ? ledger::kActionOperationUpdate : ledger::kActionOperationCreate,
                       .object_id = id,
                       .content_digest = store::OperationRecordDigest(record),
                       .server_time = now})));
  record.ledger_index = static_cast<int64_t>(ledger_index);
  RETURN_IF_ERROR(txn.PutOperation(record));
  // EVENTS: the owner of each operation this version conflicts with learns its id, party, new
  // OVN and the overlap (nothing more), in this transaction.
  if (events_ != nullptr) {
    for (auto& [owner, conflict] : conflict_events) {
      conflict.ovn = record.ovn;
      RETURN_IF_ERROR(events_->AppendOperationConflict(txn, owner, std::move(conflict)));
    }
  }
  boost::json::object view = FullView(record);

  // 4. Memory follows the transaction (Finish reloads if the commit fails).
  outcome.body = {{"operation", std::move(view)},
                  {"conflicts", std::move(conflicts)},
                  {"ledger_index", ledger_index}};
  outcome.created = !if_ovn;
  std::unique_lock lock(mu_);
  int64_t committed_version = 0;  // a new operation is invisible until its commit
  if (auto it = ops_.find(id); it != ops_.end()) committed_version = it->second.committed_version;
  Unindex(id);
  Index(LiveOperation{.record = std::move(record), .volumes = std::move(volumes),
                      .committed_version = committed_version});
  return absl::OkStatus();
}

void OperationService::End(const Caller& caller, const std::string& id, const std::string& ovn,
                           Done done) {
  if (absl::Status admitted = Admit(id); !admitted.ok()) {
    done(WriteOutcome{.status = std::move(admitted)});
    return;
  }
  auto outcome = std::make_shared<WriteOutcome>();
  auto applied = std::make_shared<bool>(false);
  store_.Submit(
      [this, caller, id, ovn, outcome, applied](store::Txn& txn) -> absl::Status {
        const Timestamp now = clock_.Now();
        store::OperationRecord record;
        bool live = false;
        {
          std::shared_lock lock(mu_);
          auto it = ops_.find(id);
          if (it != ops_.end()) {
            record = it->second.record;
            live = true;
          }
        }
        if (!live) {
          // Not live: ended already (say so to its owner), or unknown.
          ASSIGN_OR_RETURN(store::Statement * get,
                           txn.db().Cached("SELECT party FROM operations WHERE id = ?1"));
          get->Bind(1, id);
          ASSIGN_OR_RETURN(bool exists, get->Step());
          const bool own = exists && get->ColumnText(0) == caller.party;
          get->Reset();
          outcome->status = own ? absl::FailedPreconditionError(fmt::format("operation {} has already ended", id))
                                : absl::NotFoundError(fmt::format("no operation {}", id));
          return outcome->status;
        }
        if (record.party != caller.party) {
          outcome->status = absl::PermissionDeniedError(fmt::format("operation {} belongs to another party", id));
          return outcome->status;
        }
        if (record.ovn != ovn) {
          outcome->status = absl::FailedPreconditionError(fmt::format(
              "stale OVN: operation {} is now at OVN {}; read it again", id, record.ovn));
          return outcome->status;
        }
        // EVENTS: the owner and every party whose live operation this one conflicted with.
        std::vector<PartyId> ended_recipients{PartyId(record.party)};
        if (events_ != nullptr) {
          std::shared_lock lock(mu_);
          for (const Clash& clash : FindClashes(record.party, id, ops_.at(id).volumes, now, false)) {
            ended_recipients.emplace_back(clash.other->record.party);
          }
        }
        record.version += 1;
        record.ovn = NewUuid();
        record.state = StateName(OperationState::kEnded);
        record.updated_at = now;
        ASSIGN_OR_RETURN(uint64_t ledger_index,
                         txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                             .party = caller.party,
                             .action = ledger::kActionOperationEnd,
                             .object_id = id,
                             .content_digest = store::OperationRecordDigest(record),
                             .server_time = now})));
        record.ledger_index = static_cast<int64_t>(ledger_index);
        RETURN_IF_ERROR(txn.PutOperation(record));
        if (events_ != nullptr) {  // EVENTS
          RETURN_IF_ERROR(events_->AppendOperationEnded(
              txn, ended_recipients, events::OperationEnded{.operation = OperationId(id), .party = PartyId(record.party)}));
        }
        outcome->body = {{"operation", FullView(record)}, {"ledger_index", ledger_index}};
        *applied = true;
        std::unique_lock lock(mu_);
        Unindex(id);
        return absl::OkStatus();
      },
      [this, outcome, applied, done = std::move(done)](absl::Status committed) {
        Finish(outcome, *applied, std::move(committed), done);
      });
}

// ---------------------------------------------------------------------------------------------
// Reads

absl::StatusOr<boost::json::object> OperationService::Get(const Caller& caller, const std::string& id) {
  const Timestamp now = clock_.Now();
  {
    std::shared_lock lock(mu_);
    auto it = ops_.find(id);
    // A version not yet durable is not shown; the store has the committed one.
    if (it != ops_.end() && it->second.visible()) {
      const LiveOperation& op = it->second;
      if (op.record.party == caller.party || caller.sees_everything) return FullView(op.record);
      // Others see it only as far as it overlaps their own live operations.
      boost::json::array overlaps;
      auto own = ops_of_party_.find(caller.party);
      if (own != ops_of_party_.end()) {
        for (const std::string& own_id : own->second) {
          const LiveOperation& mine = ops_.at(own_id);
          if (!mine.visible()) continue;
          std::optional<geo::Overlap> envelope;
          for (const auto& a : mine.volumes) {
            for (const auto& b : op.volumes) {
              if (b->time().end <= now) continue;
              if (auto o = geo::OverlapOf(*a, *b)) envelope = envelope ? UnionOf(*envelope, *o) : *o;
            }
          }
          if (envelope) overlaps.push_back({{"operation", own_id}, {"overlap", geo::OverlapToJson(*envelope)}});
        }
      }
      if (overlaps.empty()) return absl::NotFoundError(fmt::format("no operation {} visible to {}", id, caller.party));
      boost::json::object ref = Reference(op.record);
      ref["overlaps"] = std::move(overlaps);
      return ref;
    }
  }
  // Ended operations (and versions still committing) are read from the store; only their
  // owner (or a guarantor) sees them there.
  ASSIGN_OR_RETURN(std::optional<store::OperationRecord> record, store_.GetOperation(id));
  if (!record || (record->party != caller.party && !caller.sees_everything)) {
    return absl::NotFoundError(fmt::format("no operation {} visible to {}", id, caller.party));
  }
  return FullView(*record);
}

boost::json::object OperationService::Query(const Caller& caller, const geo::Volume4D& area) const {
  const Timestamp now = clock_.Now();
  std::shared_lock lock(mu_);
  std::map<std::string, std::optional<geo::Overlap>> hits;
  index_->Query(area, [&](VolumeKey key, const geo::Volume4D& theirs) {
    if (theirs.time().end <= now) return;
    auto id = id_of_handle_.find(key.owner);
    if (id == id_of_handle_.end()) return;
    const LiveOperation& op = ops_.at(id->second);
    if (!op.visible()) return;
    const bool whole = op.record.party == caller.party || caller.sees_everything;
    if (!whole && !caller.may_probe) return;  // observers etc. see only what is theirs
    std::optional<geo::Overlap> o = geo::OverlapOf(area, theirs);
    if (!o) return;
    auto& slot = hits[id->second];
    slot = slot ? UnionOf(*slot, *o) : *o;
  });
  boost::json::array operations;
  for (const auto& [id, overlap] : hits) {
    const LiveOperation& op = ops_.at(id);
    if (op.record.party == caller.party || caller.sees_everything) {
      operations.push_back(FullView(op.record));
    } else {
      // The same information a refused PUT of `area` would give (its "missing" list).
      boost::json::object ref = Reference(op.record);
      ref["overlap"] = geo::OverlapToJson(*overlap);
      operations.push_back(std::move(ref));
    }
  }
  return boost::json::object{{"operations", std::move(operations)}};
}

boost::json::object OperationService::Conflicts(const Caller& caller) const {
  const Timestamp now = clock_.Now();
  std::shared_lock lock(mu_);
  boost::json::array conflicts;
  auto own = ops_of_party_.find(caller.party);
  if (own != ops_of_party_.end()) {
    std::vector<std::string> own_ids(own->second.begin(), own->second.end());
    std::sort(own_ids.begin(), own_ids.end());
    for (const std::string& own_id : own_ids) {
      const LiveOperation& mine = ops_.at(own_id);
      if (!mine.visible()) continue;
      for (const Clash& clash : FindClashes(caller.party, own_id, mine.volumes, now, true)) {
        boost::json::object other = Reference(clash.other->record);
        conflicts.push_back({{"operation", own_id},
                             {"other", std::move(other)},
                             {"overlap", geo::OverlapToJson(clash.overlap)}});
      }
    }
  }
  return boost::json::object{{"conflicts", std::move(conflicts)}};
}

}  // namespace deconflict::strategic
