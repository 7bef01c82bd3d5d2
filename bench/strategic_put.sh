#!/usr/bin/env bash
# Drives PUT /v1/operations with wrk against a fresh release server, in two modes:
#   spread: one party, operations spread over a large region (2 threads, `connections` sockets);
#   cell:   the DSS workload: 4 parties filing into the same 1 km² cell (one thread and socket
#           per connection, parties in turn); a write refused for a missing OVN (409) is retried
#           with the OVNs of its `missing` list added to its key (bench/strategic_put.lua).
# Usage: bash bench/strategic_put.sh [duration_s=20] [connections=64] [modes="spread cell"]
# Prints requests/s and latency percentiles for each mode, and for the cell mode the accepted
# writes/s, 409s and retries. Durable writes (synchronous=FULL).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
connections=${2:-64}
modes=${3:-spread cell}
bin=build/release/src/cli/deconflict
[[ -x $bin ]] || { echo "build first: cmake --preset release && cmake --build --preset release"; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: bash scripts/install-deps.sh"; exit 1; }

for mode in $modes; do
  data=$(mktemp -d /tmp/deconflict-bench.XXXXXX)
  parties=1; threads=2
  [[ $mode == cell ]] && { parties=4; threads=$connections; }
  tokens=""
  for party_idx in $(seq "$parties"); do
    token=$($bin party add --data "$data" --id "BENCH$party_idx" --name "bench $party_idx" --role operator 2>/dev/null | sed -n 's/^token: //p')
    [[ -n $token ]] || { echo "party add failed"; exit 1; }
    tokens=${tokens:+$tokens,}$token
  done
  log=$data/server.log
  $bin serve --data "$data" --listen 127.0.0.1:0 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
  echo "== mode=$mode duration=${duration}s connections=$connections parties=$parties (server pid $pid, port $port)"
  DC_TOKENS=$tokens DC_MODE=$mode wrk -t"$threads" -c"$connections" -d"${duration}s" \
    -s bench/strategic_put.lua "http://127.0.0.1:$port" |
    grep -E "Requests/sec|Non-2xx|p50|Latency|requests in|accepted"
  stored=$(sqlite3 "$data/deconflict.db" "select count(*) from operations")
  echo "operations stored: $stored"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
