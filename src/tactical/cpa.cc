#include "tactical/cpa.h"

#include <algorithm>
#include <cmath>

namespace deconflict::tactical {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Interval {
  double lo = kInf, hi = -kInf;  // empty by default
};

// Horizontal interval of |d + w t| < h, with tcpa and dcpa.
Interval HorizontalInterval(Vec3 d, Vec3 w, double h, PairOutcome& out) {
  double dist2 = Norm2(d);
  double speed2 = Norm2(w);
  out.distance_m = std::sqrt(dist2);
  if (speed2 < kStaticRelativeSpeedMps * kStaticRelativeSpeedMps) {
    out.tcpa_s = 0;
    out.dcpa_m = out.distance_m;
    return dist2 < h * h ? Interval{-kInf, kInf} : Interval{};
  }
  out.tcpa_s = -Dot(d, w) / speed2;
  double dcpa2 = Norm2(Cross(d, w)) / speed2;
  out.dcpa_m = std::sqrt(dcpa2);
  if (!(dcpa2 < h * h)) return Interval{};
  double half = std::sqrt((h * h - dcpa2) / speed2);
  return Interval{out.tcpa_s - half, out.tcpa_s + half};
}

// Vertical interval of |dz + dvs t| < v.
Interval VerticalInterval(double dz, double dvs, double v) {
  if (std::abs(dvs) < kLevelRelativeRateMps) {
    return std::abs(dz) < v ? Interval{-kInf, kInf} : Interval{};
  }
  // Swapping a and b maps t1 onto t2 exactly (see the symmetry note in cpa.h).
  double t1 = (-v - dz) / dvs;
  double t2 = (v - dz) / dvs;
  return Interval{std::min(t1, t2), std::max(t1, t2)};
}

}  // namespace

PairOutcome EvaluatePair(const KinematicState& a, const KinematicState& b,
                         const SeparationMinima& minima, double lookahead_s) {
  PairOutcome out;
  double dz = b.alt - a.alt;
  out.vertical_separation_m = std::abs(dz);
  Interval vertical = VerticalInterval(dz, b.vs - a.vs, minima.vertical_m - kVerticalRoundingM);
  if (vertical.lo >= vertical.hi || vertical.hi <= 0 || vertical.lo >= lookahead_s) return out;

  // The pair's horizontal plane: normal to the bisector of the two geodetic normals.
  Vec3 u = a.up + b.up;
  double u_norm = std::sqrt(Norm2(u));
  if (u_norm < 1e-6) return out;  // (near) antipodal
  u = (1.0 / u_norm) * u;
  Vec3 d = b.p - a.p;
  Vec3 w = b.v - a.v;
  d = d - Dot(d, u) * u;
  w = w - Dot(w, u) * u;
  Interval horizontal = HorizontalInterval(d, w, minima.horizontal_m, out);

  out.t_in_s = std::max(horizontal.lo, vertical.lo);
  out.t_out_s = std::min(horizontal.hi, vertical.hi);
  out.conflict = out.t_in_s < out.t_out_s && out.t_out_s > 0 && out.t_in_s < lookahead_s;
  return out;
}

}  // namespace deconflict::tactical
