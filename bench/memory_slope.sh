#!/usr/bin/env bash
# Bytes per desktop: the default scenario on idle traces of two sizes, each strategy alone and all
# four together, with the peak RSS of each run (from /usr/bin/time) and the slope between the two
# sizes, (RSS(large) - RSS(small)) / (large - small): what one more desktop costs, with the fixed
# costs (binary, libraries, buffers) cancelled out. With --baseline, an older jettison-sim runs the
# same rows in the same invocation, so before and after see the same machine and load. The partial
# rows' RSS includes the page state of the VMs hosted at the peak (issue 15's target is 1 KiB a
# desktop "plus the page state of VMs currently hosted"): a jettison-sim that has `run
# --page-state-peak` also reports the most bytes it held at once as page state (partial's windows and
# their page flags, sim/model/page_state_gauge.hpp) and the slope without it, (RSS - page state)
# between the sizes; a build without the flag shows `-` there.
# Run by hand, not in CI (100,000 desktops take minutes); `nice -n 10` on a shared machine.
#
#   bench/memory_slope.sh [options]
#     --small N           desktops of the small run (default 10000)
#     --large N           desktops of the large run (default 100000)
#     --days D            days per trace (default 3)
#     --strategies "S.."  rows run one strategy at a time (default "always-on sleep-only full partial");
#                         an `all` row runs the scenario's four together (--threads 1: one at a time,
#                         as each strategy's row; see --threads)
#     --threads T         jettison-sim --threads (default 1)
#     --no-all            skip the all-four row
#     --bin DIR           jettison-sim and jettison-trace from DIR (default build/bin)
#     --baseline DIR      also run DIR/jettison-sim, reported as `before`
#     --work DIR          where the trace is made once (default build/bench-data), with
#                         `jettison-trace generate idle --desktops N --days D --seed 1` into NxD/
#                         (N: the large size); the small run takes its first desktops
#     --trace FILE        use this idle trace instead (it must hold --large desktops)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

small=10000
large=100000
days=3
strategies="always-on sleep-only full partial"
threads=1
all=1
bin="$root/build/bin"
baseline=""
work="$root/build/bench-data"
trace=""
usage() { sed -n '13,28p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --small) small="${2:?--small needs a number}"; shift 2 ;;
    --large) large="${2:?--large needs a number}"; shift 2 ;;
    --days) days="${2:?--days needs a number}"; shift 2 ;;
    --strategies) strategies="${2:?--strategies needs a list}"; shift 2 ;;
    --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
    --no-all) all=0; shift ;;
    --bin) bin="${2:?--bin needs a folder}"; shift 2 ;;
    --baseline) baseline="${2:?--baseline needs a folder}"; shift 2 ;;
    --work) work="${2:?--work needs a folder}"; shift 2 ;;
    --trace) trace="${2:?--trace needs a file}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "memory_slope.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
for n in $small $large $days $threads; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "memory_slope.sh: '$n' is not a positive whole number" >&2; exit 2; }
done
[ "$small" -lt "$large" ] || { echo "memory_slope.sh: --small must be below --large" >&2; exit 2; }
for s in $strategies; do
  case "$s" in always-on|sleep-only|full|partial) ;; *)
    echo "memory_slope.sh: unknown strategy '$s'" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "memory_slope.sh: /usr/bin/time is missing (Debian package 'time')" >&2; exit 1; }
tools="jettison-sim"
[ -n "$trace" ] || tools="$tools jettison-trace"
for tool in $tools; do
  [ -x "$bin/$tool" ] || { echo "memory_slope.sh: $bin/$tool is missing (build it)" >&2; exit 1; }
done
if [ -n "$baseline" ] && [ ! -x "$baseline/jettison-sim" ]; then
  echo "memory_slope.sh: --baseline $baseline: no jettison-sim there" >&2
  exit 1
fi

if [ -z "$trace" ]; then
  trace_dir="$work/${large}x${days}"
  trace="$trace_dir/office-idle.csv"
  mkdir -p "$trace_dir"
fi
if [ ! -s "$trace" ]; then
  "$bin/jettison-trace" generate idle --desktops "$large" --days "$days" --seed 1 --out "$trace"
fi
out="$(mktemp -d "${TMPDIR:-/tmp}/jettison-memory-slope.XXXXXX")"
trap 'rm -rf "$out"' EXIT

# peak_kib SIM N STRATEGY: the run's peak RSS in KiB (STRATEGY `all`: the scenario's list), then
# the peak page state of hosted VMs in bytes (`-` when SIM cannot tell).
peak_kib() {
  local sim="$1" n="$2" s="$3" args=() gauge=0
  [ "$s" = all ] || args=(--set "strategies=[$s]")
  "$sim" run --help 2>/dev/null | grep -q -- --page-state-peak && gauge=1 && args+=(--page-state-peak)
  if ! /usr/bin/time -f '%M' -o "$out/time" "$sim" run -q --threads "$threads" --out "$out/run" \
      --set "desktops.count=$n" --set "idle_trace=$trace" "${args[@]}" >"$out/log" 2>&1; then
    echo "memory_slope.sh: $sim at $n desktops ($s) failed:" >&2
    tail -n 20 "$out/log" >&2
    exit 1
  fi
  rm -rf "$out/run"
  local page_state=-
  if [ "$gauge" = 1 ]; then
    page_state=$(sed -n 's/^page state of hosted VMs: peak \([0-9]*\) bytes$/\1/p' "$out/log")
    [ -n "$page_state" ] || { echo "memory_slope.sh: $sim printed no page-state peak" >&2; exit 1; }
  fi
  echo "$(cat "$out/time") $page_state"
}

rows=$strategies
[ "$all" = 1 ] && rows="$rows all"
echo "# peak RSS slope, default scenario, ${small} -> ${large} desktops x ${days} days, --threads $threads" \
  "(load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-8s %-11s %14s %14s %18s %17s %17s %18s\n' build strategy "rss_small_KiB" "rss_large_KiB" \
  bytes_per_desktop pages_small_KiB pages_large_KiB less_page_state
for s in $rows; do
  for build in ${baseline:+before} now; do
    sim="$bin/jettison-sim"
    [ "$build" = before ] && sim="$baseline/jettison-sim"
    read -r a pa < <(peak_kib "$sim" "$small" "$s")
    read -r b pb < <(peak_kib "$sim" "$large" "$s")
    less=- ka=- kb=-
    if [ "$pa" != - ]; then
      ka=$(( pa / 1024 )) kb=$(( pb / 1024 ))
      less=$(( ((b * 1024 - pb) - (a * 1024 - pa)) / (large - small) ))
    fi
    printf '%-8s %-11s %14s %14s %18s %17s %17s %18s\n' "$build" "$s" "$a" "$b" \
      "$(( (b - a) * 1024 / (large - small) ))" "$ka" "$kb" "$less"
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
