#!/usr/bin/env bash
# lab_walk.sh BUILD_DIR WORK_DIR SOURCE_DIR: README "Two lab machines" followed in a fresh Debian 12
# root, both machines on one private network namespace, up to the dry run:
#   1. the .deb (cpack) installed with apt from the local file (openssl beside it, as the README's
#      apt line; QEMU left out: this walk hosts no VM), the YAMLs and units copied into /etc as shown
#   2. make-psk.sh /etc/jettison lab-1 (mode 0600, the printed tls: lines)
#   3. both YAMLs configured for one loopback: the desktop listens on 127.0.0.1:7171 and enables
#      Wake-on-LAN on lo, the server connects there and sends magic packets out of a veth (d0); the
#      server's vm: section is dropped for --local-region (no QEMU in the root)
#   7. both daemons started with their units' ExecStart lines (the server's plus --local-region
#      --touch-pages 64 and a 2 s sleep timeout) inside unshare --net --mount --pid, chrooted: the
#      server fetches 64 pages, sends the desktop to sleep, the desktop logs the suspend plan and
#      writes nothing (the root has no /sys mounted); both `jettison-ctl status` outputs, text and
#      --json: the server's pages fetched and the desktop asleep, the desktop's pages served and
#      its server named (address and PSK identity).
# The root comes from fresh_root.sh's cache (Packaging.DebInFreshRoot's). Everything is removed at
# the end (the pid namespace takes the daemons with it; the root and WORK_DIR are deleted).
# Needs root, mmdebstrap, unshare and ip: without them it skips (exit 77).
set -euo pipefail
build=$1 work=$2 src=$3
fail() {
  echo "FAIL: $*" >&2
  for log in desktop.log server.log; do
    [ ! -s "$work/$log" ] || { echo "--- $log (last lines)" >&2; tail -20 "$work/$log" >&2; }
  done
  exit 1
}
# shellcheck source=tests/packaging/fresh_root.sh
source "$(dirname "$0")/fresh_root.sh"
fresh_root_skip_unless_able
command -v ip >/dev/null || { echo "SKIP: needs ip (iproute2)"; exit 77; }

root=$work/root
ok=0
cleanup() {
  rm -rf "$root"
  if [ "$ok" = 1 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
rm -rf "$work"
start=$(date +%s)
build_deb "$build" "$work"
fresh_root_tarball "$deb" "$work"
mkdir -p "$root"
tar -xf "$tarball" -C "$root"
in_root() { fresh_root_run "$root" "$@"; }

# Step 1: install, as the README shows it.
cp "$deb" "$root/tmp/"
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" openssl >"$work/apt.log" 2>&1 ||
  { tail -30 "$work/apt.log"; fail "apt could not install the .deb and openssl in the fresh root"; }
lab=/usr/share/jettison/lab
in_root install -d /etc/jettison /etc/systemd/system
in_root install -m 0644 $lab/desktop.yaml $lab/server.yaml /etc/jettison/
in_root install -m 0644 $lab/jettison-desktop.service $lab/jettison-server.service /etc/systemd/system/
# What the walk installed is what the repository holds (emu/lab/), byte for byte.
for f in desktop.yaml server.yaml; do
  cmp "$root/etc/jettison/$f" "$src/emu/lab/$f" || fail "/etc/jettison/$f differs from emu/lab/$f"
done
for f in jettison-desktop.service jettison-server.service; do
  cmp "$root/etc/systemd/system/$f" "$src/emu/lab/$f" || fail "/etc/systemd/system/$f differs from emu/lab/$f"
done

# Step 2: the key.
in_root $lab/make-psk.sh /etc/jettison lab-1 >"$work/make-psk.txt" 2>&1 || { cat "$work/make-psk.txt"; fail "make-psk.sh"; }
grep -q '^  psk_identity: lab-1$' "$work/make-psk.txt" || { cat "$work/make-psk.txt"; fail "make-psk.sh did not print the tls: lines"; }
[ "$(stat -c '%a %s' "$root/etc/jettison/psk.hex")" = "600 65" ] || fail "psk.hex is not mode 0600 with 64 hex digits"

# Step 3: configure (loopback instead of two machines).
sed -i 's/^listen: .*/listen: 127.0.0.1:7171/; s/psk_identity: .*/psk_identity: lab-1/; s/interface: eth0 /interface: lo /; s#^image: .*#image: /tmp/desk1.ram#' \
  "$root/etc/jettison/desktop.yaml"
sed -i 's/^connect: .*/connect: 127.0.0.1:7171/; s/psk_identity: .*/psk_identity: lab-1/; s/interface: eth0 /interface: d0 /' \
  "$root/etc/jettison/server.yaml"
# The server's vm: section (QEMU) out: this walk hosts a local region instead.
sed -i '/^vm:/,/^[a-z]/{/^vm:/d;/^[a-z]/!d}' "$root/etc/jettison/server.yaml"
grep -q '^vm:' "$root/etc/jettison/server.yaml" && fail "server.yaml still has its vm: section"
truncate -s 64M "$root/tmp/desk1.ram"
# The units' commands, as systemd would run them (RuntimeDirectory= makes /run/jettison).
exec_start() { sed -n 's/^ExecStart=//p' "$root/etc/systemd/system/$1"; }
desktop_cmd=$(exec_start jettison-desktop.service)
server_cmd="$(exec_start jettison-server.service) --local-region --touch-pages 64 --sleep timeout --sleep-timeout 2s --run-for 60s --periods 1 --control /run/jettison/server.sock"
[[ $desktop_cmd == "/usr/bin/jettison-desktop --config /etc/jettison/desktop.yaml --control /run/jettison/desktop.sock" ]] ||
  fail "jettison-desktop.service's ExecStart is '$desktop_cmd'"
mkdir -p "$root/run/jettison"
[ -z "$(ls -A "$root/sys")" ] || fail "the root's /sys is not empty before the walk"

# Step 7: the dry run. Inside: bounded polls, never fixed sleeps for an outcome.
cat >"$work/walk-inside.sh" <<'INSIDE'
set -u
root=$1 work=$2 desktop_cmd=$3 server_cmd=$4
r() { chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root "$@"; }
until_true() {  # until_true TENTHS CMD...: CMD every 0.1 s until it succeeds, at most TENTHS times
  local n=$1
  shift
  for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done
  return 1
}
ip link set lo up
ip link add d0 type veth peer name d1
ip addr add 10.9.9.1/24 brd + dev d0
ip link set d0 up
ip link set d1 up
# Started as chroot itself (not through r), so $! is the daemon's pid (chroot and env exec it).
# shellcheck disable=SC2086
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root $desktop_cmd --log-level debug >"$work/desktop.log" 2>&1 &
dpid=$!
until_true 200 test -S "$root/run/jettison/desktop.sock" || { echo "no desktop control socket"; exit 1; }
# shellcheck disable=SC2086
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root $server_cmd >"$work/server.log" 2>&1 &
spid=$!
asleep() {
  r jettison-ctl --socket /run/jettison/server.sock status --json >"$work/server-status.json" 2>/dev/null &&
    grep -q '"desktop_asleep":true' "$work/server-status.json"
}
until_true 600 asleep || { echo "the server never sent the desktop to sleep"; exit 1; }
until_true 200 grep -q "would write 'mem' to /sys/power/state" "$work/desktop.log" || { echo "no suspend plan logged"; exit 1; }
r jettison-ctl --socket /run/jettison/server.sock status >"$work/server-status.txt" 2>&1
r jettison-ctl --socket /run/jettison/desktop.sock status >"$work/desktop-status.txt" 2>&1
r jettison-ctl --socket /run/jettison/desktop.sock status --json >"$work/desktop-status.json" 2>&1
kill -TERM $spid
wait $spid
echo "server exit $?"
kill -TERM $dpid
wait $dpid
echo "desktop exit $?"
INSIDE
unshare --net --mount --pid --fork --mount-proc="$root/proc" bash "$work/walk-inside.sh" "$root" "$work" "$desktop_cmd" "$server_cmd" \
  >"$work/walk.log" 2>&1 || { cat "$work/walk.log"; fail "the dry run did not get through"; }
grep -q '^server exit 0$' "$work/walk.log" || { cat "$work/walk.log"; fail "jettison-server did not exit 0"; }
grep -q '^desktop exit 0$' "$work/walk.log" || { cat "$work/walk.log"; fail "jettison-desktop did not exit 0"; }

# The dry run's plan (README step 7), and nothing written: the root's /sys is still empty.
for line in "would ioctl SIOCETHTOOL ETHTOOL_GWOL, then ETHTOOL_SWOL wol g on lo" \
  "would write '+1800' to /sys/class/rtc/rtc0/wakealarm" "would write 'deep' to /sys/power/mem_sleep" \
  "would write 'mem' to /sys/power/state"; do
  grep -qF "power[real, dry run]: $line" "$work/desktop.log" || fail "the desktop's log lacks '$line'"
done
[ -z "$(ls -A "$root/sys")" ] || fail "the dry run wrote under /sys: $(ls -A "$root/sys")"

# Both statuses: the server fetched the 64 touched pages (and maybe prefetched more) and holds the
# desktop asleep; the desktop served those pages to the server it names.
echo "--- server status:"
cat "$work/server-status.txt"
echo "--- desktop status:"
cat "$work/desktop-status.txt"
grep -qE '^vm epoch 1 of 127\.0\.0\.1:7171: serving, [0-9]+ pages fetched .*desktop asleep' "$work/server-status.txt" ||
  fail "the server's status line"
grep -qE '^desktop: power [a-z_]+, (not )?serving, [0-9]+ pages served, 1 sleeps' "$work/desktop-status.txt" ||
  fail "the desktop's status line"
grep -qE '^server 127\.0\.0\.1 \(psk:lab-1\): ' "$work/desktop-status.txt" || fail "the desktop's status does not name its server"
/usr/bin/python3 - "$work/server-status.json" "$work/desktop-status.json" <<'PY' || fail "the statuses' JSON"
import json, sys
s = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
vm = s["vms"][0]
assert s["side"] == "server" and s["desktop"] == "127.0.0.1:7171", s
assert vm["pages_fetched"] >= 64 and vm["demand_pages"] >= 1, vm
assert vm["desktop_asleep"] is True and vm["sleeps"] == 1, vm
assert d["side"] == "desktop" and d["location"] == "no-vm" and d["sleeps"] == 1, d
assert d["last_wake"]["cause"] == "dry_run", d["last_wake"]
assert d["pages_served"] >= vm["pages_fetched"] - vm["zero_pages"], (d["pages_served"], vm)
srv = d["server"]
assert srv["address"] == "127.0.0.1" and srv["identity"] == "psk:lab-1", srv
print(f"server: {vm['pages_fetched']} pages fetched ({vm['demand_pages']} demand), desktop asleep; "
      f"desktop: {d['pages_served']} pages served to {srv['address']} ({srv['identity']})")
PY
ok=1
echo "the lab walk reached the dry run and both statuses in $(($(date +%s) - start)) s"
