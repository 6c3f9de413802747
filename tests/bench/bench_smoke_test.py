#!/usr/bin/env python3
"""scripts/bench.sh --smoke: the scale table has every column and a row per run, and the SimGrid
reference (bench/simgrid) computes the same sleep-only energy as jettison-sim on the same trace.

Usage: bench_smoke_test.py BENCH_SH BIN_DIR WORK_DIR

Why the energies must agree to 1e-9 relative: both engines compute each window's energy the same way
(power x time per state, from the same integer-microsecond times and the default scenario's figures)
and add the windows up in the order they close; only windows of different desktops closing at the
same microsecond may be added in another order. A sum of P positive doubles in another order differs
by at most about P x 2^-53 relative: ~3,000 periods here, so ~3e-13 (on this trace the two agree to
the last bit). A real difference is far larger: the smoke trace's sleep-only total is ~21.9 kWh
(~79 MJ), and one window suspending one second longer (90 W - 1.2 W over 1 s = 89 J) moves it by
~1.1e-6 relative.
"""
import math
import os
import shutil
import subprocess
import sys

COLUMNS = ["desktops", "run", "wall_s", "cpu_s", "events", "events_per_s", "peak_rss_MiB",
           "rss_per_desktop_KiB", "output_bytes", "sleep_only_kWh"]
RUNS = ["jettison-sim", "jettison-sim:sleep-only", "simgrid:sleep-only"]


def fail(message, output=""):
    print(output)
    print(f"FAIL: {message}")
    sys.exit(1)


def main():
    bench_sh, bin_dir, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    proc = subprocess.run(["bash", bench_sh, "--smoke", "--bin", bin_dir, "--work", work],
                          capture_output=True, text=True, timeout=280)
    output = proc.stdout + "\n--- stderr ---\n" + proc.stderr
    if proc.returncode != 0:
        fail(f"bench.sh --smoke exited with {proc.returncode}", output)

    lines = proc.stdout.splitlines()
    header = [i for i, line in enumerate(lines) if line.split()[:1] == ["desktops"]]
    if len(header) != 1:
        fail("no single table header line starting with 'desktops'", output)
    cols = lines[header[0]].split()
    if cols != COLUMNS:
        fail(f"table columns are {cols}, expected {COLUMNS}", output)
    if "load average" not in lines[header[0] - 1]:
        fail("the line above the table does not give the load average", output)
    rows = {}
    for line in lines[header[0] + 1:]:
        cells = line.split()
        if len(cells) != len(COLUMNS):
            break
        rows[cells[1]] = dict(zip(COLUMNS, cells))
    if sorted(rows) != sorted(RUNS):
        fail(f"table rows are {sorted(rows)}, expected {sorted(RUNS)}", output)

    for run, r in rows.items():
        if r["desktops"] != "100":
            fail(f"{run}: desktops {r['desktops']}, expected 100 (smoke: 100 desktops x 2 days)", output)
        numbers = {c: float(r[c]) for c in COLUMNS if c != "run"}
        if any(not math.isfinite(v) or v < 0 for v in numbers.values()):
            fail(f"{run}: a column is not a non-negative number: {r}", output)
        if numbers["events"] <= 0 or numbers["peak_rss_MiB"] <= 0 or numbers["sleep_only_kWh"] <= 0:
            fail(f"{run}: no events, memory or energy: {r}", output)
        # peak RSS per desktop is the peak over the desktops, in KiB: MiB x 1024 / 100
        per_desktop = numbers["peak_rss_MiB"] * 1024 / 100
        if abs(numbers["rss_per_desktop_KiB"] - per_desktop) > 0.06 * 1024 / 100 + 1e-3:
            fail(f"{run}: rss_per_desktop_KiB {r['rss_per_desktop_KiB']} is not peak_rss_MiB / 100", output)
        if run.startswith("jettison") and numbers["output_bytes"] <= 0:
            fail(f"{run}: jettison-sim wrote nothing", output)

    ours = float(rows["jettison-sim"]["sleep_only_kWh"])
    for run in ("jettison-sim:sleep-only", "simgrid:sleep-only"):
        theirs = float(rows[run]["sleep_only_kWh"])
        if abs(theirs - ours) > 1e-9 * ours:
            fail(f"{run} sleep-only energy {theirs!r} kWh differs from jettison-sim's {ours!r} kWh", output)
    if "sleep-only check:" not in proc.stderr or "equal" not in proc.stderr:
        fail("bench.sh did not report its sleep-only check", output)
    print(output)
    print("OK")


if __name__ == "__main__":
    main()
