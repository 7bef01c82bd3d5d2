#!/usr/bin/env bash
# The live picture end to end (bench/live_bench.cc): builds the release binary and the benchmark,
# then runs 10,000 aircraft of 4 parties at 1 Hz for 60 s through POST /v1/tracks with 4 watchers
# on GET /v1/events, injected head-on pairs for the alert latency, and a 10 s ingest phase.
# Usage: bash bench/live.sh [live_bench flags, e.g. --seconds 20 --aircraft 10000]
# Prints the load average before and after, and the benchmark's summary block.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d build/release ]] || cmake --preset release >/dev/null
cmake --build --preset release --target live_bench deconflict -- -j2 >/dev/null
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== build/release/bench/live_bench --aircraft 10000 --seconds 60 --ingest-seconds 10 $*"
status=0
build/release/bench/live_bench --aircraft 10000 --seconds 60 --ingest-seconds 10 "$@" ||
  status=$?
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg); exit status $status"
exit $status
