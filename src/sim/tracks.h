// sim/tracks.h: synthetic live-track snapshots for demos, tests and benchmarks.
//
//   ASSIGN_OR_RETURN(std::vector<sim::TrackRecord> tracks,
//                    sim::GenerateTracks({.scenario = sim::TrackScenario::kDense,
//                                         .count = 10000, .seed = 1, .parties = 4}));
//
// Scenarios (all tracks at one instant, no time column):
//   kDense        uniform over a 500 km x 500 km square centred on 52N 5E.
//   kContinental  uniform over a 5,000 km (east-west) x 3,000 km (north-south) box centred on
//                 48N 10E.
// "Uniform over a box" means uniform in the sinusoidal (equal-area) projection about the centre
// on a sphere of radius 6,371,008.8 m: north offset y ~ U, east offset x ~ U along the parallel,
// lat = lat0 + y / R, lon = lon0 + x / (R cos lat). Equal area, so the density per km^2 is even.
// Both scenarios share the traffic mix: track U(0, 360) deg, ground speed U(120, 250) m/s;
// 60 % level at FL200..FL400 in steps of FL10 (1 FL = 100 ft = 30.48 m) with vertical rate 0,
// 40 % at an altitude U(FL50, FL400) climbing or descending (equal odds) at U(5, 15) m/s.
// Parties are assigned round-robin: record i (0-based) belongs to party "P<(i % parties) + 1>";
// ids are "1".."N".
//
// The output depends only on the options: the generator uses its own 64-bit PRNG (SplitMix64)
// and its own uniform mapping, not <random> distributions, so a seed gives the same snapshot
// with any standard library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace deconflict::sim {

// One aircraft state as it appears in a track snapshot CSV (sim/track_csv.h). Value type.
struct TrackRecord {
  std::string id;
  std::string party;
  double lat_deg = 0;
  double lon_deg = 0;
  double alt_m = 0;    // metres above the WGS84 ellipsoid
  double gs_mps = 0;   // ground speed
  double trk_deg = 0;  // track angle, clockwise from true north
  double vs_mps = 0;   // vertical rate, positive up
  friend bool operator==(const TrackRecord&, const TrackRecord&) = default;
};

enum class TrackScenario { kDense, kContinental };

// "dense" or "continental"; InvalidArgument otherwise.
absl::StatusOr<TrackScenario> ParseTrackScenario(std::string_view name);

struct TrackScenarioOptions {
  TrackScenario scenario = TrackScenario::kDense;  // Default: dense.
  int count = 1000;                                // Default: 1,000 tracks. REQUIRES: >= 0.
  uint64_t seed = 1;                               // Default: 1.
  int parties = 2;                                 // Default: 2. REQUIRES: >= 1.
};

// The snapshot for `options`. Returns InvalidArgument naming the field when count < 0,
// count > 10,000,000 or parties < 1.
absl::StatusOr<std::vector<TrackRecord>> GenerateTracks(const TrackScenarioOptions& options);

}  // namespace deconflict::sim
