// tactical/internal/test_tracks.h: helpers shared by the tactical tests (header only).
#pragma once

#include <cmath>
#include <numbers>
#include <string>

#include "tactical/geometry.h"
#include "tactical/track.h"

namespace deconflict::tactical::testing {

inline constexpr double kRadPerDeg = std::numbers::pi / 180.0;
inline const Timestamp kT0 = Timestamp(std::chrono::seconds(1'800'000'000));

inline Track MakeTrack(const std::string& party, const std::string& id, double lat, double lon,
                       double alt, double gs, double trk, double vs = 0) {
  Track track;
  track.party = PartyId(party);
  track.id = TrackId(id);
  track.time = kT0;
  track.lat_deg = lat;
  track.lon_deg = lon;
  track.alt_m = alt;
  track.ground_speed_mps = gs;
  track.track_deg = trk;
  track.vertical_rate_mps = vs;
  return track;
}

inline double WrapLon(double lon) {
  double wrapped = std::remainder(lon, 360.0);
  return wrapped == -180.0 ? 180.0 : wrapped;
}

// The point `east_m`, `north_m` from (lat0, lon0), with the ellipsoid's radii of curvature at
// lat0 (good to ~ s^2 / R^2 relative: a few metres at 40 km).
inline std::pair<double, double> Offset(double lat0, double lon0, double east_m, double north_m) {
  double s = std::sin(lat0 * kRadPerDeg);
  double w = std::sqrt(1 - kWgs84E2 * s * s);
  double m = kWgs84A * (1 - kWgs84E2) / (w * w * w);
  double n = kWgs84A / w;
  double lat = lat0 + north_m / m / kRadPerDeg;
  double lon = lon0 + east_m / (n * std::cos(lat0 * kRadPerDeg)) / kRadPerDeg;
  return {lat, WrapLon(lon)};
}

// Vincenty's inverse formula on WGS84: geodesic distance in metres (good to ~0.1 mm; not for
// nearly antipodal points).
inline double VincentyDistance(double lat1, double lon1, double lat2, double lon2) {
  const double a = kWgs84A, f = kWgs84F, b = a * (1 - f);
  double l = (lon2 - lon1) * kRadPerDeg;
  double u1 = std::atan((1 - f) * std::tan(lat1 * kRadPerDeg));
  double u2 = std::atan((1 - f) * std::tan(lat2 * kRadPerDeg));
  double su1 = std::sin(u1), cu1 = std::cos(u1), su2 = std::sin(u2), cu2 = std::cos(u2);
  double lambda = l, sin_sigma = 0, cos_sigma = 1, sigma = 0, cos2_alpha = 1, cos_2sm = 0;
  for (int iteration = 0; iteration < 200; ++iteration) {
    double sl = std::sin(lambda), cl = std::cos(lambda);
    sin_sigma = std::hypot(cu2 * sl, cu1 * su2 - su1 * cu2 * cl);
    if (sin_sigma == 0) return 0;
    cos_sigma = su1 * su2 + cu1 * cu2 * cl;
    sigma = std::atan2(sin_sigma, cos_sigma);
    double sin_alpha = cu1 * cu2 * sl / sin_sigma;
    cos2_alpha = 1 - sin_alpha * sin_alpha;
    cos_2sm = cos2_alpha != 0 ? cos_sigma - 2 * su1 * su2 / cos2_alpha : 0;
    double c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha));
    double next =
        l + (1 - c) * f * sin_alpha *
                (sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm * cos_2sm)));
    bool done = std::abs(next - lambda) < 1e-13;
    lambda = next;
    if (done) break;
  }
  double u_sq = cos2_alpha * (a * a - b * b) / (b * b);
  double big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)));
  double big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)));
  double delta_sigma = big_b * sin_sigma *
                       (cos_2sm + big_b / 4 *
                                      (cos_sigma * (-1 + 2 * cos_2sm * cos_2sm) -
                                       big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma * sin_sigma) *
                                           (-3 + 4 * cos_2sm * cos_2sm)));
  return b * big_a * (sigma - delta_sigma);
}

}  // namespace deconflict::tactical::testing
