#include "tactical/geometry.h"

#include <chrono>
#include <numbers>

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::tactical {
namespace {
constexpr double kRadPerDeg = std::numbers::pi / 180.0;

absl::Status OutOfRange(const char* field, double value, double lo, double hi) {
  return InvalidField(field, fmt::format("{} is not in [{}, {}]", value, lo, hi));
}
}  // namespace

absl::Status ValidateTrack(const Track& track) {
  if (track.party.empty()) return InvalidField("party", "is empty");
  if (track.id.empty()) return InvalidField("id", "is empty");
  struct Check {
    const char* field;
    double value, lo, hi;
  };
  const Check checks[] = {
      {"lat_deg", track.lat_deg, -90, 90},
      {"lon_deg", track.lon_deg, -180, 180},
      {"alt_m", track.alt_m, -2000, 100000},
      {"ground_speed_mps", track.ground_speed_mps, 0, 2000},
      {"track_deg", track.track_deg, -1e9, 1e9},
      {"vertical_rate_mps", track.vertical_rate_mps, -1000, 1000},
  };
  for (const Check& check : checks) {
    // Written so that NaN fails too.
    if (!(check.value >= check.lo && check.value <= check.hi)) {
      return OutOfRange(check.field, check.value, check.lo, check.hi);
    }
  }
  return absl::OkStatus();
}

Vec3 GeodeticToEcef(double lat_deg, double lon_deg, double height_m) {
  double sin_lat = std::sin(lat_deg * kRadPerDeg), cos_lat = std::cos(lat_deg * kRadPerDeg);
  double sin_lon = std::sin(lon_deg * kRadPerDeg), cos_lon = std::cos(lon_deg * kRadPerDeg);
  double n = kWgs84A / std::sqrt(1.0 - kWgs84E2 * sin_lat * sin_lat);
  return {(n + height_m) * cos_lat * cos_lon, (n + height_m) * cos_lat * sin_lon,
          (n * (1.0 - kWgs84E2) + height_m) * sin_lat};
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
  state.p = GeodeticToEcef(track.lat_deg, track.lon_deg, 0.0);
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
