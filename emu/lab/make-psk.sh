#!/usr/bin/env bash
# Makes the TLS pre-shared key the desktop agent and the server share: 32 random bytes (openssl rand),
# written as 64 hex digits to DIR/psk.hex with mode 0600, and prints the `tls:` lines for both
# configuration files (emu/lab/desktop.yaml, emu/lab/server.yaml). Copy the same file to the other
# machine (mode 0600, owned by the user the daemon runs as: root for the units in emu/lab/).
#
#   make-psk.sh [--force] [DIR [IDENTITY]]    # DIR: /etc/jettison; IDENTITY: jettison-lab
#
# An existing key is kept unless --force (both sides must then get the new one).
set -euo pipefail

force=0
if [[ ${1:-} == --force ]]; then
  force=1
  shift
fi
if [[ ${1:-} == -h || ${1:-} == --help || $# -gt 2 ]]; then
  sed -n '2,9s/^# \{0,1\}//p' "$0"
  exit 2
fi
dir=${1:-/etc/jettison}
identity=${2:-jettison-lab}
if [[ ! $identity =~ ^[A-Za-z0-9._-]{1,64}$ ]]; then
  echo "make-psk.sh: error: identity '$identity': use 1 to 64 of A-Z a-z 0-9 . _ -" >&2
  exit 2
fi
command -v openssl >/dev/null || {
  echo "make-psk.sh: error: openssl is not installed (Debian: apt-get install openssl)" >&2
  exit 1
}
psk=$dir/psk.hex
if [[ -e $psk && $force -eq 0 ]]; then
  echo "make-psk.sh: error: $psk exists (keep it, or --force to replace it on both machines)" >&2
  exit 1
fi
mkdir -p "$dir"
umask 077
tmp=$(mktemp "$dir/.psk.hex.XXXXXX")
trap 'rm -f "$tmp"' EXIT
openssl rand -hex 32 >"$tmp"
chmod 0600 "$tmp"
mv -f "$tmp" "$psk"
trap - EXIT

echo "wrote $psk (32 bytes as hex, mode 0600); copy it to the other machine's $dir/psk.hex (mode 0600)"
echo "put these lines in both desktop.yaml and server.yaml (next to psk.hex):"
echo "tls:"
echo "  psk_file: psk.hex"
echo "  psk_identity: $identity"
