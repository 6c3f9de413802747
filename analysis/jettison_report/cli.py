"""The command line: jettison_report.py RUN_OR_SWEEP_DIR [MORE_DIRS...] --out REPORT_DIR [--title T].
Exit codes: 0 written; 1 a bad input (named) or a missing Python package; 2 bad usage."""
import argparse
import importlib.util
import sys

PROG = "jettison-report"
DEBIAN_PACKAGES = "python3-matplotlib python3-pandas python3-yaml"


def _parser():
    p = argparse.ArgumentParser(
        prog="jettison_report.py",
        description="Turns jettison-sim run and sweep folders into a self-contained report "
                    "folder: index.html, summary.md and figures/*.png (--formats: also .pdf, .svg).")
    p.add_argument("inputs", nargs="+", metavar="RUN_OR_SWEEP_DIR",
                   help="a run folder (summary.json, ...) or a sweep folder (sweep.csv, ...); "
                        "several make one report comparing them")
    p.add_argument("--out", required=True, metavar="REPORT_DIR",
                   help="the report folder; written atomically, an earlier report there is replaced")
    p.add_argument("--title", help="the report's title (default: from the scenario)")
    p.add_argument("--emulated", metavar="EMU_DIR",
                   help="an emulated run of the same trace (scripts/emu-vs-sim.sh's emu/ folder): adds "
                        "a 'Simulated vs emulated' section comparing it with the first run folder")
    p.add_argument("--formats", default="png", metavar="png[,pdf][,svg]",
                   help="the figure files to write: png (always: the page shows it), and pdf, "
                        "svg for a paper (default: png)")
    p.add_argument("--paper", action="store_true", help="the same as --formats png,pdf,svg")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return p


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    missing = [m for m in ("matplotlib", "pandas", "yaml") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"{PROG}: error: Python module(s) {', '.join(missing)} missing: install Debian's "
              f"{DEBIAN_PACKAGES} and run with /usr/bin/python3 (this is {sys.executable})",
              file=sys.stderr)
        return 1
    from .build import write_report
    from .errors import InputError
    from .figures import parse_formats
    try:
        formats = parse_formats("png,pdf,svg" if args.paper else args.formats)
    except ValueError as e:
        parser.error(f"--formats: {e}")
    try:
        out = write_report(args.inputs, args.out, args.title, emulated=args.emulated,
                           formats=formats)
    except InputError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"report: {out / 'index.html'}")
    return 0
