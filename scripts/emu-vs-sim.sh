#!/usr/bin/env bash
# The emulated run of a bundled page trace next to the simulator's prediction for the same trace
# (issue 6, "Measured"): wake-ups, pages and bytes fetched, dirty pages and reintegrated bytes, time
# per power state and the desktop's energy over the span the VM is hosted.
#
#   sudo scripts/emu-vs-sim.sh [MINUTES]        (default 10; the emulated run takes that long)
#
# Emulated side: a 4 GiB sparse memory image in /dev/shm (random pages where the trace touches,
# zeros elsewhere); jettison-desktop (emulated power, transition delays and watts of
# scenarios/default.yaml, starting in `serving` as the simulated desktop does when the VM lands) in
# one network namespace; jettison-replay (TLS PSK, Wake-on-LAN, sleep rule timeout 10 s, no
# prefetch, speed 1, --write-back) in another, over the first MINUTES of
# traces/samples/pages-linux.csv. Both namespaces and the veth pair joining them are made here with
# unique names and removed on exit (also on error and Ctrl-C); magic packets stay inside them.
# Simulated side: scenarios/emu/compare-linux.yaml (partial only), its profile anchored at the
# migration's end so that the hosted span sees the same accesses (the file says why), regenerated
# for MINUTES.
# Writes results/emu-vs-sim/comparison.md (atomically), and the raw outputs next to it.
# Environment: JETTISON_BIN (binaries; default build/bin, built when missing), SPEED (replay time
# scale, default 1: only 1 matches the model's wall-clock sleep timer), DIRTY_TRACKING=1 (exact
# dirty set through write-protect faults), OUT (output folder, default results/emu-vs-sim).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ $EUID -ne 0 ]]; then
  echo "emu-vs-sim: needs root (network namespaces, a veth pair, userfaultfd, raw magic packets)" >&2
  exit 2
fi
minutes="${1:-10}"
if ! [[ $minutes =~ ^[0-9]+$ ]] || ((minutes < 1 || minutes > 120)); then
  echo "emu-vs-sim: MINUTES must be a whole number in 1..120 (the trace is 2 h long), got '$minutes'" >&2
  exit 2
fi
speed="${SPEED:-1}"
bin="${JETTISON_BIN:-$root/build/bin}"
need=(jettison-sim jettison-desktop jettison-replay)
for b in "${need[@]}"; do
  if [[ ! -x $bin/$b ]]; then
    source "$root/scripts/lib/deps.sh"
    jettison_install_deps iproute2
    jettison_build keep
    bin="$root/build/bin"
    break
  fi
done
for tool in ip python3 timeout; do
  command -v "$tool" >/dev/null || { echo "emu-vs-sim: '$tool' is missing" >&2; exit 2; }
done

trace="$root/traces/samples/pages-linux.csv"
scenario="$root/scenarios/emu/compare-linux.yaml"
out="${OUT:-$root/results/emu-vs-sim}"
period_s=$((minutes * 60))
# Transition delays and watts: scenarios/default.yaml (the simulator's defaults).
suspend_delay=3.09s
resume_selective=0.7s
sleep_timeout=10s
watts=(active=110W idle=102.1W migrating=105W suspending=90W asleep=1.2W resuming_full=100W
  resuming_selective=60W serving=60W)

# --- cleanup: everything made here goes, on success, error or signal ---------------------------
tag="jes$$"
ns_d="$tag-d" ns_s="$tag-s" if_d="${tag}d" if_s="${tag}s"
work=""
agent_pid="" replay_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in $replay_pid $agent_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  ip netns del "$ns_s" 2>/dev/null || true
  ip netns del "$ns_d" 2>/dev/null || true
  [[ -n $work && -d $work ]] && rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work="$(mktemp -d /dev/shm/jettison-emu-vs-sim.XXXXXX)"
mkdir -p "$out"
run="$out/run.tmp-$$"
rm -rf "$run"
mkdir -p "$run/sim-probe" "$run/sim"

# --- 1. simulator first (fast): the migration's latency fixes the shift of the profile ----------
"$bin/jettison-sim" run "$scenario" --out "$run/sim-probe" >/dev/null
read -r hosted_from <<<"$(python3 - "$run/sim-probe/periods.csv" <<'EOF'
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
assert r["outcome"] == "migrated", r["outcome"]
# idle until migrate_after, then migrating for the migration's latency: the VM lands at their sum.
print(f'{float(r["t_idle_s"]) + float(r["migration_latency_s"]):.6f}')
EOF
)"

# The emulated trace: the first MINUTES of the sample, plus one read of an already-resident page
# 1 ms before the end (no fault, no fetch, no request: it only keeps the replay, and so the sleep
# controller, running for the whole span, as the simulator's timer runs until the user returns).
# The simulated profile: the same rows (compare-linux.yaml anchors it at the migration's end); the
# idle period ends N minutes after the VM lands at `hosted_from`.
python3 - "$trace" "$period_s" "$hosted_from" "$run" <<'EOF'
import sys
trace, period, shift, run = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rows = []
with open(trace) as f:
    assert f.readline().strip() == "time,page,op"
    for line in f:
        t, p, o = line.strip().split(",")
        if float(t) < period:
            rows.append((float(t), p, o))
rows.append((period - 0.001, rows[0][1], "r"))
with open(f"{run}/emu-trace.csv", "w") as f:
    f.write("time,page,op\n" + "".join(f"{t:.6f},{p},{o}\n" for t, p, o in rows))
with open(f"{run}/sim-profile.csv", "w") as f:
    f.write("time,page,op\n" + "".join(f"{t:.6f},{p},{o}\n" for t, p, o in rows))
with open(f"{run}/sim-idle.csv", "w") as f:
    f.write(f"desktop,start,end\nd00,0,{shift + period:.6f}\n")
EOF
"$bin/jettison-sim" run "$scenario" --set "idle_trace=$run/sim-idle.csv" \
  --set "page_traces.profiles.0.file=$run/sim-profile.csv" --out "$run/sim" >"$run/sim.txt"

# --- 2. the memory image: 4 GiB sparse, random content on every page the trace touches ---------
python3 - "$trace" "$work/vm.ram" <<'EOF'
import random, sys
trace, image = sys.argv[1], sys.argv[2]
size, page = 4 << 30, 4096
pages = set()
with open(trace) as f:
    next(f)
    for line in f:
        pages.add(int(line.split(",")[1]))
rng = random.Random(6)
with open(image, "wb") as f:
    f.truncate(size)
    for p in sorted(pages):
        f.seek(p * page)
        f.write(rng.randbytes(page))
EOF
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$work/psk.hex"
chmod 600 "$work/psk.hex"

# --- 3. two namespaces joined by a veth pair ----------------------------------------------------
source "$root/scripts/lib/netns.sh"
jettison_netns_pair "$ns_d" "$ns_s" "$if_d" "$if_s" ||
  { echo "emu-vs-sim: cannot build the namespace pair (or read the MAC of $if_d)" >&2; exit 1; }
port=7000

# --- 4. the desktop agent, then the replay ------------------------------------------------------
watt_flags=()
for w in "${watts[@]}"; do watt_flags+=(--watts "$w"); done
# Bounded even if something hangs: the period, plus 5 minutes.
limit="$(awk -v p="$period_s" -v s="$speed" 'BEGIN { printf "%d", p / s + 300 }')"
ip netns exec "$ns_d" timeout -s TERM "$((limit + 60))" "$bin/jettison-desktop" --image "$work/vm.ram" \
  --listen "$addr_d:$port" --psk-file "$work/psk.hex" --psk-identity emu-vs-sim --interface "$if_d" \
  --power emulated --initial-state serving --suspend-delay "$suspend_delay" \
  --resume-selective "$resume_selective" --packet-resume selective "${watt_flags[@]}" \
  --log-level debug >"$run/agent.log" 2>&1 &
agent_pid=$!
for i in $(seq 500); do
  grep -q "serving .* on " "$run/agent.log" && break
  kill -0 "$agent_pid" 2>/dev/null || { cat "$run/agent.log" >&2; echo "emu-vs-sim: the agent died" >&2; exit 1; }
  sleep 0.01
  ((i < 500)) || { cat "$run/agent.log" >&2; echo "emu-vs-sim: the agent did not start" >&2; exit 1; }
done

echo "emu-vs-sim: replaying the first $minutes min of $(basename "$trace") at speed $speed (about $(awk -v p="$period_s" -v s="$speed" 'BEGIN { printf "%d", p / s }') s)..."
dirty=()
[[ ${DIRTY_TRACKING:-0} == 1 ]] && dirty=(--dirty-tracking)
mkdir -p "$run/emu"
ip netns exec "$ns_s" timeout -s TERM "$limit" "$bin/jettison-replay" --trace "$run/emu-trace.csv" \
  --connect "$addr_d:$port" --psk-file "$work/psk.hex" --psk-identity emu-vs-sim \
  --wol-interface "$if_s" --desktop-mac "$mac_d" --sleep timeout --sleep-timeout "$sleep_timeout" \
  --prefetch none --speed "$speed" --period "${period_s}s" "${dirty[@]}" --image "$work/vm.ram" --verify \
  --write-back --give-up-after 60s --desktop d00 --out "$run/emu/periods.csv" >"$run/replay.log" 2>&1 &
replay_pid=$!
set +e
wait "$replay_pid"
replay_rc=$?
set -e
replay_pid=""
if ((replay_rc != 0)); then
  cat "$run/replay.log" >&2
  echo "emu-vs-sim: jettison-replay failed ($replay_rc); logs in $run" >&2
  exit 1
fi
kill -TERM "$agent_pid"
for _ in $(seq 100); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
wait "$agent_pid" || true
agent_pid=""

# --- 5. the table -------------------------------------------------------------------------------
python3 - "$run" "$period_s" "$speed" "${watts[@]}" >"$run/comparison.md" <<'EOF'
import csv, re, sys
from datetime import datetime

run, period, speed, watts_args = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
watts = {k: float(v.rstrip("W")) for k, v in (w.split("=") for w in watts_args)}
hosted_states = ["serving", "suspending", "asleep", "resuming_selective"]

sim = next(csv.DictReader(open(f"{run}/sim/periods.csv")))
emu = next(csv.DictReader(open(f"{run}/emu/periods.csv")))

# The agent's state changes, from its debug log: "[time] [debug] power[emulated]: STATE".
stamp = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\]")
def when(line):
    m = stamp.match(line)
    return datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp() if m else None
changes, connected = [], None
agent_lines = open(f"{run}/agent.log").read().splitlines()
for line in agent_lines:
    t = when(line)
    if t is None:
        continue
    m = re.search(r"power\[emulated\]: (\w+)$", line)
    if m:
        changes.append((t, m.group(1)))
    if connected is None and re.search(r"(accepted|connection|handshake|hello|client)", line, re.I):
        connected = t
replay_lines = open(f"{run}/replay.log").read().splitlines()
# The hosted span starts when the replay's clock starts: the write-back's commit (logged) minus its
# duration minus the replay's wall time (both printed); the agent's "connected" is the fallback.
start = None
wall = next((float(m.group(1)) for m in (re.search(r"in ([0-9.]+) s \(speed", l) for l in replay_lines) if m), None)
for l in replay_lines:
    m = re.search(r"remote .*write-back of \d+ pages committed \(\d+ bytes, ([0-9.]+) ms", l)
    if m and wall is not None and when(l) is not None:
        start = when(l) - float(m.group(1)) / 1000 - wall
        break
if start is None:
    start = connected
assert start is not None, "cannot place the replay's start in time"
end = start + period / speed
first = min([t for t, _ in changes], default=start)
state0 = "serving"
timeline = [(min(first, start) - 1.0, state0)] + changes
emu_t = {s: 0.0 for s in hosted_states + ["idle", "active", "resuming_full", "migrating"]}
for i, (t, s) in enumerate(timeline):
    t_next = timeline[i + 1][0] if i + 1 < len(timeline) else float("inf")
    a, b = max(t, start), min(t_next, end)
    if b > a:
        emu_t[s] = emu_t.get(s, 0.0) + (b - a)

# Whole-lifetime report the agent printed at exit (state times and energy), for reference.
agent_report = [l for l in agent_lines if not stamp.match(l)]
summary = next((l for l in agent_lines if l.startswith("jettison-desktop:") and "sleeps" in l), "")
served = re.search(r"(\d+) pages served \((\d+) zero\)", summary)
replay_text = "\n".join(replay_lines)

def f(x):
    return float(x) if x not in ("", None) else None
sim_t = {s: float(sim[f"t_{s}_s"]) for s in hosted_states}
emu_e = sum(emu_t[s] * watts[s] for s in emu_t if s in watts)
sim_e = sum(sim_t[s] * watts[s] for s in hosted_states)
page = 4096

def num(v, fmt="{:,.0f}"):
    return "—" if v is None else fmt.format(v)
def diff(a, b, fmt="{:+,.0f}"):
    if a is None or b is None:
        return "—"
    s = fmt.format(a - b)
    return s + (f" ({(a - b) / b * 100:+.1f}%)" if b else "")

rows = [
    ("wake-ups", f(emu["wakeups"]), f(sim["wakeups"]), "{:,.0f}"),
    ("pages fetched (demand)", f(emu["fetched_pages"]), f(sim["fetched_pages"]), "{:,.0f}"),
    ("bytes fetched (pages x 4 KiB)", f(emu["fetched_bytes"]), f(sim["fetched_bytes"]), "{:,.0f}"),
    ("network bytes (emu: all wire bytes incl. write-back, TLS; sim: fetched pages)", f(emu["network_bytes"]),
     f(sim["fetched_bytes"]), "{:,.0f}"),
    ("dirty pages", f(emu["dirty_pages"]), f(sim["dirty_pages"]), "{:,.0f}"),
    ("reintegrated bytes (all)", f(emu["reintegrated_bytes"]), f(sim["reintegrated_bytes"]), "{:,.0f}"),
    ("reintegrated bytes without the 40 MiB metadata", f(emu["reintegrated_bytes"]),
     f(sim["reintegrated_bytes"]) - f(sim["migrated_bytes"]), "{:,.0f}"),
]
for s in hosted_states:
    rows.append((f"time {s} (s)", emu_t[s], sim_t[s], "{:,.3f}"))
rows.append(("time other states (s)", sum(v for k, v in emu_t.items() if k not in hosted_states), 0.0, "{:,.3f}"))
rows.append(("hosted span (s)", sum(emu_t.values()), sum(sim_t.values()), "{:,.3f}"))
rows.append(("desktop energy over the hosted span (J)", emu_e, sim_e, "{:,.1f}"))
rows.append(("mean desktop power over the span (W)", emu_e / max(sum(emu_t.values()), 1e-9),
             sim_e / max(sum(sim_t.values()), 1e-9), "{:,.2f}"))

print(f"# Emulated vs simulated: first {period / 60:g} min of pages-linux.csv, partial migration\n")
print("Written by `scripts/emu-vs-sim.sh`. Emulated: jettison-desktop (emulated power) and "
      f"jettison-replay (speed {speed:g}, sleep timeout 10 s, no prefetch, TLS over a veth pair). "
      "Simulated: `scenarios/emu/compare-linux.yaml` (partial), profile anchored at the migration's end "
      "so the hosted span replays the same accesses. Energy = state time x the watts of scenarios/default.yaml, "
      "over the hosted span only (the simulator's migrating/idle/resuming_full/reintegration are "
      "outside it). Simulated network bytes: the pages fetched (the model has no protocol overhead).\n")
print("| metric | emulated | simulated | emulated - simulated |")
print("|---|---:|---:|---:|")
for name, a, b, fmt in rows:
    print(f"| {name} | {num(a, fmt)} | {num(b, fmt)} | {diff(a, b, fmt.replace('{:', '{:+'))} |")
print()
if served:
    print(f"Agent: {summary.split(': ', 1)[1]}")
    print()
for l in replay_lines:
    if re.match(r"^(replayed|faults|fault latency|sleep rule|write-back|verified|note)", l):
        print(f"- replay: {l}")
print()
print("Agent's whole-lifetime report (start to SIGTERM, including the write-back wake):\n")
print("```")
print("\n".join(l for l in agent_report if l.strip()))
print("```")
EOF
# Publish: the raw outputs, then the table, each by rename.
rm -rf "$out/last"
mv "$run" "$out/last"
cp "$out/last/comparison.md" "$out/.comparison.md.tmp-$$"
mv "$out/.comparison.md.tmp-$$" "$out/comparison.md"
cat "$out/comparison.md"
echo "emu-vs-sim: wrote $out/comparison.md (raw outputs in $out/last/)"
