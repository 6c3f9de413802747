#!/usr/bin/env bash
# Installs what is missing, builds, runs the default office scenario and says where the outputs are.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps
jettison_build OFF
out="$root/results/office-default"
"$root/build/bin/jettison-sim" run --out "$out"
echo
echo "summary:     $out/summary.json"
echo "per period:  $out/periods.csv"
echo "per desktop: $out/desktops.csv"
