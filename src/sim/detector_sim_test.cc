// The tactical Detector against the plain O(N^2) reference on sim snapshots. These live in sim/
// because sim sits above tactical (tactical's own tests build their inputs without sim).
#include <chrono>
#include <vector>

#include "gtest/gtest.h"
#include "sim/tracks.h"
#include "tactical/detector.h"
#include "tactical/reference_detector.h"

namespace deconflict::sim {
namespace {

const Timestamp kT0 = Timestamp(std::chrono::seconds(1'800'000'000));

TEST(DetectorOnSim, MatchesTheReferenceOnADenseSnapshot) {
  auto tracks = GenerateTracks(
      {.scenario = TrackScenario::kDense, .count = 3000, .seed = 42, .parties = 3, .time = kT0});
  ASSERT_TRUE(tracks.ok());
  tactical::Detector detector;
  auto fast = detector.Detect(*tracks, kT0);
  auto reference = tactical::DetectAllPairs(detector.options(), *tracks, kT0);
  ASSERT_TRUE(fast.ok() && reference.ok());
  EXPECT_GT(fast->size(), 100u);
  EXPECT_TRUE(*fast == *reference);
}

TEST(DetectorOnSim, MatchesTheReferenceOnManySmallSnapshots) {
  size_t total_conflicts = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    int count = static_cast<int>(50 + seed * 13 % 400);
    int parties = static_cast<int>(1 + seed % 4);
    auto tracks = GenerateTracks(
        {.scenario = seed % 5 == 0 ? TrackScenario::kContinental : TrackScenario::kDense,
         .count = count,
         .seed = seed,
         .parties = parties,
         .time = kT0});
    ASSERT_TRUE(tracks.ok());
    tactical::DetectorOptions options{.include_same_party = seed % 3 == 0,
                                      .num_threads = static_cast<int>(1 + seed % 2)};
    tactical::Detector detector(options);
    auto fast = detector.Detect(*tracks, kT0);
    auto reference = tactical::DetectAllPairs(options, *tracks, kT0);
    ASSERT_TRUE(fast.ok() && reference.ok()) << "seed " << seed;
    ASSERT_TRUE(*fast == *reference) << "seed " << seed;
    total_conflicts += fast->size();
  }
  EXPECT_GT(total_conflicts, 0u);
}

}  // namespace
}  // namespace deconflict::sim
