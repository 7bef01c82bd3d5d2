#!/usr/bin/env bash
# The hotline side by side with NATS JetStream (bench/hotline_bench.cc; design.md §6): builds the
# release binary and the driver, then runs, in one process and one after the other, deconflict
# (`deconflict serve`, 1 sender + 10 recipient parties in one channel, POST .../messages and
# GET /v1/events) and Debian's nats-server with JetStream (a file stream, js_Publish waiting for
# the PubAck, 10 durable consumers), each on a fresh store on loopback: 1,000 msg/s of 1 KiB for
# 60 s, then a ramp to the highest rate each sustains. JetStream runs with its default sync and,
# if the installed nats-server accepts it, with `sync_interval: always` (2.9 refuses the field:
# the driver prints the server's own refusal and skips that run).
# Usage: bash bench/hotline.sh [hotline_bench flags, e.g. --seconds 10 --ramp-seconds 5]
# Prints the versions, the load average before and after, one line per step, and a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nats-server >/dev/null || { echo "nats-server missing: bash scripts/install-deps.sh" >&2; exit 2; }
[[ -d build/release ]] || cmake --preset release >/dev/null
cmake --build --preset release --target hotline_bench deconflict -- -j2 >/dev/null
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $(build/release/src/cli/deconflict --version); $(nats-server --version)" \
  "($(dpkg-query -W -f='${Version}' nats-server 2>/dev/null || echo '?'))"
echo "== build/release/bench/hotline_bench $*"
status=0
build/release/bench/hotline_bench "$@" || status=$?
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg); exit status $status"
exit $status
