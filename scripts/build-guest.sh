#!/usr/bin/env bash
# Builds a test guest for the QEMU backend and prints its folder on stdout.
#
#   scripts/build-guest.sh [--tiny|--debian] [--out DIR] [--force]
#
#   --tiny    (default) the cloud kernel and a busybox initramfs whose /init runs the worker
#             (emu/vm/guest/): vmlinuz, initramfs.cpio.gz, cmdline
#   --debian  a Debian 12 guest with systemd on a raw ext4 image, the same worker started by a
#             systemd unit: vmlinuz, initrd.img, rootfs.img, cmdline (slow: debootstrap)
#   --out DIR build into DIR instead of the cache folder
#   --force   rebuild even when the folder is current
#
# The cache: ${JETTISON_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jettison/guests}/<tiny|debian>/.
# A guest is rebuilt only when it is missing or its stamp (the hash of its sources under
# emu/vm/guest/ and of scripts/lib/guest.sh) changed. Missing host packages are installed with apt-get.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/lib/deps.sh"
source "$root/scripts/lib/guest.sh"

kind=tiny
out=""
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tiny) kind=tiny ;;
    --debian) kind=debian ;;
    --out)
      [ $# -ge 2 ] || jettison_guest_die "--out needs a folder"
      out="$2"
      shift
      ;;
    --out=*) out="${1#--out=}" ;;
    --force) force=1 ;;
    -h | --help)
      sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) jettison_guest_die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
[ -n "$out" ] || out="$(jettison_guest_cache)/$kind"

case "$kind" in
  tiny) stamp="$(jettison_guest_stamp "$JETTISON_GUEST_SRC/init.sh" "$JETTISON_GUEST_SRC/worker.c")" ;;
  debian)
    stamp="$(jettison_guest_stamp "$JETTISON_GUEST_SRC/worker.c" "$JETTISON_GUEST_SRC/jettison-worker.service")"
    ;;
esac

if [ "$force" -eq 0 ] && jettison_guest_is_current "$out" "$stamp"; then
  echo "$out"
  exit 0
fi

# Only one build of a folder at a time (tests may run in parallel).
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if [ "$force" -eq 0 ] && jettison_guest_is_current "$out" "$stamp"; then
  echo "$out"
  exit 0
fi

extra=("${JETTISON_GUEST_PACKAGES[@]}")
[ "$kind" = debian ] && extra+=("${JETTISON_DEBIAN_GUEST_PACKAGES[@]}")
jettison_install_deps "${extra[@]}" >&2

rm -f "$out/stamp"
jettison_guest_log "building the $kind guest into $out"
start=$(date +%s)
case "$kind" in
  tiny) jettison_guest_build_tiny "$out" ;;
  debian)
    [ "$(id -u)" -eq 0 ] || jettison_guest_die "--debian needs root (debootstrap, mkfs.ext4 -d keeping owners)"
    jettison_guest_build_debian "$out"
    ;;
esac
echo "$stamp" >"$out/stamp"
jettison_guest_log "the $kind guest is ready in $(($(date +%s) - start)) s"
echo "$out"
