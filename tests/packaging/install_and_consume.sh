#!/usr/bin/env bash
# install_and_consume.sh BUILD_DIR SOURCE_DIR WORK_DIR [CXX]: `cmake --install BUILD_DIR --prefix
# WORK_DIR/prefix`, checks the installed layout, then builds tests/packaging/consumer/ (a project of
# its own: find_package(Jettison), links Jettison::sim and Jettison::policy) against that prefix only,
# runs it on the installed default scenario, and checks that its periods.csv is byte for byte the one
# the installed jettison-sim writes for the same scenario (from another folder).
set -euo pipefail
build=$1 src=$2 work=$3 cxx=${4:-c++}
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log"

# The layout README "Install" describes.
for f in bin/jettison-sim bin/jettison-trace bin/jettison-report \
  include/jettison/sim/run/run_scenario.hpp include/jettison/policy/sleep_scheduler.hpp \
  include/jettison/common/quantity.hpp include/jettison/traces/io \
  share/jettison/scenarios/default.yaml share/jettison/traces/samples/office-idle.csv \
  share/jettison/traces/models share/jettison/analysis/jettison_report.py \
  share/man/man1/jettison-sim.1 share/man/man1/jettison-trace.1 \
  share/bash-completion/completions/jettison-sim share/bash-completion/completions/jettison-trace \
  share/doc/jettison/README.md share/doc/jettison/MODEL.md share/doc/jettison/FORMAT.md; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
config=$(find "$prefix" -name JettisonConfig.cmake)
[ -n "$config" ] || fail "no JettisonConfig.cmake under $prefix"
[ -e "$(dirname "$config")/JettisonConfigVersion.cmake" ] || fail "no JettisonConfigVersion.cmake"
# Nothing of the build or source tree is named by the installed package config.
if grep -rl -e "$build" -e "$src/" "$(dirname "$config")"; then fail "the package config names the build or source tree"; fi
"$prefix/bin/jettison-sim" --version | grep -q '^jettison-sim ' || fail "installed jettison-sim --version"
"$prefix/bin/jettison-report" --help >/dev/null || fail "installed jettison-report --help"

# The consumer, configured against the prefix only.
cmake -S "$src/tests/packaging/consumer" -B "$work/consumer-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >"$work/consumer-configure.log"
cmake --build "$work/consumer-build" -j 2 >"$work/consumer-build.log" || { cat "$work/consumer-build.log"; fail "consumer build"; }

mkdir -p "$work/elsewhere"
cd "$work/elsewhere"
"$work/consumer-build/consumer" "$prefix/share/jettison/scenarios/default.yaml" "$work/consumer-out" | tee "$work/consumer.txt"
grep -q '^strategy ' "$work/consumer.txt" || fail "the consumer printed no strategy"
# policy::SleepCosts::break_even of the consumer's figures: (10 W * 2 s + 20 W * 3 s - 1 W * 5 s) /
# (16 W - 1 W) = 75 J / 15 W = 5 s.
grep -qx 'break_even_us 5000000' "$work/consumer.txt" || fail "break-even through Jettison::policy is not 5 s"
"$prefix/bin/jettison-sim" run "$prefix/share/jettison/scenarios/default.yaml" --out "$work/cli-out" >/dev/null
for f in periods.csv summary.json; do
  [ -s "$work/consumer-out/$f" ] || fail "the consumer wrote no $f"
done
cmp "$work/consumer-out/periods.csv" "$work/cli-out/periods.csv" || fail "consumer and jettison-sim periods.csv differ"
echo "installed, consumer built against $prefix and ran: $(grep -c '^strategy ' "$work/consumer.txt") strategies, periods.csv identical to jettison-sim's"
