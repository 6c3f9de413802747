# shellcheck shell=bash
# fresh_root.sh, sourced by the tests that install the .deb into a fresh Debian 12 root
# (deb_in_fresh_root.sh, lab_walk.sh). Needs `fail` defined by the caller.
#
#   fresh_root_skip_unless_able            exit 77 (CTest: skipped) without root, mmdebstrap, unshare
#   build_deb BUILD_DIR WORK_DIR           cpack -G DEB into WORK_DIR/deb; sets $deb
#   fresh_root_tarball DEB WORK_DIR        sets $tarball: the cached base root for DEB
#   fresh_root_run ROOT CMD...               CMD chrooted in ROOT, in private mount + pid namespaces
#
# The root: mmdebstrap (variant apt: Essential + apt) of bookworm from Debian's archive, with the
# .deb's Depends already in it, so that what is tested is apt installing our package over a root that
# holds nothing of ours; and openssl, the README's apt line's tool for make-psk.sh (a Recommends), so
# the lab walk needs no network either. Cached as a tarball under ~/.cache/jettison/roots/ keyed by
# the sha256 of its package list (older keys removed), so a rerun extracts it in seconds.

fresh_root_skip_unless_able() {
  if [ "$(id -u)" -ne 0 ] || ! command -v mmdebstrap >/dev/null || ! command -v unshare >/dev/null; then
    echo "SKIP: needs root, mmdebstrap (scripts/lib/deps.sh JETTISON_TEST_PACKAGES) and unshare"
    exit 77
  fi
}

build_deb() {
  local build=$1 work=$2 start
  mkdir -p "$work/deb"
  start=$(date +%s)
  # cpack first builds `all` (nothing left to do after the build the tests run from); where several
  # builds share one tree, JETTISON_BUILD_LOCK names a lock file to hold meanwhile (flock).
  local lock=()
  [ -z "${JETTISON_BUILD_LOCK:-}" ] || lock=(flock "$JETTISON_BUILD_LOCK")
  (cd "$build" && "${lock[@]}" cpack -G DEB -B "$work/deb" >"$work/cpack.log") || { tail -30 "$work/cpack.log"; fail "cpack"; }
  deb=$(ls "$work"/deb/jettison_*.deb)
  echo "built $(basename "$deb"): $(du -k "$deb" | cut -f1) KiB in $(($(date +%s) - start)) s"
}

fresh_root_tarball() {
  local deb=$1 work=$2 depends packages key cache start
  depends=$(dpkg-deb -f "$deb" Depends)
  [ -n "$depends" ] || fail "the .deb has no Depends"
  # The first alternative of each dependency, without versions; and openssl.
  packages=$( (tr ',' '\n' <<<"$depends" | sed 's/|.*//; s/(.*)//; s/ //g'; echo openssl) | grep -v '^$' | sort -u | tr '\n' ',' | sed 's/,$//')
  key=$(printf 'bookworm apt %s\n' "$packages" | sha256sum | cut -c1-16)
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/jettison/roots
  tarball=$cache/bookworm-$key.tar
  # Two tests may want it at once (ctest -j2): one builds it, the other waits.
  mkdir -p "$cache"
  exec {fresh_root_lock}>"$cache/.lock"
  flock "$fresh_root_lock"
  if [ ! -s "$tarball" ]; then
    start=$(date +%s)
    mmdebstrap --quiet --format=tar --variant=apt --include="$packages" bookworm "$tarball.part" >"$work/mmdebstrap.log" 2>&1 ||
      { tail -30 "$work/mmdebstrap.log"; rm -f "$tarball.part"; fail "mmdebstrap could not build the root"; }
    find "$cache" -maxdepth 1 -name "bookworm-*.tar" -type f -delete
    mv "$tarball.part" "$tarball"
    echo "built the base root $(basename "$tarball") in $(($(date +%s) - start)) s"
  fi
  flock -u "$fresh_root_lock"
}

# In the root: a private mount namespace with its own /proc; no network needed (dependencies present).
fresh_root_run() {
  local root=$1
  shift
  unshare --mount --pid --fork --mount-proc="$root/proc" chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"
}
