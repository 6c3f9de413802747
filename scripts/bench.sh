#!/usr/bin/env bash
# Simulator benchmarks: the event queue, then the default scenario scaled to DESKTOPS x DAYS
# (default 1000 x 30) on one core, per strategy; then the whole CLI run (all strategies, outputs
# written) with its wall time and peak memory. Run by hand; not part of CI (it takes minutes).
#   scripts/bench.sh [DESKTOPS] [DAYS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps time
jettison_build OFF
desktops="${1:-1000}"
days="${2:-30}"
data="$root/build/bench-data/${desktops}x${days}"
if [ ! -f "$data/office-idle.csv" ]; then
  mkdir -p "$data"
  "$root/build/bin/jettison-trace" generate idle --desktops "$desktops" --days "$days" --seed 1 --out "$data/office-idle.csv"
fi
echo "== event queue (hold model)"
"$root/build/bin/jettison-bench" --benchmark_filter='BM_QueueHold' --benchmark_min_time=0.2
echo "== network model: max-min sharing (10,000 flows 1 ms apart through one uplink; naive re-solve as baseline)"
"$root/build/bin/jettison-bench" --benchmark_filter='BM_Star|BM_TwoTier' --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true
echo "== 1,000 and 10,000 desktops migrating at once (star uplink 1 / 10 Gbps; 0 = dedicated links, the baseline)"
"$root/build/bin/jettison-bench" --benchmark_filter='BM_Concurrent' --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true
echo "== default scenario scaled to $desktops desktops x $days days, one strategy per run, one core"
JETTISON_BENCH_TRACE="$data/office-idle.csv" JETTISON_BENCH_DESKTOPS="$desktops" \
  "$root/build/bin/jettison-bench" --benchmark_filter='BM_Scenario' --benchmark_min_time=0
echo "== whole run through the CLI (all strategies, $(nproc) threads, outputs written)"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$root/build/bin/jettison-sim" run \
  --set "idle_trace=$data/office-idle.csv" --set "desktops.count=$desktops" --out "$data/run"
