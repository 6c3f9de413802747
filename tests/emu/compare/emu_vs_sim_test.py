#!/usr/bin/env python3
"""scripts/emu-vs-sim.sh --capture over two minutes of the bundled Debian guest capture (from 160 s:
the guest's quiet minute after its boot burst, with sleeps and wake-ups): the emulator (real
namespaces, veth, TLS, magic packets, userfaultfd) and the simulator in one report.

Usage: emu_vs_sim_test.py EMU_VS_SIM_SH BIN_DIR WORK_DIR       (exit 77: skipped, not root)

What the span holds, by hand from scenarios/emu/debian-guest-pages.csv, rows with 160 <= time < 280
(timeout 3 s, no prefetch): 2,421 accesses on 2,254 distinct pages, so 2,254 demand fetches
(9,232,384 bytes), 1,823 distinct pages written (dirty, 7,467,008 bytes). Gaps between accesses over
3 s: 162.969 -> 214.296 (51.3 s), 219.928 -> 228.473 (8.5 s), 228.853 -> 245.525 (16.7 s), 245.886 ->
558.46 (past the span's end): four sleeps, three wake-ups for pages; every other gap is under
2.3 s, so neither side can put the timeout on the other side of a gap (no timing in the counts).
Energy: the two sides' times per state differ by milliseconds per transition (the report explains
them); 5% of the ~1.5 kJ span is ~75 J, i.e. more than a second of serving at 60 W.
"""
import os
import re
import shutil
import subprocess
import sys

COUNTS = {  # row -> the hand-derived value both sides must show
    "wake-ups to serve pages, hosted span": 3,
    "pages fetched on demand": 2254,
    "pages prefetched": 0,
    "bytes fetched (demand + prefetched pages x 4 KiB)": 2254 * 4096,
    "dirty pages": 1823,
    "dirty bytes (dirty pages x 4 KiB)": 1823 * 4096,
}
ENERGY = "desktop energy, hosted span (J)"


def fail(message, output=""):
    print(output)
    print(f"FAIL: {message}")
    sys.exit(1)


def namespaces():
    r = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return {line.split()[0] for line in r.stdout.splitlines() if line.strip()}


def shm():
    return {n for n in os.listdir("/dev/shm") if n.startswith("jettison-emu-vs-sim")}


def number(cell):
    return float(cell.replace(",", "").split(" ")[0])


def main():
    script, bin_dir, work = sys.argv[1:4]
    if os.geteuid() != 0 or shutil.which("ip") is None:
        print("SKIP: needs root and iproute2 (network namespaces)")
        return 77
    shutil.rmtree(work, ignore_errors=True)
    ns_before, shm_before = namespaces(), shm()
    env = dict(os.environ, OUT=work, JETTISON_BIN=bin_dir, PREFETCH="none")
    proc = subprocess.run(["bash", script, "--capture",
                           os.path.join(os.path.dirname(script), "..", "scenarios", "emu", "debian-guest-pages.csv"),
                           "--from", "160", "2"], capture_output=True, text=True, env=env, timeout=420)
    output = proc.stdout + "\n--- stderr ---\n" + proc.stderr
    if proc.returncode != 0:
        fail(f"emu-vs-sim.sh exited with {proc.returncode}", output)
    if namespaces() - ns_before:
        fail(f"namespaces left behind: {sorted(namespaces() - ns_before)}", output)
    if shm() - shm_before:
        fail(f"/dev/shm files left behind: {sorted(shm() - shm_before)}", output)

    html = open(os.path.join(work, "report", "index.html"), encoding="utf-8").read()
    if "Simulated vs emulated" not in html or "Why the rows differ" not in html:
        fail("the HTML report has no 'Simulated vs emulated' section with its explanations", output)
    md = open(os.path.join(work, "comparison.md"), encoding="utf-8").read()
    rows = {}
    for line in md.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] not in ("metric", "---"):
            rows[cells[0]] = cells
    for name, want in COUNTS.items():
        if name not in rows:
            fail(f"no row '{name}' in comparison.md", md)
        _, emu, sim, _, status, _ = rows[name]
        if number(emu) != want or number(sim) != want or status != "equal":
            fail(f"row '{name}': emulated {emu}, simulated {sim}, status {status}; both should be {want:,}", md)
    emu_e, sim_e = number(rows[ENERGY][1]), number(rows[ENERGY][2])
    if abs(emu_e - sim_e) > 0.05 * sim_e:
        fail(f"energy: emulated {emu_e} J, simulated {sim_e} J: more than 5% apart", md)
    notes = set(re.findall(r"^\[(\d+)\] \S", md, flags=re.M))
    for name, cells in rows.items():
        status, ref = cells[4], cells[5]
        if status == "equal":
            continue
        if status not in ("within 5%", "explained"):
            fail(f"row '{name}' is '{status}'", md)
        m = re.fullmatch(r"\[(\d+)\]", ref)
        if not m or m.group(1) not in notes:
            fail(f"row '{name}' differs ({status}) without a paragraph explaining it", md)
    # The same section in the HTML, with its every explanation.
    for n in sorted(notes, key=int):
        if f"[{n}] " not in html:
            fail(f"explanation [{n}] is in comparison.md but not in index.html", output)
    print(md)
    print(f"OK: {len(rows)} rows, counts equal, energy {emu_e} J vs {sim_e} J "
          f"({(emu_e - sim_e) / sim_e * 100:+.2f}%), {len(notes)} explanations")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
