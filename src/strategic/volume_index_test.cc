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

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::UnorderedElementsAre;

const Timestamp kNow = *ParseRfc3339("2026-11-21T09:00:00Z");

std::shared_ptr<const geo::Volume4D> Make(geo::Footprint footprint,
                                          geo::AltitudeBand band = {0, 100},
                                          Timestamp start = kNow + hours(1),
                                          Timestamp end = kNow + hours(2)) {
  auto v =
      geo::Volume4D::Make(std::move(footprint), band, {start, end}, geo::VolumeLimits{}, kNow, "");
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
  index.Insert({2, 0}, Make(geo::Circle{{33.5, 36.2}, 2000}, {200, 300}));  // above
  index.Insert({3, 0}, Make(geo::Circle{{33.5, 36.2}, 2000}, {0, 100}, kNow + hours(2),
                            kNow + hours(3)));                  // after
  index.Insert({4, 0}, Make(geo::Circle{{35.0, 36.2}, 2000}));  // elsewhere
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
  index.Insert({1, 0},
               Make(geo::Polygon{{{-0.1, 179.9}, {-0.1, -179.9}, {0.1, -179.9}, {0.1, 179.9}}}));
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

TEST(VolumeIndex, VolumesNearAPolygonQuerysCentreAreDecidedExactly) {
  // A thin box: its centroid is 0.05° from the long edges, far more from the short ones. Volumes
  // well inside are accepted from their bounds (a cap inscribed in the query); one just outside
  // a long edge but nearer the centroid than the short edges must not be.
  VolumeIndex index;
  index.Insert({1, 0}, Make(geo::Circle{{0.05, 0.5}, 100}));
  index.Insert({2, 0}, Make(Box(0.04, 0.49, 0.06, 0.51)));
  index.Insert({3, 0}, Make(geo::Circle{{0.13, 0.5}, 100}));    // 0.03° north of the box
  index.Insert({4, 0}, Make(geo::Circle{{-0.03, 0.45}, 100}));  // south of it
  index.Insert({5, 0}, Make(geo::Circle{{0.0995, 0.7}, 100}));  // across the north edge
  const auto area = Make(Box(0, 0, 0.1, 1));
  EXPECT_EQ(Found(index, *area), (Keys{{1, 0}, {2, 0}, {5, 0}}));
  EXPECT_EQ(VolumeIndex::LastQueryStats().candidates, 5u);
  EXPECT_EQ(VolumeIndex::LastQueryStats().exact_tests, 3u);  // 1 and 2 decided by bounds
}

// Any window of years 0001..9999 (issue 7: a year-0001 start once cost ~3 million postings).
std::shared_ptr<const geo::Volume4D> MakeAnyTime(geo::Footprint footprint, Timestamp start,
                                                 Timestamp end, geo::AltitudeBand band = {0, 100}) {
  const geo::VolumeLimits any{.horizon = hours(24 * 366 * 12000),
                              .max_start_age = hours(24 * 366 * 12000)};
  auto v = geo::Volume4D::Make(std::move(footprint), band, {start, end}, any,
                               *ParseRfc3339("0001-01-01T00:00:00Z") - hours(24 * 366), "");
  EXPECT_TRUE(v.ok()) << v.status();
  return std::make_shared<const geo::Volume4D>(*std::move(v));
}

TEST(VolumeIndex, PostingsPerVolumeAreBoundedWhateverTheWindowLength) {
  // Memory and insert/remove time are proportional to the postings (32 bytes each).
  const VolumeIndexOptions options;
  const geo::Circle circle{{33.5, 36.2}, 500};
  size_t cells;
  {
    VolumeIndex index(options);
    index.Insert({1, 0}, MakeAnyTime(circle, kNow, kNow + std::chrono::seconds(1)));
    cells = index.posting_count();  // one bucket: one posting per covering cell
  }
  ASSERT_GE(cells, 1u);
  ASSERT_LE(cells, 8u);
  const Timestamp year1 = *ParseRfc3339("0001-01-01T00:00:00Z");
  const Timestamp year9999 = *ParseRfc3339("9999-12-31T00:00:00Z");
  const std::pair<Timestamp, Timestamp> windows[] = {
      {kNow, kNow + std::chrono::seconds(1)},
      {kNow - minutes(1), kNow + minutes(1)},
      {kNow, kNow + hours(6)},
      {kNow - hours(23), kNow + hours(25)},
      {kNow, kNow + hours(24 * 30)},
      {kNow - hours(24 * 365), kNow + hours(1)},
      {kNow - hours(24 * 365 * 300), kNow + hours(1)},
      {year1, kNow + hours(1)},
      {year1, year9999},
      {year1, year1 + hours(3)},
      {year9999 - hours(3), year9999}};
  for (const auto& [start, end] : windows) {
    VolumeIndex index(options);
    index.Insert({1, 0}, MakeAnyTime(circle, start, end));
    EXPECT_LE(index.posting_count(), cells * options.max_buckets_per_volume)
        << FormatRfc3339(start) << " " << FormatRfc3339(end);
    // And the volume is found by a query at either end of its window.
    EXPECT_EQ(Found(index, *MakeAnyTime(geo::Circle{{33.5, 36.2}, 10}, start,
                                        start + std::chrono::seconds(1))),
              (Keys{{1, 0}}));
    EXPECT_EQ(Found(index, *MakeAnyTime(geo::Circle{{33.5, 36.2}, 10},
                                        end - std::chrono::seconds(1), end)),
              (Keys{{1, 0}}));
    index.Remove({1, 0});
    EXPECT_EQ(index.posting_count(), 0u);
  }
}

TEST(VolumeIndex, AQueryReadsOnlyBucketsThatHoldPostingsWhateverItsWindow) {
  VolumeIndex index;
  std::mt19937_64 rng(3);
  const geo::testing::VolumeSampler sampler(geo::testing::Region::kDense, kNow);
  for (uint32_t volume_idx = 0; volume_idx < 200; ++volume_idx) {
    index.Insert({volume_idx, 0}, std::make_shared<const geo::Volume4D>(sampler.Next(rng)));
  }
  // The sampler's windows lie in kNow .. kNow + 8 h: at most 3 buckets of 6 h, all at level 0.
  const geo::Polygon area = Box(33.6, 36.3, 33.7, 36.4);
  const geo::AltitudeBand band{0, 10000};
  const Timestamp year1 = *ParseRfc3339("0001-01-01T00:00:00Z");
  const Timestamp year9999 = *ParseRfc3339("9999-12-31T00:00:00Z");

  const Keys all = Found(index, *MakeAnyTime(area, kNow, kNow + hours(24), band));
  const VolumeIndex::QueryStats day = VolumeIndex::LastQueryStats();
  EXPECT_GE(all.size(), 20u);
  EXPECT_LE(day.buckets, 3u);

  // Year 0001 to 9999: the same answer, the same buckets and postings read.
  EXPECT_EQ(Found(index, *MakeAnyTime(area, year1, year9999, band)), all);
  EXPECT_EQ(VolumeIndex::LastQueryStats().buckets, day.buckets);
  EXPECT_EQ(VolumeIndex::LastQueryStats().postings, day.postings);
  // Windows in year 0001 or 9999: nothing read at all.
  EXPECT_TRUE(Found(index, *MakeAnyTime(area, year1, year1 + hours(5), band)).empty());
  EXPECT_EQ(VolumeIndex::LastQueryStats().buckets, 0u);
  EXPECT_EQ(VolumeIndex::LastQueryStats().postings, 0u);
  EXPECT_TRUE(Found(index, *MakeAnyTime(area, year9999 - hours(5), year9999, band)).empty());
  EXPECT_EQ(VolumeIndex::LastQueryStats().buckets, 0u);
  EXPECT_EQ(VolumeIndex::LastQueryStats().postings, 0u);
}

// ---- Differential test against the brute-force oracle -----------------------------------

// Brute force: every live volume that geo::Intersects the area.
Keys Oracle(
    const std::map<std::pair<uint64_t, uint32_t>, std::shared_ptr<const geo::Volume4D>>& live,
    const geo::Volume4D& area) {
  Keys keys;
  for (const auto& [key, volume] : live) {
    if (geo::Intersects(area, *volume)) keys.push_back(key);
  }
  return keys;
}

// Limits that accept any window of years 0001..9999 (as for volumes read back from the store),
// with `now` before all of them.
const geo::VolumeLimits kAnyTime{.horizon = hours(24 * 366 * 12000),
                                 .max_start_age = hours(24 * 366 * 12000)};
const Timestamp kLongAgo = *ParseRfc3339("0001-01-01T00:00:00Z") - hours(24 * 366);

// Half of the volumes keep the sampler's window (30 min - 2 h, near kNow, on a 30-minute grid);
// the others get one from the extremes the time levels must handle: 1 s, days to weeks, up to
// 300 years ending near now, in year 0001 (short or lasting until near now), in year 9999.
geo::Volume4D WithExtremeWindow(const geo::Volume4D& v, std::mt19937_64& rng) {
  using std::chrono::seconds;
  std::uniform_int_distribution<int> kind(0, 13);
  std::uniform_int_distribution<int> grid(0, 48);
  const Timestamp year1 = *ParseRfc3339("0001-01-01T00:00:00Z");
  const Timestamp year9999 = *ParseRfc3339("9999-06-01T00:00:00Z");
  const Timestamp near_now = kNow + minutes(30) * grid(rng);
  geo::TimeWindow window = v.time();
  switch (kind(rng)) {
    case 0:
      window = {near_now, near_now + seconds(1)};
      break;
    case 1:
      window = {near_now - hours(24) * grid(rng), near_now + hours(24) * grid(rng) + hours(1)};
      break;
    case 2:
      window = {kNow - hours(24 * 365) * std::uniform_int_distribution<int>(1, 300)(rng),
                near_now + minutes(30)};
      break;
    case 3:
      window = {year1 + hours(1) * grid(rng), year1 + hours(1) * grid(rng) + hours(49)};
      break;
    case 4:
      window = {year1 + hours(1) * grid(rng), near_now + minutes(30)};
      break;
    case 5:
      window = {year9999 + hours(1) * grid(rng), year9999 + hours(1) * grid(rng) + hours(49)};
      break;
    case 6:
      window = {near_now, year9999};
      break;
    default:
      return v;
  }
  auto made = geo::Volume4D::Make(v.footprint(), v.altitude(), window, kAnyTime, kLongAgo, "");
  RC_ASSERT(made.ok());
  return *std::move(made);
}

// Inserts, replaces, removes (by key and by owner) and evicts random volumes of one region,
// then compares 40 random queries with the oracle. With `extreme_windows`, half of the volumes
// and queries have windows from WithExtremeWindow.
void CompareWithOracle(uint64_t sample_seed, const VolumeIndexOptions& options,
                       bool extreme_windows = false) {
  std::mt19937_64 rng(sample_seed);
  const geo::testing::VolumeSampler base_sampler(geo::testing::kAllRegions[sample_seed % 4], kNow);
  struct Sampler {
    const geo::testing::VolumeSampler& base;
    bool extreme;
    geo::Volume4D Next(std::mt19937_64& rng) const {
      geo::Volume4D v = base.Next(rng);
      return extreme ? WithExtremeWindow(v, rng) : v;
    }
  } sampler{base_sampler, extreme_windows};
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
  RC_TAG(queries_with_conflicts == 0   ? "no query found a conflict"
         : queries_with_conflicts < 20 ? "1-19 of 40 queries found conflicts"
                                       : "20-40 of 40 queries found conflicts");
}

DC_PROP(VolumeIndexProperty, MatchesBruteForceWithDefaultOptions, 11, 120, (uint64_t sample_seed)) {
  CompareWithOracle(sample_seed, VolumeIndexOptions{});
}

DC_PROP(VolumeIndexProperty, MatchesBruteForceWithFewDeepCellsAndHourBuckets, 12, 60,
        (uint64_t sample_seed)) {
  // Few, deep cells: many ancestors and many descendants in play.
  CompareWithOracle(
      sample_seed,
      VolumeIndexOptions{
          .min_level = 2, .max_level = 20, .max_cells = 3, .time_bucket = std::chrono::hours(1)});
}

DC_PROP(VolumeIndexProperty, MatchesBruteForceWithoutTheQueryMarginAndDayBuckets, 13, 60,
        (uint64_t sample_seed)) {
  // Random footprints do not touch exactly on cell boundaries, so even without the margin the
  // answers must match; the margin's purpose is tested in FindsFootprintsTouchingAlong...
  CompareWithOracle(sample_seed, VolumeIndexOptions{.max_cells = 16,
                                                    .query_margin_m = 0,
                                                    .time_bucket = std::chrono::hours(24)});
}

DC_PROP(VolumeIndexProperty, MatchesBruteForceWithWindowsFromOneSecondToEightThousandYears, 14, 120,
        (uint64_t sample_seed)) {
  CompareWithOracle(sample_seed, VolumeIndexOptions{}, /*extreme_windows=*/true);
}

DC_PROP(VolumeIndexProperty, MatchesBruteForceWithManyFineLevels, 15, 60, (uint64_t sample_seed)) {
  // Hour buckets, doubling per level, at most 2 per volume: every window length lands on its
  // own level, and the clamp of level-0 buckets (±3,800 years from 2020) is reached.
  CompareWithOracle(
      sample_seed,
      VolumeIndexOptions{
          .time_bucket = std::chrono::hours(1), .level_factor = 2, .max_buckets_per_volume = 2},
      /*extreme_windows=*/true);
}

}  // namespace
}  // namespace deconflict::strategic
