#!/usr/bin/env bash
# Installs dependencies, checks the habits, builds and runs every test. Stages, in order:
#   layers     scripts/check_layers.sh: no module includes a module it may not (before building)
#   format     scripts/format.sh --check: clang-format --dry-run -Werror on src/, tests/, bench/
#   release    release preset: build everything, run every test
#   debug      debug preset (ASan+UBSan): build, run every test
#   tsan       tsan preset (clang++, ThreadSanitizer, -Werror=thread-safety, so the ABSL_GUARDED_BY
#              annotations are checked in the same build, common/mutex.h): build the binary and the
#              store, strategic, api, e2e, live and feeds tests, run those tests (ctest -L)
# Every stage runs even when an earlier one failed, so one run reports every problem; the script
# prints each stage's time and exits 1 naming the failed stages.
# Usage: bash scripts/test.sh      (DECONFLICT_SKIP_SANITIZERS=1 skips debug and tsan, and with
#                                  tsan the thread-safety analysis)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

# The tests the tsan pass runs: labels are the tests' folders (cmake/deconflict.cmake).
tsan_folders=(store strategic api e2e live feeds)
tsan_labels="^($(IFS='|'; echo "${tsan_folders[*]}"))\$"

layers() { bash scripts/check_layers.sh; }
format() { bash scripts/format.sh --check; }
release() { cmake --preset release && cmake --build --preset release && ctest --preset release; }
debug() { cmake --preset debug && cmake --build --preset debug && ctest --preset debug; }
# Builds only the binary and the tests of those labels (tests_<folder>, CMakeLists.txt).
tsan() {
  cmake --preset tsan &&
    # -k 0: report every file that breaks the thread-safety analysis, not only the first.
    cmake --build --preset tsan --target deconflict "${tsan_folders[@]/#/tests_}" -- -k 0 &&
    ctest --preset tsan -L "$tsan_labels"
}

failed=()
times=()
stage() {  # stage NAME FUNCTION
  local start=$SECONDS status=ok
  echo "=== test.sh: $1"
  "$2" || status=FAILED
  [[ $status == ok ]] || failed+=("$1")
  times+=("$(printf '%-10s %-6s %5d s' "$1" "$status" $((SECONDS - start)))")
  echo "=== test.sh: $1 $status in $((SECONDS - start)) s"
}

stage layers layers
stage format format
stage release release
if [[ "${DECONFLICT_SKIP_SANITIZERS:-0}" != 1 ]]; then
  stage debug debug
  stage tsan tsan
fi

echo "=== test.sh: stages (total ${SECONDS} s)"
printf '  %s\n' "${times[@]}"
if ((${#failed[@]})); then
  echo "test.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test.sh: all stages passed"
