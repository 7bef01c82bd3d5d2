#!/usr/bin/env bash
# Test of scripts/check_layers.sh on a copy of src/: clean, then each kind of violation must make
# it fail with a message naming the file and the include (or the CMakeLists.txt line).
# Run by ctest (check_layers_test) and on its own: bash scripts/check_layers_test.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fresh_tree() {
  rm -rf "$tmp/tree"
  mkdir -p "$tmp/tree"
  cp -r "$repo/src" "$tmp/tree/src"
}

# expect_fail NAME PATTERN: the check fails and its output contains PATTERN.
expect_fail() {
  local output
  if output=$(bash "$repo/scripts/check_layers.sh" "$tmp/tree" 2>&1); then
    echo "FAIL $1: check passed"
    failures=$((failures + 1))
  elif [[ $output != *"$2"* ]]; then
    echo "FAIL $1: output lacks '$2':"
    echo "$output"
    failures=$((failures + 1))
  else
    echo "ok   $1"
  fi
}

fresh_tree
if bash "$repo/scripts/check_layers.sh" "$tmp/tree" >/dev/null; then
  echo "ok   the real tree passes"
else
  echo "FAIL the real tree does not pass"
  failures=$((failures + 1))
fi

fresh_tree
sed -i '0,/^#include "tactical\//s//#include "sim\/tracks.h"\n&/' "$tmp/tree/src/tactical/detector.cc"
expect_fail "tactical includes sim" \
  'src/tactical/detector.cc:'
expect_fail "tactical includes sim (names the include)" \
  'tactical may not include sim: #include "sim/tracks.h"'

fresh_tree
echo '#include "api/server.h"' >>"$tmp/tree/src/common/status.h"
expect_fail "common includes api" 'src/common/status.h:'

fresh_tree
printf '#pragma once\n  #  include "cli/commands.h"  // indented\n' >"$tmp/tree/src/store/bad.h"
expect_fail "store includes cli (indented directive)" 'store may not include cli'

fresh_tree
mkdir -p "$tmp/tree/src/newmodule"
touch "$tmp/tree/src/newmodule/x.h"
expect_fail "unknown module" 'src/newmodule/ is not a known module'

fresh_tree
sed -i 's/^add_subdirectory(sim)$/add_subdirectory(sim)\nadd_subdirectory(tactical)/; 0,/^add_subdirectory(tactical)$/{//d}' \
  "$tmp/tree/src/CMakeLists.txt"
expect_fail "CMakeLists order" 'sim is added before tactical'

fresh_tree
sed -i '/^add_subdirectory(geo)$/d' "$tmp/tree/src/CMakeLists.txt"
expect_fail "module missing from CMakeLists" 'does not add src/geo/'

if ((failures)); then
  echo "check_layers_test: $failures failure(s)"
  exit 1
fi
echo "check_layers_test: all passed"
