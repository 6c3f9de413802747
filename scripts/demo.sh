#!/usr/bin/env bash
# Installs what is missing, builds, runs the default office scenario, writes the HTML report and says
# where everything is.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps
# One build configuration in build/: keep whether it builds the tests (scripts/test.sh turns them on),
# so a later ctest never runs test binaries older than the code; a fresh build/ gets none (faster).
testing="$(sed -n 's/^BUILD_TESTING:BOOL=//p' "$root/build/CMakeCache.txt" 2>/dev/null || true)"
jettison_build "${testing:-OFF}"
out="$root/results/office-default"
"$root/build/bin/jettison-sim" run --out "$out"
python3 "$root/analysis/jettison_report.py" "$out" --out "$root/results/report" \
  --title "Jettison: the default office scenario" >/dev/null
echo
echo "summary:     $out/summary.json"
echo "per period:  $out/periods.csv (timeline.csv, desktops.csv, scenario.yaml beside it)"
echo "report:      $root/results/report/index.html (summary.md and figures/ beside it)"
