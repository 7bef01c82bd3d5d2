#include "sim/tracks.h"

#include <cmath>
#include <numbers>

#include "common/status.h"
#include "fmt/format.h"
#include "sim/internal/split_mix64.h"

namespace deconflict::sim {
namespace {

constexpr double kSphereRadiusM = kSimSphereRadiusM;
constexpr double kFeetToM = 0.3048;
constexpr double kFlightLevelM = 100 * kFeetToM;

using internal::SplitMix64;

double WrapLongitude(double lon_deg) {
  double wrapped = std::remainder(lon_deg, 360.0);
  return wrapped == -180.0 ? 180.0 : wrapped;
}

tactical::Track MakeTrack(const ScenarioBox& box, SplitMix64& rng) {
  constexpr double kDegPerRad = 180.0 / std::numbers::pi;
  tactical::Track track;
  // Sinusoidal (equal-area) placement about the box centre.
  double north_m = rng.Uniform(-box.north_south_m / 2, box.north_south_m / 2);
  double east_m = rng.Uniform(-box.east_west_m / 2, box.east_west_m / 2);
  track.lat_deg = box.center_lat_deg + north_m / kSphereRadiusM * kDegPerRad;
  double cos_lat = std::cos(track.lat_deg / kDegPerRad);
  track.lon_deg =
      WrapLongitude(box.center_lon_deg + east_m / (kSphereRadiusM * cos_lat) * kDegPerRad);
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

ScenarioBox BoxOf(TrackScenario scenario) {
  switch (scenario) {
    case TrackScenario::kDense:
      return {.center_lat_deg = 52.0,
              .center_lon_deg = 5.0,
              .east_west_m = 500e3,
              .north_south_m = 500e3};
    case TrackScenario::kContinental:
      return {.center_lat_deg = 48.0,
              .center_lon_deg = 10.0,
              .east_west_m = 5000e3,
              .north_south_m = 3000e3};
  }
  return BoxOf(TrackScenario::kDense);
}

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
  ScenarioBox box = BoxOf(options.scenario);
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
