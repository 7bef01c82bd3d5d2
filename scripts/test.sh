#!/usr/bin/env bash
# Installs dependencies, builds the release preset and runs every test (unit, property,
# end-to-end, scenario). Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
ctest --preset release
