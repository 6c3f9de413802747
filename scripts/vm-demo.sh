#!/usr/bin/env bash
# Partial migration of a real QEMU guest, end to end, on this machine, next to the whole-VM baselines
# on the same guest and link.
#
#   sudo scripts/vm-demo.sh [--guest tiny|debian] [--idle DURATION] [--settle DURATION] [--ram SIZE]
#                           [--prefetch none|spatial] [--json] [--no-baseline]
#
#   --guest GUEST    tiny (default: a busybox initramfs) or debian (Debian 12 with systemd booting from
#                    a root disk: each run boots a copy of the cached rootfs.img that the desktop, the
#                    server and the baselines open as shared storage; the copy is removed on exit)
#   --idle DURATION  how long the VM stays on the server while its desktop sleeps (default 60s;
#                    units ms, s, min)
#   --settle DURATION how long the booted guest runs on the desktop before go-idle (default 0 for tiny,
#                    90s for debian: systemd finishes its boot, so that the hosted period sees an idle
#                    desktop's memory activity, not the boot's)
#   --ram SIZE       the guest's RAM (default 512MiB for tiny, 1GiB for debian)
#   --prefetch RULE  the server's prefetcher: spatial (default, radius 16) or none. A capture meant
#                    for `jettison-trace fit pages` wants none: reads of prefetched pages raise no
#                    fault, so the page trace does not see them
#   --json           the last line of the output is one JSON object with the figures
#   --no-baseline    skip the pre-copy and post-copy runs (jettison-baseline)
#
# What it does: installs what is missing (apt-get), builds the project when a binary is missing, builds
# the test guest when it is not cached (scripts/build-guest.sh --tiny or --debian), makes two network
# namespaces ("desktop" and "server") joined by a veth pair, boots the guest under jettison-desktop in
# the desktop namespace (emulated power), starts jettison-server --qemu in the server namespace (TLS
# PSK, sleep rule timeout, Wake-on-LAN over the veth, spatial prefetch), migrates the VM out
# (jettison-ctl go-idle), lets it run on the server for --idle while the desktop sleeps and is woken
# for the pages the guest's worker keeps touching, brings it back (return), waits for the guest's
# heartbeat on the desktop again, stops everything and prints what happened. Then the same guest is
# migrated whole with pre-copy and with post-copy between the same namespaces (jettison-baseline).
# Everything made here (namespaces, processes, /dev/shm files, temp folders) is removed on exit,
# on error and on Ctrl-C. Needs root (namespaces, veth, userfaultfd, raw magic packets).
#
# Environment: JETTISON_BIN (binaries; default build/bin, built when missing), KEEP=1 (keep the work
# folder with every log; its path is printed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
me=vm-demo

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die_usage() {
  echo "$me: $*" >&2
  echo "(see $0 --help)" >&2
  exit 2
}

idle=60s ram="" json=0 baseline=1 guest_kind=tiny settle="" prefetch=spatial
given_args="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --idle)
      [[ $# -ge 2 ]] || die_usage "--idle needs a duration"
      idle="$2"
      shift
      ;;
    --idle=*) idle="${1#--idle=}" ;;
    --ram)
      [[ $# -ge 2 ]] || die_usage "--ram needs a size"
      ram="$2"
      shift
      ;;
    --ram=*) ram="${1#--ram=}" ;;
    --guest)
      [[ $# -ge 2 ]] || die_usage "--guest needs tiny or debian"
      guest_kind="$2"
      shift
      ;;
    --guest=*) guest_kind="${1#--guest=}" ;;
    --settle)
      [[ $# -ge 2 ]] || die_usage "--settle needs a duration"
      settle="$2"
      shift
      ;;
    --settle=*) settle="${1#--settle=}" ;;
    --prefetch)
      [[ $# -ge 2 ]] || die_usage "--prefetch needs none or spatial"
      prefetch="$2"
      shift
      ;;
    --prefetch=*) prefetch="${1#--prefetch=}" ;;
    --json) json=1 ;;
    --no-baseline) baseline=0 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
  shift
done
# --idle in seconds (may be fractional).
idle_s="$(awk -v d="$idle" 'BEGIN {
  if (match(d, /^[0-9]+(\.[0-9]+)?/)) { n = substr(d, 1, RLENGTH) + 0; u = substr(d, RLENGTH + 1) } else exit 1
  if (u == "ms") n /= 1000; else if (u == "min" || u == "m") n *= 60; else if (u != "s" && u != "") exit 1
  if (n < 1 || n > 3600) exit 1
  printf "%g", n }')" || die_usage "--idle '$idle' is not a duration of 1s..60min (like 30s, 2min)"
[[ $guest_kind == tiny || $guest_kind == debian ]] || die_usage "--guest '$guest_kind' is not tiny or debian"
[[ $prefetch == none || $prefetch == spatial ]] || die_usage "--prefetch '$prefetch' is not none or spatial"
[[ -n $settle ]] || { if [[ $guest_kind == debian ]]; then settle=90s; else settle=0s; fi; }
settle_s="$(awk -v d="$settle" 'BEGIN {
  if (match(d, /^[0-9]+/)) { n = substr(d, 1, RLENGTH) + 0; u = substr(d, RLENGTH + 1) } else exit 1
  if (u == "min" || u == "m") n *= 60; else if (u != "s" && u != "") exit 1
  if (n > 3600) exit 1
  printf "%d", n }')" || die_usage "--settle '$settle' is not a whole number of seconds up to 60min (like 0s, 90s)"
[[ -n $ram ]] || { if [[ $guest_kind == debian ]]; then ram=1GiB; else ram=512MiB; fi; }
[[ $ram =~ ^[0-9]+(MiB|GiB)$ ]] || die_usage "--ram '$ram' is not a size like 512MiB or 1GiB"
if [[ $ram == *GiB ]]; then ram_bytes=$((${ram%GiB} << 30)); else ram_bytes=$((${ram%MiB} << 20)); fi
((ram_bytes > 0)) || die_usage "--ram must be positive"
if [[ $EUID -ne 0 ]]; then
  echo "$me: must run as root (network namespaces, a veth pair, userfaultfd, raw magic packets): sudo $0 $given_args" >&2
  exit 2
fi
# Progress goes to stderr with --json, so that stdout ends with the JSON line.
say() { if ((json)); then echo "$me: $*" >&2; else echo "$me: $*"; fi; }
fail() {
  echo "$me: error: $*" >&2
  exit 1
}
t_start=$(date +%s.%N)

# --- 1. packages, binaries, guest ---------------------------------------------------------------
source "$root/scripts/lib/deps.sh"
jettison_install_deps qemu-system-x86 busybox-static cpio iproute2 >&2
bin="${JETTISON_BIN:-$root/build/bin}"
for b in jettison-desktop jettison-server jettison-ctl jettison-baseline ../lib/libjettison-uffd-handoff.so; do
  if [[ ! -e $bin/$b ]]; then
    say "building the project ($bin/$b is missing)"
    jettison_build keep >&2
    bin="$root/build/bin"
    break
  fi
done
guest="$("$root/scripts/build-guest.sh" "--$guest_kind")"
if [[ $guest_kind == debian ]]; then
  initrd="$guest/initrd.img" guest_files=(vmlinuz initrd.img rootfs.img cmdline) boot_limit=600
else
  initrd="$guest/initramfs.cpio.gz" guest_files=(vmlinuz initramfs.cpio.gz cmdline) boot_limit=180
fi
for f in "${guest_files[@]}"; do [[ -f $guest/$f ]] || fail "the $guest_kind guest in $guest lacks $f"; done
# The worker writes one new page a second (the server fetches it: the sleeping desktop is woken when
# the prefetched neighbours run out) and reads one; heartbeats every second.
append="$(cat "$guest/cmdline") jettison.heartbeat_ms=1000 jettison.touch_pps=1 jettison.write_pps=1"

# --- cleanup: everything made here goes, on success, error or signal ---------------------------
tag="jvd$$"
ns_d="$tag-desktop" ns_s="$tag-server" if_d="${tag}d" if_s="${tag}s"
work="" shm="" desktop_pid="" server_pid="" baseline_pid=""
stop_pid() { # $1: pid; TERM, then KILL after 10 s
  local pid="$1"
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$baseline_pid"
  stop_pid "$server_pid"
  stop_pid "$desktop_pid"
  # QEMUs run in process groups of their own: any left in the namespaces (a daemon killed hard) go too.
  for ns in "$ns_s" "$ns_d"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  [[ -n $shm && -d $shm ]] && rm -rf "$shm"
  [[ -n $work && -d $work/disks ]] && rm -rf "$work/disks" # disk copies go even with KEEP=1
  if [[ -n $work && -d $work ]]; then
    if [[ ${KEEP:-0} == 1 ]]; then echo "$me: kept $work" >&2; else rm -rf "$work"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work="$(mktemp -d /tmp/jettison-vm-demo.XXXXXX)"
shm="$(mktemp -d /dev/shm/jettison-vm-demo.XXXXXX)" # every guest RAM file: the desktop's, the server's
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/psk.hex"
chmod 600 "$work/psk.hex"

# The Debian guest's root disk: a copy of the cached image per QEMU that boots it (the desktop's VM,
# then each baseline), never the cache's own file. The server's QEMU opens the desktop's copy.
disk_flags=()
fresh_disk() { # $1: name; prints the path of a fresh copy of the cached rootfs.img in the work folder
  cp --sparse=always "$guest/rootfs.img" "$work/disks/$1.img"
  echo "$work/disks/$1.img"
}
if [[ $guest_kind == debian ]]; then
  mkdir -p "$work/disks"
  disk_flags=(--vm-disk "$(fresh_disk desktop)")
fi

# --- 2. two namespaces joined by a veth pair ----------------------------------------------------
source "$root/scripts/lib/netns.sh"
jettison_netns_pair "$ns_d" "$ns_s" "$if_d" "$if_s" || fail "cannot build the namespace pair (or read the MAC of $if_d)"
port=7000

# Waits up to $2 s for grep -E "$1" to match in file $3; fails quoting $4 (a log) if process $5 dies.
wait_for() {
  local pattern="$1" limit="$2" file="$3" log="$4" pid="$5" i
  for ((i = 0; i < limit * 10; i++)); do
    grep -qE -- "$pattern" "$file" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log" >&2
      fail "$(basename "$log" .log) exited while waiting for /$pattern/ in $(basename "$file")"
    fi
    sleep 0.1
  done
  tail -n 30 "$log" >&2
  fail "no /$pattern/ in $file within $limit s"
}
now() { date '+%Y-%m-%d %H:%M:%S.%N'; } # wall clock (CLOCK_REALTIME), the format of spdlog's stamps
ctl() { "$bin/jettison-ctl" --socket "$work/desktop.sock" "$@"; }

# --- 3. the desktop: the guest boots under jettison-desktop -------------------------------------
say "booting a $ram $guest_kind guest on the desktop (namespace $ns_d, $addr_d)"
mkdir -p "$work/desktop" "$work/server" "$work/out"
ip netns exec "$ns_d" "$bin/jettison-desktop" --vm-kernel "$guest/vmlinuz" --vm-initrd "$initrd" "${disk_flags[@]}" \
  --vm-append "$append" --vm-ram "$ram" --vm-name "$tag" --vm-dir "$work/desktop" \
  --vm-ram-file "$shm/desktop.ram" --listen "$addr_d:$port" --psk-file "$work/psk.hex" \
  --psk-identity vm-demo --interface "$if_d" --power emulated --suspend-delay 0.3s \
  --resume-selective 0.2s --resume-full 0.5s --control "$work/desktop.sock" --log-level debug \
  >"$work/desktop.log" 2>&1 &
desktop_pid=$!
wait_for "jettison-heartbeat 2 " "$boot_limit" "$work/desktop/serial.log" "$work/desktop.log" "$desktop_pid"
[[ -S $work/desktop.sock ]] || wait_for "control socket" 30 "$work/desktop.log" "$work/desktop.log" "$desktop_pid"
if ((settle_s > 0)); then
  say "letting the guest settle for $settle_s s on the desktop"
  sleep "$settle_s"
  kill -0 "$desktop_pid" 2>/dev/null || { tail -n 30 "$work/desktop.log" >&2; fail "the desktop exited while the guest settled"; }
fi

# --- 4. the server: waits for the VM ------------------------------------------------------------
say "starting the server (namespace $ns_s, $addr_s): sleep rule timeout 3s, Wake-on-LAN, prefetch $prefetch"
ip netns exec "$ns_s" "$bin/jettison-server" --connect "$addr_d:$port" --psk-file "$work/psk.hex" \
  --psk-identity vm-demo --qemu --run-dir "$work/server" --ram-dir "$shm" --periods 1 --out "$work/out" \
  --sleep timeout --sleep-timeout 3s --wol-interface "$if_s" --desktop-mac "$mac_d" --prefetch "$prefetch" \
  >"$work/server.log" 2>&1 &
server_pid=$!
wait_for "waiting for the desktop's VM" 60 "$work/server.log" "$work/server.log" "$server_pid"

# --- 5. go idle: the device state moves, the pages follow on demand -----------------------------
say "go-idle: partial migration to the server"
go_idle_at="$(now)"
ctl go-idle --json >"$work/go-idle.json" || fail "jettison-ctl go-idle failed: $(cat "$work/go-idle.json")"
wait_for "-> serving" 120 "$work/server.log" "$work/server.log" "$server_pid"
# The desktop's console up to the move (a QEMU that runs the VM again may start the file anew).
cp "$work/desktop/serial.log" "$work/desktop-serial-before.log"
say "the VM runs on the server; idling for $idle_s s while the desktop sleeps and is woken"
end=$(($(date +%s) + ${idle_s%.*}))
while (($(date +%s) < end)); do
  kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$work/server.log" >&2; fail "the server exited early"; }
  kill -0 "$desktop_pid" 2>/dev/null || { tail -n 30 "$work/desktop.log" >&2; fail "the desktop exited early"; }
  sleep 0.5
done

# --- 6. the user is back: dirty pages and device state return -----------------------------------
say "return: reintegrating the VM on the desktop"
ctl return --json >"$work/return.json" || fail "jettison-ctl return failed: $(cat "$work/return.json")"
for ((i = 0; i < 1200; i++)); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null && { tail -n 30 "$work/server.log" >&2; fail "the server did not finish within 120 s"; }
server_rc=0
wait "$server_pid" || server_rc=$?
server_pid=""
((server_rc == 0)) || { tail -n 40 "$work/server.log" >&2; fail "jettison-server failed (exit $server_rc)"; }
server_logs=("$work"/server/*-epoch-*/serial.log)
server_serial="${server_logs[0]}"
[[ -f $server_serial ]] || fail "no serial log of the server's QEMU under $work/server"
# The VM runs on the desktop again: its status says so, and its console shows a heartbeat beyond the
# last one the server's QEMU printed.
last_server_beat="$({ grep -oE 'jettison-heartbeat [0-9]+ ' "$server_serial" || true; } | tail -n1 | awk '{print $2}')"
for ((i = 0; i < 600; i++)); do
  ctl status --json >"$work/status.json" 2>/dev/null || true
  if grep -q '"vm":"running-local"' "$work/status.json" &&
    grep -qE "jettison-heartbeat $((${last_server_beat:-0} + 2)) " "$work/desktop/serial.log"; then
    break
  fi
  kill -0 "$desktop_pid" 2>/dev/null || { tail -n 30 "$work/desktop.log" >&2; fail "the desktop exited"; }
  sleep 0.1
done
((i < 600)) || { cat "$work/status.json" >&2; fail "the VM did not run on the desktop again within 60 s"; }
say "the VM runs on the desktop again"
stop_pid "$desktop_pid"
desktop_pid=""

# --- 7. the baselines: the same guest migrated whole between the same namespaces ----------------
precopy="" postcopy=""
if ((baseline)); then
  for mode in precopy postcopy; do
    say "baseline: $mode of the same guest from $ns_d to $ns_s"
    base_disk=()
    [[ $guest_kind == debian ]] && base_disk=(--disk "$(fresh_disk "$mode")")
    "$bin/jettison-baseline" --mode "$mode" --kernel "$guest/vmlinuz" --initrd "$initrd" "${base_disk[@]}" \
      --append "$append" --ram "$ram" --boot-timeout "${boot_limit}s" --settle "${settle_s}s" --src-netns "$ns_d" --dst-netns "$ns_s" --dst-ip "$addr_s" --port 4444 \
      --json >"$work/$mode.json" 2>"$work/$mode.log" &
    baseline_pid=$!
    rc=0
    wait "$baseline_pid" || rc=$?
    baseline_pid=""
    ((rc == 0)) || { cat "$work/$mode.log" "$work/$mode.json" >&2; fail "jettison-baseline --mode $mode failed ($rc)"; }
  done
  precopy="$work/precopy.json" postcopy="$work/postcopy.json"
fi

# --- 8. what happened ---------------------------------------------------------------------------
t_end=$(date +%s.%N)
python3 - "$work" "$go_idle_at" "$server_serial" "$ram_bytes" "$json" "$precopy" "$postcopy" \
  "$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')" "$idle_s" "$guest_kind" <<'EOF'
import csv, json, re, sys
from datetime import datetime

work, go_idle_at, server_serial, ram_bytes, as_json, pre, post, total_s, idle_s, guest_kind = sys.argv[1:]
text = lambda p: open(p, errors="replace").read()
server_log = text(f"{work}/server.log")

# Migration time: the go-idle command (this script's `date`) to the server's "-> serving" log line
# (spdlog's stamp); both are the wall clock (CLOCK_REALTIME), local time.
def stamp(s):
    return datetime.strptime(s[:26], "%Y-%m-%d %H:%M:%S.%f")
serving = re.search(r"^\[([0-9-]+ [0-9:.]+)\] \[info\] .*-> serving", server_log, re.M)
migration_s = (stamp(serving.group(1)) - stamp(go_idle_at)).total_seconds()

row = next(csv.DictReader(open(f"{work}/out/periods.csv")))
num = lambda k: int(float(row[k])) if row.get(k) not in (None, "") else None
dev = re.search(r"device state: (\d+) bytes in, (\d+) bytes out", server_log)
wb = re.search(r"write-back: (\d+) pages, (\d+) bytes in ([0-9.]+) ms", server_log)
# The server's period report: demand-fault latency (TLS, the fetcher's view) and the reintegration.
lat = re.search(r"fault latency p50 ([0-9.]+) us, p99 ([0-9.]+) us \((\d+) samples\)", server_log)
reint = re.search(r"^reintegration ([0-9.]+) s", server_log, re.M)

# Heartbeat continuity: the desktop's console up to the move, the server's QEMU's console, then the
# desktop's console after the return (the whole file when its QEMU started it anew, the part after the
# first copy when it appended). Joined as text, so a line cut at a switch is whole again.
before = text(f"{work}/desktop-serial-before.log")
after = text(f"{work}/desktop/serial.log")
appended = after.startswith(before)
joined = before + text(server_serial) + (after[len(before):] if appended else after)
beats = [int(m.group(1)) for m in re.finditer(r"jettison-heartbeat (\d+) \d+\r?\n", joined)]
continuous = bool(beats) and beats[0] == 1 and all(b == a + 1 for a, b in zip(beats, beats[1:]))
gaps = [(a, b) for a, b in zip(beats, beats[1:]) if b != a + 1]

baseline = lambda p: json.load(open(p)) if p else None
pre_j, post_j = baseline(pre), baseline(post)
status = json.load(open(f"{work}/status.json"))
result = {
    "migrated_bytes": int(dev.group(1)) if dev else None,
    "migration_seconds": round(migration_s, 3),
    # Every page that came from the desktop: on demand (the faulting ones) and prefetched beside them.
    "fetched_pages": num("fetched_pages") + num("prefetched_pages"),
    "demand_pages": num("fetched_pages"),
    "prefetched_pages": num("prefetched_pages"),
    "wakeups": num("wakeups"),
    "desktop_sleeps": status.get("sleeps"),
    "dirty_pages": num("dirty_pages"),
    "reintegrated_bytes": num("reintegrated_bytes"),
    "written_back_bytes": int(wb.group(2)) if wb else 0,
    "write_back_ms": float(wb.group(3)) if wb else None,
    "reintegration_seconds": float(reint.group(1)) if reint else None,
    "return_latency_seconds": float(row["return_latency_s"]) if row.get("return_latency_s") else None,
    "fault_latency_p50_us": float(lat.group(1)) if lat else None,
    "fault_latency_p99_us": float(lat.group(2)) if lat else None,
    "fault_latency_samples": int(lat.group(3)) if lat else None,
    "network_bytes": num("network_bytes"),
    "guest_ram_bytes": int(ram_bytes),
    "heartbeat_continuous": continuous,
    "heartbeats": len(beats),
    "desktop_serial_appended": appended,
    "precopy_bytes": pre_j["transferred_bytes"] if pre_j else None,
    "precopy_seconds": round(pre_j["total_time_ms"] / 1000, 3) if pre_j else None,
    "precopy_downtime_ms": pre_j["downtime_ms"] if pre_j else None,
    "postcopy_bytes": post_j["transferred_bytes"] if post_j else None,
    "postcopy_seconds": round(post_j["total_time_ms"] / 1000, 3) if post_j else None,
    "postcopy_downtime_ms": post_j["downtime_ms"] if post_j else None,
    "guest": guest_kind,
    "idle_seconds": float(idle_s),
    "run_seconds": float(total_s),
}
mb = lambda b: "-" if b is None else f"{b / 1e6:,.1f} MB"
lines = [
    f"guest RAM                {mb(result['guest_ram_bytes'])}",
    f"migrated (device state)  {mb(result['migrated_bytes'])} in {migration_s:.3f} s "
    "(wall clock: go-idle command to the server's 'serving' log line)",
    f"fetched pages            {result['fetched_pages']} ({result['demand_pages']} on demand, "
    f"{result['prefetched_pages']} prefetched beside them)",
    f"wake-ups                 {result['wakeups']} (desktop slept {result['desktop_sleeps']} times)",
    f"dirty pages              {result['dirty_pages']}",
    f"reintegrated             {mb(result['reintegrated_bytes'])} "
    f"(dirty pages written back {mb(result['written_back_bytes'])}, the rest device state)",
    f"reintegration            {result['reintegration_seconds']} s (write-back {result['write_back_ms']} ms); "
    f"return latency {result['return_latency_seconds']} s",
    f"fault latency            p50 {result['fault_latency_p50_us']} us, p99 {result['fault_latency_p99_us']} us "
    f"({result['fault_latency_samples']} faults, TLS)",
    f"network, all             {mb(result['network_bytes'])}",
    f"heartbeat                {'continuous' if continuous else 'NOT continuous'}: {len(beats)} beats, "
    f"1..{beats[-1] if beats else 0} across desktop, server, desktop"
    + (f"; gaps {gaps[:5]}" if gaps else "")
    + ("" if appended else " (the desktop's console was started anew by the returning QEMU)"),
    f"pre-copy baseline        {mb(result['precopy_bytes'])}"
    + (f" in {result['precopy_seconds']} s (downtime {result['precopy_downtime_ms']} ms)" if pre_j else " (skipped)"),
    f"post-copy baseline       {mb(result['postcopy_bytes'])}"
    + (f" in {result['postcopy_seconds']} s (downtime {result['postcopy_downtime_ms']} ms)" if post_j else " (skipped)"),
    f"whole run                {total_s} s (idle {idle_s} s)",
]
out = sys.stderr if as_json == "1" else sys.stdout
print("\n".join(lines), file=out)
if as_json == "1":
    print(json.dumps(result))
EOF
