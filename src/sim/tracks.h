// sim/tracks.h: synthetic live-track snapshots for demos, tests and benchmarks.
//
//   ASSIGN_OR_RETURN(std::vector<tactical::Track> tracks,
//                    sim::GenerateTracks({.scenario = sim::TrackScenario::kDense,
//                                         .count = 10000, .seed = 1, .parties = 4}));
//
// The output is tactical's own Track (tactical/track.h): sim sits above tactical and describes
// no track of its own. Scenarios (all tracks at one instant, `TrackScenarioOptions::time`):
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
#include "common/clock.h"
#include "tactical/track.h"

namespace deconflict::sim {

enum class TrackScenario { kDense, kContinental };

// "dense" or "continental"; InvalidArgument otherwise.
[[nodiscard]] absl::StatusOr<TrackScenario> ParseTrackScenario(std::string_view name);

// The sphere of the scenarios' placement (the mean Earth radius, IUGG): sim/flight.h flies on it.
inline constexpr double kSimSphereRadiusM = 6'371'008.8;

// The box a scenario places its tracks in, as described above. Value type.
struct ScenarioBox {
  double center_lat_deg = 0;
  double center_lon_deg = 0;
  double east_west_m = 0;    // full width: east offsets are in [-east_west_m / 2, east_west_m / 2]
  double north_south_m = 0;  // full height, likewise
};

// The box of `scenario`: kDense 52N 5E, 500 km x 500 km; kContinental 48N 10E, 5,000 km x 3,000 km.
ScenarioBox BoxOf(TrackScenario scenario);

struct TrackScenarioOptions {
  TrackScenario scenario = TrackScenario::kDense;  // Default: dense.
  int count = 1000;                                // Default: 1,000 tracks. REQUIRES: >= 0.
  uint64_t seed = 1;                               // Default: 1.
  int parties = 2;                                 // Default: 2. REQUIRES: >= 1.
  Timestamp time{};                                // Default: the epoch. Every track's time.
};

// The snapshot for `options`. Returns InvalidArgument naming the field when count < 0,
// count > 10,000,000 or parties < 1.
[[nodiscard]] absl::StatusOr<std::vector<tactical::Track>> GenerateTracks(
    const TrackScenarioOptions& options);

}  // namespace deconflict::sim
