// geo/internal/random_volumes.h: random Volume4D for property tests and differential tests
// (test-only, header-only). Deterministic for a given std::mt19937_64 state.
//
//   std::mt19937_64 rng(seed);
//   geo::testing::VolumeSampler sampler(geo::testing::Region::kAntimeridian, now);
//   geo::Volume4D v = sampler.Next(rng);
//
// Footprints are circles or star-shaped (hence simple) polygons, in either winding, in one of
// a few regions chosen so that random volumes overlap often and cross the difficult places:
// the antimeridian and the poles (some polygons are centred on a pole and so contain it).
// Altitudes and times are on coarse grids so that touching bands and windows occur.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

#include "geo/volume.h"
#include "s2/s2latlng.h"
#include "s2/s2pointutil.h"

namespace deconflict::geo::testing {

enum class Region { kDense, kAntimeridian, kNorthPole, kSouthPole };

inline constexpr Region kAllRegions[] = {Region::kDense, Region::kAntimeridian, Region::kNorthPole,
                                         Region::kSouthPole};

// The point at angular distance `distance_rad` from `center` in direction `angle_rad`.
inline S2Point Offset(const S2Point& center, double distance_rad, double angle_rad) {
  const S2Point u = S2::Ortho(center).Normalize();
  const S2Point v = center.CrossProd(u);
  return (std::cos(distance_rad) * center +
          std::sin(distance_rad) * (std::cos(angle_rad) * u + std::sin(angle_rad) * v))
      .Normalize();
}

inline LatLng ToLatLng(const S2Point& p) {
  const S2LatLng ll(p);
  return LatLng{ll.lat().degrees(), ll.lng().degrees()};
}

class VolumeSampler {
 public:
  // `spread` scales the area the centres are drawn from (1: ~30-40 km across; smaller values
  // make overlaps more frequent).
  VolumeSampler(Region region, Timestamp now, double spread = 1.0)
      : region_(region), now_(now), spread_(spread) {}

  Volume4D Next(std::mt19937_64& rng) const {
    for (;;) {
      auto volume = Volume4D::Make(NextFootprint(rng), NextAltitude(rng), NextTime(rng),
                                   VolumeLimits{}, now_, "");
      // Star-shaped polygons are valid by construction; retry the rare degenerate draw
      // (two vertices rounding onto one another).
      if (volume.ok()) return *std::move(volume);
    }
  }

  S2Point NextCenter(std::mt19937_64& rng) const {
    std::uniform_real_distribution<double> unit(0, 1);
    switch (region_) {
      case Region::kDense:
        return S2LatLng::FromDegrees(33.65 + spread_ * 0.3 * (unit(rng) - 0.5),
                                     36.35 + spread_ * 0.3 * (unit(rng) - 0.5))
            .ToPoint();
      case Region::kAntimeridian: {
        double lng = 180 + spread_ * 0.6 * (unit(rng) - 0.5);
        if (lng > 180) lng -= 360;
        return S2LatLng::FromDegrees(-20 + spread_ * 0.4 * unit(rng), lng).ToPoint();
      }
      case Region::kNorthPole:
      case Region::kSouthPole: {
        const double sign = region_ == Region::kNorthPole ? 1 : -1;
        // One in four exactly on the pole, so that polygons contain it.
        if (unit(rng) < 0.25) return S2Point(0, 0, sign);
        return S2LatLng::FromDegrees(sign * (90 - spread_ * 0.4 * unit(rng)),
                                     -180 + 360 * unit(rng))
            .ToPoint();
      }
    }
    return S2Point(1, 0, 0);
  }

  Footprint NextFootprint(std::mt19937_64& rng) const {
    std::uniform_real_distribution<double> unit(0, 1);
    const S2Point center = NextCenter(rng);
    // Log-uniform size from 200 m to 20 km.
    const double size_m = 200 * std::pow(100.0, unit(rng));
    const double size_rad = size_m / 6371010.0;
    if (unit(rng) < 0.4) return Circle{ToLatLng(center), size_m};

    std::uniform_int_distribution<int> vertex_count(3, 10);
    const int n = vertex_count(rng);
    std::vector<double> angles;
    for (int i = 0; i < n; ++i) angles.push_back(2 * std::numbers::pi * unit(rng));
    std::sort(angles.begin(), angles.end());
    Polygon polygon;
    for (double angle : angles) {
      polygon.vertices.push_back(
          ToLatLng(Offset(center, size_rad * (0.3 + 0.7 * unit(rng)), angle)));
    }
    if (unit(rng) < 0.5) std::reverse(polygon.vertices.begin(), polygon.vertices.end());
    return polygon;
  }

  AltitudeBand NextAltitude(std::mt19937_64& rng) const {
    std::uniform_int_distribution<int> step(0, 10);
    const double lower = 100.0 * step(rng);
    return AltitudeBand{lower, lower + 100.0 * (step(rng) / 2)};
  }

  TimeWindow NextTime(std::mt19937_64& rng) const {
    using std::chrono::minutes;
    std::uniform_int_distribution<int> slot(0, 12);
    std::uniform_int_distribution<int> length(1, 4);
    const Timestamp start = now_ + minutes(30) * slot(rng);
    return TimeWindow{start, start + minutes(30) * length(rng)};
  }

 private:
  Region region_;
  Timestamp now_;
  double spread_;
};

}  // namespace deconflict::geo::testing
