#!/usr/bin/env bash
# ACLED import and incident statistics (issue 13; design.md §6 targets: import > 50,000 rows/s,
# stats over 1,000,000 incidents < 100 ms). Generates `rows` synthetic ACLED rows with
# `deconflict sim incidents` (2026-01-01 .. 2026-11-30, Syria), starts a fresh release server
# (durable: every commit fsynced), imports the file with `deconflict incidents import` (the
# server parses and checks every row and stores each with its own ledger entry), then times
# GET /v1/incidents/stats for every group_by over the last 30 days and over the whole year
# (5 calls each, curl's total time: HTTP included), and the restart (Load) of the full store.
# Usage: bash bench/incidents.sh [rows=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
bin=build/release/src/cli/deconflict
[[ -x $bin ]] || { echo "build first: cmake --preset release && cmake --build --preset release"; exit 1; }
data=$(mktemp -d /tmp/deconflict-bench.XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$data"' EXIT
token_of() { sed -n 's/^token: //p'; }
obs=$($bin party add --data "$data" --id MONITOR --name "bench monitor" --role observer 2>/dev/null | token_of)
$bin party add --data "$data" --id UNMO --name "bench guarantor" --role guarantor >/dev/null 2>&1
start_server() {
  log=$data/server.$1.log
  $bin serve --data "$data" --listen 127.0.0.1:0 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do grep -q "listening on" "$log" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
}
t0=$(date +%s.%N)
$bin sim incidents --count "$rows" --seed 7 --out "$data/acled.csv"
t1=$(date +%s.%N)
echo "== generated $rows rows ($(du -h "$data/acled.csv" | cut -f1)) in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s"
start_server first
echo "== import (server pid $pid)"
$bin incidents import --acled "$data/acled.csv" --url "http://127.0.0.1:$port" --token "$obs"
stats() {
  local label=$1 query=$2
  for by in day event_type alleged_party attributed_party admin1 status; do
    times=()
    for _ in 1 2 3 4 5; do
      times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $obs" \
        "http://127.0.0.1:$port/v1/incidents/stats?$query&group_by=$by")")
    done
    printf '%-8s %-16s ms: %s\n' "$label" "$by" "$(printf '%s\n' "${times[@]}" | awk '{printf "%.1f ", $1*1000}')"
  done
}
echo "== stats over $rows incidents (5 calls each, HTTP included)"
stats "30 days" "from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"
stats "year" "from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z"
kill -INT $pid; wait $pid 2>/dev/null || true
t0=$(date +%s.%N)
start_server second
t1=$(date +%s.%N)
echo "== restart with $rows incidents: listening after $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s ($(grep -o 'monitoring: [0-9]* incidents loaded' "$data/server.second.log"))"
echo "== store: $(du -h "$data/deconflict.db" | cut -f1)"
