#!/usr/bin/env bash
# The README's first command checked as a new user meets it (scripts/test.sh runs this after the
# tests): scripts/demo.sh must exit 0, run the default office scenario (20 desktops, the four
# strategies, partial saving energy) and write the report, every figure the page shows included.
# Prints demo.sh's output and what is wrong on failure; exit 1 then.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
fail() {
  echo "demo check: $*" >&2
  echo "--- scripts/demo.sh printed:" >&2
  cat "$log" >&2
  exit 1
}
bash "$root/scripts/demo.sh" >"$log" 2>&1 || fail "scripts/demo.sh exited with $?"
run="$root/results/office-default"
report="$root/results/report"
/usr/bin/python3 - "$run" "$report" <<'EOF' || fail "its outputs are not what the README says (above)"
import json, re, sys
from pathlib import Path
run, report = Path(sys.argv[1]), Path(sys.argv[2])
summary = json.loads((run / "summary.json").read_text())
problems = []
if summary.get("desktops") != 20:
    problems.append(f"{run}/summary.json: desktops {summary.get('desktops')}, not 20")
strategies = summary.get("strategies", {})
if sorted(strategies) != ["always-on", "full", "partial", "sleep-only"]:
    problems.append(f"{run}/summary.json: strategies {sorted(strategies)}")
elif not strategies["partial"]["savings_pct"] > 0:
    problems.append(f"{run}/summary.json: partial saves {strategies['partial']['savings_pct']}%")
for name in ("periods.csv", "desktops.csv", "timeline.csv"):
    if not (run / name).is_file() or (run / name).stat().st_size == 0:
        problems.append(f"{run}/{name}: missing or empty")
page = (report / "index.html").read_text() if (report / "index.html").is_file() else ""
if "<h2>" not in page:
    problems.append(f"{report}/index.html: missing or without sections")
images = re.findall(r'<img[^>]* src="([^"]+)"', page)
if not images:
    problems.append(f"{report}/index.html: no figures")
for src in images:
    f = report / src
    if not f.is_file() or f.stat().st_size == 0:
        problems.append(f"{report}/index.html shows {src}: missing or empty")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
echo "demo check: scripts/demo.sh ran the default scenario and wrote the report ($report/index.html)"
