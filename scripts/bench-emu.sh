#!/usr/bin/env bash
# Emulator benchmark: userfaultfd fault service latency (p50, p99) and pages per second over a local
# image, plain TCP and TLS 1.3 PSK on loopback, demand faults and prefetch batching (median of
# repetitions). Needs /dev/userfaultfd (or vm.unprivileged_userfaultfd=1) and ~0.5 GiB in /dev/shm.
# Run by hand; not part of CI.
#   scripts/bench-emu.sh [jettison-emu-bench flags, e.g. --reps 5 --image-mib 256]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
jettison_install_deps
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target jettison-emu-bench
"$root/build/bin/jettison-emu-bench" "$@"
