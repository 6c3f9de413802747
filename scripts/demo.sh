#!/usr/bin/env bash
# Installs what is missing, builds, runs the default office scenario, writes the HTML report and says
# where everything is.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps
jettison_build OFF
out="$root/results/office-default"
"$root/build/bin/jettison-sim" run --out "$out"
python3 "$root/analysis/jettison_report.py" "$out" --out "$root/results/report" \
  --title "Jettison: the default office scenario" >/dev/null
echo
echo "summary:     $out/summary.json"
echo "per period:  $out/periods.csv (timeline.csv, desktops.csv, scenario.yaml beside it)"
echo "report:      $root/results/report/index.html (summary.md and figures/ beside it)"
