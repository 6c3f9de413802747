#!/usr/bin/env bash
# deb_in_fresh_root.sh BUILD_DIR WORK_DIR: builds the .deb (cpack -G DEB, cmake/JettisonPackaging.cmake),
# checks its contents, installs it with apt into a fresh Debian 12 root and runs it there:
# `jettison-sim --version`, `jettison-sim run` of the installed default scenario (summary.json checked,
# periods.csv byte for byte the build's own jettison-sim's), the man page and the completion.
#
# The root (fresh_root.sh): Debian 12 with the .deb's Depends, cached; see there.
# Needs root (chroot) and mmdebstrap: without either it skips (exit 77).
set -euo pipefail
build=$1 work=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck source=tests/packaging/fresh_root.sh
source "$(dirname "$0")/fresh_root.sh"
fresh_root_skip_unless_able

root=$work/root
cleanup() {
  # Nothing stays mounted (the mounts live in the unshared namespace); the root is removed.
  rm -rf "$root"
}
trap cleanup EXIT
rm -rf "$work"
build_deb "$build" "$work"

# Contents: what README "Install" lists, under /usr.
dpkg-deb -c "$deb" >"$work/contents.txt"
for f in ./usr/bin/jettison-sim ./usr/bin/jettison-trace ./usr/bin/jettison-report \
  ./usr/share/man/man1/jettison-sim.1 ./usr/share/bash-completion/completions/jettison-sim \
  ./usr/share/jettison/scenarios/default.yaml ./usr/include/jettison/sim/run/run_scenario.hpp \
  ./usr/lib/cmake/Jettison/JettisonConfig.cmake ./usr/share/doc/jettison/README.md; do
  grep -q " $f\$" "$work/contents.txt" || fail "the .deb lacks $f"
done
echo "Depends: $(dpkg-deb -f "$deb" Depends)"
fresh_root_tarball "$deb" "$work"
mkdir -p "$root"
tar -xf "$tarball" -C "$root"
[ ! -e "$root/usr/bin/jettison-sim" ] || fail "the base root already has jettison-sim"

in_root() { fresh_root_run "$root" "$@"; }
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
