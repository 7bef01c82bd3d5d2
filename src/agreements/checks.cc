// agreements/checks.cc: operations checked against the live AORs and territories
// (strategic/protected_volumes.h), and the expiry of open proposals (hotline/deadline_source.h).
#include <map>

#include "agreements/agreements.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "strategic/operation_service.h"

namespace deconflict::agreements {

using Type = events::AgreementNotice::Type;

std::vector<strategic::ProtectedHit> Agreements::Meet(
    const PartyId& filer, std::span<const std::shared_ptr<const geo::Volume4D>> volumes,
    Timestamp now) const {
  std::map<std::string, strategic::ProtectedHit> hits;  // by ref: stable answers
  ReaderLock lock(mu_);
  for (size_t volume_idx = 0; volume_idx < volumes.size(); ++volume_idx) {
    const geo::Volume4D& mine = *volumes[volume_idx];
    if (mine.time().end <= now) continue;  // a past overlap is no conflict
    index_->Query(mine, [&](strategic::VolumeKey key, const geo::Volume4D& area_volume) {
      mu_.AssertReaderHeld();  // the callback runs inside Query, under this lock
      auto t = thing_of_handle_.find(key.owner);
      if (t == thing_of_handle_.end()) return;
      const Area& area = areas_.at(t->second);
      if (area.holder == filer) return;  // one's own area
      std::optional<geo::Overlap> overlap = geo::OverlapOf(mine, area_volume);
      if (!overlap) return;
      auto [it, inserted] =
          hits.try_emplace(t->second, strategic::ProtectedHit{.ref = t->second,
                                                              .version = area.record.ovn,
                                                              .key_required = !area.territory,
                                                              .disclose_version = false,
                                                              .overlap = *overlap,
                                                              .overlaps = {}});
      if (!inserted) it->second.overlap = strategic::UnionOf(it->second.overlap, *overlap);
      it->second.overlaps.push_back({volume_idx, *overlap});
    });
  }
  std::vector<strategic::ProtectedHit> out;
  out.reserve(hits.size());
  for (auto& [ref, hit] : hits) out.push_back(std::move(hit));
  return out;
}

absl::Status Agreements::Record(store::Txn& txn, const PartyId& filer, const OperationId& operation,
                                const std::vector<strategic::ProtectedHit>& hits,
                                Timestamp now) const {
  for (const strategic::ProtectedHit& hit : hits) {
    store::AgreementRecord record;
    PartyId holder;
    bool territory = false;
    {
      ReaderLock lock(mu_);
      auto it = areas_.find(hit.ref);
      // Invariant: Meet and Record run in the same unit on the writer thread, which alone
      // changes areas_ (in the completions of agreement units).
      if (it == areas_.end()) return absl::InternalError("agreements: a met area vanished");
      record = it->second.record;
      holder = it->second.holder;
      territory = it->second.territory;
    }
    const geo::Overlap& o = hit.overlap;
    const std::string digest = Sha256(fmt::format(
        "deconflict/agreement-{}/v1\n{}/{}\n{}\n{}\n{:.17g} {:.17g} {:.17g} {:.17g}\n{:.17g} "
        "{:.17g}\n{} {}\n{}",
        territory ? "territory-operation" : "aor-conflict", record.thing, record.version,
        operation.value(), filer.value(), o.rect.lat_lo().degrees(), o.rect.lng_lo().degrees(),
        o.rect.lat_hi().degrees(), o.rect.lng_hi().degrees(), o.altitude.lower_m,
        o.altitude.upper_m, Micros(o.time.start), Micros(o.time.end), Micros(now)));
    ASSIGN_OR_RETURN(
        uint64_t index,
        txn.AppendLedger(
            ledger::EncodeEntry(ledger::Entry{
                .party = filer.value(),
                .action = territory ? "agreement.territory.operation" : "agreement.aor.conflict",
                .object_id = fmt::format("{}/{}", record.thing, record.version),
                .content_digest = digest,
                .server_time = now}),
            {holder.value()}));
    RETURN_IF_ERROR(
        events_
            .Append(txn, {holder},
                    events::AgreementNotice{
                        .type = territory ? Type::kTerritoryOperation : Type::kAorConflict,
                        .kind = record.kind,
                        .thing = record.thing,
                        .version = record.version,
                        .ovn = territory ? "" : record.ovn,
                        .party = filer,
                        .at = now,
                        .operation = operation,
                        .overlap = o,
                        .ledger_index = static_cast<int64_t>(index)})
            .status());
  }
  return absl::OkStatus();
}

// ---- expiry -----------------------------------------------------------------------------------

void Agreements::Arm(const std::string& id, Timestamp at) {
  WriterLock lock(mu_);
  if (auto it = expiry_.find(id); it != expiry_.end()) expiry_by_time_.erase({it->second, id});
  expiry_[id] = at;
  expiry_by_time_.emplace(at, id);
}

void Agreements::Disarm(const std::string& id) {
  WriterLock lock(mu_);
  auto it = expiry_.find(id);
  if (it == expiry_.end()) return;
  expiry_by_time_.erase({it->second, id});
  expiry_.erase(it);
}

std::vector<std::string> Agreements::ClaimDue(Timestamp now) {
  std::vector<std::string> due;
  WriterLock lock(mu_);
  for (auto it = expiry_by_time_.begin(); it != expiry_by_time_.end() && it->first <= now; ++it) {
    if (claimed_.insert(it->second).second) due.push_back(it->second);
  }
  return due;
}

absl::Status Agreements::Judge(store::Txn& txn, const std::string& id, Timestamp now,
                               const hotline::Escalate&) {
  ASSIGN_OR_RETURN(std::optional<store::ProposalRecord> p, store::ReadProposal(txn.db(), id));
  if (!p || p->state != "open" || p->expires_at > now) return absl::OkStatus();
  p->state = "expired";
  return CloseFailed(txn, *p);
}

void Agreements::Judged(const std::vector<std::string>& ids, const absl::Status& committed) {
  for (const std::string& id : ids) {
    {
      WriterLock lock(mu_);
      claimed_.erase(id);
    }
    if (committed.ok()) Disarm(id);  // the hotline's tick tells the event hub
  }
}

}  // namespace deconflict::agreements
