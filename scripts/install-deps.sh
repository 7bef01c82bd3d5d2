#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of deconflict from Debian 12 packages.
# Idempotent: packages already present are skipped by apt-get. Run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libs2-dev libabsl-dev
  libsqlite3-dev sqlite3
  libsodium-dev libssl-dev
  libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  wrk curl python3
  clang libclang-rt-14-dev clang-format  # the tsan preset (clang, TSan runtime), scripts/format.sh
  # The hotline benchmark's anchor (bench/hotline.sh, design.md §6): NATS JetStream 2.9 and its
  # C client, which bench/hotline_bench links (the release configure fails without it).
  nats-server libnats-dev
  # The operator's console's browser tests (web/tests, issue 14): Playwright drives Debian's
  # Chromium.
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The console's build (web/, Vite + TypeScript from npm): Node.js and npm. A machine that already
# has them (Debian's or another packaging, e.g. Node.js 20 with its own npm) keeps them.
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi

if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages present"
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "install-deps: WARNING: Node.js $(node --version) is older than 20.19, which the" \
    "console's build (Vite 8) needs; install Node.js 20.19+ (e.g. NodeSource's nodejs package)" \
    "or the release build skips the console (README, \"The operator's console\")" >&2
fi
