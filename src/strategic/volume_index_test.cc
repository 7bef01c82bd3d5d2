#include "strategic/volume_index.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "common/time.h"
#include "geo/internal/fixed_seed_property.h"
#include "geo/internal/random_volumes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace deconflict::strategic {
namespace {

using ::testing::UnorderedElementsAre;
using std::chrono::hours;
using std::chrono::minutes;

const Timestamp kNow = *ParseRfc3339("2026-11-21T09:00:00Z");

std::shared_ptr<const geo::Volume4D> Make(geo::Footprint footprint,
                                          geo::AltitudeBand band = {0, 100},
                                          Timestamp start = kNow + hours(1),
                                          Timestamp end = kNow + hours(2)) {
  auto v = geo::Volume4D::Make(std::move(footprint), band, {start, end}, geo::VolumeLimits{},
                               kNow, "");
  EXPECT_TRUE(v.ok()) << v.status();
  return std::make_shared<const geo::Volume4D>(*std::move(v));
}

geo::Polygon Box(double lat0, double lng0, double lat1, double lng1) {
  return geo::Polygon{{{lat0, lng0}, {lat0, lng1}, {lat1, lng1}, {lat1, lng0}}};
}

std::vector<std::pair<uint64_t, uint32_t>> Found(const VolumeIndex& index,
                                                 const geo::Volume4D& area) {
  std::vector<std::pair<uint64_t, uint32_t>> found;
  index.Query(area, [&](VolumeKey key, const geo::Volume4D&) {
    found.emplace_back(key.owner, key.volume_idx);
  });
  std::sort(found.begin(), found.end());
  return found;
}

using Keys = std::vector<std::pair<uint64_t, uint32_t>>;

TEST(VolumeIndex, FindsIntersectingVolumesOnly) {
  VolumeIndex index;
  index.Insert({1, 0}, Make(geo::Circle{{33.5, 36.2}, 2000}));
  index.Insert({1, 1}, Make(Box(33.6, 36.3, 33.7, 36.4)));
  index.Insert({2, 0}, Make(geo::Circle{{33.5, 36.2}, 2000}, {200, 300}));        // above
  index.Insert({3, 0}, Make(geo::Circle{{33.5, 36.2}, 2000}, {0, 100}, kNow + hours(2),
                            kNow + hours(3)));                                     // after
  index.Insert({4, 0}, Make(geo::Circle{{35.0, 36.2}, 2000}));                     // elsewhere
  EXPECT_EQ(index.size(), 5u);
  EXPECT_EQ(Found(index, *Make(Box(33.49, 36.19, 33.65, 36.35))), (Keys{{1, 0}, {1, 1}}));
  EXPECT_EQ(Found(index, *Make(geo::Circle{{33.5, 36.2}, 10}, {0, 1000}, kNow, kNow + hours(5))),
            (Keys{{1, 0}, {2, 0}, {3, 0}}));
}

TEST(VolumeIndex, InsertUnderAnExistingKeyReplaces) {
  VolumeIndex index;
  index.Insert({1, 0}, Make(geo::Circle{{33.5, 36.2}, 2000}));
  index.Insert({1, 0}, Make(geo::Circle{{10, 10}, 2000}));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_TRUE(Found(index, *Make(geo::Circle{{33.5, 36.2}, 100})).empty());
  EXPECT_EQ(Found(index, *Make(geo::Circle{{10, 10}, 100})), (Keys{{1, 0}}));
}

TEST(VolumeIndex, RemoveAndRemoveOwner) {
  VolumeIndex index;
  for (uint32_t volume_idx = 0; volume_idx < 3; ++volume_idx) {
    index.Insert({1, volume_idx}, Make(geo::Circle{{33.5, 36.2 + 0.001 * volume_idx}, 2000}));
    index.Insert({2, volume_idx}, Make(geo::Circle{{33.5, 36.2 + 0.001 * volume_idx}, 2000}));
  }
  index.Remove({1, 1});
  index.Remove({1, 1});  // absent: no-op
  index.Remove({9, 0});
  EXPECT_EQ(index.size(), 5u);
  const auto area = Make(geo::Circle{{33.5, 36.2}, 100});
  EXPECT_EQ(Found(index, *area), (Keys{{1, 0}, {1, 2}, {2, 0}, {2, 1}, {2, 2}}));
  index.RemoveOwner(2);
  index.RemoveOwner(2);
  EXPECT_EQ(Found(index, *area), (Keys{{1, 0}, {1, 2}}));
  EXPECT_EQ(index.size(), 2u);
  // Freed slots are reused correctly.
  index.Insert({3, 0}, Make(geo::Circle{{33.5, 36.2}, 500}));
  EXPECT_EQ(Found(index, *area), (Keys{{1, 0}, {1, 2}, {3, 0}}));
}

TEST(VolumeIndex, EvictEndedBeforeDropsWindowsEndingAtOrBefore) {
  VolumeIndex index;
  index.Insert({1, 0}, Make(geo::Circle{{0, 0}, 100}, {0, 1}, kNow, kNow + hours(1)));
  index.Insert({2, 0}, Make(geo::Circle{{0, 0}, 100}, {0, 1}, kNow, kNow + hours(2)));
  index.EvictEndedBefore(kNow + hours(1) - std::chrono::microseconds(1));
  EXPECT_EQ(index.size(), 2u);
  index.EvictEndedBefore(kNow + hours(1));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(Found(index, *Make(geo::Circle{{0, 0}, 10}, {0, 1}, kNow, kNow + hours(3))),
            (Keys{{2, 0}}));
}

TEST(VolumeIndex, WindowsAcrossItsInternalEpochAreFound) {
  // Postings count time from 2020-01-01 (negative before it); buckets must floor.
  const Timestamp now = *ParseRfc3339("2019-12-31T20:00:00Z");
  auto make = [&](const char* start, const char* end) {
    return std::make_shared<const geo::Volume4D>(*geo::Volume4D::Make(
        geo::Circle{{0, 0}, 100}, {0, 1}, {*ParseRfc3339(start), *ParseRfc3339(end)},
        geo::VolumeLimits{}, now, ""));
  };
  VolumeIndex index;
  index.Insert({1, 0}, make("2019-12-31T23:30:00Z", "2020-01-01T00:30:00Z"));
  index.Insert({2, 0}, make("2019-12-31T21:00:00Z", "2019-12-31T23:59:59.5Z"));
  index.Insert({3, 0}, make("2020-01-01T00:00:00.5Z", "2020-01-01T01:00:00Z"));
  EXPECT_EQ(Found(index, *make("2019-12-31T23:59:59.9Z", "2020-01-01T00:00:00.1Z")),
            (Keys{{1, 0}}));
  EXPECT_EQ(Found(index, *make("2019-12-31T23:59:59Z", "2020-01-01T00:00:01Z")),
            (Keys{{1, 0}, {2, 0}, {3, 0}}));
}

TEST(VolumeIndex, FindsFootprintsTouchingAlongCellBoundaries) {
  // The prime meridian and the equator are S2 cell edges at every level: boxes that share an
  // edge there are covered by neighbouring cells, none containing another.
  VolumeIndex index;
  index.Insert({1, 0}, Make(Box(10, -0.1, 10.1, 0)));
  index.Insert({2, 0}, Make(Box(-0.1, 20, 0, 20.1)));
  EXPECT_EQ(Found(index, *Make(Box(10, 0, 10.1, 0.1))), (Keys{{1, 0}}));
  EXPECT_EQ(Found(index, *Make(Box(0, 20, 0.1, 20.1))), (Keys{{2, 0}}));
  EXPECT_EQ(Found(index, *Make(Box(10.1, 0, 10.2, 0.1))), (Keys{{1, 0}}));  // one corner
}

TEST(VolumeIndex, FindsAcrossTheAntimeridianAndAroundThePoles) {
  VolumeIndex index;
  index.Insert({1, 0}, Make(geo::Polygon{{{-0.1, 179.9}, {-0.1, -179.9}, {0.1, -179.9},
                                          {0.1, 179.9}}}));
  index.Insert({2, 0}, Make(geo::Polygon{{{89.5, 0}, {89.5, 90}, {89.5, 180}, {89.5, -90}}}));
  EXPECT_EQ(Found(index, *Make(geo::Circle{{0, -179.95}, 100})), (Keys{{1, 0}}));
  EXPECT_EQ(Found(index, *Make(geo::Circle{{0, 179.95}, 100})), (Keys{{1, 0}}));
  EXPECT_EQ(Found(index, *Make(geo::Circle{{90, 0}, 100})), (Keys{{2, 0}}));
  EXPECT_EQ(Found(index, *Make(geo::Circle{{89.7, -135}, 100})), (Keys{{2, 0}}));
}

TEST(VolumeIndex, AVolumeLargerThanTheMinLevelCellsIsFound) {
  VolumeIndex index;
  index.Insert({1, 0}, Make(geo::Circle{{45, 45}, 56000}));
  EXPECT_EQ(Found(index, *Make(geo::Circle{{45.4, 45}, 10})), (Keys{{1, 0}}));
  EXPECT_EQ(Found(index, *Make(geo::Circle{{45, 45.5}, 100})), (Keys{{1, 0}}));
  EXPECT_TRUE(Found(index, *Make(geo::Circle{{45, 45.8}, 100})).empty());
}

TEST(VolumeIndex, ConcurrentQueriesSeeTheSameAnswers) {
  // Thread-compatible: const methods may run together (meaningful under the tsan preset).
  std::mt19937_64 rng(5);
  const geo::testing::VolumeSampler sampler(geo::testing::Region::kDense, kNow, 0.3);
  VolumeIndex index;
  for (uint32_t volume_idx = 0; volume_idx < 300; ++volume_idx) {
    index.Insert({volume_idx, 0}, std::make_shared<const geo::Volume4D>(sampler.Next(rng)));
  }
  std::vector<geo::Volume4D> areas;
  for (int i = 0; i < 50; ++i) areas.push_back(sampler.Next(rng));
  std::vector<Keys> expected;
  for (const geo::Volume4D& area : areas) expected.push_back(Found(index, area));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int thread_idx = 0; thread_idx < 4; ++thread_idx) {
    threads.emplace_back([&] {
      for (size_t i = 0; i < areas.size(); ++i) mismatches += Found(index, areas[i]) != expected[i];
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(VolumeIndex, APolygonNearTheAreaLimitIsFoundEverywhereInside) {
  // 0.89° x 0.89° at the equator: ~9,790 km², just under the 10,000 km² limit.
  VolumeIndex index;
  auto big = Make(Box(-0.445, 99.555, 0.445, 100.445));
  EXPECT_GT(big->AreaKm2(), 9700);
  index.Insert({1, 0}, big);
  for (double lat : {-0.44, 0.0, 0.44}) {
    for (double lng : {99.56, 100.0, 100.44}) {
      EXPECT_EQ(Found(index, *Make(geo::Circle{{lat, lng}, 10})), (Keys{{1, 0}}))
          << lat << "," << lng;
    }
  }
  EXPECT_TRUE(Found(index, *Make(geo::Circle{{0, 100.5}, 10})).empty());
}

// ---- Differential test against the brute-force oracle -----------------------------------

// Brute force: every live volume that geo::Intersects the area.
Keys Oracle(const std::map<std::pair<uint64_t, uint32_t>, std::shared_ptr<const geo::Volume4D>>&
                live,
            const geo::Volume4D& area) {
  Keys keys;
  for (const auto& [key, volume] : live) {
    if (geo::Intersects(area, *volume)) keys.push_back(key);
  }
  return keys;
}

// Inserts, replaces, removes (by key and by owner) and evicts random volumes of one region,
// then compares 40 random queries with the oracle.
void CompareWithOracle(uint64_t sample_seed, const VolumeIndexOptions& options) {
  std::mt19937_64 rng(sample_seed);
  const geo::testing::VolumeSampler sampler(geo::testing::kAllRegions[sample_seed % 4], kNow);
  VolumeIndex index(options);
  std::map<std::pair<uint64_t, uint32_t>, std::shared_ptr<const geo::Volume4D>> live;
  std::uniform_int_distribution<uint64_t> owner_of(0, 40);
  std::uniform_int_distribution<uint32_t> idx_of(0, 2);
  std::uniform_int_distribution<int> action(0, 19);
  for (int step = 0; step < 150; ++step) {
    const uint64_t owner = owner_of(rng);
    const uint32_t volume_idx = idx_of(rng);
    switch (action(rng)) {
      case 0:
        index.Remove({owner, volume_idx});
        live.erase({owner, volume_idx});
        break;
      case 1:
        index.RemoveOwner(owner);
        std::erase_if(live, [&](const auto& entry) { return entry.first.first == owner; });
        break;
      default: {
        auto volume = std::make_shared<const geo::Volume4D>(sampler.Next(rng));
        index.Insert({owner, volume_idx}, volume);
        live[{owner, volume_idx}] = volume;
      }
    }
  }
  const Timestamp evict_at = kNow + minutes(30) * std::uniform_int_distribution<int>(0, 4)(rng);
  index.EvictEndedBefore(evict_at);
  std::erase_if(live, [&](const auto& entry) { return entry.second->time().end <= evict_at; });
  RC_ASSERT(index.size() == live.size());

  int queries_with_conflicts = 0;
  for (int query_idx = 0; query_idx < 40; ++query_idx) {
    const geo::Volume4D area = sampler.Next(rng);
    Keys found;
    index.Query(area, [&](VolumeKey key, const geo::Volume4D& volume) {
      RC_ASSERT(live.at({key.owner, key.volume_idx}).get() == &volume);
      found.emplace_back(key.owner, key.volume_idx);
    });
    std::sort(found.begin(), found.end());
    queries_with_conflicts += !found.empty();
    RC_ASSERT(found == Oracle(live, area));  // also: each volume visited once
  }
  RC_TAG(queries_with_conflicts == 0    ? "no query found a conflict"
         : queries_with_conflicts < 20 ? "1-19 of 40 queries found conflicts"
                                       : "20-40 of 40 queries found conflicts");
}

DC_PROP(VolumeIndexProperty, MatchesBruteForceWithDefaultOptions, 11, 120,
        (uint64_t sample_seed)) {
  CompareWithOracle(sample_seed, VolumeIndexOptions{});
}

DC_PROP(VolumeIndexProperty, MatchesBruteForceWithFewDeepCellsAndHourBuckets, 12, 60,
        (uint64_t sample_seed)) {
  // Few, deep cells: many ancestors and many descendants in play.
  CompareWithOracle(sample_seed,
                    VolumeIndexOptions{.min_level = 2, .max_level = 20, .max_cells = 3,
                                       .time_bucket = std::chrono::hours(1)});
}

DC_PROP(VolumeIndexProperty, MatchesBruteForceWithoutTheQueryMarginAndDayBuckets, 13, 60,
        (uint64_t sample_seed)) {
  // Random footprints do not touch exactly on cell boundaries, so even without the margin the
  // answers must match; the margin's purpose is tested in FindsFootprintsTouchingAlong...
  CompareWithOracle(sample_seed, VolumeIndexOptions{.max_cells = 16, .query_margin_m = 0,
                                                    .time_bucket = std::chrono::hours(24)});
}

}  // namespace
}  // namespace deconflict::strategic
