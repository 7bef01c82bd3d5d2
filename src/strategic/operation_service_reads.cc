// OperationService's reads (operation_service.h): Get, Query (with the probe accounting and
// coarsening of issue 7's disclosure rules), InTerritory (a host's view), Conflicts and Probes.
// Writes are in operation_service.cc.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "common/status.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"
#include "strategic/operation_service.h"

namespace deconflict::strategic {

// ---------------------------------------------------------------------------------------------
// Reads

absl::StatusOr<OperationView> OperationService::Get(const Caller& caller,
                                                    const OperationId& raw_id) {
  const std::string id = absl::AsciiStrToLower(raw_id.value());
  const Timestamp now = clock_.Now();
  {
    ReaderLock lock(mu_);
    auto it = ops_.find(id);
    // A version not yet durable is not shown; the store has the committed one.
    if (it != ops_.end() && it->second.visible()) {
      const LiveOperation& op = it->second;
      OperationView view{.ref = RefOf(op.record), .whole = std::nullopt, .overlaps = {}};
      if (op.record.party == caller.party.value() || caller.sees_everything) {
        view.whole = op.record;
        return view;
      }
      // Others see it only as far as it overlaps their own live operations.
      auto own = ops_of_party_.find(caller.party.value());
      if (own != ops_of_party_.end()) {
        for (const std::string& own_id : own->second) {
          const LiveOperation& mine = ops_.at(own_id);
          if (!mine.visible()) continue;
          std::optional<geo::Overlap> envelope;
          for (const auto& a : mine.volumes) {
            for (const auto& b : op.volumes) {
              if (b->time().end <= now) continue;
              if (auto o = geo::OverlapOf(*a, *b))
                envelope = envelope ? UnionOf(*envelope, *o) : *o;
            }
          }
          if (envelope) view.overlaps.push_back({OperationId(own_id), *envelope});
        }
      }
      view.territory = TerritoryOverlap(op, caller.territory, now);
      if (view.overlaps.empty() && !view.territory) {
        return absl::NotFoundError(
            fmt::format("no operation {} visible to {}", id, caller.party.value()));
      }
      return view;
    }
  }
  // Ended and evicted operations (and versions still committing) are read from the store; only
  // their owner (or a guarantor) sees them there.
  ASSIGN_OR_RETURN(std::optional<store::OperationRecord> record, repository_.Get(id));
  if (!record || (record->party != caller.party.value() && !caller.sees_everything)) {
    return absl::NotFoundError(
        fmt::format("no operation {} visible to {}", id, caller.party.value()));
  }
  return OperationView{.ref = RefOf(*record), .whole = *record, .overlaps = {}};
}

std::optional<geo::Overlap> OperationService::TerritoryOverlap(
    const LiveOperation& op, const std::vector<std::shared_ptr<const geo::Volume4D>>& territory,
    Timestamp now) {
  std::optional<geo::Overlap> envelope;
  for (const auto& area : territory) {
    for (const auto& v : op.volumes) {
      if (v->time().end <= now) continue;
      if (auto o = geo::OverlapOf(*area, *v)) envelope = envelope ? UnionOf(*envelope, *o) : *o;
    }
  }
  return envelope;
}

Page<QueryHit> OperationService::InTerritory(const Caller& caller, const PageRequest& page) const {
  Page<QueryHit> out;
  if (caller.territory.empty()) return out;
  const Timestamp now = clock_.Now();
  ReaderLock lock(mu_);
  std::set<std::string> ids;  // other parties' operations with a volume in some polygon
  for (const auto& area : caller.territory) {
    index_->Query(*area, [&](VolumeKey key, const geo::Volume4D& theirs) {
      mu_.AssertReaderHeld();  // the callback runs inside Query, under `lock`
      if (theirs.time().end <= now) return;
      auto id = id_of_handle_.find(key.owner);
      if (id == id_of_handle_.end() || id->second <= page.after) return;
      ids.insert(id->second);
    });
  }
  for (const std::string& id : ids) {
    const LiveOperation& op = ops_.at(id);
    if (!op.visible() || op.record.party == caller.party.value()) continue;
    std::optional<geo::Overlap> overlap = TerritoryOverlap(op, caller.territory, now);
    if (!overlap) continue;  // only a bound met it
    if (out.items.size() == page.limit) {
      out.next = out.items.back().ref.id.value();
      break;
    }
    out.items.push_back(QueryHit{
        .ref = RefOf(op.record), .whole = std::nullopt, .overlap = *overlap, .coarsened = false});
  }
  return out;
}

void OperationService::Query(const Caller& caller, const geo::Volume4D& area,
                             const PageRequest& page, QueryDone done) {
  const Timestamp now = clock_.Now();
  Page<QueryHit> out;
  std::vector<std::string> probed;  // other parties' operations shown (coarse or not)
  {
    ReaderLock lock(mu_);
    std::map<std::string, std::optional<geo::Overlap>> hits;
    index_->Query(area, [&](VolumeKey key, const geo::Volume4D& theirs) {
      mu_.AssertReaderHeld();  // the callback runs inside Query, under `lock`
      if (theirs.time().end <= now) return;
      auto id = id_of_handle_.find(key.owner);
      if (id == id_of_handle_.end() || id->second <= page.after) return;
      const LiveOperation& op = ops_.at(id->second);
      if (!op.visible()) return;
      const bool whole = op.record.party == caller.party.value() || caller.sees_everything;
      if (!whole && !caller.may_probe) return;  // observers etc. see only what is theirs
      std::optional<geo::Overlap> o = geo::OverlapOf(area, theirs);
      if (!o) return;
      auto& slot = hits[id->second];
      slot = slot ? UnionOf(*slot, *o) : *o;
    });
    for (const auto& [id, overlap] : hits) {
      if (out.items.size() == page.limit) {
        out.next = out.items.back().ref.id.value();
        break;
      }
      const LiveOperation& op = ops_.at(id);
      QueryHit hit{.ref = RefOf(op.record), .whole = std::nullopt, .overlap = std::nullopt};
      if (op.record.party == caller.party.value() || caller.sees_everything) {
        hit.whole = op.record;
      } else {
        // What a refused PUT of `area` would give (its "missing" list); coarse unless the caller
        // has filed something that meets it (then GET shows it the exact overlap anyway).
        hit.overlap = overlap;
        if (!MeetsOwn(caller.party.value(), op, now)) {
          hit.overlap = Coarsen(*overlap);
          hit.coarsened = true;
        }
        probed.push_back(id);
      }
      out.items.push_back(std::move(hit));
    }
  }
  if (probed.empty()) return done(std::move(out));
  {
    WriterLock lock(probe_mu_);
    std::vector<Timestamp>& recent = recent_probes_[caller.party.value()];
    std::erase_if(recent, [&](Timestamp t) { return t <= now - std::chrono::minutes(1); });
    if (recent.size() >= options_.max_probes_per_minute) {
      return done(Overloaded(fmt::format(
          "party {} made {} queries showing other parties' operations in the last minute; at "
          "most {} are allowed: retry later",
          caller.party.value(), recent.size(), options_.max_probes_per_minute)));
    }
    recent.push_back(now);
  }
  if (size_t pending = repository_.pending(); pending >= options_.max_pending_writes) {
    return done(Overloaded(
        fmt::format("overloaded: {} writes are waiting for the store; retry shortly", pending)));
  }
  // Recorded before anything is shown.
  auto answer = std::make_shared<Page<QueryHit>>(std::move(out));
  repository_.Submit(
      [party = caller.party.value(), probed = std::move(probed), now](OperationWrites& writes) {
        for (const std::string& id : probed) RETURN_IF_ERROR(writes.RecordProbe(id, party, now));
        return absl::OkStatus();
      },
      [answer, done = std::move(done)](absl::Status recorded) {
        if (!recorded.ok()) {
          spdlog::error("strategic: recording a probe failed: {}", recorded.message());
          return done(absl::UnavailableError("the query could not be recorded; retry shortly"));
        }
        done(std::move(*answer));
      });
}

bool OperationService::MeetsOwn(const std::string& party, const LiveOperation& other,
                                Timestamp now) const {
  auto own = ops_of_party_.find(party);
  if (own == ops_of_party_.end()) return false;
  for (const std::string& own_id : own->second) {
    const LiveOperation& mine = ops_.at(own_id);
    for (const auto& a : mine.volumes) {
      for (const auto& b : other.volumes) {
        if (b->time().end > now && geo::Intersects(*a, *b)) return true;
      }
    }
  }
  return false;
}

geo::Overlap OperationService::Coarsen(const geo::Overlap& o) const {
  const double step = options_.coarse_degrees;
  const auto down = [&](double deg) { return std::floor(deg / step) * step; };
  const auto up = [&](double deg) { return std::ceil(deg / step) * step; };
  const double lat_lo = std::max(-90.0, down(o.rect.lat_lo().degrees()));
  const double lat_hi = std::min(90.0, up(o.rect.lat_hi().degrees()));
  const double lng_lo = std::max(-180.0, down(o.rect.lng_lo().degrees()));
  const double lng_hi = std::min(180.0, up(o.rect.lng_hi().degrees()));
  const auto rad = [](double deg) { return deg * M_PI / 180.0; };
  S2LatLngRect rect(R1Interval(rad(lat_lo), rad(lat_hi)), S1Interval(rad(lng_lo), rad(lng_hi)));
  if (o.rect.lng().is_full()) rect = S2LatLngRect(rect.lat(), S1Interval::Full());
  const auto period = std::chrono::duration_cast<std::chrono::microseconds>(options_.coarse_time);
  const auto floor_time = [&](Timestamp t) {
    return Timestamp(t.time_since_epoch() / period * period);
  };
  Timestamp end = floor_time(o.time.end);
  if (end < o.time.end) end += period;
  return geo::Overlap{
      .rect = rect, .altitude = o.altitude, .time = {floor_time(o.time.start), end}};
}

absl::StatusOr<std::vector<ProbeRecord>> OperationService::Probes(const Caller& caller) {
  ASSIGN_OR_RETURN(std::vector<store::ProbeRow> rows, repository_.Probes(caller.party.value()));
  std::vector<ProbeRecord> out;
  out.reserve(rows.size());
  for (store::ProbeRow& row : rows) {
    out.push_back(ProbeRecord{.operation = OperationId(std::move(row.operation)),
                              .party = PartyId(std::move(row.party)),
                              .count = static_cast<uint64_t>(row.count),
                              .last = row.last});
  }
  return out;
}

Page<OwnConflict> OperationService::Conflicts(const Caller& caller, const PageRequest& page) const {
  const Timestamp now = clock_.Now();
  // Position "<own id>/<other id>": ids are UUIDs, so '/' sorts the pair as a tuple.
  const auto position = [](const std::string& own, const std::string& other) {
    return own + "/" + other;
  };
  ReaderLock lock(mu_);
  Page<OwnConflict> out;
  auto own = ops_of_party_.find(caller.party.value());
  if (own == ops_of_party_.end()) return out;
  std::vector<std::string> own_ids(own->second.begin(), own->second.end());
  std::sort(own_ids.begin(), own_ids.end());
  const std::string after_own = page.after.substr(0, page.after.find('/'));
  for (const std::string& own_id : own_ids) {
    if (own_id < after_own) continue;
    const LiveOperation& mine = ops_.at(own_id);
    if (!mine.visible()) continue;
    for (const Clash& clash : FindClashes(caller.party.value(), own_id, mine.volumes, now, true)) {
      if (!page.after.empty() && position(own_id, clash.other->record.id) <= page.after) continue;
      if (out.items.size() == page.limit) {
        out.next = position(out.items.back().operation.value(), out.items.back().other.id.value());
        return out;
      }
      out.items.push_back(
          OwnConflict{OperationId(own_id), RefOf(clash.other->record), clash.overlap});
    }
  }
  return out;
}

Page<store::OperationRecord> OperationService::Own(const Caller& caller,
                                                   const PageRequest& page) const {
  Page<store::OperationRecord> out;
  ReaderLock lock(mu_);
  auto own = ops_of_party_.find(caller.party.value());
  if (own == ops_of_party_.end()) return out;
  std::vector<std::string> ids;
  for (const std::string& id : own->second) {
    if (id > page.after) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    const LiveOperation& op = ops_.at(id);
    if (!op.visible()) continue;  // not yet durable: the caller's PUT is still being answered
    if (out.items.size() == page.limit) {
      out.next = out.items.back().id;
      break;
    }
    out.items.push_back(op.record);
  }
  return out;
}

}  // namespace deconflict::strategic
