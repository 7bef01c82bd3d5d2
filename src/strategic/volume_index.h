// strategic/volume_index.h: the in-memory spatio-temporal index of live operation volumes.
//
//   strategic::VolumeIndex index;                        // VolumeIndexOptions{} defaults
//   index.Insert({.owner = 7, .volume_idx = 0}, std::make_shared<const geo::Volume4D>(v));
//   index.Query(candidate, [&](strategic::VolumeKey key, const geo::Volume4D& other) {
//     conflicts.push_back({key, geo::OverlapOf(candidate, other)});
//   });
//   index.EvictEndedBefore(clock.Now());                 // drop what has ended
//
// Query answers exactly what a brute-force scan with geo::Intersects would (tested by
// volume_index_test.cc against that oracle), only faster: each volume is indexed under an S2
// cell covering of its footprint (S2RegionCoverer), in the time buckets its window meets at one
// time level: level 0 has buckets of `time_bucket`, each next level buckets `level_factor` times
// longer, and a volume goes to the finest level where its window meets at most
// `max_buckets_per_volume` buckets. So a volume costs at most max_buckets_per_volume postings
// per covering cell whatever its window (1 s or 300 years). A query covers the bounding cap of
// its footprint grown by `query_margin_m` (so that footprints touching along an S2 cell edge
// are found), and at each level that holds volumes, in each non-empty bucket its window meets
// (found by the btree, so a window from year 0001 to 9999 visits only buckets that hold
// postings), reads the indexed cells inside each of its cells (one ordered range) and
// containing them (their ancestors, skipped when no volume of that level is indexed under
// them), in one forward pass over these disjoint intervals; it filters by the time window and
// altitude band stored beside each posting (and skips postings already met in the previous
// bucket) and runs the exact test once on each distinct survivor.
//
// Each candidate is first decided from one cache line kept per volume (exact window and band,
// bounding cap): different times, caps apart, or a cap inside the query's footprint (a circle, or
// a cap inscribed in a polygon) need no exact test.
//
// Memory: ~1.8 GB per million volumes of typical traffic (volumes included); per volume at most
// max_buckets_per_volume x covering cells postings of 32 bytes, and 64 bytes of bounds.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "common/clock.h"
#include "geo/volume.h"
#include "s2/s1chord_angle.h"
#include "s2/s2cell_id.h"
#include "s2/s2point.h"

namespace deconflict::strategic {

// Which volume: `owner` is an opaque handle the caller assigns per operation; `volume_idx` the
// volume's position in it.
struct VolumeKey {
  uint64_t owner;
  uint32_t volume_idx;
  friend bool operator==(const VolumeKey&, const VolumeKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const VolumeKey& k) {
    return H::combine(std::move(h), k.owner, k.volume_idx);
  }
};

struct VolumeIndexOptions {
  // Covering of each footprint (S2RegionCoverer). Cells larger than min_level are never used,
  // so a query looks up at most max_level - min_level ancestors per cell.
  int min_level = 6;   // Default: 6 (cells ~150 km across).
  int max_level = 15;  // Default: 15 (cells ~300 m across).
  int max_cells = 8;   // Default: 8 cells per covering (a soft limit, as in S2).
  // Growth of the query footprint before covering it (not of the answer, which stays exact).
  double query_margin_m = 0.01;  // Default: 1 cm.
  // Postings are also keyed by time level and bucket (see the file comment). Level 0 buckets
  // last `time_bucket`, level L buckets time_bucket x level_factor^L; a volume is posted at
  // the finest level where its window meets at most max_buckets_per_volume buckets (a window
  // longer than any level allows, only possible for absurd timestamps, goes to the coarsest
  // level, where every window meets at most 2 buckets). Shorter buckets read fewer postings per
  // query; more buckets per volume keep more windows at the finer levels.
  // REQUIRES: time_bucket >= 1 h, level_factor >= 2, max_buckets_per_volume >= 2.
  std::chrono::hours time_bucket{6};  // Default: 6 h (then 1 day, 4 days, 16 days, ...).
  int level_factor = 4;               // Default: 4.
  int max_buckets_per_volume = 4;     // Default: 4 (level 0 holds windows of up to 18-24 h).
};

// Thread-compatible: const methods may run concurrently; mutations need external locking.
// Holds a shared reference to each indexed volume.
class VolumeIndex {
 public:
  explicit VolumeIndex(VolumeIndexOptions options = {});
  // Movable (a moved-from index may only be assigned to or destroyed), not copyable.
  VolumeIndex(VolumeIndex&&) = default;
  VolumeIndex& operator=(VolumeIndex&&) = default;
  VolumeIndex(const VolumeIndex&) = delete;
  VolumeIndex& operator=(const VolumeIndex&) = delete;

  // Indexes `volume` under `key`, replacing any volume already under that key.
  // REQUIRES: volume != nullptr.
  void Insert(VolumeKey key, std::shared_ptr<const geo::Volume4D> volume);
  // Removes the volume under `key`; no-op if absent.
  void Remove(VolumeKey key);
  // Removes every volume of `owner`; no-op if none.
  void RemoveOwner(uint64_t owner);
  // Number of indexed volumes.
  size_t size() const;
  // Number of (time bucket, cell, volume) postings: at most max_buckets_per_volume x the
  // covering cells of each volume. Memory is ~32 bytes per posting plus the volumes.
  size_t posting_count() const;

  // Calls visit(key, volume) once for every indexed volume v with geo::Intersects(area, v), in
  // no particular order. `volume` is valid during the call (take a copy to keep it). `visit`
  // must not modify the index.
  void Query(const geo::Volume4D& area,
             absl::FunctionRef<void(VolumeKey, const geo::Volume4D&)> visit) const;

  // Removes every volume whose time window ends at or before `t` (time().end <= t), i.e. that
  // can conflict with nothing starting at or after t. Costs O(evicted * log n).
  void EvictEndedBefore(Timestamp t);

  // Counters of the last Query on this thread, for benchmarks and tests.
  struct QueryStats {
    size_t covering_cells = 0;  // Cells in the query covering.
    size_t buckets = 0;         // Non-empty (level, bucket) pairs read.
    size_t postings = 0;        // Postings read.
    size_t candidates = 0;      // Distinct volumes surviving the time and altitude filter.
    size_t exact_tests = 0;     // Candidates left to geo::Intersects (not decided by bounds).
    size_t matches = 0;         // Volumes visited.
  };
  static QueryStats LastQueryStats();

 private:
  // One (time bucket, cell, volume) triple, with the volume's window and band rounded outwards
  // so that the filter never drops a volume the exact test would keep.
  struct Posting {
    uint32_t time_key;  // TimeKey(level, bucket): ordered by level, then bucket.
    uint32_t slot;
    uint64_t cell;
    int32_t start_s;  // Seconds since kEpoch, rounded down (saturated outside 1952..2088).
    int32_t end_s;    // Rounded up.
    float lower_m;    // Rounded down.
    float upper_m;    // Rounded up.
  };
  struct PostingOrder {
    // Always inlined: GCC otherwise calls it from the btree's binary search (~10% of a query).
    [[gnu::always_inline]] bool operator()(const Posting& a, const Posting& b) const {
      if (a.time_key != b.time_key) return a.time_key < b.time_key;
      return a.cell != b.cell ? a.cell < b.cell : a.slot < b.slot;
    }
  };
  struct Slot {
    VolumeKey key;
    std::shared_ptr<const geo::Volume4D> volume;  // Null when the slot is free.
    std::vector<S2CellId> cells;                  // The covering it is indexed under.
    int level = 0;                                // The time level it is posted at.
  };
  // What the exact test of a candidate looks at first, beside the other candidates' (one cache
  // line each, in slot order), so that most candidates are decided without following the
  // pointers to their volume's representation: the exact window and band, and the bounding cap.
  struct alignas(64) SlotBounds {
    S2Point cap_center;
    S1ChordAngle cap_radius;
    Timestamp start, end;
    double lower_m, upper_m;
  };
  // Buckets [first, last] of one level (clamped to the range a time key can hold).
  struct BucketRange {
    int64_t first, last;
  };
  struct Filter;
  // The postings, in nodes of ~1 KiB (~30 postings) instead of absl::btree_set's 256 bytes
  // (~7): at ~20 million postings a lookup then crosses 5 levels instead of 8 and a scan moves
  // to the next node 4x less often (measured: the scan was ~60% of a query at 1M volumes).
  // absl::btree_set takes no node size, hence the container_internal types (Abseil 20220623).
  using PostingSet = absl::container_internal::btree_set_container<
      absl::container_internal::btree<absl::container_internal::set_params<
          Posting, PostingOrder, std::allocator<Posting>, /*TargetNodeSize=*/1024,
          /*IsMulti=*/false>>>;

  std::vector<S2CellId> CoverIndexed(const geo::Volume4D& volume) const;
  std::vector<S2CellId> CoverQuery(const geo::Volume4D& volume) const;
  void RemoveSlot(uint32_t slot);
  // The buckets of `level` that the window [start, end) meets.
  BucketRange BucketsOf(const geo::TimeWindow& window, int level) const;
  // Appends to `candidates` the slots of the postings of `level`, in the non-empty buckets of
  // `range`, under the sorted disjoint cell-id `intervals`, that pass `filter`.
  void ScanLevel(int level, BucketRange range,
                 const std::vector<std::pair<uint64_t, uint64_t>>& intervals, const Filter& filter,
                 std::vector<uint32_t>& candidates, QueryStats& stats) const;
  // The finest level where `window` meets at most max_buckets_per_volume buckets.
  int LevelOf(const geo::TimeWindow& window) const;
  // Key of the volume-count map volumes_of_cell_.
  static std::pair<uint64_t, int> CellAtLevel(S2CellId cell, int level) {
    return {cell.id(), level};
  }

  VolumeIndexOptions options_;
  // bucket_s_[L]: length of a level-L bucket in seconds. The coarsest level's buckets are
  // longer than the whole range of Timestamp, so any window meets at most 2 of them.
  std::vector<int64_t> bucket_s_;
  std::vector<uint32_t> volumes_at_level_;  // Indexed volumes per level (a query skips empty ones).
  PostingSet postings_;
  std::vector<Slot> slots_;
  std::vector<SlotBounds> bounds_;  // Parallel to slots_.
  std::vector<uint32_t> free_slots_;
  absl::flat_hash_map<VolumeKey, uint32_t> slot_of_;
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> slots_of_owner_;
  // How many indexed volumes of each level have each cell in their covering. A query skips the
  // lookups of ancestors no volume of the level is indexed under (most of the coarse ones):
  // each is one btree descent per time bucket.
  absl::flat_hash_map<std::pair<uint64_t, int>, uint32_t> volumes_of_cell_;
  absl::btree_set<std::pair<Timestamp, uint32_t>> by_end_;
};

}  // namespace deconflict::strategic
