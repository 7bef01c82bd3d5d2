#!/usr/bin/env bash
# Operation writes with and without a large live picture of protected sites (issue 11): the
# `spread` workload of bench/strategic_put.sh (one operator party, PUT /v1/operations with wrk,
# durable writes) against a fresh release server that holds
#   - no sites, then
#   - `sites` live protected sites (default 100,000) filed first by a humanitarian party through
#     PUT /v1/sites (bench/humanitarian_sites.lua), spread over the same region, 300 m buffers,
#     valid for the whole run and notified to another operator. Every operation write checks
#     them; one that meets a site is accepted (the filer is no recipient) and the meeting recorded
#     (a row, a ledger entry, a humanitarian.conflict event), as the service does for real.
# Both runs in one invocation, so that the ratio is measured on the same machine load.
# Usage: bash bench/humanitarian_put.sh [duration_s=20] [connections=64] [sites=100000]
# Prints, per run: the site filing rate, requests/s and latency of the operation writes, and the
# operations stored and conflicts recorded; then the ratio of the two write rates.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
connections=${2:-64}
sites=${3:-100000}
bin=build/release/src/cli/deconflict
[[ -x $bin ]] || { echo "build first: cmake --preset release && cmake --build --preset release"; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: bash scripts/install-deps.sh"; exit 1; }

token_of() { sed -n 's/^token: //p'; }
declare -A rate
for n in 0 "$sites"; do
  data=$(mktemp -d /tmp/deconflict-bench.XXXXXX)
  op=$($bin party add --data "$data" --id BENCH1 --name "bench operator" --role operator 2>/dev/null | token_of)
  agency=$($bin party add --data "$data" --id AGENCY --name "bench agency" --role humanitarian 2>/dev/null | token_of)
  $bin party add --data "$data" --id OTHER --name "told of the sites" --role operator >/dev/null 2>&1
  [[ -n $op && -n $agency ]] || { echo "party add failed"; exit 1; }
  log=$data/server.log
  $bin serve --data "$data" --listen 127.0.0.1:0 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
  echo "== live sites=$n, operation writes: duration=${duration}s connections=$connections (server pid $pid)"
  if ((n > 0)); then
    start=$(date +%s.%N)
    DC_TOKEN=$agency DC_SITES=$n DC_THREADS=2 DC_RECIPIENT=OTHER wrk -t2 -c"$connections" -d3600s \
      -s bench/humanitarian_sites.lua "http://127.0.0.1:$port" | grep -E "sites filed|Requests/sec"
    end=$(date +%s.%N)
    live=$(sqlite3 "$data/deconflict.db" "select count(distinct id) from humanitarian_versions" 2>/dev/null || echo "?")
    echo "sites filed in $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s; places stored: $live"
  fi
  out=$(DC_TOKENS=$op DC_MODE=spread wrk -t2 -c"$connections" -d"${duration}s" \
    -s bench/strategic_put.lua "http://127.0.0.1:$port")
  grep -E "Requests/sec|Non-2xx|Latency|requests in|accepted" <<<"$out"
  rate[$n]=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$out")
  echo "operations stored: $(sqlite3 "$data/deconflict.db" "select count(*) from operations")"
  echo "conflicts recorded: $(sqlite3 "$data/deconflict.db" "select count(*) from humanitarian_conflicts" 2>/dev/null || echo "?")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
echo "== operation writes/s with $sites live sites / without: ${rate[$sites]} / ${rate[0]} = $(awk -v a="${rate[$sites]}" -v b="${rate[0]}" 'BEGIN{printf "%.3f", a/b}')"
