#!/usr/bin/env bash
# Drives PUT /v1/operations with wrk against a fresh release server: once with operations
# spread over a large region, once with every operation inside one 1 km² cell.
# Usage: bash bench/strategic_put.sh [duration_s=20] [connections=64]
# Prints requests/s and latency percentiles for each mode. Durable writes (synchronous=FULL).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
connections=${2:-64}
bin=build/release/src/cli/deconflict
[[ -x $bin ]] || { echo "build first: cmake --preset release && cmake --build --preset release"; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: bash scripts/install-deps.sh"; exit 1; }

for mode in spread cell; do
  data=$(mktemp -d /tmp/deconflict-bench.XXXXXX)
  token=$($bin party add --data "$data" --id BENCH --name "bench" --role operator 2>/dev/null | sed -n 's/^token: //p')
  log=$data/server.log
  $bin serve --data "$data" --listen 127.0.0.1:0 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
  echo "== mode=$mode duration=${duration}s connections=$connections (server pid $pid, port $port)"
  DC_TOKEN=$token DC_MODE=$mode wrk -t2 -c"$connections" -d"${duration}s" -s bench/strategic_put.lua \
    "http://127.0.0.1:$port" | grep -E "Requests/sec|Non-2xx|p50|Latency|requests in"
  stored=$(sqlite3 "$data/deconflict.db" "select count(*) from operations")
  echo "operations stored: $stored"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
