#!/usr/bin/env bash
# The emulated run of a page trace next to the simulator's prediction for the same trace, in one
# report (issues 6 and 12): wake-ups, pages fetched and prefetched, dirty pages, bytes, time per power
# state and the desktop's energy over the span the VM is hosted, side by side, every difference
# marked equal / within 5% / explained, each explanation drawn from the two runs' outputs and logs.
#
#   sudo scripts/emu-vs-sim.sh [--capture FILE.csv] [--from SECONDS] [MINUTES]
#   sudo scripts/emu-vs-sim.sh --synthetic [MINUTES]
#
# --capture (the default): a real guest's captured hosted period (time,page,op; time 0 = the guest
# resumed on the server), by default scenarios/emu/debian-guest-pages.csv (the Debian 12 guest, 1 GiB,
# 10 minutes, captured by KEEP=1 scripts/vm-demo.sh --guest debian --prefetch none). Replayed from
# --from SECONDS (default 0) for MINUTES (default 10), with vm-demo.sh's settings: sleep rule timeout
# 3 s, suspend 0.3 s, selective resume 0.2 s, full resume 0.5 s, exact dirty tracking
# (write-protect faults), prefetch none (PREFETCH=spatial: radius 16); simulated with
# scenarios/emu/vm-vs-sim.yaml set to the same.
# --synthetic: the first MINUTES of traces/samples/pages-linux.csv (up to 120), scenarios/default.yaml's
# transition delays, sleep timeout 10 s, no prefetch, exact dirty tracking (DIRTY_TRACKING=0: every
# resident page counts as dirty); simulated with scenarios/emu/compare-linux.yaml.
#
# Emulated side: a sparse memory image in /dev/shm (random pages where the trace touches, zeros
# elsewhere); jettison-desktop (emulated power, starting in `serving` as the simulated desktop does
# when the VM lands) in one network namespace; jettison-replay (TLS PSK, Wake-on-LAN, speed 1,
# --write-back, --verify) in another. Both namespaces and the veth pair joining them are made here
# with unique names and removed on exit (also on error and Ctrl-C); magic packets stay inside them.
# Simulated side: the scenario's profile anchored at the migration's end (anchor: migration-end), so
# the hosted span sees the same accesses at the same offsets; the idle period lasts S + the span, S
# the simulated migration's end, learnt from a first simulator run.
#
# Writes OUT/report/index.html (jettison_report.py SIM --emulated EMU: the simulator's run and a
# "Simulated vs emulated" section), OUT/comparison.md (that section as Markdown, printed), and the
# raw outputs in OUT/last/ (sim/: a jettison-sim run folder, emu/: periods.csv, the agent's and the
# replay's logs, settings.json, trace.csv). Each is replaced whole. Needs root.
# Environment: JETTISON_BIN (binaries; default build/bin, built when missing), OUT (default
# results/emu-vs-sim), PREFETCH (none or spatial), SPEED (replay time scale, default 1), DIRTY_TRACKING.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
me=emu-vs-sim
usage() { sed -n '7,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
mode=capture capture="$root/scenarios/emu/debian-guest-pages.csv" from=0 minutes=10
while (($#)); do
  case "$1" in
    -h | --help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --capture) [[ $# -ge 2 ]] || usage; mode=capture capture="$2"; shift 2 ;;
    --capture=*) mode=capture capture="${1#*=}"; shift ;;
    --from) [[ $# -ge 2 ]] || usage; from="$2"; shift 2 ;;
    --from=*) from="${1#*=}"; shift ;;
    --synthetic) mode=synthetic; shift ;;
    -*) echo "$me: unknown option '$1'" >&2; usage ;;
    *) minutes="$1"; shift ;;
  esac
done
if [[ $EUID -ne 0 ]]; then
  echo "$me: needs root (network namespaces, a veth pair, userfaultfd, raw magic packets)" >&2
  exit 2
fi
if ! [[ $minutes =~ ^[0-9]+$ ]] || ((minutes < 1 || minutes > 120)); then
  echo "$me: MINUTES must be a whole number in 1..120, got '$minutes'" >&2
  exit 2
fi
if ! [[ $from =~ ^[0-9]+$ ]]; then
  echo "$me: --from must be a whole number of seconds, got '$from'" >&2
  exit 2
fi
speed="${SPEED:-1}"
prefetch="${PREFETCH:-none}"
[[ $prefetch == none || $prefetch == spatial ]] ||
  { echo "$me: PREFETCH must be none or spatial, got '$prefetch'" >&2; exit 2; }
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
  command -v "$tool" >/dev/null || { echo "$me: '$tool' is missing" >&2; exit 2; }
done
py=python3
[[ -x /usr/bin/python3 ]] && py=/usr/bin/python3  # Debian's, which sees python3-matplotlib and -pandas

period_s=$((minutes * 60))
out="${OUT:-$root/results/emu-vs-sim}"
sets=()
if [[ $mode == capture ]]; then
  [[ -s $capture ]] || { echo "$me: --capture '$capture': no such file (or empty)" >&2; exit 2; }
  capture="$(cd "$(dirname "$capture")" && pwd)/$(basename "$capture")"
  trace="$capture"
  scenario="$root/scenarios/emu/vm-vs-sim.yaml"
  # vm-demo.sh's desktop and server (the capture's settings); the watts are the scenario's.
  suspend_delay=0.3s resume_selective=0.2s resume_full=0.5s sleep_timeout=3s
  dirty=(--dirty-tracking)
  prefetch_flags=(--prefetch "$prefetch")
  sets+=(--set "policy.sleep.timeout=$sleep_timeout" --set "policy.prefetch.rule=$prefetch")
  [[ $prefetch == spatial ]] && { prefetch_flags+=(--radius 16); sets+=(--set policy.prefetch.radius=16); }
else
  ((from == 0)) || { echo "$me: --from is for --capture only" >&2; exit 2; }
  trace="$root/traces/samples/pages-linux.csv"
  scenario="$root/scenarios/emu/compare-linux.yaml"
  # scenarios/default.yaml's transition delays (the simulator's defaults).
  suspend_delay=3.09s resume_selective=0.7s resume_full=3s sleep_timeout=10s
  dirty=(--dirty-tracking)
  [[ ${DIRTY_TRACKING:-1} == 0 ]] && dirty=()
  prefetch=none prefetch_flags=(--prefetch none)
fi

# --- cleanup: everything made here goes, on success, error or signal ---------------------------
tag="jes$$"
ns_d="$tag-d" ns_s="$tag-s" if_d="${tag}d" if_s="${tag}s"
work="" run=""
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
  # A failed run keeps its folder for the logs (named in the error); a run never finished does not.
  [[ $rc -eq 0 || $rc -eq 1 ]] || { [[ -n $run && -d $run ]] && rm -rf "$run"; }
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work="$(mktemp -d /dev/shm/jettison-emu-vs-sim.XXXXXX)"
mkdir -p "$out"
run="$out/run.tmp-$$"
rm -rf "$run"
mkdir -p "$run/sim-probe" "$run/sim" "$run/emu" "$run/inputs"

# --- 1. the span: the trace's rows in [from, from + period), times from `from` -------------------
# Plus one read of an already-resident page 1 ms before the end (no fault, no fetch, no request: it
# only keeps the replay, and so the sleep controller, running for the whole span, as the simulator's
# timer runs until the user returns). The emulated trace and the simulated profile are the same rows.
span_info="$("$py" - "$trace" "$from" "$period_s" "$run/inputs/span.csv" "$mode" <<'PY'
import sys
trace, start, period, dest, mode = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
rows, last_page = [], 0
with open(trace) as f:
    header = f.readline().strip()
    if header != "time,page,op":
        sys.exit(f"emu-vs-sim: {trace}:1: expected the header time,page,op, got '{header}'")
    for n, line in enumerate(f, start=2):
        try:
            t, p, o = line.strip().split(",")
            t, p = float(t), int(p)
            assert o in ("r", "w")
        except (ValueError, AssertionError):
            sys.exit(f"emu-vs-sim: {trace}:{n}: expected time,page,op (seconds, page number, r or w): '{line.strip()}'")
        last_page = max(last_page, p)
        if start <= t < start + period:
            rows.append((t - start, p, o))
if not rows:
    sys.exit(f"emu-vs-sim: {trace}: no access in [{start:g} s, {start + period:g} s)")
rows.append((period - 0.001, rows[0][1], "r"))
with open(dest, "w") as f:
    f.write("time,page,op\n" + "".join(f"{t:.6f},{p},{o}\n" for t, p, o in rows))
# The image: the smallest power of two that holds every page of the trace (1 GiB for the Debian
# guest), at least 4 GiB for the synthetic trace (a 4 GiB VM's page numbers).
size = 1 << 20
while size < (last_page + 1) * 4096:
    size <<= 1
print(max(size, 4 << 30) if mode == "synthetic" else size, len(rows) - 1)
PY
)"
read -r image_bytes rows_in_span <<<"$span_info"
[[ $mode == capture ]] && sets+=(--set "desktop.vm_memory=${image_bytes}B")

# --- 2. simulator first (fast): the migration's end S, then the span over S + period -------------
printf 'desktop,start,end\nd00,0,100000\n' >"$run/inputs/probe-idle.csv"
"$bin/jettison-sim" run "$scenario" "${sets[@]}" --set "idle_trace=$run/inputs/probe-idle.csv" \
  --set "page_traces.profiles.0.file=$run/inputs/span.csv" --out "$run/sim-probe" --quiet
hosted_from="$("$py" - "$run/sim-probe/periods.csv" <<'PY'
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
assert r["outcome"] == "migrated", r["outcome"]
# idle until migrate_after, then migrating for the migration's latency: the VM lands at their sum.
print(f'{float(r["t_idle_s"]) + float(r["migration_latency_s"]):.6f}')
PY
)"
rm -rf "$run/sim-probe" "$run/inputs/probe-idle.csv"
awk -v s="$hosted_from" -v p="$period_s" 'BEGIN { printf "desktop,start,end\nd00,0,%.6f\n", s + p }' \
  >"$run/inputs/sim-idle.csv"
"$bin/jettison-sim" run "$scenario" "${sets[@]}" --set "idle_trace=$run/inputs/sim-idle.csv" \
  --set "page_traces.profiles.0.file=$run/inputs/span.csv" --out "$run/sim" >"$run/sim.txt"

# --- 3. the memory image: sparse, random content on every page the span touches -----------------
"$py" - "$run/inputs/span.csv" "$work/vm.ram" "$image_bytes" <<'PY'
import random, sys
trace, image, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
page = 4096
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
PY
"$py" -c 'import secrets; print(secrets.token_hex(32))' >"$work/psk.hex"
chmod 600 "$work/psk.hex"

# --- 4. two namespaces joined by a veth pair ----------------------------------------------------
source "$root/scripts/lib/netns.sh"
jettison_netns_pair "$ns_d" "$ns_s" "$if_d" "$if_s" ||
  { echo "$me: cannot build the namespace pair (or read the MAC of $if_d)" >&2; exit 1; }
port=7000

# --- 5. the desktop agent, then the replay ------------------------------------------------------
# Bounded even if something hangs: the period, plus 5 minutes.
limit="$(awk -v p="$period_s" -v s="$speed" 'BEGIN { printf "%d", p / s + 300 }')"
ip netns exec "$ns_d" timeout -s TERM "$((limit + 60))" "$bin/jettison-desktop" --image "$work/vm.ram" \
  --listen "$addr_d:$port" --psk-file "$work/psk.hex" --psk-identity emu-vs-sim --interface "$if_d" \
  --power emulated --initial-state serving --suspend-delay "$suspend_delay" \
  --resume-selective "$resume_selective" --resume-full "$resume_full" --packet-resume selective \
  --speed "$speed" --log-level debug >"$run/emu/agent.log" 2>&1 &
agent_pid=$!
for i in $(seq 500); do
  grep -q "serving .* on " "$run/emu/agent.log" && break
  kill -0 "$agent_pid" 2>/dev/null || { cat "$run/emu/agent.log" >&2; echo "$me: the agent died" >&2; exit 1; }
  sleep 0.01
  ((i < 500)) || { cat "$run/emu/agent.log" >&2; echo "$me: the agent did not start" >&2; exit 1; }
done

echo "$me: replaying $rows_in_span accesses of $(basename "$trace") from $from s for $minutes min at speed $speed" \
  "(about $(awk -v p="$period_s" -v s="$speed" 'BEGIN { printf "%d", p / s }') s)..."
ip netns exec "$ns_s" timeout -s TERM "$limit" "$bin/jettison-replay" --trace "$run/inputs/span.csv" \
  --connect "$addr_d:$port" --psk-file "$work/psk.hex" --psk-identity emu-vs-sim \
  --wol-interface "$if_s" --desktop-mac "$mac_d" --sleep timeout --sleep-timeout "$sleep_timeout" \
  "${prefetch_flags[@]}" --speed "$speed" --period "${period_s}s" "${dirty[@]}" --image "$work/vm.ram" --verify \
  --write-back --give-up-after 60s --desktop d00 --log-level debug --out "$run/emu/periods.csv" \
  >"$run/emu/replay.log" 2>&1 &
replay_pid=$!
set +e
wait "$replay_pid"
replay_rc=$?
set -e
replay_pid=""
if ((replay_rc != 0)); then
  tail -n 40 "$run/emu/replay.log" >&2
  echo "$me: jettison-replay failed ($replay_rc); logs in $run/emu" >&2
  exit 1
fi
kill -TERM "$agent_pid"
for _ in $(seq 100); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
wait "$agent_pid" || true
agent_pid=""

# What the emulated run was given, for the comparison (it reads the rest from the two folders).
cp "$run/inputs/span.csv" "$run/emu/trace.csv"
"$py" - "$run/emu/settings.json" <<PY
import json, sys
json.dump({"mode": "$mode", "trace": "${trace#"$root"/}", "from_s": $from, "period_s": $period_s,
           "speed": $speed, "accesses": $rows_in_span, "image_bytes": $image_bytes,
           "sleep_rule": "timeout", "sleep_timeout": "$sleep_timeout", "prefetch": "$prefetch",
           "radius": 16 if "$prefetch" == "spatial" else None, "dirty_tracking": ${#dirty[@]} > 0,
           "suspend": "$suspend_delay", "resume_selective": "$resume_selective",
           "resume_full": "$resume_full", "scenario": "${scenario#"$root"/}",
           "sets": "${sets[*]}", "hosted_from_s": $hosted_from},
          open(sys.argv[1], "w"), indent=1)
PY

# --- 6. the report and the table ----------------------------------------------------------------
rm -rf "$run/report"
"$py" "$root/analysis/jettison_report.py" "$run/sim" --emulated "$run/emu" --out "$run/report" --quiet \
  --title "Simulated vs emulated: $(basename "$trace"), $minutes min from $from s"
PYTHONPATH="$root/analysis" PYTHONDONTWRITEBYTECODE=1 "$py" -m jettison_report.emu_comparison \
  "$run/sim" "$run/emu" >"$run/comparison.md"

# Publish: the raw outputs, then the report and the table, each by rename.
rm -rf "$out/last"
mv "$run" "$out/last"
run=""
rm -rf "$out/.report.old-$$"
[[ -d $out/report ]] && mv "$out/report" "$out/.report.old-$$"
mv "$out/last/report" "$out/report"
rm -rf "$out/.report.old-$$"
cp "$out/last/comparison.md" "$out/.comparison.md.tmp-$$"
mv "$out/.comparison.md.tmp-$$" "$out/comparison.md"
cat "$out/comparison.md"
echo "$me: wrote $out/report/index.html and $out/comparison.md (raw outputs in $out/last/)"
