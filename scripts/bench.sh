#!/usr/bin/env bash
# Simulator benchmarks. The headline is the scale table: the default scenario (all four strategies,
# default outputs) on office idle traces of 1,000 and 10,000 desktops x 30 days, with wall time, CPU
# (user + sys), events, events per wall second, peak RSS (total and per desktop) and the bytes
# written; beside it, in the same run, jettison-sim with sleep-only alone and the same trace through
# a SimGrid actor loop (bench/simgrid: one actor per desktop living sleep-only's timeline) as a
# reference. The SimGrid reference must reach the same sleep-only energy, period count and skipped
# periods as jettison-sim's summary.json (energy to 1e-9 relative: both sum the same per-period
# energies, in close order, which may differ between desktops closing at the same microsecond):
# the script fails otherwise. Then the micro-benchmarks (Google Benchmark): event queue, network
# model, concurrent migrations, each strategy alone on the first size's trace. Run by hand, not in
# CI (it takes many minutes); its --smoke mode is (ctest -L slow, tests/bench).
#
#   scripts/bench.sh [options]
#     --sizes "N ..."   desktops per row (default "1000 10000"); traces are made once with
#                       `jettison-trace generate idle --desktops N --days D --seed 1` into
#                       build/bench-data/NxD/ and reused
#     --with-100k       add 100,000 desktops (or JETTISON_BENCH_100K=1); opt-in: its trace alone is
#                       ~1 GB and the run takes many minutes
#     --days D          days per trace (default 30)
#     --baseline DIR    also run DIR/jettison-sim (an older build, e.g. the starting commit's) as a
#                       `before` row, for sizes up to --baseline-max N (default 10000)
#     --bin DIR         take the binaries from DIR and neither install nor build (default: install
#                       the Debian packages it needs, build into build/, use build/bin)
#     --work DIR        traces and run outputs (default build/bench-data)
#     --no-micro        skip the micro-benchmarks
#     --smoke           100 desktops x 2 days, no micro-benchmarks (seconds)
# Long runs: `nice -n 10 scripts/bench.sh ...` on a shared machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

sizes="1000 10000"
days=30
bin=""
work="$root/build/bench-data"
baseline=""
baseline_max=10000
micro=1
with_100k="${JETTISON_BENCH_100K:-0}"
usage() { sed -n '14,28p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="${2:?--sizes needs a list}"; shift 2 ;;
    --days) days="${2:?--days needs a number}"; shift 2 ;;
    --with-100k) with_100k=1; shift ;;
    --baseline) baseline="${2:?--baseline needs a folder}"; shift 2 ;;
    --baseline-max) baseline_max="${2:?--baseline-max needs a number}"; shift 2 ;;
    --bin) bin="${2:?--bin needs a folder}"; shift 2 ;;
    --work) work="${2:?--work needs a folder}"; shift 2 ;;
    --no-micro) micro=0; shift ;;
    --smoke) sizes=100; days=2; micro=0; shift ;;
    -h|--help) usage ;;
    *) echo "bench.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ "$with_100k" = 1 ] && sizes="$sizes 100000"
for n in $sizes $days $baseline_max; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: '$n' is not a positive whole number" >&2; exit 2; }
done

if [ -z "$bin" ]; then
  source "$root/scripts/lib/deps.sh"
  jettison_install_deps time libsimgrid-dev
  jettison_build keep
  bin="$root/build/bin"
fi
bin="$(cd "$bin" && pwd)"
for tool in jettison-sim jettison-trace jettison-simgrid-sleep-only; do
  [ -x "$bin/$tool" ] || { echo "bench.sh: $bin/$tool is missing (build it; the SimGrid reference needs libsimgrid-dev)" >&2; exit 1; }
done
if [ -n "$baseline" ] && [ ! -x "$baseline/jettison-sim" ]; then
  echo "bench.sh: --baseline $baseline: no jettison-sim there" >&2
  exit 1
fi
[ -x /usr/bin/time ] || { echo "bench.sh: /usr/bin/time is missing (Debian package 'time')" >&2; exit 1; }
mkdir -p "$work"

json() {  # json FILE PYTHON-EXPRESSION-ON-d
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# measure NAME LOG CMD...: runs CMD under /usr/bin/time (stdout to LOG, stderr to LOG.err); sets wall,
# cpu, rss_kib. A failure shows the end of the command's output and stops the script.
measure() {
  local name="$1" log="$2"
  shift 2
  if ! /usr/bin/time -f '%e %U %S %M' -o "$log.time" "$@" >"$log" 2>"$log.err"; then
    echo "bench.sh: $name failed:" >&2
    tail -n 20 "$log" "$log.err" >&2
    exit 1
  fi
  read -r wall user sys rss_kib <"$log.time"
  cpu=$(python3 -c "print(f'{$user + $sys:.2f}')")
}

rows="$work/scale-table.tsv"
: >"$rows"
row() {  # row DESKTOPS RUN EVENTS OUTPUT_BYTES SLEEP_ONLY_KWH (wall, cpu, rss_kib from measure)
  python3 - "$@" "$wall" "$cpu" "$rss_kib" >>"$rows" <<'EOF'
import sys
n, run, events, out_bytes, kwh, wall, cpu, rss = sys.argv[1:]
n, events, wall, rss = int(n), int(events), float(wall), int(rss)
rate = events / wall if wall > 0 else 0
print("\t".join([str(n), run, f"{wall:.2f}", cpu, str(events), f"{rate:.0f}",
                 f"{rss / 1024:.1f}", f"{rss / n:.3f}", out_bytes, kwh]))
EOF
}

failed=0
load_start="$(uptime | sed 's/.*load average: //')"
for n in $sizes; do
  data="$work/${n}x${days}"
  trace="$data/office-idle.csv"
  mkdir -p "$data"
  if [ ! -f "$trace" ]; then
    echo "== making $trace" >&2
    "$bin/jettison-trace" generate idle --desktops "$n" --days "$days" --seed 1 --out "$trace.part.csv"
    mv "$trace.part.csv" "$trace"
  fi
  set_args=(--set "idle_trace=$trace" --set "desktops.count=$n")

  echo "== $n desktops x $days days: jettison-sim, all strategies" >&2
  rm -rf "$data/run-all"
  measure "jettison-sim run" "$data/run-all.log" "$bin/jettison-sim" run "${set_args[@]}" --out "$data/run-all"
  ours_kwh=$(json "$data/run-all/summary.json" "repr(d['strategies']['sleep-only']['energy_kwh'])")
  row "$n" jettison-sim "$(json "$data/run-all/summary.json" "d['events']")" \
    "$(du -sb "$data/run-all" | cut -f1)" "$ours_kwh"

  echo "== $n desktops x $days days: jettison-sim, sleep-only" >&2
  rm -rf "$data/run-sleep-only"
  measure "jettison-sim run (sleep-only)" "$data/run-sleep-only.log" "$bin/jettison-sim" run "${set_args[@]}" \
    --set "strategies=[sleep-only]" --out "$data/run-sleep-only"
  row "$n" jettison-sim:sleep-only "$(json "$data/run-sleep-only/summary.json" "d['events']")" \
    "$(du -sb "$data/run-sleep-only" | cut -f1)" \
    "$(json "$data/run-sleep-only/summary.json" "repr(d['strategies']['sleep-only']['energy_kwh'])")"

  echo "== $n desktops x $days days: SimGrid reference, sleep-only" >&2
  measure "SimGrid reference" "$data/simgrid.json" "$bin/jettison-simgrid-sleep-only" "$trace" --desktops "$n"
  sg_kwh=$(json "$data/simgrid.json" "repr(d['energy_kwh'])")
  row "$n" simgrid:sleep-only "$(json "$data/simgrid.json" "d['events']")" 0 "$sg_kwh"

  # The reference did the same work: the same periods, skipped periods and energy.
  if ! python3 - "$data/run-all/summary.json" "$data/simgrid.json" <<'EOF'; then failed=1; fi
import json, sys
ours = json.load(open(sys.argv[1]))["strategies"]["sleep-only"]
ref = json.load(open(sys.argv[2]))
bad = [k for k in ("periods", "skipped_periods") if ours[k] != ref[k]]
rel = abs(ours["energy_kwh"] - ref["energy_kwh"]) / max(abs(ours["energy_kwh"]), 1e-300)
if rel > 1e-9:
    bad.append("energy_kwh")
print(f"sleep-only check: jettison-sim {ours['energy_kwh']!r} kWh, {ours['periods']} periods, "
      f"{ours['skipped_periods']} skipped; SimGrid {ref['energy_kwh']!r} kWh, {ref['periods']} periods, "
      f"{ref['skipped_periods']} skipped; relative energy difference {rel:.2e}: "
      + ("MISMATCH in " + ", ".join(bad) if bad else "equal"), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

  if [ -n "$baseline" ] && [ "$n" -le "$baseline_max" ]; then
    echo "== $n desktops x $days days: $baseline/jettison-sim (before), all strategies" >&2
    rm -rf "$data/run-before"
    measure "baseline jettison-sim run" "$data/run-before.log" "$baseline/jettison-sim" run "${set_args[@]}" \
      --out "$data/run-before"
    row "$n" before:jettison-sim "$(json "$data/run-before/summary.json" "d['events']")" \
      "$(du -sb "$data/run-before" | cut -f1)" \
      "$(json "$data/run-before/summary.json" "repr(d['strategies']['sleep-only']['energy_kwh'])")"
  fi
done

echo
echo "== scale table: default scenario, $days days; $(nproc) cores; load average at the start $load_start, at the end $(uptime | sed 's/.*load average: //'); tree $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'), binaries $bin"
python3 - "$rows" <<'EOF'
import sys
head = ["desktops", "run", "wall_s", "cpu_s", "events", "events_per_s", "peak_rss_MiB",
        "rss_per_desktop_KiB", "output_bytes", "sleep_only_kWh"]
rows = [head] + [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
width = [max(len(r[i]) for r in rows) for i in range(len(head))]
for r in rows:
    print("  ".join(c.ljust(w) if i == 1 else c.rjust(w) for i, (c, w) in enumerate(zip(r, width))))
EOF
echo "(run: jettison-sim = all four strategies with default outputs; :sleep-only = that strategy alone;"
echo " simgrid:sleep-only = bench/simgrid, SimGrid S4U actors, writes nothing; before: = --baseline;"
echo " cpu_s = user + sys; events_per_s per wall second; peak RSS from /usr/bin/time)"
[ "$failed" = 0 ] || { echo "bench.sh: the SimGrid reference disagrees with jettison-sim (see above)" >&2; exit 1; }

[ "$micro" = 1 ] || exit 0
[ -x "$bin/jettison-bench" ] || { echo "bench.sh: $bin/jettison-bench is missing" >&2; exit 1; }
echo
echo "== event queue (hold model)"
"$bin/jettison-bench" --benchmark_filter='BM_QueueHold' --benchmark_min_time=0.2
echo "== network model: max-min sharing (10,000 flows 1 ms apart through one uplink; naive re-solve as baseline)"
"$bin/jettison-bench" --benchmark_filter='BM_Star|BM_TwoTier' --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true
echo "== 1,000 and 10,000 desktops migrating at once (star uplink 1 / 10 Gbps; 0 = dedicated links, the baseline)"
"$bin/jettison-bench" --benchmark_filter='BM_Concurrent' --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true
first=${sizes%% *}
echo "== default scenario on the $first x $days trace, one strategy per run, one core, no outputs"
JETTISON_BENCH_TRACE="$work/${first}x${days}/office-idle.csv" JETTISON_BENCH_DESKTOPS="$first" \
  "$bin/jettison-bench" --benchmark_filter='BM_Scenario' --benchmark_min_time=0
