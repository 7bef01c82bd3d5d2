#!/usr/bin/env bash
# clang-format (Debian's, with the repository's .clang-format) over the C++ sources in src/,
# tests/ and bench/.
#   bash scripts/format.sh --check   lists the files it would change and fails if any (CI)
#   bash scripts/format.sh --fix     rewrites them in place
#   bash scripts/format.sh --stats   how many files and lines --fix would change
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:---check}
mapfile -t files < <(git ls-files -co --exclude-standard -- \
  'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc' 'bench/*.h' 'bench/*.cc')
case "$mode" in
  --check)
    # One line per file that needs formatting (the full diagnostics run to thousands of lines);
    # `clang-format --dry-run FILE` shows the places.
    if ! out=$(clang-format --dry-run -Werror --style=file "${files[@]}" 2>&1); then
      grep -oE '^[^ :]+:[0-9]+:[0-9]+: error' <<<"$out" | cut -d: -f1 | sort | uniq -c |
        awk '{printf "format: %s: %d places not clang-formatted\n", $2, $1}'
      echo "format: FAILED; run: bash scripts/format.sh --fix" >&2
      exit 1
    fi
    echo "format: ${#files[@]} files clean"
    ;;
  --fix)
    clang-format -i --style=file "${files[@]}"
    ;;
  --stats)
    changed_files=0 changed_lines=0
    for f in "${files[@]}"; do
      # Lines of the file that --fix would replace.
      n=$(clang-format --style=file "$f" | diff "$f" - | grep -c '^<' || true)
      if ((n)); then
        changed_files=$((changed_files + 1)) changed_lines=$((changed_lines + n))
        echo "$n $f"
      fi
    done
    echo "format: --fix would change $changed_lines lines in $changed_files of ${#files[@]} files"
    ;;
  *)
    echo "usage: bash scripts/format.sh [--check|--fix|--stats]" >&2
    exit 2
    ;;
esac
