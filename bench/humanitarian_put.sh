#!/usr/bin/env bash
# Operation writes with and without a large live picture of protected sites (issue 11): the
# `spread` workload of bench/strategic_put.sh (one operator party, PUT /v1/operations with wrk,
# durable writes, centres uniform over 25-45 N 20-60 E) against a fresh release server that holds
#   none   no sites;
#   far    `sites` live protected sites (default 100,000) filed first by a humanitarian party
#          through PUT /v1/sites (bench/humanitarian_sites.lua) in a region of the same size no
#          operation reaches (45-25 S): the same stored volume, checks that find nothing;
#   near   the same number of sites spread over the operations' region, 300 m buffers, valid for
#          the whole run, notified to another operator. Every write checks them; one that meets a
#          site is accepted (its filer is no recipient) and each meeting recorded (a row, a ledger
#          entry, a humanitarian.conflict event to the notifier), as the service does for real.
# All runs in one invocation, so that the ratios are measured on the same machine load.
# Usage: bash bench/humanitarian_put.sh [duration_s=20] [connections=64] [sites=100000]
# Prints, per run: the site filing time, requests/s and latency of the operation writes, the
# operations stored and conflicts recorded; then the ratios of the write rates to `none`.
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
for run in none far near; do
  n=$sites lat_min=25
  [[ $run == none ]] && n=0
  [[ $run == far ]] && lat_min=-45
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
  echo "== $run: live sites=$n (from latitude $lat_min), operation writes: duration=${duration}s connections=$connections (server pid $pid)"
  if ((n > 0)); then
    start=$(date +%s.%N)
    # The script's threads stop at their quota, but wrk's main thread sleeps out -d: SIGINT ends
    # it (and prints its summary) once every site is stored.
    DC_TOKEN=$agency DC_SITES=$n DC_THREADS=2 DC_RECIPIENT=OTHER DC_LAT_MIN=$lat_min wrk -t2 -c"$connections" -d3600s \
      -s bench/humanitarian_sites.lua "http://127.0.0.1:$port" >"$data/sites.out" &
    filer=$!
    count() { sqlite3 "$data/deconflict.db" "select count(distinct id) from humanitarian_versions" 2>/dev/null || echo 0; }
    while (($(count) < n)) && kill -0 "$filer" 2>/dev/null; do sleep 0.5; done
    end=$(date +%s.%N)
    kill -INT "$filer" 2>/dev/null || true
    wait "$filer" 2>/dev/null || true
    grep -E "sites filed|Requests/sec" "$data/sites.out" || true
    live=$(count)
    echo "sites filed in $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s; places stored: $live"
  fi
  out=$(DC_TOKENS=$op DC_MODE=spread wrk -t2 -c"$connections" -d"${duration}s" \
    -s bench/strategic_put.lua "http://127.0.0.1:$port")
  grep -E "Requests/sec|Non-2xx|Latency|requests in|accepted" <<<"$out"
  rate[$run]=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$out")
  echo "operations stored: $(sqlite3 "$data/deconflict.db" "select count(*) from operations")"
  echo "conflicts recorded: $(sqlite3 "$data/deconflict.db" "select count(*) from humanitarian_conflicts" 2>/dev/null || echo "?")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
echo "== operation writes/s, $sites sites far / none: ${rate[far]} / ${rate[none]} = $(ratio "${rate[far]}" "${rate[none]}")"
echo "== operation writes/s, $sites sites near / none: ${rate[near]} / ${rate[none]} = $(ratio "${rate[near]}" "${rate[none]}")"
echo "== operation writes/s, near / far: $(ratio "${rate[near]}" "${rate[far]}")"
