#!/usr/bin/env python3
"""Checks that the folders of sim/ include one another only downward.

The order below is the one place it is written: a folder may include its own files and those of
the folders before it. A new folder must be placed in the list. Exits 1 naming every include that
points up (or at a folder not in the list), 0 when there is none.
"""
import pathlib
import re
import sys

# Lowest first.
ORDER = ["embedded", "engine", "trace", "network", "model", "scenario", "metrics", "strategy", "output",
         "run", "mpi", "sweep", "cli"]

INCLUDE = re.compile(r'^\s*#\s*include\s+"sim/([A-Za-z0-9_]+)/')


def main(sim_dir: pathlib.Path) -> int:
    rank = {name: i for i, name in enumerate(ORDER)}
    problems = []
    files = sorted(p for p in sim_dir.rglob("*") if p.suffix in (".hpp", ".cpp", ".h") and p.is_file())
    if not files:
        print(f"no sources under {sim_dir}")
        return 1
    for path in files:
        folder = path.relative_to(sim_dir).parts[0]
        if path.parent == sim_dir:
            continue
        if folder not in rank:
            problems.append(f"{path}: folder sim/{folder}/ is not in the layer order")
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m or m.group(1) == folder:
                continue
            target = m.group(1)
            if target not in rank:
                problems.append(f"{path}:{number}: includes sim/{target}/, a folder not in the layer order")
            elif rank[target] > rank[folder]:
                problems.append(f"{path}:{number}: sim/{folder}/ includes sim/{target}/, a folder above it")
    for p in problems:
        print(p)
    print(f"{len(files)} files, {len(problems)} upward includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
