// tactical/geometry.h: the kinematic state the detector works on, in Earth-centred Earth-fixed
// (ECEF) coordinates on the WGS84 ellipsoid.
//
// Why ECEF: there are no latitude or longitude differences anywhere, so the antimeridian and the
// poles need no special case. A track becomes
//   p   its ground point (geodetic lat/lon at height 0) in ECEF metres,
//   up  the unit geodetic normal there,
//   v   its ground velocity, gs * (sin(trk) * east + cos(trk) * north), a vector tangent to the
//       ellipsoid at p, where east = (-sin lon, cos lon, 0) and north = up x east. Both are
//       defined from lat and lon alone, so even at lat = +-90 exactly the frame is well defined:
//       there the track angle is measured from the meridian of the given longitude.
//   alt, vs  altitude and vertical rate, kept apart (vertical separation is an altitude
//       difference by definition, not a distance in ECEF).
// Horizontal and vertical are decoupled as in BlueSky: horizontal distances are between ground
// points, vertical separation is |alt_b - alt_a|. See tactical/cpa.h for how a pair is judged
// and for the error bound.
#pragma once

#include <cmath>

#include "common/clock.h"
#include "tactical/track.h"

namespace deconflict::tactical {

// WGS84 (NIMA TR8350.2).
inline constexpr double kWgs84A = 6'378'137.0;
inline constexpr double kWgs84F = 1.0 / 298.257223563;
inline constexpr double kWgs84E2 = kWgs84F * (2.0 - kWgs84F);
// The smallest radius of curvature of the ellipsoid: the meridional radius at the equator,
// a (1 - e^2) = 6,335,439 m. Every bound below uses it as the worst case.
inline constexpr double kWgs84MinCurvatureRadius = kWgs84A * (1.0 - kWgs84E2);

struct Vec3 {
  double x = 0, y = 0, z = 0;
  friend Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
  friend Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
  friend Vec3 operator*(double s, Vec3 a) { return {s * a.x, s * a.y, s * a.z}; }
  friend double Dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
  friend Vec3 Cross(Vec3 a, Vec3 b) {
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
  }
  friend double Norm2(Vec3 a) { return Dot(a, a); }
};

// A track ready for the pair test, extrapolated to the cycle time. Value type.
struct KinematicState {
  Vec3 p;                   // ECEF ground point, metres
  Vec3 up;                  // unit geodetic normal at the reported position
  Vec3 v;                   // ECEF ground velocity, m/s, tangent at the reported position
  double alt = 0;           // metres above the ellipsoid
  double vs = 0;            // m/s, positive up
  double ground_speed = 0;  // |v|, m/s
};

// ECEF coordinates of the point at geodetic (lat, lon, height).
Vec3 GeodeticToEcef(double lat_deg, double lon_deg, double height_m);

// The state of `track` at `at`: the reported state moved on at constant velocity by
// (at - track.time) seconds (dead reckoning; p moves along its tangent, alt by vs * dt).
// REQUIRES: ValidateTrack(track).ok().
KinematicState PrepareTrack(const Track& track, Timestamp at);

}  // namespace deconflict::tactical
