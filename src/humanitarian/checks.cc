// humanitarian/checks.cc: operations checked against the live places (humanitarian.h,
// strategic/protected_volumes.h).
#include <algorithm>

#include "common/status.h"
#include "fmt/format.h"
#include "humanitarian/humanitarian.h"
#include "ledger/entry.h"
#include "store/encounters_table.h"
#include "strategic/operation_service.h"

namespace deconflict::humanitarian {

std::vector<strategic::ProtectedHit> Notifications::Meet(
    const PartyId& filer, std::span<const std::shared_ptr<const geo::Volume4D>> volumes,
    Timestamp now) const {
  std::map<std::string, strategic::ProtectedHit> hits;  // by ref: stable answers
  ReaderLock lock(mu_);
  for (size_t volume_idx = 0; volume_idx < volumes.size(); ++volume_idx) {
    const geo::Volume4D& mine = *volumes[volume_idx];
    if (mine.time().end <= now) continue;  // a past overlap is no conflict
    index_->Query(mine, [&](strategic::VolumeKey key, const geo::Volume4D&) {
      mu_.AssertReaderHeld();  // the callback runs inside Query, under this lock
      auto k = key_of_handle_.find(key.owner);
      if (k == key_of_handle_.end()) return;
      const auto& [ref, e] = *k->second;
      if (e.record.notifier == filer.value()) return;
      std::optional<geo::Overlap> overlap = e.place->OverlapWith(mine);
      if (!overlap) return;
      const bool recipient =
          std::binary_search(e.record.recipients.begin(), e.record.recipients.end(), filer.value());
      auto [it, inserted] = hits.try_emplace(ref, strategic::ProtectedHit{.ref = ref,
                                                                          .version = e.record.ovn,
                                                                          .key_required = recipient,
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

absl::Status Notifications::Record(store::Txn& txn, const PartyId& filer,
                                   const OperationId& operation,
                                   const std::vector<strategic::ProtectedHit>& hits,
                                   Timestamp now) const {
  ASSIGN_OR_RETURN(std::vector<std::string> guarantors,
                   store::ActivePartiesWithRole(txn.db(), "guarantor"));
  for (const strategic::ProtectedHit& hit : hits) {
    store::HumanitarianRecord r;
    {
      ReaderLock lock(mu_);
      auto it = places_.find(hit.ref);
      // Invariant: Meet and Record run in the same unit on the writer thread, which alone
      // changes places_.
      if (it == places_.end()) return absl::InternalError("humanitarian: a met place vanished");
      r = it->second.record;
    }
    const geo::Overlap& o = hit.overlap;
    store::HumanitarianConflictRecord c{.kind = r.kind,
                                        .id = r.id,
                                        .version = r.version,
                                        .notifier = r.notifier,
                                        .operation = operation.value(),
                                        .party = filer.value(),
                                        .filer_is_recipient = hit.key_required,
                                        .lat_min = o.rect.lat_lo().degrees(),
                                        .lng_min = o.rect.lng_lo().degrees(),
                                        .lat_max = o.rect.lat_hi().degrees(),
                                        .lng_max = o.rect.lng_hi().degrees(),
                                        .altitude_lower_m = o.altitude.lower_m,
                                        .altitude_upper_m = o.altitude.upper_m,
                                        .time_start = o.time.start,
                                        .time_end = o.time.end,
                                        .at = now};
    ASSIGN_OR_RETURN(uint64_t index,
                     txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                          .party = filer.value(),
                                          .action = store::HumanitarianAction(r.kind, "conflict"),
                                          .object_id = store::HumanitarianObjectId(r.id, r.version),
                                          .content_digest = store::HumanitarianConflictDigest(c),
                                          .server_time = now}),
                                      {r.notifier}));
    c.ledger_index = static_cast<int64_t>(index);
    RETURN_IF_ERROR(store::InsertHumanitarianConflict(txn, c));
    std::vector<PartyId> told{PartyId(r.notifier)};
    for (const std::string& g : guarantors) {
      if (g != r.notifier && g != filer.value()) told.emplace_back(g);
    }
    RETURN_IF_ERROR(
        events_
            .Append(txn, told,
                    events::HumanitarianNotice{.type = events::HumanitarianNotice::Type::kConflict,
                                               .kind = r.kind,
                                               .id = r.id,
                                               .version = r.version,
                                               .ovn = r.ovn,
                                               .notifier = PartyId(r.notifier),
                                               .party = filer,
                                               .at = now,
                                               .operation = operation,
                                               .filer_is_recipient = hit.key_required,
                                               .overlap = o,
                                               .digest = r.digest,
                                               .ledger_index = c.ledger_index})
            .status());
  }
  return absl::OkStatus();
}

}  // namespace deconflict::humanitarian
