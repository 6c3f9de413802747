# Sourced by the scripts: installs with apt-get whatever of the project's Debian packages is missing.
# Idempotent: nothing is installed (and apt-get is not run at all) when everything is present.
set -euo pipefail

JETTISON_PACKAGES=(
  build-essential cmake pkg-config python3 help2man
  libyaml-cpp-dev libfmt-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libzstd-dev
  libboost-dev libssl-dev libspdlog-dev libeigen3-dev libvirt-dev libhowardhinnant-date-dev
  libopenmpi-dev openmpi-bin
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-matplotlib python3-pandas python3-yaml python3-zstandard python3-scipy
  python3-dev pybind11-dev  # the Python module (python/)
)
# Only the tests need these: a browser (the report is checked in headless Chromium), iproute2 (the
# emulator's end-to-end tests build network namespaces and veth pairs), openssl (TLS certificates
# for the certificate tests), QEMU and what the tiny test guest is built from (busybox-static, cpio;
# scripts/build-guest.sh fetches the guest kernel with apt-get download, never installing it here), and
# SimGrid and GNU time for scripts/bench.sh, whose smoke run is a test (tests/bench/), and libvirt's
# daemons for the libvirt backend's end-to-end test, which starts its own libvirtd and virtlogd in a
# private mount namespace (libvirt-daemon-system creates the libvirt-qemu user the QEMU driver wants
# even when QEMU runs as root; nothing is enabled or started by the tests outside that namespace),
# and mmdebstrap (the fresh Debian 12 root the .deb is installed into) and file (cpack's shlibdeps).
JETTISON_TEST_PACKAGES=(chromium chromium-driver python3-selenium iproute2 openssl qemu-system-x86 busybox-static
  cpio libsimgrid-dev time libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients mmdebstrap file
  # the notebook test (tests/python/): nbconvert executes analysis/notebooks/ headless in an IPython kernel
  jupyter-nbconvert python3-nbconvert python3-nbclient python3-nbformat python3-ipykernel
  # the lab install's test (tests/emu/lab/): systemd-analyze verify on the units, shellcheck on make-psk.sh
  systemd shellcheck)
# Only the sanitizer run needs these (scripts/sanitize.sh): clang, its sanitizer and libFuzzer runtimes
# (libclang-rt-14-dev, only recommended by clang-14) and llvm-symbolizer (llvm-14) for readable reports.
JETTISON_SANITIZE_PACKAGES=(clang-14 libclang-rt-14-dev llvm-14)

jettison_install_deps() {
  local missing=()
  for p in "${JETTISON_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Configures (when needed) and builds into build/. $1: ON/OFF for the tests, or `keep`: whatever
# build/ was configured with (OFF for a fresh build/), so a script that only needs the tools never
# turns off the tests scripts/test.sh built (a later ctest would run test binaries older than the code).
jettison_build() {
  local testing="$1"
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  if [ "$testing" = keep ]; then
    testing="$(sed -n 's/^BUILD_TESTING:BOOL=//p' "$root/build/CMakeCache.txt" 2>/dev/null || true)"
    testing="${testing:-OFF}"
  fi
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING="$testing" >/dev/null
  cmake --build "$root/build" -j "$(nproc)"
}
