#!/usr/bin/env bash
# Lets QEMU under libvirt create the userfaultfd that hosts a partially migrated VM (README "Under
# libvirt", "QEMU's user"). libvirt runs QEMU as the user and group of /etc/libvirt/qemu.conf
# (Debian: libvirt-qemu, group kvm), not as root, and an unprivileged process may only create a
# userfaultfd that handles faults of user-space memory when one of these holds:
#   udev    (Linux 6.1+, /dev/userfaultfd) the device is read-write for QEMU's group: writes
#           /etc/udev/rules.d/60-jettison-userfaultfd.rules and sets the device's group and mode now;
#           nothing else on the machine gains the right.
#   sysctl  vm.unprivileged_userfaultfd = 1 for every user (older kernels): writes
#           /etc/sysctl.d/60-jettison-userfaultfd.conf and sets it now.
# With QEMU running as root (qemu.conf `user = "root"`) there is nothing to do. After applying, it
# checks as QEMU's user that the device opens read-write (udev) or that the sysctl reads 1.
#
#   libvirt-uffd-access.sh [--method auto|udev|sysctl] [--group GROUP] [--root DIR] [--no-apply]
#
#   --method   auto (default): udev when the kernel is 6.1 or newer and /dev/userfaultfd exists
#   --group    the group given the device (default: qemu.conf's `group`, else QEMU user's own group)
#   --root     write the files under DIR (an image being prepared); implies --no-apply
#   --no-apply write the files only: the device, the sysctl and the check wait for the next boot
#   --kernel   VERSION instead of `uname -r` (tests)
# Exit codes: 0 done (or nothing to do), 1 cannot (named), 2 bad arguments.
set -euo pipefail
me=libvirt-uffd-access.sh

method=auto root="" apply=1 group="" kernel=""
usage() {
  sed -n '2,22s/^# \{0,1\}//p' "$0" >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  case $1 in
    --method) method=${2:-}; shift 2 || usage ;;
    --group) group=${2:-}; shift 2 || usage ;;
    --root) root=${2:-}; apply=0; shift 2 || usage ;;
    --no-apply) apply=0; shift ;;
    --kernel) kernel=${2:-}; shift 2 || usage ;;
    -h | --help) usage ;;
    *) echo "$me: error: unknown argument '$1'" >&2; usage ;;
  esac
done
case $method in auto | udev | sysctl) ;; *)
  echo "$me: error: --method '$method': expected auto, udev or sysctl" >&2
  exit 2
  ;;
esac
[[ -z $root || -d $root ]] || { echo "$me: error: --root '$root' is not a folder" >&2; exit 2; }
fail() {
  echo "$me: error: $*" >&2
  exit 1
}

# QEMU's user and group as libvirt sets them: an uncommented `user = "..."` / `group = "..."` in
# qemu.conf, else libvirt's build defaults on Debian.
conf=$root/etc/libvirt/qemu.conf
conf_value() { [[ -r $conf ]] && sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$conf" | tail -n 1; }
user=$(conf_value user || true)
user=${user:-libvirt-qemu}
if [[ $user == root || $user == 0 || $user == +0 ]]; then
  echo "$me: QEMU runs as root ($conf: user = \"$user\"): it can create its userfaultfd; nothing to do"
  exit 0
fi
passwd_line=$(grep -m1 "^${user#+}:" "$root/etc/passwd" || true)
[[ -n $passwd_line ]] || fail "QEMU's user '$user' (from ${conf}, or libvirt's default) is not in $root/etc/passwd: is libvirt-daemon-system installed?"
if [[ -z $group ]]; then
  group=$(conf_value group || true)
fi
if [[ -z $group ]]; then
  gid=$(cut -d: -f4 <<<"$passwd_line")
  group=$(awk -F: -v g="$gid" '$3 == g { print $1; exit }' "$root/etc/group")
fi
[[ $group =~ ^[A-Za-z_][A-Za-z0-9_.-]*$ ]] || fail "QEMU's group '$group' is not a group name (${conf}: group, or --group)"
grep -q "^${group}:" "$root/etc/group" || fail "QEMU's group '$group' (${conf}: group, or --group) is not in $root/etc/group"

if [[ $method == auto ]]; then
  version=${kernel:-$(uname -r)}
  major=${version%%.*} rest=${version#*.}
  minor=${rest%%[!0-9]*}
  [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || fail "cannot read the kernel version '$version'"
  if ((major > 6 || (major == 6 && minor >= 1))) && { [[ -n $kernel ]] || [[ -c /dev/userfaultfd ]]; }; then
    method=udev
  else
    method=sysctl
  fi
fi

# Writes $2 to $1 (mode 0644) through a temporary file in the same folder: never half a file.
write_file() {
  local path=$1 text=$2 tmp
  mkdir -p "$(dirname "$path")"
  tmp=$(mktemp "$(dirname "$path")/.jettison.XXXXXX")
  printf '%s\n' "$text" >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$path"
  echo "$me: wrote $path"
}

if [[ $method == udev ]]; then
  rules=$root/etc/udev/rules.d/60-jettison-userfaultfd.rules
  write_file "$rules" "# Written by $me (Jettison): QEMU under libvirt (group $group) creates the
# userfaultfd that serves a hosted VM's pages on demand; other users keep no access.
KERNEL==\"userfaultfd\", GROUP=\"$group\", MODE=\"0660\""
  if ((apply)); then
    [[ -c /dev/userfaultfd ]] || fail "/dev/userfaultfd does not exist (Linux 6.1+ has it): use --method sysctl"
    chgrp "$group" /dev/userfaultfd
    chmod 0660 /dev/userfaultfd
    echo "$me: /dev/userfaultfd is now read-write for group $group"
    if command -v setpriv >/dev/null; then
      setpriv --reuid "${user#+}" --regid "$group" --init-groups -- sh -c 'test -r /dev/userfaultfd && test -w /dev/userfaultfd' ||
        fail "as $user:$group, /dev/userfaultfd is still not read-write"
      echo "$me: checked: $user:$group opens /dev/userfaultfd read-write"
    fi
  fi
else
  conf_file=$root/etc/sysctl.d/60-jettison-userfaultfd.conf
  write_file "$conf_file" "# Written by $me (Jettison): QEMU under libvirt runs as $user, not root, and
# creates the userfaultfd that serves a hosted VM's pages on demand. This kernel has no
# /dev/userfaultfd to grant to one group, so unprivileged userfaultfd is allowed for every user.
vm.unprivileged_userfaultfd = 1"
  if ((apply)); then
    sysctl -q -w vm.unprivileged_userfaultfd=1 || fail "sysctl -w vm.unprivileged_userfaultfd=1 failed"
    [[ $(cat /proc/sys/vm/unprivileged_userfaultfd) == 1 ]] || fail "vm.unprivileged_userfaultfd still reads 0"
    echo "$me: checked: vm.unprivileged_userfaultfd = 1"
  fi
fi
((apply)) || echo "$me: not applied now (--no-apply/--root): it takes effect at the next boot"
echo "$me: QEMU ($user:$group) must also read the hand-off library and write the run folder and /dev/shm"
