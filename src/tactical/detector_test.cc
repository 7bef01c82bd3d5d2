// Detector against the plain O(N^2) reference over thousands of random snapshots (uniform,
// clustered and degenerate), with random options; then behaviours of the Detector's contract.
#include "tactical/detector.h"

#include <iostream>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tactical/internal/broad_phase.h"
#include "tactical/internal/test_tracks.h"
#include "tactical/reference_detector.h"

namespace deconflict::tactical {
namespace {

using ::testing::HasSubstr;
using testing::kT0;
using testing::MakeTrack;
using testing::Offset;

// kGlobal spreads tracks over the whole Earth (and kAntipodes over two opposite clusters) so
// that the broad phase's 3D grid is used, not its columns (internal/broad_phase.h).
enum class Shape {
  kUniform,
  kCluster,
  kLevelGrid,
  kParallel,
  kPole,
  kAntimeridian,
  kGlobal,
  kAntipodes
};
// (Sim snapshots, which tactical may not include, are checked in sim/detector_sim_test.cc.)
constexpr Shape kShapes[] = {Shape::kUniform,  Shape::kCluster,  Shape::kLevelGrid,
                             Shape::kParallel, Shape::kPole,     Shape::kAntimeridian,
                             Shape::kGlobal,   Shape::kAntipodes};

class SnapshotMaker {
 public:
  explicit SnapshotMaker(uint64_t seed) : rng_(seed) {}

  double U(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  int I(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Coin(double p) { return U(0, 1) < p; }

  std::vector<Track> Make(Shape shape, int n, int parties) {
    double lat0 = U(-70, 70), lon0 = U(-180, 180), spread = U(5e3, 200e3);
    if (shape == Shape::kPole) lat0 = Coin(0.5) ? 89.9 : -89.9, spread = U(5e3, 60e3);
    if (shape == Shape::kAntimeridian) lon0 = 180;
    if (shape == Shape::kCluster) spread = U(0, 15e3);
    double common_trk = U(0, 360);
    std::vector<Track> tracks;
    for (int idx = 0; idx < n; ++idx) {
      double lat, lon;
      if (shape == Shape::kPole && Coin(0.1)) {
        lat = lat0 > 0 ? 90 : -90, lon = U(-180, 180);
      } else if (shape == Shape::kGlobal) {
        lat = std::asin(U(-1, 1)) / testing::kRadPerDeg, lon = U(-180, 180);
      } else if (shape == Shape::kAntipodes && Coin(0.5)) {
        std::tie(lat, lon) =
            Offset(-lat0, testing::WrapLon(lon0 + 180), U(-spread, spread), U(-spread, spread));
      } else {
        std::tie(lat, lon) = Offset(lat0, lon0, U(-spread, spread), U(-spread, spread));
        lat = std::clamp(lat, -90.0, 90.0);
      }
      if (shape == Shape::kCluster && Coin(0.2) && !tracks.empty()) {
        lat = tracks.back().lat_deg, lon = tracks.back().lon_deg;  // identical positions
      }
      bool level = shape == Shape::kLevelGrid || Coin(0.5);
      double alt = level ? 30.48 * 10 * I(5, 41) : U(0, 13000);
      double vs = level ? 0 : (Coin(0.2) ? 0 : U(-20, 20));
      double gs = Coin(0.1) ? 0 : (Coin(0.05) ? U(400, 700) : U(50, 300));
      double trk = shape == Shape::kParallel ? common_trk : (Coin(0.1) ? 90 * I(0, 3) : U(0, 360));
      if (shape == Shape::kParallel) gs = 200;
      Track track =
          MakeTrack(fmt_party(idx % parties), std::to_string(idx), lat, lon, alt, gs, trk, vs);
      // Some reports are a few seconds old: the detector dead-reckons them to the cycle time.
      if (Coin(0.2)) track.time = kT0 - std::chrono::milliseconds(I(0, 5000));
      tracks.push_back(track);
    }
    return tracks;
  }

  DetectorOptions Options(int parties) {
    DetectorOptions options;
    options.lookahead = std::chrono::duration<double>(Coin(0.5) ? 300 : U(10, 900));
    SeparationMinima minima;
    if (Coin(0.3)) minima = {.horizontal_m = U(500, 20000), .vertical_m = U(50, 600)};
    options.minima = MinimaTable(minima);
    if (Coin(0.3) && parties >= 2) {
      options.minima.Set(PartyId(fmt_party(0)), PartyId(fmt_party(1)),
                         {.horizontal_m = U(500, 20000), .vertical_m = U(50, 600)});
    }
    options.include_same_party = Coin(0.3);
    options.num_threads = I(1, 3);
    options.slices = Coin(0.3) ? 0 : I(1, 60);
    options.grid_max_speed_mps = Coin(0.3) ? U(100, 400) : 400;
    return options;
  }

 private:
  static std::string fmt_party(int number) { return "P" + std::to_string(number + 1); }
  std::mt19937_64 rng_;
};

TEST(Detector, FindsExactlyTheReferencePairsOnThousandsOfRandomSnapshots) {
  int64_t total_conflicts = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    SnapshotMaker maker(seed);
    Shape shape = kShapes[seed % std::size(kShapes)];
    int n = maker.Coin(0.1) ? maker.I(0, 3) : maker.I(2, 250);
    int parties = maker.I(1, 4);
    std::vector<Track> tracks = maker.Make(shape, n, parties);
    DetectorOptions options = maker.Options(parties);
    Detector detector(options);
    auto fast = detector.Detect(tracks, kT0);
    auto reference = DetectAllPairs(options, tracks, kT0);
    ASSERT_TRUE(fast.ok()) << "seed " << seed << ": " << fast.status();
    ASSERT_TRUE(reference.ok()) << "seed " << seed << ": " << reference.status();
    ASSERT_EQ(fast->size(), reference->size()) << "seed " << seed << " shape " << int(shape);
    ASSERT_TRUE(*fast == *reference) << "seed " << seed;
    total_conflicts += static_cast<int64_t>(fast->size());
  }
  // The snapshots must exercise the detector, not just agree on nothing.
  EXPECT_GT(total_conflicts, 30000);
}

// internal/broad_phase.h: the broad phase's margin must bound the chord's offset from the
// pair's bisector plane, |d . u|, for every pair within the reach (zero on a sphere, not on the
// ellipsoid). The differential test cannot reach this worst case, so check it directly.
TEST(BroadPhase, ProjectionMarginBoundsTheChordOffsetOnTheEllipsoid) {
  std::mt19937_64 rng(11);
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  double worst = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    double lat = uniform(-90, 90), lon = uniform(-180, 180);
    double lat2 = std::clamp(lat + uniform(-27, 27), -90.0, 90.0), lon2 = lon + uniform(-40, 40);
    KinematicState a = PrepareTrack(MakeTrack("A", "a", lat, lon, 0, 0, 0), kT0);
    KinematicState b =
        PrepareTrack(MakeTrack("B", "b", lat2, testing::WrapLon(lon2), 0, 0, 0), kT0);
    Vec3 u = a.up + b.up;
    u = (1.0 / std::sqrt(Norm2(u))) * u;
    Vec3 d = b.p - a.p;
    double distance = std::sqrt(Norm2(d));
    if (distance > 3000e3) continue;
    double offset = std::abs(Dot(d, u));
    double margin = internal::ProjectionMargin(distance, 0, 0);
    ASSERT_LE(offset, margin) << "trial " << trial << " distance " << distance;
    worst = std::max(worst, offset / margin);
  }
  std::cout << "largest chord offset: " << worst << " of the margin\n";
}

TEST(Detector, ResultDoesNotDependOnThreadsOrSlices) {
  SnapshotMaker maker(7);
  std::vector<Track> tracks = maker.Make(Shape::kUniform, 400, 3);
  std::vector<Conflict> first;
  for (int threads : {1, 2, 4}) {
    for (int slices : {1, 4, 30}) {
      Detector detector({.num_threads = threads, .slices = slices});
      auto conflicts = detector.Detect(tracks, kT0);
      ASSERT_TRUE(conflicts.ok());
      if (first.empty()) first = *conflicts;
      EXPECT_TRUE(*conflicts == first) << threads << " threads, " << slices << " slices";
    }
  }
  EXPECT_FALSE(first.empty());
}

TEST(Detector, SamePartyPairsOnlyWhenAsked) {
  std::vector<Track> tracks = {MakeTrack("A", "1", 0, 0, 9144, 200, 90),
                               MakeTrack("A", "2", 0, 0.3, 9144, 200, 270)};
  Detector without;
  EXPECT_TRUE(without.Detect(tracks, kT0)->empty());
  Detector with({.include_same_party = true});
  auto conflicts = with.Detect(tracks, kT0);
  ASSERT_EQ(conflicts->size(), 1u);
  EXPECT_EQ((*conflicts)[0].a, 0u);
  EXPECT_EQ((*conflicts)[0].b, 1u);
}

TEST(Detector, StaleReportsAreDeadReckonedToTheCycleTime) {
  // b reported 50 s ago 20 km further east, flying west at 200 m/s: now 10 km from a.
  Track a = MakeTrack("A", "a", 0, 0, 9144, 0, 0);
  auto [blat, blon] = Offset(0, 0, 20000, 0);
  Track b = MakeTrack("B", "b", blat, blon, 9144, 200, 270);
  b.time = kT0 - std::chrono::seconds(50);
  Detector detector;
  auto conflicts = detector.Detect(std::vector<Track>{a, b}, kT0);
  ASSERT_EQ(conflicts->size(), 1u);
  EXPECT_NEAR((*conflicts)[0].distance_m, 10000, 1);
  EXPECT_NEAR((*conflicts)[0].tcpa_s, 50, 0.01);
}

TEST(Detector, InvalidTrackOrOptionIsAnErrorNamingIt) {
  std::vector<Track> tracks = {MakeTrack("A", "1", 0, 0, 9144, 200, 90),
                               MakeTrack("B", "2", 95, 0, 9144, 200, 270)};
  Detector detector;
  auto result = detector.Detect(tracks, kT0);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("tracks[1].lat_deg"));
  tracks[1].lat_deg = 0;
  tracks[1].ground_speed_mps = std::nan("");
  EXPECT_THAT(std::string(detector.Detect(tracks, kT0).status().message()),
              HasSubstr("tracks[1].ground_speed_mps"));
  Detector bad({.lookahead = std::chrono::seconds(0)});
  EXPECT_THAT(std::string(bad.Detect({}, kT0).status().message()), HasSubstr("lookahead"));
  Detector bad_minima({.minima = MinimaTable({.horizontal_m = -1})});
  EXPECT_THAT(std::string(bad_minima.Detect({}, kT0).status().message()),
              HasSubstr("minima.default.horizontal_m"));
}

}  // namespace
}  // namespace deconflict::tactical
