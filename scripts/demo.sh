#!/usr/bin/env bash
# Installs dependencies, builds the release preset and runs `deconflict serve` on
# 127.0.0.1:8080 with a fresh store in a temporary directory and a demo data set, plus a
# `deconflict watch` for NORTH whose lines (prefixed "[watch NORTH]") show the demo's events,
# and live traffic: two `deconflict sim feed`s (NORTH's and SOUTH's aircraft, the same seed, so
# that pairs of the two parties are set to meet 1 to 4 minutes in). NORTH's watch shows each
# encounter open, SOUTH's duty officer (this script, lines "[SOUTH]") acknowledge it, and the
# encounter close once the aircraft have passed. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target deconflict
bin=./build/release/src/cli/deconflict
listen=${DECONFLICT_DEMO_LISTEN:-127.0.0.1:8080}
data=$(mktemp -d /tmp/deconflict-demo.XXXXXX)
echo "demo store: $data"

# The server prints the banner (tokens included) on stdout; keep a copy to find NORTH's token.
"$bin" serve --data "$data" --listen "$listen" --demo > >(tee "$data/banner.txt") &
server=$!
children=()
stop() {
  trap - EXIT INT TERM
  ((${#children[@]})) && kill "${children[@]}" 2>/dev/null
  kill "$server" 2>/dev/null
  wait 2>/dev/null
}
trap stop EXIT INT TERM

token_of() { sed -n "s/^ *$1 *([^)]*) token: \(.*\)\$/\1/p" "$data/banner.txt" 2>/dev/null || true; }
north= south=
for _ in $(seq 100); do
  north=$(token_of NORTH) south=$(token_of SOUTH)
  [[ -n $north && -n $south ]] && break
  kill -0 "$server" 2>/dev/null || { wait "$server"; exit $?; }
  sleep 0.1
done
url="http://$listen"
if [[ -n $north && -n $south ]]; then
  "$bin" watch --url "$url" --token "$north" --after 0 > >(sed -u 's/^/[watch NORTH] /') 2>&1 &
  children+=($!)
  # 8 aircraft each, 4 pairs of NORTH and SOUTH set to meet; reports every second until Ctrl-C.
  for party in 1 2; do
    [[ $party == 1 ]] && t=$north || t=$south
    "$bin" sim feed --url "$url" --token "$t" --n 16 --parties 2 --party "$party" \
      --meeting-pairs 4 --seed 7 --duration 0 > /dev/null 2>&1 &
    children+=($!)
  done
  # SOUTH's duty officer acknowledges every encounter it is alerted to, after 3 s.
  "$bin" watch --url "$url" --token "$south" --after 0 2> /dev/null | while read -r line; do
    id=$(sed -n 's/.*"type":"encounter.opened".*"encounter":\([0-9]*\),.*/\1/p' <<<"$line")
    [[ -n $id ]] || continue
    sleep 3
    curl -s -o /dev/null -X POST -H "Authorization: Bearer $south" "$url/v1/encounters/$id/ack" &&
      echo "[SOUTH] acknowledged encounter $id"
  done &
  children+=($!)
fi
wait "$server"
