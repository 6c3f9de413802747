#!/usr/bin/env bash
# Runs the paper's experiments (scenarios/paper/*.yaml: each with the bundled synthetic page profiles,
# its *-fitted.yaml variant with page models fitted to those profiles, its *-real-guest.yaml variant
# with the model fitted to the real tiny guest) and writes one report with our figures next to the
# published ranges, then prints partial migration's figures with each. Installs what is missing and
# builds first.
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
python3 "$root/analysis/jettison_report.py" "${runs[@]}" --out "$out/report" --paper \
  --title "Jettison: the TOCS 2015 experiments on synthetic office traces" >/dev/null
# Partial migration on the default office week: bundled profiles against the fitted models.
python3 - "$out/partial-vs-full" "$out/partial-vs-full-fitted" "$out/partial-vs-full-real-guest" <<'PY'
import json, sys
print()
print(f"{'partial, office week':<24}{'save>=10m':>10}{'save>1h':>9}{'save<=30m':>10}{'wakeups':>9}{'bytes vs full':>15}")
for folder, label in zip(sys.argv[1:], ["bundled profiles", "their fitted models", "real guest's model"]):
    p = json.load(open(f"{folder}/summary.json"))["strategies"]["partial"]
    print(f"{label:<24}{p['savings_pct_periods_10min_plus']:>9.1f}%{p['savings_pct_by_idle_length']['over_1h']:>8.1f}%"
          f"{p['savings_pct_periods_up_to_30min']:>9.1f}%{p['wakeups']:>9}{p['vs_full']['network_ratio_pct']:>14.2f}%")
PY
echo
echo "report: $out/report/index.html"
