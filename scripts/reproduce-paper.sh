#!/usr/bin/env bash
# Runs the paper's experiments (scenarios/paper/*.yaml) and writes one report with our figures next
# to the published ranges. Installs what is missing and builds first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps
# One build configuration in build/: keep whether it builds the tests (scripts/test.sh turns them on),
# so a later ctest never runs test binaries older than the code; a fresh build/ gets none (faster).
testing="$(sed -n 's/^BUILD_TESTING:BOOL=//p' "$root/build/CMakeCache.txt" 2>/dev/null || true)"
jettison_build "${testing:-OFF}"
out="$root/results/paper"
runs=()
for scenario in "$root"/scenarios/paper/*.yaml; do
  name="$(basename "$scenario" .yaml)"
  echo "== $name"
  "$root/build/bin/jettison-sim" run "$scenario" --out "$out/$name"
  runs+=("$out/$name")
done
# Concurrent migrations: 1, 10 and 50 desktops at once through a 1 and a 10 Gbps uplink.
echo "== concurrent-migrations sweep"
"$root/build/bin/jettison-sim" sweep "$root/scenarios/paper/concurrent-migrations.yaml" \
  --grid desktops.count=1,10,50 --grid network.uplink.bandwidth=1Gbps,10Gbps --out "$out/concurrent-sweep" -q
runs+=("$out/concurrent-sweep")
python3 "$root/analysis/jettison_report.py" "${runs[@]}" --out "$out/report" \
  --title "Jettison: the TOCS 2015 experiments on synthetic office traces" >/dev/null
echo
echo "report: $out/report/index.html"
