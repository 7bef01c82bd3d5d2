#!/usr/bin/env bash
# Fails when a module under src/ includes a header of a module it may not (design.md §3), or when
# src/CMakeLists.txt lists a module before one it depends on. The allowed edges are written out
# here; src/README.md's dependency line says the same in one line.
# Usage: bash scripts/check_layers.sh [ROOT]   (default: the repository; ROOT/src is checked)
set -euo pipefail
root=${1:-"$(dirname "$0")/.."}
src="$root/src"

# module -> the modules it may include (besides itself). Lower modules never include upper ones.
declare -A allowed=(
  [common]=""
  [geo]="common"
  [ledger]="common"
  [store]="common ledger"
  [events]="common geo store"
  [parties]="common store ledger events"
  [strategic]="common geo ledger store events"
  [tactical]="common geo"
  [sim]="common geo tactical"
  [feeds]="common geo tactical"
  [live]="common geo ledger store events parties tactical feeds"
  [hotline]="common ledger store events parties"
  [humanitarian]="common geo ledger store events parties strategic hotline"
  [agreements]="common geo ledger store events parties strategic hotline"
  [monitoring]="common geo ledger store events parties strategic live hotline humanitarian agreements"
  [api]="common geo ledger store events parties strategic tactical sim feeds live hotline humanitarian agreements monitoring"
  [cli]="common geo ledger store events parties strategic tactical sim feeds live hotline humanitarian agreements monitoring api"
)

fail=0
complain() {
  echo "check_layers: $*" >&2
  fail=1
}

# 1. Every #include "<module>/..." of a file in src/<module>/ names an allowed module.
for dir in "$src"/*/; do
  module=$(basename "$dir")
  if [[ ! -v "allowed[$module]" ]]; then
    complain "src/$module/ is not a known module: add its edges to scripts/check_layers.sh"
    continue
  fi
  while IFS=: read -r file line text; do
    target=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^/"]+)\/.*/\1/' <<<"$text")
    [[ $target == "$module" || ! -v "allowed[$target]" ]] && continue  # own or third-party
    if [[ " ${allowed[$module]} " != *" $target "* ]]; then
      complain "${file#"$root"/}:$line: $module may not include $target:" \
        "$(sed -E 's/^[[:space:]]+//' <<<"$text")"
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^/"]+/' "$dir" \
             --include='*.h' --include='*.cc' --include='*.in' || true)
done

# 2. src/CMakeLists.txt adds every module after the modules it may include.
seen=" "
while read -r module; do
  [[ -v "allowed[$module]" ]] || continue  # reported above when the folder exists
  for dep in ${allowed[$module]}; do
    if [[ -d "$src/$dep" && $seen != *" $dep "* ]]; then
      complain "src/CMakeLists.txt: $module is added before $dep, which it may include"
    fi
  done
  seen+="$module "
done < <(sed -nE 's/^[[:space:]]*add_subdirectory\(([a-z_]+)\).*/\1/p' "$src/CMakeLists.txt")
for dir in "$src"/*/; do
  module=$(basename "$dir")
  [[ $seen == *" $module "* ]] || complain "src/CMakeLists.txt does not add src/$module/"
done

if ((fail)); then
  echo "check_layers: FAILED (allowed edges are in scripts/check_layers.sh)" >&2
  exit 1
fi
echo "check_layers: OK"
