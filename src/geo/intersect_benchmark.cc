// Cost of building volumes and of the exact intersection tests (inputs from fixed seeds).
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/time.h"
#include "geo/internal/random_volumes.h"
#include "geo/volume.h"

namespace deconflict::geo {
namespace {

const Timestamp kNow = *ParseRfc3339("2026-11-21T09:00:00Z");

// 1,024 volumes of the dense region whose footprint is (or is not) a polygon, all in the same
// band and window so that the footprint test runs.
std::vector<Volume4D> Sample(bool polygons) {
  std::mt19937_64 rng(42);
  const testing::VolumeSampler sampler(testing::Region::kDense, kNow, /*spread=*/0.3);
  std::vector<Volume4D> out;
  while (out.size() < 1024) {
    Volume4D v = sampler.Next(rng);
    if ((v.s2_polygon() != nullptr) != polygons) continue;
    out.push_back(*Volume4D::Make(v.footprint(), {0, 100}, {kNow, kNow + std::chrono::hours(1)},
                                  VolumeLimits{}, kNow, ""));
  }
  return out;
}

void BM_Intersects(benchmark::State& state, bool a_polygons, bool b_polygons) {
  const std::vector<Volume4D> a = Sample(a_polygons), b = Sample(b_polygons);
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += Intersects(a[i % 1024], b[(i * 7 + 3) % 1024]);
    ++i;
  }
  state.counters["hit_rate"] = static_cast<double>(hits) / static_cast<double>(i);
}
BENCHMARK_CAPTURE(BM_Intersects, PolygonPolygon, true, true);
BENCHMARK_CAPTURE(BM_Intersects, CirclePolygon, false, true);
BENCHMARK_CAPTURE(BM_Intersects, CircleCircle, false, false);

void BM_OverlapOf(benchmark::State& state) {
  const std::vector<Volume4D> a = Sample(true), b = Sample(false);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(OverlapOf(a[i % 1024], b[(i * 7 + 3) % 1024]));
    ++i;
  }
}
BENCHMARK(BM_OverlapOf);

void BM_MakePolygon(benchmark::State& state) {
  std::mt19937_64 rng(7);
  const testing::VolumeSampler sampler(testing::Region::kDense, kNow);
  std::vector<Footprint> footprints;
  while (footprints.size() < 1024) {
    Footprint f = sampler.NextFootprint(rng);
    if (std::holds_alternative<Polygon>(f)) footprints.push_back(std::move(f));
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Volume4D::Make(footprints[i++ % 1024], {0, 100},
                                            {kNow, kNow + std::chrono::hours(1)}, VolumeLimits{},
                                            kNow, ""));
  }
}
BENCHMARK(BM_MakePolygon);

}  // namespace
}  // namespace deconflict::geo
