#include "strategic/volume_index.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "s2/s2cap.h"
#include "s2/s2earth.h"
#include "s2/s2edge_distances.h"
#include "s2/s2loop.h"
#include "s2/s2polygon.h"
#include "s2/s2region_coverer.h"

namespace deconflict::strategic {
namespace {

using std::chrono::seconds;

// Postings store times as 32-bit seconds from this epoch (covering 1952..2088; outside that
// they saturate, which only makes the filter let more through).
constexpr Timestamp kEpoch{std::chrono::sys_days{std::chrono::year{2020} / 1 / 1}};

int32_t Saturate(int64_t s, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(std::clamp<int64_t>(s, lo, hi));
}
constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();

// Start rounded down and end rounded up: the rounded window contains the real one, and a
// saturated window is still non-empty.
int32_t StartSeconds(Timestamp t) {
  return Saturate(std::chrono::floor<seconds>(t - kEpoch).count(), kMin32, kMax32 - 1);
}
int32_t EndSeconds(Timestamp t) {
  return Saturate(std::chrono::ceil<seconds>(t - kEpoch).count(), kMin32 + 1, kMax32);
}

float FloatDown(double x) {
  float f = static_cast<float>(x);
  return f > x ? std::nextafter(f, -std::numeric_limits<float>::infinity()) : f;
}
float FloatUp(double x) {
  float f = static_cast<float>(x);
  return f < x ? std::nextafter(f, std::numeric_limits<float>::infinity()) : f;
}

thread_local VolumeIndex::QueryStats last_query_stats;

// A cap inside the closed footprint of `v` (empty if none is found), to accept candidates that
// lie inside it without the exact test: a circle itself; for a polygon, the cap around its
// centroid, when the polygon contains it, reaching 1e-9 rad short of the nearest edge (no
// boundary point is nearer, so the whole cap is on the centroid's side, inside). ~1 µs.
S2Cap InscribedCap(const geo::Volume4D& v) {
  const S2Polygon* polygon = v.s2_polygon();
  if (polygon == nullptr) return v.s2_cap();
  if (polygon->num_loops() != 1 || polygon->num_vertices() > 64) return S2Cap::Empty();
  const S2Point center = polygon->GetCentroid().Normalize();
  if (!polygon->Contains(center)) return S2Cap::Empty();
  const S2Loop& loop = *polygon->loop(0);
  S1ChordAngle nearest = S1ChordAngle::Infinity();
  for (int vertex_idx = 0; vertex_idx < loop.num_vertices(); ++vertex_idx) {
    S2::UpdateMinDistance(center, loop.vertex(vertex_idx), loop.vertex(vertex_idx + 1), &nearest);
  }
  // Less the distance's own error bound and the margin, so that the cap stays inside.
  const S1ChordAngle radius =
      nearest.PlusError(-S2::GetUpdateMinDistanceMaxError(nearest)) - S1ChordAngle::Radians(1e-9);
  if (radius <= S1ChordAngle::Zero()) return S2Cap::Empty();
  return S2Cap(center, radius);
}

}  // namespace

// The query's window and band, rounded outwards like the postings'. Passes() is true for every
// posting whose volume may meet the query in time and altitude (half-open windows, closed bands).
struct VolumeIndex::Filter {
  int32_t start_s, end_s;
  float lower_m, upper_m;

  static Filter Of(const geo::Volume4D& v) {
    return {StartSeconds(v.time().start), EndSeconds(v.time().end), FloatDown(v.altitude().lower_m),
            FloatUp(v.altitude().upper_m)};
  }
  bool Passes(const Posting& p) const {
    return p.start_s < end_s && start_s < p.end_s && p.lower_m <= upper_m && lower_m <= p.upper_m;
  }
};

namespace {

// A time key holds the level in its top 6 bits and the bucket, offset to be non-negative, in
// the other 26. Buckets are clamped to what fits: clamping is monotone, so windows that meet
// still share a bucket (only the coarse bucket filter loosens, at level 0 beyond ±3,800 years
// from 2020 for 1-hour buckets, and the time filter and the exact test decide).
constexpr int kBucketBits = 26;
constexpr int64_t kBucketOffset = int64_t{1} << (kBucketBits - 1);
constexpr int64_t kMinBucket = -kBucketOffset, kMaxBucket = kBucketOffset - 1;
constexpr int kMaxLevels = 64;
// Longer than the whole range of Timestamp (±292,000 years = ±9.2e12 s): the coarsest level has
// buckets at least this long, so any window meets at most 2 of them.
constexpr int64_t kCoarsestBucketS = int64_t{1} << 45;

uint32_t TimeKey(int level, int64_t bucket) {
  return (static_cast<uint32_t>(level) << kBucketBits) |
         static_cast<uint32_t>(bucket + kBucketOffset);
}
int64_t BucketOfKey(uint32_t time_key) {
  return static_cast<int64_t>(time_key & ((uint32_t{1} << kBucketBits) - 1)) - kBucketOffset;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

// Whole seconds since kEpoch, rounded down. Computed from the Unix epoch first, so that no
// Timestamp overflows.
int64_t EpochSecondsDown(Timestamp t) {
  constexpr int64_t kEpochS =
      std::chrono::duration_cast<seconds>(kEpoch.time_since_epoch()).count();
  return FloorDiv(t.time_since_epoch().count(), 1'000'000) - kEpochS;
}

}  // namespace

VolumeIndex::VolumeIndex(VolumeIndexOptions options) : options_(options) {
  // Invariant: the REQUIRES of VolumeIndexOptions; otherwise the levels below never end or
  // overflow.
  if (options_.time_bucket < std::chrono::hours(1) || options_.level_factor < 2 ||
      options_.level_factor > 1024 || options_.max_buckets_per_volume < 2) {
    std::abort();
  }
  bucket_s_.push_back(seconds(options_.time_bucket).count());
  while (bucket_s_.back() < kCoarsestBucketS) {
    bucket_s_.push_back(bucket_s_.back() * options_.level_factor);
  }
  // Invariant: with time_bucket >= 1 h = 2^11.8 s and a factor >= 2, at most 35 levels.
  if (bucket_s_.size() > kMaxLevels) std::abort();
  volumes_at_level_.assign(bucket_s_.size(), 0);
}

VolumeIndex::BucketRange VolumeIndex::BucketsOf(const geo::TimeWindow& window, int level) const {
  const int64_t bucket_s = bucket_s_[level];
  auto bucket_of = [&](Timestamp t) {
    return std::clamp(FloorDiv(EpochSecondsDown(t), bucket_s), kMinBucket, kMaxBucket);
  };
  // The window is half-open: its last instant is end - 1 µs (it is not empty, see geo::Make).
  return {bucket_of(window.start), bucket_of(window.end - std::chrono::microseconds(1))};
}

int VolumeIndex::LevelOf(const geo::TimeWindow& window) const {
  const int coarsest = static_cast<int>(bucket_s_.size()) - 1;
  for (int level = 0; level < coarsest; ++level) {
    const BucketRange range = BucketsOf(window, level);
    if (range.last - range.first < options_.max_buckets_per_volume) return level;
  }
  return coarsest;
}

std::vector<S2CellId> VolumeIndex::CoverIndexed(const geo::Volume4D& volume) const {
  S2RegionCoverer::Options coverer_options;
  coverer_options.set_min_level(options_.min_level);
  coverer_options.set_max_level(options_.max_level);
  coverer_options.set_max_cells(options_.max_cells);
  S2RegionCoverer coverer(coverer_options);
  std::vector<S2CellId> cells;
  coverer.GetCovering(volume.s2_region(), &cells);
  return cells;
}

std::vector<S2CellId> VolumeIndex::CoverQuery(const geo::Volume4D& volume) const {
  S2RegionCoverer::Options coverer_options;
  coverer_options.set_min_level(options_.min_level);
  coverer_options.set_max_level(options_.max_level);
  coverer_options.set_max_cells(options_.max_cells);
  S2RegionCoverer coverer(coverer_options);
  std::vector<S2CellId> cells;
  // The query covers the footprint's bounding cap, grown by the margin: S2Cap's cell tests are
  // analytic, so this takes ~10 µs where covering a polygon itself takes ~50-100 µs. The looser
  // covering of polygons only costs a few more postings to read, as the exact test follows.
  // (S2Cap::GetCellUnionBound, 4 cells of one level, takes 0.6 µs but let through ~2.5x more
  // candidates, which cost more than the difference at 1M volumes.)
  // Why the margin: two closed footprints that touch at a point on an S2 cell boundary may be
  // covered by two neighbouring cells, neither containing the other. Growing the query makes
  // the shared point interior to the grown footprint, whose covering then overlaps a cell
  // of the other's covering in more than a boundary.
  coverer.GetCovering(
      volume.BoundingCap().Expanded(S2Earth::MetersToAngle(options_.query_margin_m)), &cells);
  return cells;
}

void VolumeIndex::Insert(VolumeKey key, std::shared_ptr<const geo::Volume4D> volume) {
  // Invariant: the contract REQUIRES a volume; a null one would crash later, far from here.
  if (volume == nullptr) std::abort();
  Remove(key);
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
    bounds_.emplace_back();
  }
  const S2Cap& cap = volume->BoundingCap();
  bounds_[slot] = SlotBounds{cap.center(),
                             cap.radius(),
                             volume->time().start,
                             volume->time().end,
                             volume->altitude().lower_m,
                             volume->altitude().upper_m};
  std::vector<S2CellId> cells = CoverIndexed(*volume);
  const Filter bounds = Filter::Of(*volume);
  const int level = LevelOf(volume->time());
  const BucketRange range = BucketsOf(volume->time(), level);
  for (int64_t bucket = range.first; bucket <= range.last; ++bucket) {
    for (S2CellId cell : cells) {
      postings_.insert(Posting{TimeKey(level, bucket), slot, cell.id(), bounds.start_s,
                               bounds.end_s, bounds.lower_m, bounds.upper_m});
    }
  }
  for (S2CellId cell : cells) ++volumes_of_cell_[CellAtLevel(cell, level)];
  ++volumes_at_level_[level];
  by_end_.insert({volume->time().end, slot});
  slot_of_[key] = slot;
  slots_of_owner_[key.owner].push_back(slot);
  slots_[slot] = Slot{key, std::move(volume), std::move(cells), level};
}

void VolumeIndex::RemoveSlot(uint32_t slot) {
  Slot& s = slots_[slot];
  const BucketRange range = BucketsOf(s.volume->time(), s.level);
  for (int64_t bucket = range.first; bucket <= range.last; ++bucket) {
    for (S2CellId cell : s.cells) {
      postings_.erase(Posting{TimeKey(s.level, bucket), slot, cell.id(), 0, 0, 0, 0});
    }
  }
  for (S2CellId cell : s.cells) {
    auto count = volumes_of_cell_.find(CellAtLevel(cell, s.level));
    if (--count->second == 0) volumes_of_cell_.erase(count);
  }
  --volumes_at_level_[s.level];
  by_end_.erase({s.volume->time().end, slot});
  slot_of_.erase(s.key);
  auto owner = slots_of_owner_.find(s.key.owner);
  std::vector<uint32_t>& owned = owner->second;
  owned.erase(std::find(owned.begin(), owned.end(), slot));
  if (owned.empty()) slots_of_owner_.erase(owner);
  s = Slot{};
  free_slots_.push_back(slot);
}

void VolumeIndex::Remove(VolumeKey key) {
  auto it = slot_of_.find(key);
  if (it != slot_of_.end()) RemoveSlot(it->second);
}

void VolumeIndex::RemoveOwner(uint64_t owner) {
  auto it = slots_of_owner_.find(owner);
  if (it == slots_of_owner_.end()) return;
  const std::vector<uint32_t> owned = it->second;  // RemoveSlot edits the map.
  for (uint32_t slot : owned) RemoveSlot(slot);
}

size_t VolumeIndex::size() const { return slot_of_.size(); }

size_t VolumeIndex::posting_count() const { return postings_.size(); }

void VolumeIndex::EvictEndedBefore(Timestamp t) {
  while (!by_end_.empty() && by_end_.begin()->first <= t) RemoveSlot(by_end_.begin()->second);
}

void VolumeIndex::ScanLevel(int level, BucketRange range,
                            const std::vector<std::pair<uint64_t, uint64_t>>& intervals,
                            const Filter& filter, std::vector<uint32_t>& candidates,
                            QueryStats& stats) const {
  const uint64_t first_cell = intervals.front().first;
  const uint32_t last_key = TimeKey(level, range.last);
  int64_t bucket = range.first;
  while (bucket <= range.last) {
    const uint32_t time_key = TimeKey(level, bucket);
    auto it = postings_.lower_bound(Posting{time_key, 0, first_cell, 0, 0, 0, 0});
    if (it == postings_.end() || it->time_key > last_key) return;
    if (it->time_key != time_key) {
      // Nothing of this bucket (and of those up to it->time_key) is under the intervals, which
      // all start at first_cell or later: jump to the next bucket that holds postings. So the
      // buckets read are the non-empty ones, whatever the length of the query's window.
      bucket = BucketOfKey(it->time_key);
      continue;
    }
    ++stats.buckets;
    // A volume that starts before this bucket also meets the previous one, where it is posted
    // (at this level, under the same cells) and passed the same filter: when that bucket was
    // read too (it is at or after range.first, and either was scanned or was jumped over as
    // holding nothing under the intervals, so then no such posting exists), skip it here (fewer
    // duplicates to sort). Only for bucket starts below kMax32 - 1: a start_s saturated high
    // (kMax32 - 1) is then never below it, so start_s < bucket start implies the real start is
    // too. (A clamped bucket's computed start only errs for buckets at the clamp ends, where the
    // same argument holds: a volume in the last bucket starting before it is in the previous.)
    const int64_t bucket_start_s = bucket * bucket_s_[level];
    const int64_t skip_below_s =
        bucket > range.first && bucket_start_s < kMax32 - 1 ? bucket_start_s : kMin32;
    // `it` is the first posting of this bucket after cell `scanned_to` (all of the bucket's
    // postings before it have cell <= scanned_to), or the end of the bucket.
    uint64_t scanned_to = 0;
    for (const auto& [interval_first, interval_last] : intervals) {
      // Where the previous interval's scan stopped is often already at or past this one
      // (neighbouring covering cells, empty ancestors): then no btree descent is needed. (The
      // check of scanned_to only matters if intervals overlapped, which they do not.)
      if (interval_first <= scanned_to ||
          (it != postings_.end() && it->time_key == time_key && it->cell < interval_first)) {
        it = postings_.lower_bound(Posting{time_key, 0, interval_first, 0, 0, 0, 0});
      }
      scanned_to = interval_last;
      if (it == postings_.end() || it->time_key != time_key) break;  // Nothing more here.
      for (; it != postings_.end() && it->time_key == time_key && it->cell <= interval_last; ++it) {
        ++stats.postings;
        if (filter.Passes(*it) && it->start_s >= skip_below_s) candidates.push_back(it->slot);
      }
    }
    ++bucket;
  }
}

void VolumeIndex::Query(const geo::Volume4D& area,
                        absl::FunctionRef<void(VolumeKey, const geo::Volume4D&)> visit) const {
  QueryStats stats;
  const std::vector<S2CellId> covering = CoverQuery(area);
  stats.covering_cells = covering.size();
  const Filter filter = Filter::Of(area);
  std::vector<uint32_t> candidates;
  // Indexed cells intersect a query cell iff they are inside it (one ordered range of ids) or
  // contain it (one of its ancestors, never above min_level). The ranges of a normalised
  // covering are disjoint, and an ancestor's id lies outside the ranges of its descendants, so
  // these id intervals are disjoint: sorted, one bucket's are read in one forward pass.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  std::vector<uint64_t> ancestors;
  for (S2CellId cell : covering) {
    ranges.emplace_back(cell.range_min().id(), cell.range_max().id());
    for (int level = cell.level() - 1; level >= options_.min_level; --level) {
      ancestors.push_back(cell.parent(level).id());
    }
  }
  std::sort(ancestors.begin(), ancestors.end());
  ancestors.erase(std::unique(ancestors.begin(), ancestors.end()), ancestors.end());

  std::vector<std::pair<uint64_t, uint64_t>> intervals;
  for (int time_level = 0; time_level < static_cast<int>(bucket_s_.size()); ++time_level) {
    if (volumes_at_level_[time_level] == 0) continue;
    intervals = ranges;
    for (uint64_t ancestor : ancestors) {
      // Skips the descent for ancestors no volume of this level is indexed under (most).
      if (volumes_of_cell_.contains({ancestor, time_level})) {
        intervals.emplace_back(ancestor, ancestor);
      }
    }
    std::sort(intervals.begin(), intervals.end());
    ScanLevel(time_level, BucketsOf(area.time(), time_level), intervals, filter, candidates, stats);
  }

  // A volume appears once per covering cell the query meets: visit it once.
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  stats.candidates = candidates.size();
  // Most candidates are decided from their SlotBounds alone (one cache line, fetched a few
  // candidates ahead): exact time and altitude, then the bounding caps (they contain the
  // footprints), which reject footprints far apart and, for a circle query, accept those inside
  // it. Only the rest run geo::Intersects, following a chain of cache misses (slot, the
  // volume's shared block, its representation): each link is fetched ahead too.
  const S2Cap& area_cap = area.BoundingCap();
  const S2Cap inside_area = InscribedCap(area);
  const geo::TimeWindow& area_time = area.time();
  const geo::AltitudeBand& area_band = area.altitude();
  constexpr size_t kBoundsAhead = 8;
  auto decide = [&](uint32_t slot) -> int {  // 0 no, 1 yes, -1 run the exact test
    const SlotBounds& b = bounds_[slot];
    if (!(b.start < area_time.end && area_time.start < b.end && b.lower_m <= area_band.upper_m &&
          area_band.lower_m <= b.upper_m)) {
      return 0;
    }
    // Distance between the centres, made smaller (for the reject) or larger (for the accept)
    // by its rounding error, so that neither ever decides a case the exact test would not.
    const S1ChordAngle distance(area_cap.center(), b.cap_center);
    const double error = distance.GetS2PointConstructorMaxError();
    if (distance.PlusError(-error) > area_cap.radius() + b.cap_radius) return 0;
    // Inside the query: the volume's cap, hence its non-empty footprint, is within a cap inside
    // the query's footprint. The margin (1e-9 rad, 6 mm) dwarfs the rounding of the chords.
    if (!inside_area.is_empty()) {
      const S1ChordAngle inner_distance = inside_area.center() == area_cap.center()
                                              ? distance
                                              : S1ChordAngle(inside_area.center(), b.cap_center);
      if (inner_distance.PlusError(inner_distance.GetS2PointConstructorMaxError()) + b.cap_radius +
              S1ChordAngle::Radians(1e-9) <=
          inside_area.radius()) {
        return 1;
      }
    }
    return -1;
  };
  std::vector<uint32_t> exact;  // Candidates left to geo::Intersects.
  for (size_t candidate_idx = 0; candidate_idx < candidates.size(); ++candidate_idx) {
    if (candidate_idx + kBoundsAhead < candidates.size()) {
      __builtin_prefetch(&bounds_[candidates[candidate_idx + kBoundsAhead]]);
    }
    const uint32_t slot = candidates[candidate_idx];
    const int decision = decide(slot);
    if (decision == 1) {
      ++stats.matches;
      visit(slots_[slot].key, *slots_[slot].volume);
    } else if (decision == -1) {
      exact.push_back(slot);
    }
  }
  stats.exact_tests = exact.size();
  constexpr size_t kSlotAhead = 12, kVolumeAhead = 8, kRepAhead = 4;
  for (size_t exact_idx = 0; exact_idx < exact.size(); ++exact_idx) {
    if (exact_idx + kSlotAhead < exact.size()) {
      __builtin_prefetch(&slots_[exact[exact_idx + kSlotAhead]]);
    }
    if (exact_idx + kVolumeAhead < exact.size()) {
      __builtin_prefetch(slots_[exact[exact_idx + kVolumeAhead]].volume.get());
    }
    if (exact_idx + kRepAhead < exact.size()) {
      slots_[exact[exact_idx + kRepAhead]].volume->Prefetch();
    }
    const Slot& s = slots_[exact[exact_idx]];
    if (geo::Intersects(area, *s.volume)) {
      ++stats.matches;
      visit(s.key, *s.volume);
    }
  }
  last_query_stats = stats;
}

VolumeIndex::QueryStats VolumeIndex::LastQueryStats() { return last_query_stats; }

}  // namespace deconflict::strategic
