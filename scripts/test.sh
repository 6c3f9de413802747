#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test (all CTest labels: unit,
# integration, slow, e2e). Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`. Then the
# README's first command, scripts/demo.sh, as a new user runs it (on this build: it must run the default
# scenario and write the report; results/ in the checkout). Then the sanitizer run (scripts/sanitize.sh:
# ASan+UBSan build, unit and integration tests, each fuzz target for a bounded time) unless
# JETTISON_SKIP_SANITIZE=1. Fails if any fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps "${JETTISON_TEST_PACKAGES[@]}"
jettison_build ON
status=0
(cd "$root/build" && ctest --output-on-failure -j "$(nproc)" "$@") || status=1
bash "$root/scripts/lib/demo_check.sh" || status=1
if [ "${JETTISON_SKIP_SANITIZE:-0}" != 1 ]; then
  bash "$root/scripts/sanitize.sh" || status=1
fi
exit "$status"
