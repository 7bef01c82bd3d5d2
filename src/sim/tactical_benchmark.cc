// Benchmarks of one tactical detection cycle over sim snapshots (design.md §6 targets: dense
// 10,000 tracks < 40 ms, continental 100,000 tracks < 100 ms on the 2-core machine). They live
// in sim/, not tactical/, because sim sits above tactical.
//
//   build/<dir>/src/sim/tactical_benchmark --benchmark_filter=BM_Detect
//
// Inputs are built once per size with fixed seeds (sim seed 1, 4 parties), outside the timed
// loop. Times are wall-clock (UseRealTime): the detector uses both cores. For tuning,
// DC_BENCH_THREADS=1 measures the total work on one core (CPU time is then the whole cost, and
// much less disturbed by other load than wall time) and DC_BENCH_SLICES sets the time slices.
#include <cstdlib>
#include <vector>

#include "benchmark/benchmark.h"
#include "sim/tracks.h"
#include "tactical/detector.h"
#include "tactical/encounter_tracker.h"

namespace deconflict::tactical {
namespace {

const Timestamp kNow = Timestamp(std::chrono::seconds(1'800'000'000));

std::vector<Track> Snapshot(sim::TrackScenario scenario, int count) {
  return *sim::GenerateTracks(
      {.scenario = scenario, .count = count, .seed = 1, .parties = 4, .time = kNow});
}

void RunDetect(benchmark::State& state, sim::TrackScenario scenario) {
  std::vector<Track> tracks = Snapshot(scenario, static_cast<int>(state.range(0)));
  DetectorOptions options;
  // Tuning experiments: DC_BENCH_SLICES overrides the number of time slices.
  if (const char* slices = std::getenv("DC_BENCH_SLICES")) options.slices = std::atoi(slices);
  // DC_BENCH_THREADS overrides the number of threads (1 measures the total work).
  if (const char* threads = std::getenv("DC_BENCH_THREADS")) {
    options.num_threads = std::atoi(threads);
  }
  Detector detector(options);
  size_t conflicts = 0;
  for (auto _ : state) {
    auto result = detector.Detect(tracks, kNow);
    if (!result.ok()) {
      state.SkipWithError("detect failed");
      return;
    }
    conflicts = result->size();
    benchmark::DoNotOptimize(result->data());
  }
  state.counters["conflicts"] = static_cast<double>(conflicts);
  state.counters["narrow_tests"] = static_cast<double>(detector.last_stats().box_overlaps);
  state.counters["box_tests"] = static_cast<double>(detector.last_stats().box_tests);
  state.counters["cells"] = static_cast<double>(detector.last_stats().cells);
  state.counters["slices"] = detector.last_stats().slices;
  state.counters["cell_km"] = detector.last_stats().cell_size_m / 1000;
}

void BM_DetectDense(benchmark::State& state) { RunDetect(state, sim::TrackScenario::kDense); }
BENCHMARK(BM_DetectDense)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(50000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_DetectContinental(benchmark::State& state) {
  RunDetect(state, sim::TrackScenario::kContinental);
}
BENCHMARK(BM_DetectContinental)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

// One full live cycle as the server will run it: detect, then the encounter lifecycle.
void BM_CycleWithEncountersDense(benchmark::State& state) {
  std::vector<Track> tracks =
      Snapshot(sim::TrackScenario::kDense, static_cast<int>(state.range(0)));
  Detector detector;
  EncounterTracker tracker;
  Timestamp now = kNow;
  for (auto _ : state) {
    auto conflicts = detector.Detect(tracks, now);
    auto events = tracker.Update(tracks, *conflicts, now);
    benchmark::DoNotOptimize(events.data());
    now += std::chrono::seconds(1);
  }
}
BENCHMARK(BM_CycleWithEncountersDense)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace deconflict::tactical
