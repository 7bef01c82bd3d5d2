#!/usr/bin/env bash
# Installs dependencies, builds the release preset and runs `deconflict serve` on
# 127.0.0.1:8080 with a fresh store in a temporary directory and a demo data set, plus a
# `deconflict watch` for NORTH whose lines (prefixed "[watch NORTH]") show the demo's events.
# Ctrl-C stops both.
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
watcher=
stop() {
  trap - EXIT INT TERM
  [[ -n $watcher ]] && kill "$watcher" 2>/dev/null
  kill "$server" 2>/dev/null
  wait 2>/dev/null
}
trap stop EXIT INT TERM

token=
for _ in $(seq 100); do
  token=$(sed -n 's/^ *NORTH *([^)]*) token: \(.*\)$/\1/p' "$data/banner.txt" 2>/dev/null || true)
  [[ -n $token ]] && break
  kill -0 "$server" 2>/dev/null || { wait "$server"; exit $?; }
  sleep 0.1
done
if [[ -n $token ]]; then
  "$bin" watch --url "http://$listen" --token "$token" --after 0 \
    > >(sed -u 's/^/[watch NORTH] /') 2>&1 &
  watcher=$!
fi
wait "$server"
