# shellcheck shell=bash disable=SC2034
# Sourced by scripts/build-guest.sh: builds the test guests (a tiny busybox initramfs guest and a
# Debian 12 guest with systemd) from Debian packages only, into a cache folder per guest.
# Every function logs to stderr; only build-guest.sh prints on stdout.
set -euo pipefail

JETTISON_GUEST_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/emu/vm/guest"
# Debian packages the guests are built from (host side; the kernel is never installed on the host).
JETTISON_GUEST_PACKAGES=(busybox-static cpio gzip gcc libc6-dev qemu-system-x86)
JETTISON_DEBIAN_GUEST_PACKAGES=(debootstrap e2fsprogs)
JETTISON_DEBIAN_SUITE=bookworm
# The kernel command line of both guests: serial console, quiet kernel so the heartbeats stand alone.
JETTISON_GUEST_CMDLINE="console=ttyS0 quiet loglevel=1 panic=-1"

jettison_guest_log() { echo "build-guest: $*" >&2; }
jettison_guest_die() {
  echo "build-guest: error: $*" >&2
  exit 1
}

jettison_guest_cache() { echo "${JETTISON_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jettison/guests}"; }

# The stamp of a guest: the hash of the sources it is built from ($@) and of this file.
jettison_guest_stamp() { cat "$@" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1; }

# Is $1 a complete guest folder built from sources whose stamp is $2?
jettison_guest_is_current() { [ -f "$1/stamp" ] && [ "$(cat "$1/stamp")" = "$2" ]; }

# Builds the worker statically into $1.
jettison_guest_build_worker() {
  gcc -static -O2 -Wall -Wextra -o "$1" "$JETTISON_GUEST_SRC/worker.c" ||
    jettison_guest_die "gcc could not build $JETTISON_GUEST_SRC/worker.c"
  strip "$1"
}

# Extracts the cloud kernel into $1/vmlinuz without installing it: resolves the versioned
# linux-image-*-cloud-amd64 package the meta-package depends on, `apt-get download`s it into a temp
# folder and unpacks it with dpkg-deb. Writes the kernel's version to $1/kernel-version.
jettison_guest_fetch_kernel() {
  local out="$1" work package
  package="$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n1)"
  if [ -z "$package" ]; then
    apt-get update -qq >&2 || true
    package="$(apt-cache depends linux-image-cloud-amd64 |
      sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n1)"
  fi
  [ -n "$package" ] || jettison_guest_die "apt-cache depends linux-image-cloud-amd64: no versioned kernel package"
  work="$(mktemp -d)"
  # apt drops privileges to _apt for downloads: let it write into the temp folder.
  chmod 0777 "$work"
  jettison_guest_log "downloading $package"
  if ! (cd "$work" && apt-get download -q "$package" >&2); then
    apt-get update -qq >&2 || true
    (cd "$work" && apt-get download -q "$package" >&2) || {
      rm -rf "$work"
      jettison_guest_die "apt-get download $package failed"
    }
  fi
  dpkg-deb -x "$work"/"$package"_*.deb "$work/root" ||
    jettison_guest_die "dpkg-deb -x of $package failed"
  local kernels=("$work"/root/boot/vmlinuz-*) vmlinuz
  vmlinuz="${kernels[0]}"
  [ -f "$vmlinuz" ] || jettison_guest_die "$package holds no boot/vmlinuz-*"
  cp "$vmlinuz" "$out/vmlinuz"
  basename "$vmlinuz" | sed 's/^vmlinuz-//' >"$out/kernel-version"
  rm -rf "$work"
}

# Builds the tiny guest into $1: vmlinuz, initramfs.cpio.gz (busybox, its applet links, /init, the
# worker), cmdline.
jettison_guest_build_tiny() {
  local out="$1" stage
  [ -x /bin/busybox ] || jettison_guest_die "/bin/busybox missing (package busybox-static)"
  /bin/busybox --list-full >/dev/null 2>&1 ||
    jettison_guest_die "/bin/busybox is not the static busybox (package busybox-static)"
  stage="$(mktemp -d)"
  mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
  cp /bin/busybox "$stage/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list-full); do
    [ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
  done
  install -m 0755 "$JETTISON_GUEST_SRC/init.sh" "$stage/init"
  jettison_guest_build_worker "$stage/bin/jettison-worker"
  # A console node lets the kernel give /init its stdio; init.sh takes it after mounting devtmpfs anyway.
  mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true
  (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9) \
    >"$out/initramfs.cpio.gz" || jettison_guest_die "cpio of the initramfs failed"
  rm -rf "$stage"
  jettison_guest_fetch_kernel "$out"
  echo "$JETTISON_GUEST_CMDLINE" >"$out/cmdline"
}

# Builds the Debian 12 guest into $1: a debootstrapped bookworm with systemd and the cloud kernel,
# the worker started by a systemd unit; vmlinuz and initrd.img from the chroot's /boot, rootfs.img a
# raw ext4 image made with `mkfs.ext4 -d`, cmdline.
jettison_guest_build_debian() {
  local out="$1" root mirror
  root="$(mktemp -d)"
  mirror="${JETTISON_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  jettison_guest_log "debootstrap $JETTISON_DEBIAN_SUITE into $root (mirror $mirror)"
  debootstrap --variant=minbase --merged-usr \
    --include=systemd,systemd-sysv,udev,linux-image-cloud-amd64,initramfs-tools,kmod \
    "$JETTISON_DEBIAN_SUITE" "$root" "$mirror" >&2 ||
    {
      umount -R "$root/proc" "$root/sys" 2>/dev/null || true
      jettison_guest_die "debootstrap $JETTISON_DEBIAN_SUITE failed (see $root/debootstrap/debootstrap.log)"
    }
  # A small initrd that loads only what finds the root disk (MODULES=most loads hundreds of modules,
  # slow under TCG); kept as debootstrap made it if update-initramfs fails.
  echo "MODULES=list" >"$root/etc/initramfs-tools/conf.d/jettison"
  printf '%s\n' virtio_pci virtio_blk >>"$root/etc/initramfs-tools/modules"
  chroot "$root" update-initramfs -u -k all >&2 ||
    jettison_guest_log "update-initramfs in the chroot failed; keeping the MODULES=most initrd"
  jettison_guest_build_worker "$root/usr/local/bin/jettison-worker"
  install -m 0644 "$JETTISON_GUEST_SRC/jettison-worker.service" "$root/etc/systemd/system/"
  mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
  ln -sf /etc/systemd/system/jettison-worker.service "$root/etc/systemd/system/multi-user.target.wants/"
  ln -sf /lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"
  # Fast boot: no gettys to wait for, nothing that waits for a network the guest does not have.
  local unit
  for unit in getty@tty1.service serial-getty@ttyS0.service getty.target systemd-networkd-wait-online.service \
    systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
    man-db.timer; do
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
  done
  echo "jettison-guest" >"$root/etc/hostname"
  echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"
  : >"$root/etc/machine-id"
  local kernels=("$root"/boot/vmlinuz-*) version
  version="${kernels[0]##*/vmlinuz-}"
  cp "$root/boot/vmlinuz-$version" "$out/vmlinuz" || jettison_guest_die "no kernel in the chroot's /boot"
  cp "$root/boot/initrd.img-$version" "$out/initrd.img" || jettison_guest_die "no initrd in the chroot's /boot"
  echo "$version" >"$out/kernel-version"
  rm -rf "${root:?}"/var/cache/apt/archives/*.deb "${root:?}"/var/lib/apt/lists/* "${root:?}"/boot/*
  # The image: what the tree holds, plus a quarter and 64 MiB of room.
  local used_mb size_mb
  used_mb="$(du -sm "$root" | cut -f1)"
  size_mb=$((used_mb + used_mb / 4 + 64))
  rm -f "$out/rootfs.img"
  jettison_guest_log "mkfs.ext4 -d: ${size_mb} MiB image of ${used_mb} MiB"
  mkfs.ext4 -q -F -L jettison-root -d "$root" "$out/rootfs.img" "${size_mb}M" >&2 ||
    jettison_guest_die "mkfs.ext4 -d $root failed"
  rm -rf "$root"
  echo "root=/dev/vda rw rootfstype=ext4 $JETTISON_GUEST_CMDLINE systemd.show_status=false" >"$out/cmdline"
}
