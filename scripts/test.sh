#!/usr/bin/env bash
# Installs dependencies, builds and runs every test (unit, property, end-to-end, scenario):
# first with the release preset, then again with the debug preset (ASan+UBSan).
# Usage: bash scripts/test.sh      (DECONFLICT_SKIP_SANITIZERS=1 skips the second pass)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
ctest --preset release
if [[ "${DECONFLICT_SKIP_SANITIZERS:-0}" != 1 ]]; then
  cmake --preset debug
  cmake --build --preset debug
  ctest --preset debug
fi
