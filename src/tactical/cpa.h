// tactical/cpa.h: the narrow phase. Decides whether one pair of aircraft is in, or will be in,
// loss of separation within the lookahead, by the state-based method BlueSky documents
// (Hoekstra & Ellerbroek 2016, "StateBased" conflict detection), with robust arithmetic.
//
// Decision (all times in seconds from the cycle time, straight lines at constant velocity):
//   horizontal  d(t) = D + W t, the relative ground position and velocity of b with respect to
//               a, projected onto the pair's horizontal plane (the plane normal to
//               u = normalize(up_a + up_b), the bisector of the two geodetic normals).
//               tcpa = -(D.W)/|W|^2, dcpa = |D x W| / |W| (cross product: no cancellation),
//               horizontal interval (tcpa -+ sqrt((H^2 - dcpa^2) / |W|^2)) when dcpa < H.
//               |W| < 1 mm/s is "no relative motion": tcpa = 0, dcpa = current distance, and
//               the interval is (-inf, +inf) when that distance < H, else empty.
//   vertical    z(t) = dz + dvs t; interval where |z(t)| < V', V' = V - 1 cm. The 1 cm allows
//               for rounding, so two level aircraft on adjacent flight levels (FL200 and FL210,
//               exactly 1000 ft = 304.8 m apart) are separated. |dvs| < 1e-6 m/s is level:
//               (-inf, +inf) when |dz| < V', else empty.
//   conflict    t_in = max of the interval starts, t_out = min of the ends;
//               t_in < t_out, t_out > 0 and t_in < lookahead.
// Tangency (dcpa == H, or |dz| == V' while level) is not a conflict: all comparisons are strict.
//
// Symmetry: Evaluate(a, b) and Evaluate(b, a) agree bit for bit. Swapping negates D, W, dz and
// dvs exactly (IEEE subtraction is antisymmetric under round-to-nearest), u is a commutative
// sum, and every quantity used is even in (D, W) or maps the vertical interval onto itself.
// cpa_test.cc checks this property on random pairs.
//
// Error bound of the geometry (WGS84 ellipsoid, rho = 6,335,439 m its smallest radius of
// curvature; s = geodesic ground distance between the pair; L = H + (|va| + |vb|) * lookahead
// the largest ground distance a pair that can conflict may have now):
//   current distance  |D| is the chord of the two ground points projected on the bisector
//                     plane: it is shorter than the geodesic by at most s^3 / (24 rho^2)
//                     (+ a term of order e^2 s^3 / rho^2 for the projection): under 1 mm at
//                     s = 9,260 m (5 NM), 4.3 m at 160 km.
//   prediction        aircraft move along their tangent lines rather than along the surface,
//                     and both tangent lines are seen tilted by at most theta/2 = L / (2 rho) in
//                     the bisector plane; the predicted separation at any t in the lookahead
//                     differs from that of the same aircraft flying geodesics at constant ground
//                     speed by at most L^3 / (4 rho^2): 25 m for L = 160 km (5 NM, 250 m/s,
//                     300 s), 3 m for L = 80 km. The bound is loose: over 400 random pairs of
//                     aircraft that truly meet within 300 s (reach up to 150 km, poles and
//                     antimeridian included) the largest predicted miss was 0.48 m.
//   Neither term depends on latitude or longitude: the same holds at the poles and across the
//   antimeridian. (For comparison, a straight line in an equirectangular projection is a
//   parallel when flown east, while the aircraft flies a great circle that departs from it by
//   d^2 tan(lat) / (2 R): 5 km after 75 km at 85 deg.)
// cpa_test.cc checks the current-distance bound against Vincenty's geodesic distance at all
// latitudes including 89.99 deg and across 180 deg, and the prediction bound against aircraft
// flown along geodesics by step-by-step integration.
#pragma once

#include <limits>

#include "tactical/geometry.h"

namespace deconflict::tactical {

// Separation minima of one pair of parties. Value type.
struct SeparationMinima {
  double horizontal_m = 9260.0;  // Default: 5 NM.
  double vertical_m = 304.8;     // Default: 1000 ft.
};

// The allowance for rounding in the vertical test: a vertical separation within 1 cm of the
// minimum counts as separated.
inline constexpr double kVerticalRoundingM = 0.01;
// Relative ground speed below this is treated as none (m/s).
inline constexpr double kStaticRelativeSpeedMps = 1e-3;
// Relative vertical rate below this is treated as level (m/s).
inline constexpr double kLevelRelativeRateMps = 1e-6;

// The outcome of judging one pair. Value type.
struct PairOutcome {
  bool conflict = false;
  double tcpa_s = 0;      // time of horizontal closest approach (0 if no relative motion)
  double dcpa_m = 0;      // horizontal distance at tcpa
  double t_in_s = 0;      // start of predicted loss of separation (may be < 0 or -inf)
  double t_out_s = 0;     // end of predicted loss of separation (may be +inf)
  double distance_m = 0;  // current horizontal distance
  double vertical_separation_m = 0;  // current |alt_b - alt_a|
};

// Judges the pair (a, b) with `minima` over [0, lookahead_s]. Pure function; thread-safe.
// Returns conflict = false for pairs whose geodetic normals are (near) opposite (antipodal,
// ~20,000 km apart). The numeric fields are filled whenever conflict is true; when false they
// are filled as far as computed (callers should not rely on them).
// REQUIRES: lookahead_s >= 0; minima positive and finite.
PairOutcome EvaluatePair(const KinematicState& a, const KinematicState& b,
                         const SeparationMinima& minima, double lookahead_s);

}  // namespace deconflict::tactical
