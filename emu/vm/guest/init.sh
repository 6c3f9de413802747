#!/bin/busybox sh
# /init of the tiny test guest (run by busybox sh as PID 1 from the initramfs that
# scripts/build-guest.sh --tiny builds). Mounts proc, sys and dev, passes the `jettison.<key>=<value>`
# words of the kernel command line to the worker as `<key>=<value>` arguments, and keeps the worker
# running. It never exits: a dying init panics the kernel.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
# The kernel found no /dev/console before devtmpfs was mounted: take the console now.
exec </dev/console >/dev/console 2>&1
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

args=""
# shellcheck disable=SC2013 # the command line is one line of words
for word in $(cat /proc/cmdline); do
  case "$word" in
    jettison.*=*) args="$args ${word#jettison.}" ;;
  esac
done
echo "jettison-init up, worker arguments:${args:- none}"

while true; do
  # shellcheck disable=SC2086 # the arguments are words by design
  /bin/jettison-worker $args
  echo "jettison-init: the worker exited with status $?, restarting it in 1 s"
  sleep 1
done
