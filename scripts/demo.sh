#!/usr/bin/env bash
# Installs dependencies, builds the release preset and runs `deconflict serve` on
# 127.0.0.1:8080 with a fresh store in a temporary directory and a demo data set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target deconflict
data=$(mktemp -d /tmp/deconflict-demo.XXXXXX)
echo "demo store: $data"
exec ./build/release/src/cli/deconflict serve --data "$data" --listen 127.0.0.1:8080 --demo
