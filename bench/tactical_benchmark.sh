#!/usr/bin/env bash
# Prints the tactical numbers quoted in README.md ("Tactical conflict detection"): the Google
# Benchmark cycles (dense 1k/10k/50k, continental 100k) and one `deconflict detect` run.
# Usage: bash bench/tactical_benchmark.sh [BUILD_DIR]   (default build/release, configured
# with the release preset if missing). Say what else was running: the machine has 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
if [[ ! -f "$build/build.ninja" ]]; then cmake --preset release; fi
cmake --build "$build" --target tactical_benchmark deconflict
echo "load: $(uptime)"
"$build/src/sim/tactical_benchmark" --benchmark_filter='BM_Detect|BM_Cycle' \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/src/cli/deconflict" sim tracks --scenario dense --n 10000 --seed 1 --parties 4 \
  --out "$tmp/dense.csv"
"$build/src/cli/deconflict" detect --tracks "$tmp/dense.csv" --out "$tmp/pairs.csv"
"$build/src/cli/deconflict" sim tracks --scenario continental --n 100000 --seed 1 --parties 4 \
  --out "$tmp/continental.csv"
"$build/src/cli/deconflict" detect --tracks "$tmp/continental.csv" --out "$tmp/pairs.csv"
# The total work of a cycle, on one thread (CPU time; little disturbed by other load).
DC_BENCH_THREADS=1 "$build/src/sim/tactical_benchmark" \
  --benchmark_filter='BM_Detect.*/(10000|100000)/' --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true
