#!/usr/bin/env bash
# A real guest's hosted period next to the simulator's prediction for the same page accesses: takes a
# run folder kept by scripts/vm-demo.sh (KEEP=1), replays the page trace the guest produced while the
# server hosted it (out/pages-1.csv, time 0 = the guest resumed on the server) in jettison-sim with
# the demo's settings, and writes a Markdown table: wake-ups, fetched, prefetched and dirty pages,
# bytes, time per power state and the desktop's energy, side by side, with notes on every difference
# over 5%.
#
#   scripts/vm-vs-sim.sh RUN_FOLDER        (e.g. /tmp/jettison-vm-demo.AbC123, printed by KEEP=1)
#
# Simulated side: scenarios/emu/vm-vs-sim.yaml (partial only; sleep rule timeout 3 s, spatial
# prefetch radius 16, the emulated desktop's transition delays, the watts of scenarios/default.yaml),
# with, from the run: the guest's RAM, the device-state bytes as the migration's metadata, the
# measured go-idle -> serving time as its setup, half the demand-fault p50 as the link's latency. The
# scenario's profile is anchored at the migration's end (anchor: migration-end), where the capture's
# time 0 is, so the trace is replayed as it is; the idle period lasts S + the hosted span (the
# server's "-> serving" to the desktop agent taking the return command), S the simulated migration's
# end, learnt from a first simulator run.
# Emulated side: the run's periods.csv and logs; the desktop's time per power state over the hosted
# span comes from its debug log ("power[emulated]: STATE" at each change), x the same watts.
# Writes OUT/comparison.md (default OUT: results/vm-vs-sim/<run folder's name>) with the scenario's
# inputs and the simulator's outputs next to it; prints the table. Needs jettison-sim and python3.
# Environment: JETTISON_BIN (binaries; default build/bin), OUT (output folder).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
me=vm-vs-sim

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
  [[ $# -eq 1 ]] && exit 0
  exit 2
fi
run="$(cd "$1" 2>/dev/null && pwd)" || {
  echo "$me: '$1' is not a folder" >&2
  exit 2
}
for f in out/periods.csv out/pages-1.csv server.log desktop.log; do
  [[ -s $run/$f ]] || {
    echo "$me: $run/$f is missing or empty: is this a folder kept by KEEP=1 scripts/vm-demo.sh?" >&2
    exit 2
  }
done
bin="${JETTISON_BIN:-$root/build/bin}"
[[ -x $bin/jettison-sim ]] || {
  echo "$me: $bin/jettison-sim is missing (cmake --build build --target jettison-sim)" >&2
  exit 2
}
command -v python3 >/dev/null || {
  echo "$me: python3 is missing" >&2
  exit 2
}
py=python3
[[ -x /usr/bin/python3 ]] && py=/usr/bin/python3  # Debian's, which sees python3-yaml
scenario="$root/scenarios/emu/vm-vs-sim.yaml"
out="${OUT:-$root/results/vm-vs-sim/$(basename "$run")}"
stage="$out.tmp-$$"
trap 'rm -rf "$stage"' EXIT
rm -rf "$stage"
mkdir -p "$stage/probe" "$stage/sim"

# --- 1. what the run did: its timeline, device state, fault latency, the desktop's power states ---
python3 - "$run" "$stage/emu.json" <<'EOF'
import csv, json, re, sys
from datetime import datetime

run, dest = sys.argv[1], sys.argv[2]
stamp = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\] \[\w+\] (.*)$")
def events(path):
    for line in open(path, errors="replace"):
        m = stamp.match(line.rstrip("\n"))
        if m:
            yield datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp(), m.group(2)
def first(evs, pattern, after=float("-inf")):
    return next((t for t, msg in evs if t >= after and re.search(pattern, msg)), None)

server, desktop = list(events(f"{run}/server.log")), list(events(f"{run}/desktop.log"))
server_text = open(f"{run}/server.log", errors="replace").read()
go_idle = first(desktop, r"running-local -> migrating-out")
serving = first(server, r"-> serving")
assert go_idle is not None and serving is not None, "no go-idle in desktop.log or no '-> serving' in server.log"
changes = [(t, m.group(1)) for t, msg in desktop if (m := re.match(r"power\[emulated\]: (\w+)$", msg))]
# The user's return: the desktop agent takes the return command ("the user is back").
back = first(desktop, r"the user is back", after=serving)
assert back is not None, "no 'the user is back' after '-> serving' in desktop.log (was the VM returned?)"
local = first(desktop, r"-> running-local", after=back)

def state_times(a, b):
    times, state = {}, None
    for i, (t, s) in enumerate(changes):
        t_next = changes[i + 1][0] if i + 1 < len(changes) else float("inf")
        lo, hi = max(t, a), min(t_next, b)
        if hi > lo:
            times[s] = times.get(s, 0.0) + hi - lo
    return times

row = next(csv.DictReader(open(f"{run}/out/periods.csv")))
lat = re.search(r"fault latency p50 ([0-9.]+) us, p99 ([0-9.]+) us \((\d+) samples\)", server_text)
dev = re.search(r"device state: (\d+) bytes in", server_text)
ram = re.search(r"(\d+) MiB of RAM", open(f"{run}/desktop.log", errors="replace").read())
json.dump({
    "migration_s": serving - go_idle,
    "hosted_s": back - serving,
    "return_s": (local - back) if local else None,
    "states_hosted": state_times(serving, back),
    "states_window": state_times(go_idle, local if local else back),
    # The server wakes the desktop for the write-back when it believes it asleep (a wake-up it counts).
    "return_wake": first(server, r"magic packet \d+ sent", after=first(server, r"-> reintegrating") or float("inf"))
    is not None,
    "sleeps_hosted": sum(1 for t, s in changes if serving <= t < back and s == "suspending"),
    "window_s": ((local if local else back) - go_idle),
    "fault_p50_us": float(lat.group(1)) if lat else None,
    "fault_p99_us": float(lat.group(2)) if lat else None,
    "fault_samples": int(lat.group(3)) if lat else None,
    "device_state_bytes": int(dev.group(1)) if dev else int(float(row["migrated_bytes"])),
    "ram_mib": int(ram.group(1)) if ram else 512,
    "periods": row,
}, open(dest, "w"), indent=1)
EOF
read -r metadata setup latency ram hosted <<<"$(python3 - "$stage/emu.json" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
p50 = e["fault_p50_us"] or 400.0  # no faults measured: a veth round trip with TLS, roughly
print(f"{e['device_state_bytes']}B {e['migration_s']:.6f}s {p50 / 2:.1f}us {e['ram_mib']}MiB {e['hosted_s']:.6f}")
EOF
)"
sets=(--set "migration.partial.metadata=$metadata" --set "migration.partial.setup=$setup"
  --set "desktop.link.latency=$latency" --set "desktop.vm_memory=$ram")

# --- 2. the simulator: when does its migration end (S), then the trace over S + span -------------
printf 'desktop,start,end\nd00,0,100000\n' >"$stage/probe-idle.csv"
cp "$run/out/pages-1.csv" "$stage/probe-pages.csv"
"$bin/jettison-sim" run "$scenario" "${sets[@]}" --set "idle_trace=$stage/probe-idle.csv" \
  --set "page_traces.profiles.0.file=$stage/probe-pages.csv" --out "$stage/probe" --quiet
shift_s="$(python3 - "$stage/probe/periods.csv" <<'EOF'
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
assert r["outcome"] == "migrated", r["outcome"]
print(f"{float(r['t_idle_s']) + float(r['migration_latency_s']):.6f}")  # the VM lands here
EOF
)"
python3 - "$run/out/pages-1.csv" "$shift_s" "$hosted" "$stage" <<'EOF'
import sys
trace, shift, hosted, stage = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
with open(trace) as f, open(f"{stage}/sim-pages.csv", "w") as o:
    assert f.readline().strip() == "time,page,op", f"{trace}: not a time,page,op trace"
    o.write("time,page,op\n")
    for line in f:
        t, p, op = line.strip().split(",")
        if float(t) < hosted:
            o.write(f"{t},{p},{op}\n")  # as captured: the profile is anchored at migration-end
with open(f"{stage}/sim-idle.csv", "w") as o:
    o.write(f"desktop,start,end\nd00,0,{shift + hosted:.6f}\n")
EOF
"$bin/jettison-sim" run "$scenario" "${sets[@]}" --set "idle_trace=$stage/sim-idle.csv" \
  --set "page_traces.profiles.0.file=$stage/sim-pages.csv" --out "$stage/sim" --quiet
rm -rf "$stage/probe" "$stage/probe-pages.csv" "$stage/probe-idle.csv"

# --- 3. the table ---------------------------------------------------------------------------------
PYTHONPATH="$root/analysis" PYTHONDONTWRITEBYTECODE=1 "$py" - "$stage" "$run" "$shift_s" "${sets[*]}" \
  >"$stage/comparison.md" <<'EOF'
import csv, json, re, sys

from jettison_report.emu_comparison import desktop_watts

stage, run, shift, sets = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
# The simulated run's desktop.power (scenarios/emu/vm-vs-sim.yaml), applied to both sides.
watts = desktop_watts(f"{stage}/sim")
hosted_states = ["serving", "suspending", "asleep", "resuming_selective"]
e = json.load(open(f"{stage}/emu.json"))
n_sleeps = e["sleeps_hosted"]
desktop_log = open(f"{run}/desktop.log", errors="replace").read().splitlines()
exit_line = next((l for l in desktop_log if l.startswith("jettison-desktop:") and "pages served" in l), "")
zm = re.search(r"pages served \((\d+) zero\)", exit_line)
zero_pages = int(zm.group(1)) if zm else 0
magic = re.search(r"\d+ sleeps, \d+ woken by magic packets", exit_line)
emu = e["periods"]
sim = next(csv.DictReader(open(f"{stage}/sim/periods.csv")))
page = 4096
f = lambda v: float(v) if v not in ("", None) else None
trace_rows = list(csv.DictReader(open(f"{run}/out/pages-1.csv")))
in_span = [r for r in trace_rows if float(r["time"]) < e["hosted_s"]]
trace_pages = len({r["page"] for r in in_span})
trace_writes = len({r["page"] for r in in_span if r["op"] == "w"})

emu_t = e["states_hosted"]
sim_t = {s: f(sim[f"t_{s}_s"]) for s in watts}
energy = lambda t, states: sum(t.get(s, 0.0) * watts[s] for s in states)
emu_other = sum(v for k, v in emu_t.items() if k not in hosted_states)
# The window after the wait before migrating: go-idle to the VM running on the desktop again.
emu_w = e["states_window"]
sim_w = dict(sim_t, idle=0.0)  # the simulator's window starts with migrate_after in `idle`
sim_window = f(sim["window_s"]) - sim_t["idle"]

emu_fetch = f(emu["fetched_pages"]) + f(emu["prefetched_pages"] or 0)
sim_fetch = f(sim["fetched_pages"]) + f(sim["prefetched_pages"] or 0)
rows = [
    ("wake-ups", f(emu["wakeups"]), f(sim["wakeups"]), "{:,.0f}", "wakeups"),
    ("pages fetched on demand", f(emu["fetched_pages"]), f(sim["fetched_pages"]), "{:,.0f}", "demand"),
    ("pages prefetched (spatial, radius 16)", f(emu["prefetched_pages"]), f(sim["prefetched_pages"]), "{:,.0f}", "prefetch"),
    ("pages fetched, all", emu_fetch, sim_fetch, "{:,.0f}", "fetch"),
    ("bytes fetched, all pages x 4 KiB", emu_fetch * page, sim_fetch * page, "{:,.0f}", "fetch"),
    ("dirty pages", f(emu["dirty_pages"]), f(sim["dirty_pages"]), "{:,.0f}", "dirty"),
    ("migrated bytes (device state)", f(emu["migrated_bytes"]), f(sim["migrated_bytes"]), "{:,.0f}", "migrated"),
    ("reintegrated bytes", f(emu["reintegrated_bytes"]), f(sim["reintegrated_bytes"]), "{:,.0f}", "reint"),
    ("network bytes", f(emu["network_bytes"]), f(sim["network_bytes"]), "{:,.0f}", "network"),
]
for s in hosted_states:
    rows.append((f"time {s}, hosted span (s)", emu_t.get(s, 0.0), sim_t[s], "{:,.3f}", "t_" + s))
rows.append(("time in other states, hosted span (s)", emu_other, 0.0, "{:,.3f}", "t_other"))
rows.append(("hosted span (s)", sum(emu_t.values()), sum(sim_t[s] for s in hosted_states), "{:,.3f}", "span"))
rows.append(("desktop energy, hosted span (J)", energy(emu_t, watts), energy(sim_t, hosted_states), "{:,.1f}", "energy"))
rows.append(("desktop energy, go-idle to VM back on the desktop (J)", energy(emu_w, watts), energy(sim_w, watts),
             "{:,.1f}", "energy_window"))
rows.append(("go-idle to VM back on the desktop (s)", e["window_s"], sim_window, "{:,.3f}", "window"))
rows.append(("migration: go-idle to guest running on the server (s)", e["migration_s"], f(sim["migration_latency_s"]),
             "{:,.3f}", "migration"))
rows.append(("return latency (s)", f(emu["return_latency_s"]), f(sim["return_latency_s"]), "{:,.3f}", "return"))

# Why the two sides can differ; a note is printed for each row that differs by more than 5%.
why = {
    "wakeups": ("the emulated server counts a wake-up for the write-back after the user's return: its "
                "page source still believed the desktop asleep and sent a magic packet (the user's full "
                "resume had woken it already); the simulator counts wake-ups for pages only"
                if e["return_wake"] else
                "the emulated sleep timer runs on the server's wall clock under TCG and the desktop's "
                "wake takes real TLS reconnects; a request arriving within a few ms of the 3 s timeout "
                "falls on either side of it") + (f" (the desktop agent: {magic.group(0)})" if magic else ""),
    "demand": "reads of prefetched pages raise no fault, so the capture lacks them: the simulator's "
              "spatial prefetcher, seeing fewer and differently ordered accesses, prefetches other "
              "neighbours; also the emulated fetcher queues a fault arriving while a batch is in flight",
    "prefetch": "the emulated prefetcher only sends neighbours not yet resident and caps a batch; the "
                "simulator's picks follow the captured faults, which lack the reads of prefetched pages",
    "fetch": "see the demand and prefetch rows",
    "dirty": "the emulated dirty set is from write-protect faults (first write of each page); the "
             "simulator counts the trace's written pages: a difference means writes outside the span",
    "migrated": "the simulator's metadata is set to the run's device-state bytes; differences are framing",
    "reint": "emulated: the write-back's bytes (all-zero dirty pages travel as 16-byte ZERO runs, so fewer "
             "than dirty pages x 4 KiB) + the device state; simulated: dirty pages x 4 KiB + metadata",
    "network": "emulated: the bytes on the page connections (page requests and replies, the write-back; "
               f"all-zero pages travel as 16-byte ZERO runs: {zero_pages} of the pages served were zero, "
               f"{zero_pages * page / 1e6:.1f} MB never sent; the device state goes over the desktop link and is "
               "not counted); simulated: device state + every fetched page x 4 KiB + the reintegration",
    "t_serving": "serving lasts until the sleep rule's 3 s timeout after the last request on both sides; "
                 "the emulated desktop also serves while the server's fetcher reconnects (TLS handshakes) "
                 "and while the guest, slowed by TCG, faults in bursts",
    "t_suspending": f"the emulated suspend takes {emu_t.get('suspending', 0.0) / max(n_sleeps, 1):.3f} s on average "
                    "against 0.3 s: the agent enters `suspending` when the server's sleep request arrives, "
                    "closes its memory server (TLS connections) and only then starts the 0.3 s delay",
    "t_asleep": "the rest of the span: follows serving and the wake-ups",
    "t_resuming_selective": "0.2 s per wake-up: follows the wake-up count",
    "t_other": "the emulated desktop's states inside the span that the simulated one never takes there",
    "span": "equal by construction (the idle period is S + the hosted span)",
    "energy": "follows the time per state (asleep at 1.2 W against serving at 60 W)",
    "energy_window": "adds the migration and the return: the simulated return spends the rest of a full "
                     "resume (100 W) and reintegration_setup (1 s, assumed) in `migrating` (105 W); the "
                     "emulated desktop, when awake at the return, goes straight to `migrating` for the "
                     "write-back and a new QEMU loading the device state (see the return row)",
    "window": "the emulated return includes QEMU's restart and device-state load on the desktop",
    "migration": "the simulator's setup is set to the measured time; the rest is its transfer model",
    "return": "simulated: the rest of the full resume (0.3 s from serving, 0.5 s from asleep) + (dirty "
              "pages x 4 KiB + metadata) / bandwidth + reintegration_setup (1 s, the default, assumed); "
              "emulated (the server's periods.csv): from the server learning of the return to the VM "
              "running on the desktop: the journalled write-back and a new QEMU loading the device "
              "state; the emulated desktop skips the full resume when it is awake, and the time from "
              "the return command to the server learning of it is not in this figure (it is in the "
              "go-idle to VM back row)",
}

def cell(v, fmt):
    return "—" if v is None else fmt.format(v)
print(f"# A real guest's hosted period vs the simulator: {run.rstrip('/').split('/')[-1]}\n")
print(f"Written by `scripts/vm-vs-sim.sh`. Emulated: a `vm-demo.sh` run ({e['ram_mib']} MiB guest, TCG, "
      "TLS PSK over a veth pair, sleep rule timeout 3 s, spatial prefetch radius 16, emulated power: "
      "suspend 0.3 s, selective resume 0.2 s, full resume 0.5 s). Simulated: "
      "`scenarios/emu/vm-vs-sim.yaml` (partial) replaying the run's `pages-1.csv` from the simulated "
      f"migration's end (anchor: migration-end; S = {shift:.3f} s) over an idle period of S + "
      f"{e['hosted_s']:.3f} s (the hosted span), with `{sets}`. Energy: time per power state x the "
      "watts of the simulated run's `desktop.power` (`scenarios/emu/vm-vs-sim.yaml`, from "
      "`scenarios/default.yaml`) on both sides (the emulated times from the desktop's log).\n")
print("| metric | emulated | simulated | emulated - simulated | note |")
print("|---|---:|---:|---:|---|")
flagged = []
for name, a, b, fmt, key in rows:
    d, note = "—", ""
    if a is not None and b is not None:
        d = fmt.replace("{:", "{:+").format(a - b)
        if b:
            d += f" ({(a - b) / b * 100:+.1f}%)"
        big = abs(a - b) > 0.05 * abs(b) if b else abs(a) > 1e-9
        if big and key in why:
            flagged.append(key)
            note = f"[{len(flagged)}]"
    print(f"| {name} | {cell(a, fmt)} | {cell(b, fmt)} | {d} | {note} |")
print()
if flagged:
    print("Notes (differences over 5%):\n")
    for i, key in enumerate(flagged, 1):
        print(f"{i}. {why[key]}.")
    print()
print(f"Captured trace over the hosted span: {len(in_span):,} accesses, {trace_pages:,} distinct pages, "
      f"{trace_writes:,} written. Emulated demand-fault latency (TLS): p50 {e['fault_p50_us']} us, "
      f"p99 {e['fault_p99_us']} us over {e['fault_samples']} faults.\n")
print("Emulated time per power state over the hosted span (s), from the desktop's log: "
      + ", ".join(f"{k} {v:.3f}" for k, v in sorted(emu_t.items())) + ".\n")
# The agent's own report at exit covers its whole life (boot to stop), for cross-checking.
i = next((k for k, l in enumerate(desktop_log) if l.startswith("time per power state")), None)
if exit_line and i is not None:
    print("The desktop agent's report at exit (its whole life, boot to stop):\n\n```")
    print("\n".join([exit_line] + desktop_log[i:i + 10]))
    print("```")
EOF
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$stage" "$out"
trap - EXIT
cat "$out/comparison.md"
echo "$me: wrote $out/comparison.md"
