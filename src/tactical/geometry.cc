#include "tactical/geometry.h"

#include <chrono>
#include <numbers>

namespace deconflict::tactical {
namespace {
constexpr double kRadPerDeg = std::numbers::pi / 180.0;

Vec3 EcefOf(double sin_lat, double cos_lat, double sin_lon, double cos_lon, double height_m) {
  double n = kWgs84A / std::sqrt(1.0 - kWgs84E2 * sin_lat * sin_lat);
  return {(n + height_m) * cos_lat * cos_lon, (n + height_m) * cos_lat * sin_lon,
          (n * (1.0 - kWgs84E2) + height_m) * sin_lat};
}
}  // namespace

Vec3 GeodeticToEcef(double lat_deg, double lon_deg, double height_m) {
  return EcefOf(std::sin(lat_deg * kRadPerDeg), std::cos(lat_deg * kRadPerDeg),
                std::sin(lon_deg * kRadPerDeg), std::cos(lon_deg * kRadPerDeg), height_m);
}

KinematicState PrepareTrack(const Track& track, Timestamp at) {
  double sin_lat = std::sin(track.lat_deg * kRadPerDeg);
  double cos_lat = std::cos(track.lat_deg * kRadPerDeg);
  double sin_lon = std::sin(track.lon_deg * kRadPerDeg);
  double cos_lon = std::cos(track.lon_deg * kRadPerDeg);
  double sin_trk = std::sin(track.track_deg * kRadPerDeg);
  double cos_trk = std::cos(track.track_deg * kRadPerDeg);
  Vec3 east{-sin_lon, cos_lon, 0.0};
  Vec3 north{-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat};
  KinematicState state;
  state.up = {cos_lat * cos_lon, cos_lat * sin_lon, sin_lat};
  state.p = EcefOf(sin_lat, cos_lat, sin_lon, cos_lon, 0.0);
  state.ground_speed = track.ground_speed_mps;
  state.v = (track.ground_speed_mps * sin_trk) * east + (track.ground_speed_mps * cos_trk) * north;
  state.alt = track.alt_m;
  state.vs = track.vertical_rate_mps;
  double dt = std::chrono::duration<double>(at - track.time).count();
  if (dt != 0.0) {
    state.p = state.p + dt * state.v;
    state.alt += dt * state.vs;
  }
  return state;
}

}  // namespace deconflict::tactical
