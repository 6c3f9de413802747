#!/usr/bin/env bash
# The sanitizer run (scripts/test.sh runs it after the main tests; CI through it): a clang build in
# build-sanitize/ with AddressSanitizer and UndefinedBehaviorSanitizer, every report fatal (-O1 -g),
# then
#   1. the unit and integration tests (`ctest -L 'unit|integration'`; e2e and slow stay out), and
#   2. each libFuzzer target of tests/fuzz/ for JETTISON_FUZZ_SECONDS seconds (default 40), over a
#      copy of its corpus in build-sanitize/fuzz/<target>/ (the repository's corpus never grows here).
# Fails if a test fails or a fuzz target finds anything (crash, sanitizer report, leak, timeout, out
# of memory); each input that did it is printed (path and hex) so that it can be fixed and added to
# tests/fuzz/corpus/<target>/. Extra arguments go to ctest (e.g. `scripts/sanitize.sh -R Wire`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps "${JETTISON_SANITIZE_PACKAGES[@]}"

build="$root/build-sanitize"
seconds="${JETTISON_FUZZ_SECONDS:-40}"
jobs="$(nproc)"
# The libFuzzer targets and the largest input each is given (-max_len, bytes).
fuzz_targets=(scenario_loader:8192 idle_csv:4096 page_csv:4096 binary_trace:4096 compressed_input:16384
  wire_decoder:20000)

export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

elapsed() { local s=$((SECONDS - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

start=$SECONDS
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" -DJETTISON_FUZZ=ON -DBUILD_TESTING=ON -DJETTISON_PYTHON=OFF >/dev/null
# Only what the unit and integration tests run, and the fuzz targets: not the benchmarks, not
# the tools only the e2e tests start.
cmake --build "$build" --target unit_integration_tests fuzz_targets -j "$jobs"
echo "sanitize: build took $(elapsed "$start")"

status=0
start=$SECONDS
(cd "$build" && ctest --output-on-failure -j "$jobs" -L 'unit|integration' "$@") || status=1
echo "sanitize: unit and integration tests took $(elapsed "$start")"

start=$SECONDS
found=()
for entry in "${fuzz_targets[@]}"; do
  name="${entry%%:*}"
  max_len="${entry##*:}"
  work="$build/fuzz/$name"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/tmp" "$work/findings"
  cp -R "$root/tests/fuzz/corpus/$name/." "$work/corpus/"
  dict=()
  [ -f "$root/tests/fuzz/$name.dict" ] && dict=("-dict=$root/tests/fuzz/$name.dict")
  rc=0
  (cd "$work" && TMPDIR="$work/tmp" "$build/bin/${name}_fuzz" -max_total_time="$seconds" -max_len="$max_len" \
    -rss_limit_mb=512 -timeout=10 -print_final_stats=1 -artifact_prefix="$work/findings/" \
    "${dict[@]}" "$work/corpus" >"$work/log" 2>&1) || rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")"
  if [ "$rc" -eq 0 ]; then
    echo "fuzz $name: no finding in ${seconds}s (${execs:-?} runs, ${rate:-?}/s)"
    continue
  fi
  found+=("$name")
  echo "fuzz $name: FINDING (exit $rc); the end of $work/log:"
  tail -n 60 "$work/log"
  for f in "$work"/findings/*; do
    [ -f "$f" ] || continue
    echo "input: $f ($(stat -c %s "$f") bytes; add it to tests/fuzz/corpus/$name/ with the fix):"
    od -A x -t x1z -v "$f" | head -n 64
  done
done
echo "sanitize: fuzzing took $(elapsed "$start")"

if [ ${#found[@]} -gt 0 ]; then
  echo "sanitize: findings in: ${found[*]}" >&2
  status=1
fi
exit "$status"
