#!/usr/bin/env bash
# Emulator benchmark: userfaultfd fault service latency (p50, p99) and pages per second over a local
# image, plain TCP and TLS 1.3 PSK, on loopback and across a veth pair between two network namespaces
# (memory server in one, fetcher and touching threads in the other; created and removed by the
# benchmark, also on error and on Ctrl-C), demand faults and prefetch batching (median of
# repetitions). Needs /dev/userfaultfd (or vm.unprivileged_userfaultfd=1), ~0.5 GiB in /dev/shm, and
# root plus iproute2 for the veth rows (without them only loopback runs). Run by hand; not part of CI.
#   scripts/bench-emu.sh [jettison-emu-bench flags, e.g. --reps 5 --image-mib 256 --only veth]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps iproute2
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target jettison-emu-bench
paths=()
if [[ $EUID -eq 0 ]] && command -v ip >/dev/null; then
  paths=(--veth)
else
  echo "bench-emu: not root or no iproute2: loopback only (the veth rows need both)" >&2
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$root/build/bin/jettison-emu-bench" "${paths[@]}" "$@"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
