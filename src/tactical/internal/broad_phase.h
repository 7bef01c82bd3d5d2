// tactical/internal/broad_phase.h: swept-box broad phase of the Detector (not a public API).
//
// The lookahead [0, T] is cut into K slices of length tau. In slice k = [t0, t1] every grid
// track i gets
//   an ECEF box: the axis-aligned box (in the grid's frame, a rotation of ECEF, see
//     BroadPhasePlan::grid_p) of its ground path p_i + v_i t, t in [t0, t1], inflated on
//     every side by m_k = sqrt(H^2 + n_k^2) / 2 + slop, where H is the largest horizontal
//     minimum and n_k bounds the part of a pair's relative position that EvaluatePair projects
//     away (its component along the bisector normal u, see ProjectionMargin);
//   an altitude interval: alt_i + vs_i t over the slice, inflated by V' / 2 + slop, V' the
//     largest vertical minimum less the 1 cm rounding allowance.
// Why no conflicting pair is missed: let t* = max(t_in, 0) be the pair's first moment of loss of
// separation within the lookahead and k the slice holding it. At t*, |Pi_u(d)| < H and
// |dz| < V'; as Pi_u(d) is normal to u, |d|_inf <= |d|_2 = sqrt(|Pi_u(d)|^2 + (d.u)^2)
// < sqrt(H^2 + n_k^2), so both boxes and both altitude intervals of slice k overlap. The slop
// covers rounding to float, the narrow phase's "no relative motion" and "level" shortcuts, and time
// rounding at slice edges. Boxes are bucketed by their centre in a uniform grid with cells at least
// as large as any box, so overlapping boxes sit in the same or neighbouring cells
// (27-neighbourhood, each cell pair visited once). A pair found in slice k is reported only if t*
// falls in slice k, so every conflict is reported exactly once without any set of seen pairs.
// Tracks faster than the grid speed are "direct": judged against every other track.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "tactical/detector.h"
#include "tactical/geometry.h"

namespace deconflict::tactical::internal {

// An upper bound of |d . u| over [0, t] for a pair that EvaluatePair can find in conflict,
// where d is the pair's ECEF relative ground position and u its bisector normal: the chord's
// offset from the bisector plane (zero on a sphere, of order e^2 L^3 / rho^2 on the ellipsoid)
// plus t * (|va| + |vb|) * tan(theta / 2), theta <= L / rho the angle between the normals.
// `reach_m` is L, the largest current distance of a pair that can conflict.
double ProjectionMargin(double reach_m, double max_speed_mps, double t_s);

struct BroadPhasePlan {
  double lookahead_s = 0;
  double slice_s = 0;
  int slices = 0;
  double max_horizontal_m = 0;
  double max_vertical_eff_m = 0;  // V'
  double grid_speed_mps = 0;      // largest ground speed of a grid track
  double reach_m = 0;             // L
  double cell_size_m = 0;
  std::vector<uint32_t> grid_tracks;    // indices of tracks bucketed in the grid
  std::vector<uint32_t> direct_tracks;  // indices of tracks paired directly
  // The grid's frame: ECEF rotated so that its third axis is the tracks' mean up, which makes
  // a regional snapshot nearly level in the grid (fewer occupied cells and neighbours than a
  // surface cutting the cells diagonally). A rotation keeps every distance, so the proof above
  // holds unchanged. Per grid track, its ground point and velocity in that frame.
  std::vector<Vec3> grid_p, grid_v;
  // True when every grid track's up is within 60 deg of the frame's third axis: the traffic is
  // then a nearly level sheet in the grid, and cells are whole columns (bucketed by the first two
  // coordinates only: 4 neighbour offsets instead of 13). Boxes are still compared in 3D, so
  // this changes only the speed, never the result.
  bool columns = false;
};

// Computes the plan for `states`.
BroadPhasePlan MakePlan(const DetectorOptions& options, std::span<const KinematicState> states);

// Per-thread scratch of the broad phase; reused across slices and cycles.
struct SliceScratch;

// Thread-compatible worker: runs whole slices (or the direct tracks) and appends conflicts.
class SliceWorker {
 public:
  SliceWorker();
  ~SliceWorker();
  SliceWorker(SliceWorker&&) noexcept;
  SliceWorker& operator=(SliceWorker&&) noexcept;

  // Appends to `out` every conflict whose first moment max(t_in, 0) lies in slice `slice`.
  void RunSlice(const BroadPhasePlan& plan, std::span<const KinematicState> states,
                std::span<const uint32_t> party_of, const PairJudge& judge, bool same_party,
                int slice, std::vector<Conflict>& out);
  // Appends every conflict that involves a direct track.
  void RunDirect(const BroadPhasePlan& plan, std::span<const uint32_t> party_of,
                 const PairJudge& judge, bool same_party, std::vector<Conflict>& out);

  int64_t box_overlaps() const { return box_overlaps_; }
  int64_t box_tests() const { return box_tests_; }
  int64_t cells() const { return cells_; }
  void ResetCounters() { box_overlaps_ = box_tests_ = cells_ = 0; }

 private:
  std::unique_ptr<SliceScratch> scratch_;
  int64_t box_overlaps_ = 0;
  int64_t box_tests_ = 0;
  int64_t cells_ = 0;
};

}  // namespace deconflict::tactical::internal
