"""Jettison's simulator from Python: load a scenario, override values, run, sweep, and read the
results as pandas DataFrames, with nothing written unless asked.

    import jettison
    s = jettison.load("scenarios/paper/idle-10min-plus.yaml", {"desktops.count": 5})
    r = jettison.run(s)                     # in memory
    r.strategies                            # one row per strategy: summary.json's figures
    r.periods, r.desktops                   # periods.csv, desktops.csv as DataFrames
    jettison.sweep(s, {"policy.sleep.timeout": ["10s", "1min"]})   # one row per point x strategy

Scenarios load and are checked exactly as `jettison-sim run` loads them (the same overrides as its
--set, the same errors: ScenarioError with the CLI's message, file, line and key). A run's tables are
the files `jettison-sim run` writes, read back: `run(s, out=FOLDER)` writes those files, the same
bytes as the CLI (but wall_seconds).
"""
import io
import itertools
import json
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from . import _core
from .errors import ScenarioError

__all__ = ["DEFAULT", "Result", "Scenario", "ScenarioError", "load", "run", "sweep"]

# The default scenario compiled into the simulator (`jettison-sim show-default`).
DEFAULT = _core.default_scenario


def _yaml_value(v):
    """A Python value as the YAML text an override takes (`--set key=TEXT`)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(_yaml_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k}: {_yaml_value(x)}" for k, x in v.items()) + "}"
    return str(v)


def _override_list(overrides):
    """{"key.path": value} or ["key.path=value", ...] as --set strings."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [f"{k}={_yaml_value(v)}" for k, v in overrides.items()]
    if isinstance(overrides, str):
        return [overrides]
    return [str(o) for o in overrides]


class Scenario:
    """A loaded, checked scenario and how to load it again (for overrides and sweeps)."""

    def __init__(self, kind, source, name, overrides):
        self._kind = kind          # "file" (source: its path) or "text" (source: YAML text)
        self._source = source
        self._name = name          # text: what stands for its file in errors
        self.overrides = list(overrides)
        if kind == "file":
            self._core = _core.load_file(source, self.overrides)
        else:
            self._core = _core.load_text(source, name, self.overrides)

    @classmethod
    def from_file(cls, path, overrides=None):
        return cls("file", os.fspath(path), None, _override_list(overrides))

    @classmethod
    def from_string(cls, text, name="<string>", overrides=None):
        """YAML text; relative paths in it (traces, extends) resolve from the folder of `name`
        (the current folder for the default)."""
        return cls("text", text, name, _override_list(overrides))

    @classmethod
    def from_dict(cls, mapping, name="<dict>", overrides=None):
        """A mapping as a scenario file would hold it (e.g. {"extends": jettison.DEFAULT, ...}).
        Error lines count in the block YAML it becomes (Scenario.text)."""
        return cls("text", _core.dict_to_yaml(dict(mapping)), name, _override_list(overrides))

    @classmethod
    def default(cls, overrides=None):
        return cls.from_file(DEFAULT, overrides)

    def with_overrides(self, overrides):
        """The same scenario with more overrides (later ones win)."""
        return Scenario(self._kind, self._source, self._name, self.overrides + _override_list(overrides))

    @property
    def name(self):
        return self._core.name

    @property
    def seed(self):
        return self._core.seed

    @property
    def source(self):
        """Its file (or the name standing for it), as summary.json's `source`."""
        return self._core.source

    @property
    def strategies(self):
        return list(self._core.strategies)

    @property
    def desktop_count(self):
        return self._core.desktop_count

    @property
    def yaml(self):
        """The scenario as run (extends and overrides applied), as scenario.yaml holds it."""
        return self._core.resolved_yaml

    @property
    def text(self):
        """The YAML text it was loaded from (None for a file)."""
        return self._source if self._kind == "text" else None

    @property
    def file(self):
        """The file it was loaded from (None for text or a mapping)."""
        return self._source if self._kind == "file" else None

    def __repr__(self):
        return (f"Scenario({self.name!r}, source={self.source!r}, desktops={self.desktop_count}, "
                f"strategies={self.strategies})")


def load(scenario=None, overrides=None, *, name=None):
    """A Scenario from a file path (str or Path), YAML text (a str holding a newline), a mapping,
    or None for the default; `overrides` as {"key.path": value} or ["key.path=value"]."""
    if scenario is None:
        return Scenario.default(overrides)
    if isinstance(scenario, Scenario):
        return scenario.with_overrides(overrides) if overrides else scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(scenario, name or "<dict>", overrides)
    if isinstance(scenario, str) and "\n" in scenario:
        return Scenario.from_string(scenario, name or "<string>", overrides)
    return Scenario.from_file(scenario, overrides)


# The files of a run folder, by the attribute that reads them.
_FILES = {"periods": "periods.csv", "timeline": "timeline.csv", "desktops": "desktops.csv",
          "links": "links.csv", "servers": "servers.csv", "summary": "summary.json",
          "scenario": "scenario.yaml"}


def flat_figures(figures, prefix=""):
    """A summary.json object as flat values keyed by dotted path (`migration_latency_s.p50`)."""
    out = {}
    for key, v in figures.items():
        if isinstance(v, Mapping):
            out.update(flat_figures(v, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = v
    return out


class Result:
    """One run's outputs: the files `jettison-sim run` writes, as DataFrames (read when first used)."""

    def __init__(self, scenario, texts=None, out=None):
        self.scenario = scenario
        self.out = Path(out) if out is not None else None
        self._texts = texts
        self._frames = {}

    def text(self, name):
        """A file's contents by name ("periods.csv", "summary.json", ...): in memory, or read from
        the output folder. Of an in-memory run, periods.csv is never compressed."""
        if self._texts is not None:
            key = next((k for k, f in _FILES.items() if f == name), None)
            if key is None:
                raise KeyError(name)
            return self._texts[key]
        return (self.out / name).read_text()

    def _csv(self, key):
        if key not in self._frames:
            if self._texts is not None:
                text = self._texts[key]
                self._frames[key] = pd.read_csv(io.StringIO(text)) if text else pd.DataFrame()
            else:
                path = self.out / _FILES[key]
                if key == "periods" and not path.exists() and (self.out / "periods.csv.zst").exists():
                    path = self.out / "periods.csv.zst"
                self._frames[key] = pd.read_csv(path) if path.exists() else pd.DataFrame()
        return self._frames[key]

    @property
    def periods(self):
        """periods.csv: one row per strategy x desktop x idle period (empty for output.periods: none)."""
        return self._csv("periods")

    @property
    def desktops(self):
        """desktops.csv: one row per strategy x desktop."""
        return self._csv("desktops")

    @property
    def timeline(self):
        return self._csv("timeline")

    @property
    def links(self):
        return self._csv("links")

    @property
    def servers(self):
        return self._csv("servers")

    @property
    def summary(self):
        """summary.json as a dict."""
        if "summary" not in self._frames:
            self._frames["summary"] = json.loads(self.text("summary.json"))
        return self._frames["summary"]

    @property
    def strategies(self):
        """One row per strategy (index), summary.json's figures flattened (`migration_latency_s.p50`)."""
        rows = {k: flat_figures(v) for k, v in self.summary["strategies"].items()}
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "strategy"
        return frame

    def __repr__(self):
        where = f"out={str(self.out)!r}" if self.out else "in memory"
        return f"Result({self.scenario.name!r}, {where})"


def run(scenario=None, overrides=None, *, threads=0, out=None):
    """Runs every strategy of `scenario` (anything load() takes). Nothing is written unless `out`
    names a folder: then the files are those of `jettison-sim run --out OUT`, written atomically."""
    s = load(scenario, overrides)
    if out is None:
        return Result(s, texts=_core.run(s._core, threads, ""))
    _core.run(s._core, threads, os.fspath(out))
    return Result(s, out=out)


def _grid_points(grid):
    keys = list(grid)
    values = [list(grid[k]) if isinstance(grid[k], (list, tuple)) else [grid[k]] for k in keys]
    return keys, [dict(zip(keys, combo)) for combo in itertools.product(*values)]


def sweep(scenario=None, grid=None, overrides=None, *, threads=0, out=None):
    """Runs `scenario` at every point of the cartesian product of `grid` ({"key.path": [v1, v2]},
    the first key varying slowest) and returns one row per point x strategy: `point`, one column per
    grid key (the value's YAML text), `strategy`, then summary.json's figures flattened.

    Nothing is written unless `out` names a folder: then it is `jettison-sim sweep SCENARIO --set
    ... --grid ... --out OUT` (a scenario file or the default only), and the rows are its sweep.csv.
    """
    if not grid:
        raise ValueError("sweep needs a grid: {'key.path': [value, ...]}")
    s = load(scenario, overrides)
    keys, points = _grid_points(grid)
    if out is not None:
        if s.file is None:
            raise ValueError("a sweep writes files only for a scenario file (or the default); "
                             "run it in memory, or save the scenario first")
        flags = [f"{k}=" + ",".join(_yaml_value(v) for v in
                                    (grid[k] if isinstance(grid[k], (list, tuple)) else [grid[k]]))
                 for k in keys]
        _core.sweep_files(s.file, s.overrides, flags, threads, os.fspath(out))
        return pd.read_csv(Path(out) / "sweep.csv")
    # Every point is loaded (and checked) before any runs, as the CLI does.
    scenarios = [s.with_overrides({k: v for k, v in p.items()}) for p in points]
    rows = []
    for i, (p, ps) in enumerate(zip(points, scenarios)):
        summary = json.loads(_core.run(ps._core, threads, "")["summary"])
        for strategy, figures in summary["strategies"].items():
            row = {"point": i}
            row.update({k: _yaml_value(v) for k, v in p.items()})
            row["strategy"] = strategy
            row.update(flat_figures(figures))
            rows.append(row)
    return pd.DataFrame(rows)
