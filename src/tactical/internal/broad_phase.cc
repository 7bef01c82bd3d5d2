#include "tactical/internal/broad_phase.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

namespace deconflict::tactical::internal {

// Per-thread scratch: one slice's boxes, their cell keys and the cells.
struct SliceScratch {
  struct Box {
    float xlo, xhi, ylo, yhi, zlo, zhi, alo, ahi;
  };
  // A box in cell order, with what the pair loop needs next to it.
  struct Entry {
    Box box;
    uint32_t track, party;
  };
  std::vector<Entry> boxes;  // by position in plan.grid_tracks
  std::vector<uint64_t> keys, keys_tmp;
  std::vector<uint32_t> order, order_tmp;
  std::vector<int64_t> cells;  // 3 cell coordinates per box
  std::vector<Entry> entries;  // by cell key, then by alo within a cell
  std::vector<uint64_t> cell_key;
  std::vector<uint32_t> cell_begin;  // cells + 1 entries
};

namespace {

constexpr double kTimeSlopS = 1e-3;     // slices overlap by 1 ms at their edges
constexpr double kFloatRelSlop = 1e-7;  // > 2^-24, the relative rounding of double -> float
constexpr double kAltSlopM = 1e-3;      // absolute slop on altitude intervals
constexpr double kDistanceSlopM = 0.5;  // absolute slop on ECEF boxes

float Down(double x) { return static_cast<float>(x - kFloatRelSlop * std::abs(x)); }
float Up(double x) { return static_cast<float>(x + kFloatRelSlop * std::abs(x)); }

struct SliceGeometry {
  double t0, t1;    // with the time slop
  double inflate;   // m_k
  double alt_half;  // V'/2 + slop
};

SliceGeometry GeometryOf(const BroadPhasePlan& plan, int slice) {
  SliceGeometry g;
  g.t0 = slice * plan.slice_s - kTimeSlopS;
  g.t1 = std::min((slice + 1) * plan.slice_s, plan.lookahead_s) + kTimeSlopS;
  // |d|_2 = sqrt(|Pi_u(d)|^2 + (d.u)^2) < sqrt(H^2 + n^2): d's horizontal part is normal to u.
  g.inflate = 0.5 * std::hypot(plan.max_horizontal_m,
                               ProjectionMargin(plan.reach_m, plan.grid_speed_mps, g.t1)) +
              kStaticRelativeSpeedMps * plan.lookahead_s + kDistanceSlopM;
  g.alt_half = 0.5 * plan.max_vertical_eff_m + kLevelRelativeRateMps * plan.lookahead_s + kAltSlopM;
  return g;
}

SliceScratch::Box BoxOf(const KinematicState& s, Vec3 p, Vec3 v, const SliceGeometry& g) {
  Vec3 p0 = p + g.t0 * v, p1 = p + g.t1 * v;
  double a0 = s.alt + g.t0 * s.vs, a1 = s.alt + g.t1 * s.vs;
  const double m = g.inflate, h = g.alt_half;
  return {Down(std::min(p0.x, p1.x) - m), Up(std::max(p0.x, p1.x) + m),
          Down(std::min(p0.y, p1.y) - m), Up(std::max(p0.y, p1.y) + m),
          Down(std::min(p0.z, p1.z) - m), Up(std::max(p0.z, p1.z) + m),
          Down(std::min(a0, a1) - h),     Up(std::max(a0, a1) + h)};
}

// LSD radix sort of (keys, order) by key, 11 bits a pass over the bits in use.
void RadixSort(std::vector<uint64_t>& keys, std::vector<uint32_t>& order,
               std::vector<uint64_t>& keys_tmp, std::vector<uint32_t>& order_tmp,
               uint64_t max_key) {
  constexpr int kBits = 11;
  constexpr size_t kBuckets = size_t{1} << kBits;
  const size_t n = keys.size();
  keys_tmp.resize(n);
  order_tmp.resize(n);
  int bits = std::bit_width(max_key);
  for (int shift = 0; shift < bits; shift += kBits) {
    uint32_t count[kBuckets + 1] = {};
    for (uint64_t key : keys) ++count[((key >> shift) & (kBuckets - 1)) + 1];
    for (size_t bucket = 1; bucket <= kBuckets; ++bucket) count[bucket] += count[bucket - 1];
    for (size_t entry = 0; entry < n; ++entry) {
      uint32_t to = count[(keys[entry] >> shift) & (kBuckets - 1)]++;
      keys_tmp[to] = keys[entry];
      order_tmp[to] = order[entry];
    }
    keys.swap(keys_tmp);
    order.swap(order_tmp);
  }
}

// Runs the narrow phase on pairs whose boxes overlap. Pairs are queued in small batches with
// their two states prefetched, so the states' cache misses overlap instead of stalling one
// judgement after another; the order of judgement does not matter (Detect sorts the result).
// Kept out of line so that the pair loops stay small.
class PairSink {
 public:
  PairSink(const BroadPhasePlan& plan, const PairJudge& judge,
           std::span<const KinematicState> states, int slice, std::vector<Conflict>& out)
      : plan_(plan), judge_(judge), states_(states), slice_(slice), out_(out) {}
  PairSink(const PairSink&) = delete;
  PairSink& operator=(const PairSink&) = delete;

  [[gnu::noinline]] void Add(uint32_t ta, uint32_t tb) {
    // A state is 96 bytes: prefetch both of its cache lines.
    for (uint32_t track : {ta, tb}) {
      __builtin_prefetch(&states_[track]);
      __builtin_prefetch(reinterpret_cast<const char*>(&states_[track]) + 64);
    }
    queue_[queued_++] = {std::min(ta, tb), std::max(ta, tb)};
    if (queued_ == kBatch) Flush();
  }
  // Judges what is queued. Call once more after the last Add.
  void Flush() {
    for (int idx = 0; idx < queued_; ++idx) {
      Conflict conflict;
      if (!judge_.Judge(queue_[idx].first, queue_[idx].second, conflict)) continue;
      // Report from the slice that holds the first moment of loss of separation.
      double first = std::max(conflict.t_in_s, 0.0);
      int first_slice = std::min(plan_.slices - 1, static_cast<int>(first / plan_.slice_s));
      if (first_slice == slice_) out_.push_back(conflict);
    }
    overlaps_ += queued_;
    queued_ = 0;
  }
  int64_t overlaps() const { return overlaps_; }

 private:
  static constexpr int kBatch = 64;

  const BroadPhasePlan& plan_;
  const PairJudge& judge_;
  std::span<const KinematicState> states_;
  int slice_;
  std::vector<Conflict>& out_;
  std::pair<uint32_t, uint32_t> queue_[kBatch];
  int queued_ = 0;
  int64_t overlaps_ = 0;
};

// Fills plan.grid_p and plan.grid_v in the frame whose third axis is the mean up of the grid
// tracks (identity when that mean is too short to have a direction, e.g. global traffic).
void GridFrame(BroadPhasePlan& plan, std::span<const KinematicState> states) {
  Vec3 mean_up;
  for (uint32_t track : plan.grid_tracks) mean_up = mean_up + states[track].up;
  Vec3 ex{1, 0, 0}, ey{0, 1, 0}, ez{0, 0, 1};
  double length = std::sqrt(Norm2(mean_up));
  if (length > 0.5 * plan.grid_tracks.size()) {
    ez = (1.0 / length) * mean_up;
    // Any unit vector normal to ez: cross it with the ECEF axis it is least aligned with.
    Vec3 axis = std::abs(ez.x) < 0.5 ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
    ex = Cross(axis, ez);
    ex = (1.0 / std::sqrt(Norm2(ex))) * ex;
    ey = Cross(ez, ex);
  }
  plan.grid_p.resize(plan.grid_tracks.size());
  plan.grid_v.resize(plan.grid_tracks.size());
  plan.columns = length > 0.5 * plan.grid_tracks.size();
  for (size_t g = 0; g < plan.grid_tracks.size(); ++g) {
    const KinematicState& s = states[plan.grid_tracks[g]];
    plan.columns = plan.columns && Dot(s.up, ez) >= 0.5;
    plan.grid_p[g] = {Dot(s.p, ex), Dot(s.p, ey), Dot(s.p, ez)};
    plan.grid_v[g] = {Dot(s.v, ex), Dot(s.v, ey), Dot(s.v, ez)};
  }
}

}  // namespace

double ProjectionMargin(double reach_m, double max_speed_mps, double t_s) {
  double theta = 1.001 * reach_m / kWgs84MinCurvatureRadius + 1e-9;
  if (theta >= 2.0) return 4.0 * kWgs84A + 2.0 * max_speed_mps * t_s;  // no useful bound
  double rho = kWgs84MinCurvatureRadius;
  double chord_offset = 2.0 * kWgs84E2 * reach_m * reach_m * reach_m / (rho * rho) + 1.0;
  return chord_offset + 2.0 * max_speed_mps * t_s * std::tan(0.5 * theta);
}

BroadPhasePlan MakePlan(const DetectorOptions& options, std::span<const KinematicState> states) {
  BroadPhasePlan plan;
  SeparationMinima max_minima = options.minima.Max();
  plan.lookahead_s = options.lookahead.count();
  plan.slices = options.slices > 0 ? options.slices : 2 * options.num_threads;
  plan.slice_s = plan.lookahead_s / plan.slices;
  plan.max_horizontal_m = max_minima.horizontal_m;
  plan.max_vertical_eff_m = max_minima.vertical_m - kVerticalRoundingM;
  double max_abs = 0;
  for (uint32_t track_idx = 0; track_idx < states.size(); ++track_idx) {
    const KinematicState& s = states[track_idx];
    if (s.ground_speed > options.grid_max_speed_mps) {
      plan.direct_tracks.push_back(track_idx);
      continue;
    }
    plan.grid_tracks.push_back(track_idx);
    plan.grid_speed_mps = std::max(plan.grid_speed_mps, s.ground_speed);
    max_abs = std::max(max_abs, std::sqrt(Norm2(s.p)));  // bounds every coordinate, rotated too
  }
  plan.reach_m = plan.max_horizontal_m + 2.0 * plan.grid_speed_mps * plan.lookahead_s + 1.0;
  GridFrame(plan, states);
  SliceGeometry last = GeometryOf(plan, plan.slices - 1);
  max_abs += plan.grid_speed_mps * plan.lookahead_s + last.inflate;
  // Invariant: every box extent is <= cell size, so overlapping boxes have centres in the same
  // or adjacent cells: extent <= speed * slice + 2 m_k + float slop on both ends.
  plan.cell_size_m = plan.grid_speed_mps * (plan.slice_s + 2 * kTimeSlopS) + 2 * last.inflate +
                     4 * kFloatRelSlop * max_abs + 1.0;
  // Keep the grid index within 2^20 per axis (only matters for absurd inputs).
  plan.cell_size_m = std::max(plan.cell_size_m, 2.2 * max_abs / double(1 << 20));
  return plan;
}

SliceWorker::SliceWorker() : scratch_(std::make_unique<SliceScratch>()) {}
SliceWorker::~SliceWorker() = default;
SliceWorker::SliceWorker(SliceWorker&&) noexcept = default;
SliceWorker& SliceWorker::operator=(SliceWorker&&) noexcept = default;

void SliceWorker::RunSlice(const BroadPhasePlan& plan, std::span<const KinematicState> states,
                           std::span<const uint32_t> party_of, const PairJudge& judge,
                           bool same_party, int slice, std::vector<Conflict>& out) {
  SliceScratch& s = *scratch_;
  const size_t n = plan.grid_tracks.size();
  if (n < 2) return;
  const SliceGeometry geometry = GeometryOf(plan, slice);

  // 1. Boxes, and the range of their centres in cells.
  s.boxes.resize(n);
  double lo[3] = {std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
                  std::numeric_limits<double>::max()};
  for (size_t g = 0; g < n; ++g) {
    const uint32_t track = plan.grid_tracks[g];
    s.boxes[g] = {BoxOf(states[track], plan.grid_p[g], plan.grid_v[g], geometry), track,
                  party_of[track]};
    const SliceScratch::Box& b = s.boxes[g].box;
    lo[0] = std::min(lo[0], 0.5 * (double(b.xlo) + b.xhi));
    lo[1] = std::min(lo[1], 0.5 * (double(b.ylo) + b.yhi));
    lo[2] = std::min(lo[2], 0.5 * (double(b.zlo) + b.zhi));
  }
  // 2. Cell keys; one cell of padding on every side so that neighbour offsets never wrap.
  const double inv_cell = 1.0 / plan.cell_size_m;
  int64_t max_cell[3] = {0, 0, 0};
  s.keys.resize(n);
  s.order.resize(n);
  std::vector<int64_t>& cells = s.cells;
  cells.resize(3 * n);
  for (size_t g = 0; g < n; ++g) {
    const SliceScratch::Box& b = s.boxes[g].box;
    double centre[3] = {0.5 * (double(b.xlo) + b.xhi), 0.5 * (double(b.ylo) + b.yhi),
                        0.5 * (double(b.zlo) + b.zhi)};
    for (int axis = 0; axis < 3; ++axis) {
      int64_t cell = axis == 2 && plan.columns
                         ? 1
                         : 1 + static_cast<int64_t>((centre[axis] - lo[axis]) * inv_cell);
      cells[3 * g + axis] = cell;
      max_cell[axis] = std::max(max_cell[axis], cell);
    }
  }
  const uint64_t nx = max_cell[0] + 2, ny = max_cell[1] + 2, nz = max_cell[2] + 2;
  for (size_t g = 0; g < n; ++g) {
    s.keys[g] = (uint64_t(cells[3 * g + 2]) * ny + uint64_t(cells[3 * g + 1])) * nx +
                uint64_t(cells[3 * g]);
    s.order[g] = static_cast<uint32_t>(g);
  }
  RadixSort(s.keys, s.order, s.keys_tmp, s.order_tmp, nx * ny * nz);

  // 3. Boxes in cell order, sorted by altitude within each cell, and the cells.
  s.entries.resize(n);
  s.cell_key.clear();
  s.cell_begin.clear();
  for (size_t entry = 0; entry < n; ++entry) {
    s.entries[entry] = s.boxes[s.order[entry]];
    if (entry == 0 || s.keys[entry] != s.keys[entry - 1]) {
      s.cell_key.push_back(s.keys[entry]);
      s.cell_begin.push_back(static_cast<uint32_t>(entry));
    }
  }
  s.cell_begin.push_back(static_cast<uint32_t>(n));
  const size_t cell_count = s.cell_key.size();
  SliceScratch::Entry* const e = s.entries.data();
  for (size_t cell = 0; cell < cell_count; ++cell) {
    // Cells hold a handful of boxes: insertion sort.
    for (uint32_t idx = s.cell_begin[cell] + 1; idx < s.cell_begin[cell + 1]; ++idx) {
      SliceScratch::Entry moving = e[idx];
      uint32_t to = idx;
      for (; to > s.cell_begin[cell] && e[to - 1].box.alo > moving.box.alo; --to) e[to] = e[to - 1];
      e[to] = moving;
    }
  }

  // 4. Pairs whose altitude intervals overlap (sweep and prune on altitude within and between
  // neighbouring cells) get the 3D box test; overlapping boxes go to the narrow phase.
  PairSink sink(plan, judge, states, slice, out);
  const bool skip_same_party = !same_party;
  int64_t tests = 0;
  auto candidate = [&](const SliceScratch::Entry& a, const SliceScratch::Entry& b) {
    if (skip_same_party && a.party == b.party) return;
    ++tests;
    bool apart = (a.box.xlo > b.box.xhi) | (b.box.xlo > a.box.xhi) | (a.box.ylo > b.box.yhi) |
                 (b.box.ylo > a.box.yhi) | (a.box.zlo > b.box.zhi) | (b.box.zlo > a.box.zhi);
    if (!apart) sink.Add(a.track, b.track);
  };
  // Same cell.
  for (size_t cell = 0; cell < cell_count; ++cell) {
    const uint32_t end = s.cell_begin[cell + 1];
    for (uint32_t ia = s.cell_begin[cell]; ia < end; ++ia) {
      for (uint32_t ib = ia + 1; ib < end && e[ib].box.alo <= e[ia].box.ahi; ++ib) {
        candidate(e[ia], e[ib]);
      }
    }
  }
  // Cell pairs: the neighbour offsets with a positive key difference (13, or 4 in columns)
  // visit each unordered pair of neighbouring cells once. Keys are sorted, so each offset's
  // neighbour keys key + offset are too: one pointer per offset moves forward as the cells are
  // walked once, which keeps a cell and its neighbours in cache together.
  int64_t offsets[13];
  int offset_count = 0;
  for (int dz = -1; dz <= 1; ++dz) {
    for (int dy = -1; dy <= 1; ++dy) {
      for (int dx = -1; dx <= 1; ++dx) {
        int64_t offset = (int64_t(dz) * int64_t(ny) + dy) * int64_t(nx) + dx;
        if (offset > 0 && !(plan.columns && dz != 0)) offsets[offset_count++] = offset;
      }
    }
  }
  size_t other[13] = {};
  for (size_t cell = 0; cell < cell_count; ++cell) {
    for (int offset_idx = 0; offset_idx < offset_count; ++offset_idx) {
      const uint64_t target = s.cell_key[cell] + uint64_t(offsets[offset_idx]);
      size_t& o = other[offset_idx];
      while (o < cell_count && s.cell_key[o] < target) ++o;
      if (o == cell_count || s.cell_key[o] != target) continue;
      // Two lists sorted by alo: whichever starts lower meets the other's entries that start
      // within its interval. Each altitude-overlapping pair is met exactly once.
      uint32_t ia = s.cell_begin[cell], ib = s.cell_begin[o];
      const uint32_t a_end = s.cell_begin[cell + 1], b_end = s.cell_begin[o + 1];
      while (ia < a_end && ib < b_end) {
        if (e[ia].box.alo <= e[ib].box.alo) {
          for (uint32_t k = ib; k < b_end && e[k].box.alo <= e[ia].box.ahi; ++k) {
            candidate(e[ia], e[k]);
          }
          ++ia;
        } else {
          for (uint32_t k = ia; k < a_end && e[k].box.alo <= e[ib].box.ahi; ++k) {
            candidate(e[k], e[ib]);
          }
          ++ib;
        }
      }
    }
  }
  sink.Flush();
  box_overlaps_ += sink.overlaps();
  box_tests_ += tests;
  cells_ += static_cast<int64_t>(cell_count);
}

void SliceWorker::RunDirect(const BroadPhasePlan& plan, std::span<const uint32_t> party_of,
                            const PairJudge& judge, bool same_party, std::vector<Conflict>& out) {
  if (plan.direct_tracks.empty()) return;
  std::vector<bool> is_direct(party_of.size(), false);
  for (uint32_t track : plan.direct_tracks) is_direct[track] = true;
  for (uint32_t direct : plan.direct_tracks) {
    for (uint32_t other = 0; other < party_of.size(); ++other) {
      if (other == direct || (is_direct[other] && other < direct)) continue;
      if (!same_party && party_of[other] == party_of[direct]) continue;
      ++box_overlaps_;
      Conflict conflict;
      if (judge.Judge(std::min(direct, other), std::max(direct, other), conflict)) {
        out.push_back(conflict);
      }
    }
  }
}

}  // namespace deconflict::tactical::internal
