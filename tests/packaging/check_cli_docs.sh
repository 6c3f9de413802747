#!/usr/bin/env bash
# check_cli_docs.sh BUILD_DIR EXE...: the man page and bash completion generated for each executable
# (cmake/JettisonDocs.cmake) against the executable's own --help, read here independently of the
# generator: the man page exists, has the NAME/SYNOPSIS sections, and names every subcommand (at every
# level) and every long flag; the completion, sourced into bash, offers every subcommand for `EXE <TAB>`
# and every long flag of a subcommand for `EXE SUB --<TAB>`. jettison-sim's completion also offers
# scenario files (*.yaml) and folders, not other files, after `run`.
set -euo pipefail
build=$1
shift
fail() { echo "FAIL: $*" >&2; exit 1; }
# Under the sanitizer run (scripts/sanitize.sh) the help text is compared, not leaks at exit checked.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# Subcommand names: the lines of the "Subcommands:" section of a --help.
subcommands() { "$@" --help | awk '/^[A-Za-z].*:$/ {s = ($0 == "Subcommands:")} s && /^  [^ ]/ {print $1}'; }
long_flags() { "$@" --help | grep -oE '^ +(-[A-Za-z0-9],)?--[A-Za-z0-9][A-Za-z0-9_-]*' | grep -oE -- '--[A-Za-z0-9_-]+' | sort -u; }
# What the completion offers for the words given (the last one being completed).
complete_words() {
  local exe=$1 dir=$2
  shift 2
  (cd "$dir" && bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); fn=$(complete -p "$1" | awk "{print \$3}"); "$fn"; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$build/share/bash-completion/completions/$exe" "$exe" "$@")
}

checked=0
for exe in "$@"; do
  bin=$build/bin/$exe
  man=$build/share/man/man1/$exe.1
  [ -s "$man" ] || fail "no man page $man"
  # roff writes a dash as \- : the text as read.
  text=$(sed 's/\\-/-/g; s/\\(em/-/g' "$man")
  for section in '.SH NAME' '.SH SYNOPSIS' '.SH DESCRIPTION'; do
    grep -qF "$section" <<<"$text" || fail "$exe.1 has no '$section'"
  done
  queue=("")
  while [ ${#queue[@]} -gt 0 ]; do
    path=${queue[0]}
    queue=("${queue[@]:1}")
    # shellcheck disable=SC2086
    for sub in $(subcommands "$bin" $path); do
      grep -qw -- "$sub" <<<"$text" || fail "$exe.1 does not name the subcommand '$path $sub'"
      queue+=("${path:+$path }$sub")
      [ -z "$path" ] || continue
      offered=$(complete_words "$exe" "$PWD" "" | tr '\n' ' ')
      [[ " $offered " == *" $sub "* ]] || fail "completion of '$exe ' lacks $sub (offers: $offered)"
    done
    # shellcheck disable=SC2086
    for flag in $(long_flags "$bin" $path); do
      grep -qF -- "$flag" <<<"$text" || fail "$exe.1 does not name $flag of '$exe $path'"
      # shellcheck disable=SC2086
      offered=$(complete_words "$exe" "$PWD" $path -- | tr '\n' ' ')
      [[ " $offered " == *" $flag "* ]] || fail "completion of '$exe $path --' lacks $flag (offers: $offered)"
      checked=$((checked + 1))
    done
  done
done

# Scenario files after `jettison-sim run`: *.yaml and folders, not other files.
if [[ " $* " == *" jettison-sim "* ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir "$tmp/scen-dir"
  touch "$tmp/scen-a.yaml" "$tmp/scen-b.csv"
  offered=$(complete_words jettison-sim "$tmp" run scen | sort | tr '\n' ' ')
  [ "$offered" = "scen-a.yaml scen-dir " ] || fail "completion of 'jettison-sim run scen' offers '$offered', not 'scen-a.yaml scen-dir '"
  # `list` takes no argument: nothing is offered.
  offered=$(complete_words jettison-sim "$tmp" list scen | tr '\n' ' ')
  [ -z "${offered// /}" ] || fail "completion of 'jettison-sim list scen' offers '$offered', not nothing"
fi
echo "man pages and completions of $# executables agree with their --help ($checked flags checked)"
