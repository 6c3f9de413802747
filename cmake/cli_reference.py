#!/usr/bin/python3
"""Reads a Jettison executable's CLI11 --help (and each subcommand's, recursively) and writes what is
generated from it at build time (cmake/JettisonDocs.cmake):

  cli_reference.py EXE --name NAME [--man FILE] [--completion FILE] [--list]

--man: the man page, made by help2man from --help and --version, with the first line of --help as
its NAME and a SUBCOMMANDS section holding each subcommand's help;
--completion: a bash completion script for NAME (subcommands, their flags, the values of flags that
take one of a set, and files: scenario files (*.yaml) where a positional takes a scenario);
--list: prints each command path and its flags, one per line (the tests compare it with --help).
Only the help text is read: nothing here knows the commands, so a new flag or subcommand appears in
the man page and the completion at the next build."""
import argparse
import re
import os
import subprocess
import sys
import tempfile

SECTION = re.compile(r"^([A-Za-z][A-Za-z0-9 _-]*):\s*$")
ENTRY = re.compile(r"^  (\S.*?)(?:\s{2,}(.*))?$")


def run_help(exe, path):
    out = subprocess.run([exe, *path, "--help"], capture_output=True, text=True, check=False,
                         stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        sys.exit(f"cli_reference.py: `{exe} {' '.join(path)} --help` exited {out.returncode}: {out.stderr}")
    # CLI11 prints argv[0] in the usage line: the build path becomes the command's name.
    return out.stdout.replace(exe, os.path.basename(exe))


class Command:
    def __init__(self, path, text):
        self.path = path            # subcommand words after the executable
        self.text = text            # its --help
        self.subcommands = []       # (name, description)
        self.flags = []             # every spelling: -o, --out
        self.value_flags = set()    # flags followed by a value
        self.choices = {}           # flag -> values listed as {a,b,c}
        self.positionals = []       # (name, description)
        self.children = []
        self._parse()

    def _parse(self):
        section = None
        for line in self.text.splitlines():
            m = SECTION.match(line)
            if m:
                section = m.group(1).strip()
                continue
            if section is None or not line.startswith("  ") or line.startswith("   "):
                continue  # usage/description, or a description continued on the next line
            e = ENTRY.match(line)
            if not e:
                continue
            head, desc = e.group(1), e.group(2) or ""
            if section.lower() == "subcommands":
                self.subcommands.append((head.split()[0], desc))
            elif section.lower() == "positionals":
                self.positionals.append((head.split()[0], desc))
            elif head.startswith("-"):
                names, _, opts = head.partition(" ")
                spellings = [n for n in names.split(",") if n.startswith("-")]
                self.flags += spellings
                first = opts.split()[0] if opts.split() else ""
                if first and first not in ("Excludes:", "Needs:", "REQUIRED"):
                    self.value_flags.update(spellings)
                c = re.search(r"\{([^}]*)\}", opts)
                if c:
                    for s in spellings:
                        self.choices[s] = [v.strip() for v in c.group(1).split(",") if v.strip()]

    def wants_scenario(self):
        return any("scenario" in (n + " " + d).lower() or ".yaml" in d for n, d in self.positionals)


def read_commands(exe, path=()):
    cmd = Command(list(path), run_help(exe, list(path)))
    for name, _ in cmd.subcommands:
        cmd.children.append(read_commands(exe, (*path, name)))
    return cmd


def walk(cmd):
    yield cmd
    for c in cmd.children:
        yield from walk(c)


def roff_escape(line):
    line = line.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + line if line.startswith((".", "'")) else line


def man_include(root, name):
    out = ["[SUBCOMMANDS]"]
    subs = [c for c in walk(root) if c.path]
    if not subs:
        out.append(f"{name} has no subcommands.")
    for c in subs:
        out.append(f'.SS "{roff_escape(" ".join([name, *c.path]))}"')
        out.append(".nf")
        out += [roff_escape(l) for l in c.text.rstrip().splitlines()]
        out.append(".fi")
    return "\n".join(out) + "\n"


def shell_word(s):
    return "'" + s.replace("'", "'\\''") + "'"


def completion(root, name):
    fn = "_" + re.sub(r"[^A-Za-z0-9]", "_", name)
    cases = []
    for c in walk(root):
        key = " ".join(c.path)
        lines = [f"    {shell_word(key)})",
                 f"      subs={shell_word(' '.join(n for n, _ in c.subcommands))}",
                 f"      flags={shell_word(' '.join(c.flags))}",
                 f"      value_flags={shell_word(' '.join(sorted(c.value_flags)))}",
                 f"      scenario={1 if c.wants_scenario() else 0}",
                 f"      positional={1 if c.positionals else 0}"]
        for flag, values in sorted(c.choices.items()):
            lines.append(f"      [[ $prev == {shell_word(flag)} ]] && choices={shell_word(' '.join(values))}")
        lines.append("      ;;")
        cases.append("\n".join(lines))
    body = "\n".join(cases)
    return f"""# bash completion for {name}: generated at build time from `{name} --help` and each
# subcommand's --help (cmake/cli_reference.py). Completes subcommands, flags, the values of flags that
# take one of a set, file names after a flag that takes a value and for positionals, and scenario
# files (*.yaml) where a positional takes a scenario.
{fn}() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
  local path="" i w subs flags value_flags scenario positional choices="" skip=0
  # The subcommand path: words that name a subcommand of the path so far (values of flags skipped).
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    if ((skip)); then skip=0; continue; fi
    {fn}_table "$path"
    if [[ " $value_flags " == *" $w "* ]]; then skip=1; continue; fi
    if [[ " $subs " == *" $w "* ]]; then path=${{path:+$path }}$w; fi
  done
  {fn}_table "$path"
  COMPREPLY=()
  if [[ -n $choices ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur")
  elif [[ " $value_flags " == *" $prev "* ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  elif [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$flags" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
    if ((scenario)); then
      compopt -o filenames 2>/dev/null
      COMPREPLY+=($(compgen -d -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur") $(compgen -f -X '!*.yml' -- "$cur"))
    elif ((positional)); then
      compopt -o filenames 2>/dev/null
      COMPREPLY+=($(compgen -f -- "$cur"))
    fi
  fi
}}
# Sets subs, flags, value_flags, scenario, positional (and choices, for the value of $prev) for a
# subcommand path.
{fn}_table() {{
  choices=""
  case "$1" in
{body}
    *) subs="" flags="" value_flags="" scenario=0 positional=0 ;;
  esac
}}
complete -F {fn} {name}
"""


def write_man(a, root):
    """help2man with the subcommands' help included; written to a temporary name, then renamed."""
    summary = root.text.strip().splitlines()[0] if root.text.strip() else a.name
    if summary.startswith(a.name + ":"):  # "jettison-sim: simulate ..." -> "simulate ..."
        summary = summary[len(a.name) + 1:].strip()
    if summary.startswith("Usage:"):
        summary = f"{a.name} (Jettison)"
    with tempfile.TemporaryDirectory() as tmp:
        include = os.path.join(tmp, "subcommands.h2m")
        with open(include, "w", encoding="utf-8") as f:
            f.write(man_include(root, a.name))
        part = a.man + ".part"
        subprocess.run([a.help2man, "--no-info", "--no-discard-stderr", "--name", summary,
                        "--include", include, "--output", part, a.exe], check=True, stdin=subprocess.DEVNULL)
        os.replace(part, a.man)


def listing(root, name):
    return "".join(f"{' '.join([name, *c.path])}: {' '.join(c.flags)} | {' '.join(n for n, _ in c.subcommands)}\n"
                   for c in walk(root))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("exe")
    ap.add_argument("--name", required=True)
    ap.add_argument("--man")
    ap.add_argument("--help2man", default="help2man")
    ap.add_argument("--completion")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    root = read_commands(a.exe)
    if a.man:
        write_man(a, root)
    if a.completion:
        with open(a.completion + ".part", "w", encoding="utf-8") as f:
            f.write(completion(root, a.name))
        os.replace(a.completion + ".part", a.completion)
    if a.list:
        sys.stdout.write(listing(root, a.name))


if __name__ == "__main__":
    main()
