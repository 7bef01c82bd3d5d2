#include "sim/tracks.h"

#include <cmath>
#include <numbers>

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::sim {
namespace {

constexpr double kSphereRadiusM = 6'371'008.8;
constexpr double kFeetToM = 0.3048;
constexpr double kFlightLevelM = 100 * kFeetToM;

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified, so snapshots are the
// same on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) {
    double unit = static_cast<double>(Next() >> 11) * 0x1.0p-53;
    return lo + (hi - lo) * unit;
  }
  // Uniform integer in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

struct Box {
  double lat0_deg, lon0_deg, east_west_m, north_south_m;
};

Box BoxOf(TrackScenario scenario) {
  switch (scenario) {
    case TrackScenario::kDense:
      return {52.0, 5.0, 500e3, 500e3};
    case TrackScenario::kContinental:
      return {48.0, 10.0, 5000e3, 3000e3};
  }
  return {52.0, 5.0, 500e3, 500e3};
}

double WrapLongitude(double lon_deg) {
  double wrapped = std::remainder(lon_deg, 360.0);
  return wrapped == -180.0 ? 180.0 : wrapped;
}

tactical::Track MakeTrack(const Box& box, SplitMix64& rng) {
  constexpr double kDegPerRad = 180.0 / std::numbers::pi;
  tactical::Track track;
  // Sinusoidal (equal-area) placement about the box centre.
  double north_m = rng.Uniform(-box.north_south_m / 2, box.north_south_m / 2);
  double east_m = rng.Uniform(-box.east_west_m / 2, box.east_west_m / 2);
  track.lat_deg = box.lat0_deg + north_m / kSphereRadiusM * kDegPerRad;
  double cos_lat = std::cos(track.lat_deg / kDegPerRad);
  track.lon_deg = WrapLongitude(box.lon0_deg + east_m / (kSphereRadiusM * cos_lat) * kDegPerRad);
  track.track_deg = rng.Uniform(0, 360);
  track.ground_speed_mps = rng.Uniform(120, 250);
  if (rng.Uniform(0, 1) < 0.6) {
    int flight_level = 200 + 10 * static_cast<int>(rng.Below(21));  // FL200..FL400
    track.alt_m = flight_level * kFlightLevelM;
    track.vertical_rate_mps = 0;
  } else {
    track.alt_m = rng.Uniform(50 * kFlightLevelM, 400 * kFlightLevelM);
    double rate = rng.Uniform(5, 15);
    track.vertical_rate_mps = rng.Uniform(0, 1) < 0.5 ? rate : -rate;
  }
  return track;
}

}  // namespace

absl::StatusOr<TrackScenario> ParseTrackScenario(std::string_view name) {
  if (name == "dense") return TrackScenario::kDense;
  if (name == "continental") return TrackScenario::kContinental;
  return InvalidField("scenario", fmt::format("'{}' is not one of dense, continental", name));
}

absl::StatusOr<std::vector<tactical::Track>> GenerateTracks(const TrackScenarioOptions& options) {
  if (options.count < 0 || options.count > 10'000'000) {
    return InvalidField("count", fmt::format("{} is not in [0, 10000000]", options.count));
  }
  if (options.parties < 1) {
    return InvalidField("parties", fmt::format("{} is not >= 1", options.parties));
  }
  Box box = BoxOf(options.scenario);
  SplitMix64 rng(options.seed);
  std::vector<tactical::Track> tracks;
  tracks.reserve(options.count);
  for (int track_idx = 0; track_idx < options.count; ++track_idx) {
    tactical::Track track = MakeTrack(box, rng);
    track.id = TrackId(std::to_string(track_idx + 1));
    track.party = PartyId(fmt::format("P{}", track_idx % options.parties + 1));
    track.time = options.time;
    tracks.push_back(std::move(track));
  }
  return tracks;
}

}  // namespace deconflict::sim
