#!/usr/bin/python3
"""Jettison report generator: python3 analysis/jettison_report.py RUN_OR_SWEEP_DIR [MORE_DIRS...]
--out REPORT_DIR [--title T]. See analysis/README.md; the code is in analysis/jettison_report/."""
import importlib.util
import os
import sys

DEBIAN_PYTHON = "/usr/bin/python3"


def _use_debian_python():
    """Debian's python3-matplotlib, -pandas and -yaml are visible to /usr/bin/python3 only: when
    another python3 (pyenv, a venv) runs this script without them, run it again with Debian's."""
    if all(importlib.util.find_spec(m) for m in ("matplotlib", "pandas", "yaml")):
        return
    if (os.path.exists(DEBIAN_PYTHON) and not os.environ.get("JETTISON_REPORT_REEXEC")
            and os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON)):
        os.environ["JETTISON_REPORT_REEXEC"] = "1"
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, os.path.abspath(__file__), *sys.argv[1:]])


if __name__ == "__main__":
    _use_debian_python()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from jettison_report.cli import main
    sys.exit(main())
