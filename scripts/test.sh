#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test (all CTest labels: unit,
# integration, slow, e2e). Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps "${JETTISON_TEST_PACKAGES[@]}"
jettison_build ON
cd "$root/build"
ctest --output-on-failure -j "$(nproc)" "$@"
