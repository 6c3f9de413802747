#!/usr/bin/env bash
# deb_in_fresh_root.sh BUILD_DIR WORK_DIR: builds the .deb (cpack -G DEB, cmake/JettisonPackaging.cmake),
# checks its contents, installs it with apt into a fresh Debian 12 root and runs it there:
# `jettison-sim --version`, `jettison-sim run` of the installed default scenario (summary.json checked,
# periods.csv byte for byte the build's own jettison-sim's), the man page and the completion.
#
# The root: mmdebstrap (variant apt: Essential + apt) of bookworm from Debian's archive, with the
# .deb's Depends already in it, so that what is tested is apt installing our package over a root that
# holds nothing of ours. Cached as a tarball under ~/.cache/jettison/roots/ keyed by the sha256 of its
# package list (older keys removed), so a rerun extracts it in seconds and needs no network.
# Needs root (chroot) and mmdebstrap: without either it skips (exit 77).
set -euo pipefail
build=$1 work=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ] || ! command -v mmdebstrap >/dev/null || ! command -v unshare >/dev/null; then
  echo "SKIP: needs root, mmdebstrap (scripts/lib/deps.sh JETTISON_TEST_PACKAGES) and unshare"
  exit 77
fi

root=$work/root
cleanup() {
  # Nothing stays mounted (the mounts live in the unshared namespace); the root is removed.
  rm -rf "$root"
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work/deb"

start=$(date +%s)
# cpack first builds `all` (nothing left to do after the build the tests run from); where several
# builds share one tree, JETTISON_BUILD_LOCK names a lock file to hold meanwhile (flock).
lock=()
[ -z "${JETTISON_BUILD_LOCK:-}" ] || lock=(flock "$JETTISON_BUILD_LOCK")
(cd "$build" && "${lock[@]}" cpack -G DEB -B "$work/deb" >"$work/cpack.log") || { tail -30 "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/deb/jettison_*.deb)
echo "built $(basename "$deb"): $(du -k "$deb" | cut -f1) KiB in $(($(date +%s) - start)) s"

# Contents: what README "Install" lists, under /usr.
dpkg-deb -c "$deb" >"$work/contents.txt"
for f in ./usr/bin/jettison-sim ./usr/bin/jettison-trace ./usr/bin/jettison-report \
  ./usr/share/man/man1/jettison-sim.1 ./usr/share/bash-completion/completions/jettison-sim \
  ./usr/share/jettison/scenarios/default.yaml ./usr/include/jettison/sim/run/run_scenario.hpp \
  ./usr/lib/cmake/Jettison/JettisonConfig.cmake ./usr/share/doc/jettison/README.md; do
  grep -q " $f\$" "$work/contents.txt" || fail "the .deb lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
[ -n "$depends" ] || fail "the .deb has no Depends"
echo "Depends: $depends"

# The root's packages: the first alternative of each dependency, without versions.
packages=$(tr ',' '\n' <<<"$depends" | sed 's/|.*//; s/(.*)//; s/ //g' | grep -v '^$' | sort -u | tr '\n' ',' | sed 's/,$//')
key=$(printf 'bookworm apt %s\n' "$packages" | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/jettison/roots
tarball=$cache/bookworm-$key.tar
if [ ! -s "$tarball" ]; then
  mkdir -p "$cache"
  start=$(date +%s)
  mmdebstrap --quiet --format=tar --variant=apt --include="$packages" bookworm "$tarball.part" >"$work/mmdebstrap.log" 2>&1 ||
    { tail -30 "$work/mmdebstrap.log"; rm -f "$tarball.part"; fail "mmdebstrap could not build the root"; }
  find "$cache" -maxdepth 1 -name "bookworm-*.tar" -type f -delete
  mv "$tarball.part" "$tarball"
  echo "built the base root $(basename "$tarball") in $(($(date +%s) - start)) s"
fi
mkdir -p "$root"
tar -xf "$tarball" -C "$root"
[ ! -e "$root/usr/bin/jettison-sim" ] || fail "the base root already has jettison-sim"

# In the root: a private mount namespace with its own /proc; no network needed (dependencies present).
in_root() { unshare --mount --pid --fork --mount-proc="$root/proc" chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
cp "$deb" "$root/tmp/"
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >"$work/apt.log" 2>&1 ||
  { tail -30 "$work/apt.log"; fail "apt could not install the .deb in the fresh root"; }
in_root dpkg -s jettison | grep -q '^Status: install ok installed' || fail "dpkg does not list jettison as installed"

version=$(in_root jettison-sim --version)
echo "in the root: $version"
[[ $version == jettison-sim\ * ]] || fail "jettison-sim --version printed '$version'"
in_root sh -c 'cd /tmp && jettison-sim run /usr/share/jettison/scenarios/default.yaml --out /tmp/out' >"$work/run.log" 2>&1 ||
  { cat "$work/run.log"; fail "jettison-sim run in the root"; }
/usr/bin/python3 - "$root/tmp/out/summary.json" <<'PY' || fail "summary.json"
import json, sys
s = json.load(open(sys.argv[1]))
strategies = s.get("strategies") or s.get("results")
assert strategies, f"no strategies in {sys.argv[1]}: keys {list(s)}"
print(f"summary.json: {len(strategies)} strategies")
PY
"$build/bin/jettison-sim" run "$root/usr/share/jettison/scenarios/default.yaml" --out "$work/host-out" >/dev/null
cmp "$root/tmp/out/periods.csv" "$work/host-out/periods.csv" || fail "periods.csv in the root differs from the build's"
in_root test -s /usr/share/man/man1/jettison-sim.1 || fail "no man page in the root"
in_root bash -c 'source /usr/share/bash-completion/completions/jettison-sim && complete -p jettison-sim' >/dev/null ||
  fail "the completion does not load in the root"
in_root dpkg -r jettison >/dev/null 2>&1 || fail "dpkg -r jettison"
[ ! -e "$root/usr/bin/jettison-sim" ] || fail "jettison-sim left after dpkg -r"
echo "the .deb installed with apt into a fresh Debian 12 root, ran there, and was removed"
