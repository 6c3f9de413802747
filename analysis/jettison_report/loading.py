"""Reads jettison-sim output folders, validating every file it uses.

A run folder holds summary.json (required), periods.csv (or periods.csv.zst, as written with
`output.periods: csv.zst`; read with python3-zstandard), desktops.csv, scenario.yaml,
timeline.csv, links.csv and servers.csv (each optional: the report leaves out what needs a
missing one and says so; `output.periods: none` writes no periods file).
A sweep folder holds sweep.csv (required), sweep.json and points/NNN-.../ run folders, of which
only the first point's scenario.yaml is read (the parameters every point shares).

Every problem raises InputError naming the file (and line); nothing here writes anything.
"""
import contextlib
import csv
import io
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import replicates
from .errors import InputError

STATES = ("active", "idle", "migrating", "suspending", "asleep",
          "resuming_full", "resuming_selective", "serving")
# The report's energy by state: the desktop's power states, and the proxy strategy's proxy
# (periods.csv's proxy_energy_j), which draws beside them.
ENERGY_BUCKETS = STATES + ("proxy",)

# Column kinds: "str"; "int", "float" (a finite number); "float?" (a number or empty).
PERIOD_COLUMNS = {
    "strategy": "str", "desktop": "str", "period": "int", "start_s": "float", "idle_s": "float",
    "window_s": "float", "outcome": "str", "energy_j": "float", "baseline_j": "float",
    "fetched_bytes": "float", "migration_latency_s": "float?", "return_latency_s": "float?",
}
# Converted when present (written by simulators with the network model).
PERIOD_OPTIONAL_NUMERIC = ("migration_latency_uncontended_s", "proxy_energy_j")
# The simulator's other numeric columns (and t_<state>_s): read as numbers (empty: NaN).
PERIOD_OTHER_NUMERIC = ("savings_pct", "server_energy_j", "migrated_bytes", "fetched_pages",
                        "prefetched_pages", "prefetch_used", "reintegrated_bytes", "network_bytes",
                        "dirty_pages", "wakeups")
# Text columns of periods.csv held as pandas categories (few distinct values, many rows).
PERIOD_CATEGORICAL = ("strategy", "desktop", "outcome", "server")
LINK_COLUMNS = {
    "strategy": "str", "link": "str", "from": "str", "to": "str", "capacity_bps": "float",
    "peak_utilisation": "float", "mean_utilisation": "float", "bytes": "float",
}
SERVER_COLUMNS = {
    "strategy": "str", "server": "str", "capacity_bytes": "float", "peak_memory_bytes": "float",
    "mean_memory_bytes": "float", "peak_vms": "float", "mean_vms": "float", "busy_s": "float",
    "vm_seconds": "float", "energy_j": "float", "attributed_j": "float", "admitted": "int",
    "overcommitted": "int",
}
DESKTOP_COLUMNS = {
    "strategy": "str", "desktop": "str", "periods": "int", "energy_kwh": "float",
    "baseline_kwh": "float", "savings_pct": "float",
}
TIMELINE_COLUMNS = {"strategy": "str", "desktop": "str", "period": "int", "time_s": "float",
                    "state": "str"}
SWEEP_COLUMNS = {"point": "int", "strategy": "str", "energy_kwh": "float",
                 "baseline_energy_kwh": "float", "savings_pct": "float"}
# Converted when present (older sweeps lack some; the oracle columns are empty off partial rows).
SWEEP_OPTIONAL_NUMERIC = (
    "savings_pct_periods_10min_plus", "network_bytes", "migrated_bytes", "fetched_pages",
    "reintegrated_bytes", "wakeups", "sleep_fraction", "migration_latency_p50_s",
    "migration_latency_p95_s", "reintegration_latency_p50_s", "reintegration_latency_p95_s",
    "server_peak_memory_bytes", "prefetched_pages", "prefetch_precision", "prefetch_coverage",
    "events", "oracle_energy_kwh", "oracle_savings_pct", "oracle_wakeups",
    "migration_latency_uncontended_p50_s", "contention_slowdown_p50", "peak_link_utilisation", "flows",
    "server_peak_vms", "consolidation_ratio", "server_refusals", "servers_energy_kwh",
)

# summary.json: strategies.<name> must have these; the others default (older simulators lack them).
SUMMARY_REQUIRED = ("energy_kwh", "baseline_energy_kwh", "savings_pct",
                    "savings_pct_periods_10min_plus", "network_bytes", "migrated_bytes",
                    "reintegrated_bytes", "wakeups", "sleep_fraction")
SUMMARY_LATENCIES = ("migration_latency_s", "reintegration_latency_s")
QUANTILES = ("p50", "p95", "p99", "max", "count")


@dataclass
class RunData:
    path: Path
    label: str
    summary: dict
    periods: object = None   # periods.csv (or .zst) as the report uses it: a period_digest.PeriodDigest
    desktops: pd.DataFrame | None = None
    scenario: dict | None = None
    timeline: pd.DataFrame | None = None
    links: pd.DataFrame | None = None
    servers: pd.DataFrame | None = None
    missing: list = field(default_factory=list)   # optional files not in the folder

    kind = "run"

    @property
    def strategies(self):
        return list(self.summary["strategies"])


@dataclass
class SweepData:
    path: Path
    label: str
    table: pd.DataFrame
    grid_keys: list
    grid_values: dict          # key -> values in sweep order (strings, as in sweep.csv)
    meta: dict | None = None   # sweep.json
    scenario: dict | None = None
    scenario_file: Path | None = None
    missing: list = field(default_factory=list)
    summaries: list | None = None  # each point's summary.json, read when first needed
    # With replicates: sweep.csv's rows as they are; `table` then holds their means and intervals.
    replicate_rows: pd.DataFrame | None = None

    kind = "sweep"

    @property
    def strategies(self):
        return list(dict.fromkeys(self.table["strategy"]))

    @property
    def replicates(self):
        """The most replicates of any point (0: not a replicated sweep)."""
        if self.replicate_rows is None or self.table.empty:
            return 0
        return int(self.table[replicates.COUNT_COLUMN].max())


def load_folder(path, label):
    """A run or a sweep folder, told apart by summary.json vs sweep.csv."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such folder")
    if not path.is_dir():
        raise InputError(path, "not a folder: give a run folder (with summary.json) "
                               "or a sweep folder (with sweep.csv)")
    if (path / "summary.json").exists():
        return load_run(path, label)
    if (path / "sweep.csv").exists() or (path / "sweep.json").exists():
        return load_sweep(path, label)
    raise InputError(path / "summary.json", "missing: the folder is neither a run folder "
                     "(summary.json) nor a sweep folder (sweep.csv)")


def load_run(path, label):
    path = Path(path)
    run = RunData(path=path, label=label, summary=read_summary(path / "summary.json"))
    optional = {
        "periods.csv": read_period_digest,
        "desktops.csv": lambda f: read_csv(f, DESKTOP_COLUMNS),
        "scenario.yaml": read_scenario,
        "timeline.csv": read_timeline,
        "links.csv": lambda f: read_csv(f, LINK_COLUMNS),
        "servers.csv": lambda f: read_csv(f, SERVER_COLUMNS),
    }
    for name, reader in optional.items():
        f = path / name
        if name == "periods.csv" and not f.exists() and (path / "periods.csv.zst").exists():
            f = path / "periods.csv.zst"
        if f.exists():
            setattr(run, name.split(".")[0], reader(f))
        else:
            run.missing.append(name)
    return run


def load_sweep(path, label):
    path = Path(path)
    table_file = path / "sweep.csv"
    if not table_file.exists():
        raise InputError(table_file, "missing: a sweep folder needs its sweep.csv")
    meta = None
    missing = []
    if (path / "sweep.json").exists():
        meta = read_json(path / "sweep.json")
        _check_sweep_meta(path / "sweep.json", meta)
    else:
        missing.append("sweep.json")

    header = _csv_header(table_file)
    if "point" not in header or "strategy" not in header:
        raise InputError(table_file, "missing column 'point' or 'strategy' (has: "
                         + ", ".join(header) + ")")
    if meta is not None:
        keys = [g["key"] for g in meta["grid"]]
        for k in keys:
            if k not in header:
                raise InputError(table_file, f"no column for the grid key '{k}' of sweep.json")
    else:   # the columns between point and strategy
        keys = header[header.index("point") + 1:header.index("strategy")]
    spec = dict(SWEEP_COLUMNS)
    spec.update({k: "str" for k in keys})
    spec.update({c: "int" for c in replicates.REPLICATE_COLUMNS if c in header and c not in keys})
    spec.update({c: "float?" for c in SWEEP_OPTIONAL_NUMERIC if c in header})
    table = read_csv(table_file, spec)
    raw = None
    if replicates.is_replicated(header, keys):
        # Rows that differ only in their seed are one point's replicates: figures and tables show
        # their mean and confidence interval, and the seed is no axis (replicates.py).
        raw = table
        keys = [k for k in keys if k not in replicates.REPLICATE_COLUMNS]
        table = replicates.aggregate(raw, keys)
    values = {k: list(dict.fromkeys(table[k])) for k in keys}

    sweep = SweepData(path=path, label=label, table=table, grid_keys=keys, grid_values=values,
                      meta=meta, missing=missing, replicate_rows=raw)
    first = _first_point(path, meta)
    if first is not None and (first / "scenario.yaml").exists():
        sweep.scenario_file = first / "scenario.yaml"
        sweep.scenario = read_scenario(sweep.scenario_file)
    else:
        sweep.missing.append("points/*/scenario.yaml")
    return sweep


def point_folders(sweep):
    """The sweep's point folders in sweep order: sweep.json's list, else points/* sorted."""
    path, meta = sweep.path, sweep.meta
    if meta is not None and meta.get("points"):
        folders = [p.get("folder") for p in meta["points"] if isinstance(p, dict)]
        found = [path / f for f in folders if isinstance(f, str) and (path / f).is_dir()]
        if found:
            return found
    points = path / "points"
    return sorted(p for p in points.iterdir() if p.is_dir()) if points.is_dir() else []


def point_summaries(sweep):
    """Each point's summary.json (points without one are left out), read once and kept."""
    if sweep.summaries is None:
        sweep.summaries = [read_summary(f / "summary.json") for f in point_folders(sweep)
                           if (f / "summary.json").exists()]
    return sweep.summaries


def _first_point(path, meta):
    if meta is not None and meta.get("points"):
        folder = meta["points"][0].get("folder")
        if isinstance(folder, str) and (path / folder).is_dir():
            return path / folder
    points = path / "points"
    if points.is_dir():
        dirs = sorted(p for p in points.iterdir() if p.is_dir())
        if dirs:
            return dirs[0]
    return None


def _check_sweep_meta(file, meta):
    if not isinstance(meta, dict):
        raise InputError(file, "expected a JSON object")
    grid = meta.get("grid")
    if not isinstance(grid, list):
        raise InputError(file, "'grid' must be a list of {key, values}")
    for i, g in enumerate(grid):
        if not isinstance(g, dict) or not isinstance(g.get("key"), str):
            raise InputError(file, f"grid[{i}] must be an object with a 'key' string")
    if "points" in meta and not isinstance(meta["points"], list):
        raise InputError(file, "'points' must be a list")


# ---- readers -------------------------------------------------------------------------------

def read_json(file):
    try:
        with open(file, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise InputError(file, f"malformed JSON: {e.msg} (column {e.colno})", e.lineno) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(file, f"cannot read: {e}") from None


def read_summary(file):
    s = read_json(file)
    if not isinstance(s, dict):
        raise InputError(file, "expected a JSON object")
    strategies = s.get("strategies")
    if not isinstance(strategies, dict) or not strategies:
        raise InputError(file, "'strategies' must be a non-empty object of strategy -> figures")
    for name, st in strategies.items():
        if not isinstance(st, dict):
            raise InputError(file, f"strategies.{name} must be an object")
        for key in SUMMARY_REQUIRED:
            if key not in st:
                raise InputError(file, f"strategies.{name}: missing '{key}'")
            if not _is_number(st[key]):
                raise InputError(file, f"strategies.{name}.{key}: not a number: {st[key]!r}")
        for key in SUMMARY_LATENCIES:
            lat = st.get(key)
            if not isinstance(lat, dict) or not all(_is_number(lat.get(q)) for q in QUANTILES):
                raise InputError(file, f"strategies.{name}.{key}: expected an object with "
                                       "numbers " + ", ".join(QUANTILES))
    return s


def read_scenario(file):
    try:
        with open(file, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        raise InputError(file, f"malformed YAML: {problem}", line) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(file, f"cannot read: {e}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise InputError(file, "expected a mapping at the top")
    _check_about(file, doc.get("about"))
    return doc


def _check_about(file, about):
    if about is None:
        return
    if not isinstance(about, dict):
        raise InputError(file, "about: expected a mapping (title, description, published)")
    for key in ("title", "description"):
        if key in about and not isinstance(about[key], str):
            raise InputError(file, f"about.{key}: expected text")
    published = about.get("published")
    if published is None:
        return
    if not isinstance(published, list):
        raise InputError(file, "about.published: expected a list of "
                               "{metric, strategy, low, high, unit, source}")
    for i, p in enumerate(published):
        where = f"about.published[{i}]"
        if not isinstance(p, dict):
            raise InputError(file, f"{where}: expected a mapping")
        if not isinstance(p.get("metric"), str) or not p["metric"]:
            raise InputError(file, f"{where}.metric: expected a metric name")
        for key in ("low", "high"):
            if not _is_number(p.get(key)):
                raise InputError(file, f"{where}.{key}: expected a number, got {p.get(key)!r}")
        if p["low"] > p["high"]:
            raise InputError(file, f"{where}: low ({p['low']}) is above high ({p['high']})")
        for key in ("strategy", "unit", "source"):
            if key in p and p[key] is not None and not isinstance(p[key], str):
                raise InputError(file, f"{where}.{key}: expected text")


def read_periods(file):
    """periods.csv as a table: the columns the report uses converted and checked, every other
    number the simulator writes as a number too, and the text columns as categories (a run of 1000
    desktops over 30 days has 1.3 million rows: held as numbers, not as text). The report itself
    reads read_period_digest's digest instead."""
    return read_csv(file, _period_spec(file), categorical=PERIOD_CATEGORICAL)


def read_period_digest(file):
    """periods.csv digested as the report uses it (period_digest.PeriodDigest), read and checked a
    chunk at a time as read_periods reads the table: memory for the migrations' latencies, not the
    rows."""
    from .period_digest import PeriodDigest
    return fold_csv(file, _period_spec(file), PeriodDigest, categorical=PERIOD_CATEGORICAL).finish()


def _period_spec(file):
    spec = dict(PERIOD_COLUMNS)
    header = _csv_header(file)
    spec.update({c: "float?" for c in header
                 if c not in spec and (c in PERIOD_OPTIONAL_NUMERIC or c in PERIOD_OTHER_NUMERIC
                                       or (c.startswith("t_") and c.endswith("_s")))})
    return spec


def read_timeline(file):
    df = read_csv(file, TIMELINE_COLUMNS)
    bad = ~df["state"].isin(STATES)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise InputError(file, f"unknown state '{df['state'].iloc[i]}'; expected one of "
                         + ", ".join(STATES), i + 2)
    return df


def _open_text(file):
    """A CSV file as text: plain, or zstd-compressed when its name ends in .zst (every frame of
    it: jettison-sim writes one per strategy)."""
    if not str(file).endswith(".zst"):
        return open(file, newline="", encoding="utf-8")
    try:
        import zstandard
    except ImportError:
        raise InputError(file, "reading a .zst file needs the Python module zstandard: install "
                               "Debian's python3-zstandard (or rerun with output.periods: csv)") from None
    raw = open(file, "rb")
    reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=True)
    return io.TextIOWrapper(reader, encoding="utf-8", newline="")


def _zstd_errors():
    try:
        import zstandard
        return (zstandard.ZstdError,)
    except ImportError:
        return ()


def _csv_header(file):
    try:
        with _open_text(file) as f:
            return next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError, csv.Error) + _zstd_errors() as e:
        raise InputError(file, f"cannot read: {e}") from None


def read_csv(file, spec, categorical=()):
    """The CSV as a DataFrame: every row as many fields as the header, the columns of spec
    present and converted (numbers checked finite); other columns stay text (those named in
    categorical: pandas categories).

    Read by pandas' C parser. Anything it cannot settle is read again by the exact reader, which
    names the line: a row with a field too many (the parser refuses it), an empty last field
    (which is also how a row with fields missing reads), a word for a number, an empty required
    number. Blank lines are skipped."""
    header = _checked_header(file, spec)
    if len(set(header)) != len(header):
        return _read_csv_exact(file, spec, categorical)
    try:
        return _read_csv_chunked(file, header, spec, categorical)
    except _Unsettled:
        return _read_csv_exact(file, spec, categorical)


def fold_csv(file, spec, start, categorical=()):
    """Feeds the CSV to an accumulator a chunk of at most CHUNK_ROWS rows at a time, each chunk
    converted and checked as read_csv converts and checks the whole table (categories per chunk):
    start(header) makes the accumulator, its add(chunk) keeps what it needs; returns it. For
    readers that need less than the table: memory holds one chunk's parse. Should the fast reader
    meet a chunk only the exact reader can settle, a new accumulator is fed the whole file again by
    the exact reader, which raises InputError naming a bad line."""
    header = _checked_header(file, spec)
    if len(set(header)) == len(header):
        acc = start(header)
        try:
            for chunk in _fast_chunks(file, header, spec, categorical):
                acc.add(chunk)
            return acc
        except _Unsettled:
            pass
    acc = start(header)
    for chunk in _exact_chunks(file, spec, categorical):
        acc.add(chunk)
    return acc


def _checked_header(file, spec):
    header = _csv_header(file)
    if not header:
        raise InputError(file, "empty file: expected a header line")
    _check_spec_columns(file, header, spec)
    return header


class _Unsettled(Exception):
    """The fast reader met something only the exact reader can settle (or name)."""


CHUNK_ROWS = 1 << 16


def _fast_chunks(file, header, spec, categorical):
    """pandas' C parser over CHUNK_ROWS rows at a time, each chunk checked and its whole numbers
    converted; _Unsettled at the first chunk that needs the exact reader. A plain file is read by
    its path (pandas' own reader)."""
    dtype, na = {}, {}
    for col in header:
        kind = spec.get(col, "str")
        if kind == "str":
            dtype[col] = "category" if col in categorical else object
        else:
            dtype[col] = "float64"
            na[col] = [""]
    source = None if str(file).endswith(".zst") else file
    try:
        with (_open_text(file) if source is None else contextlib.nullcontext(source)) as f:
            for chunk in pd.read_csv(f, header=0, names=header, dtype=dtype, engine="c",
                                     keep_default_na=False, na_values=na, skip_blank_lines=True,
                                     chunksize=CHUNK_ROWS):
                if not _settled(chunk, spec, header[-1]):
                    raise _Unsettled
                yield chunk
    except (ValueError, csv.Error, UnicodeDecodeError):   # ParserError is a ValueError
        raise _Unsettled from None
    except OSError as e:
        raise InputError(file, f"cannot read: {e}") from None
    except _zstd_errors() as e:
        raise InputError(file, f"cannot read: {e}") from None


def _settled(df, spec, last):
    """Whether the fast reader's table is what the exact reader would give: the last field never
    empty (a row with fields missing reads so), the numbers of spec finite (or empty where
    allowed), whole where they must be. Converts the whole-number columns."""
    tail = df[last]
    # A text column's empty field: an object or a category column holding "".
    if tail.isna().any() or (tail.dtype != "float64" and (tail == "").any()):
        return False
    for col, kind in spec.items():
        if kind == "str":
            continue
        v = df[col].to_numpy(dtype=float)
        bad = ~np.isfinite(v)
        if kind == "float?":
            bad &= ~np.isnan(v)   # empty
        if kind == "int":
            bad |= np.nan_to_num(v) != np.round(np.nan_to_num(v))
        if bad.any():
            return False
    for col, kind in spec.items():
        if kind == "int":
            df[col] = df[col].astype("int64")
    return True


def _read_csv_chunked(file, header, spec, categorical):
    """The whole table from the fast reader's chunks. Each chunk's numbers are kept as one 2-D
    block (a column a row), copied into the table's block at the end chunk by chunk, each chunk
    dropped once copied: memory holds the numbers about once, plus one chunk's parse. (Parsed
    whole, a periods.csv of 10,000 desktops x 30 days, 13.5 M rows, 2.8 GB, peaked at 16 GB for a
    3.2 GB table.) The text columns are joined per column (categories with union_categoricals,
    sorted as pandas sorts them in one parse). The whole numbers (converted per chunk) are kept out
    of the block: changing a column inside it would copy the block."""
    numeric = [c for c in header if spec.get(c, "str") not in ("str", "int")]
    other = [c for c in header if c not in numeric]
    blocks, texts = [], {c: [] for c in other}
    for chunk in _fast_chunks(file, header, spec, categorical):
        # (rows, columns) -> (columns, rows): a view of the chunk's own block when pandas
        # holds it that way, else a copy.
        blocks.append(np.ascontiguousarray(chunk[numeric].to_numpy(dtype="float64").T))
        for c in other:
            # Copied: a view would keep the chunk's whole block.
            texts[c].append(chunk[c].array if c in categorical and spec.get(c, "str") == "str"
                            else chunk[c].to_numpy(copy=True))
        del chunk
    rows = sum(b.shape[1] for b in blocks)
    table = np.empty((len(numeric), rows), dtype="float64")
    at = 0
    while blocks:
        b = blocks.pop(0)
        table[:, at:at + b.shape[1]] = b
        at += b.shape[1]
        del b
    df = pd.DataFrame(table.T, columns=numeric, copy=False)
    for c in other:
        parts = texts.pop(c)
        kind = spec.get(c, "str")
        if kind == "str" and c in categorical:
            values = (pd.Categorical([], categories=[]) if not parts else parts[0] if len(parts) == 1
                      else pd.api.types.union_categoricals(parts, sort_categories=True))
        else:
            empty = np.dtype("int64") if kind == "int" else np.dtype(object)
            values = (np.empty(0, dtype=empty) if not parts else parts[0] if len(parts) == 1
                      else np.concatenate(parts))
        df.insert(header.index(c), c, values)
    return df


def _exact_rows(file, spec):
    """(header, iterator of (line number, fields)) by the csv module, the header checked for the
    columns of spec; blank lines skipped, a row with another number of fields than the header
    named. The file closes when the iterator ends (or is dropped), or here on an error."""
    f = _open_text(file)
    try:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise InputError(file, "empty file: expected a header line")
        _check_spec_columns(file, header, spec)
    except BaseException:
        f.close()
        raise

    def rows():
        with f:
            for row in reader:
                if not row:
                    continue   # a blank line
                if len(row) != len(header):
                    raise InputError(file, f"malformed CSV: {len(row)} fields, the header has "
                                           f"{len(header)}", reader.line_num)
                yield reader.line_num, row
    return header, rows()


def _exact_table(file, header, numbered, spec, categorical):
    """Rows read by the exact reader as a DataFrame, converted as spec says; the first bad number
    (column by column) raises InputError with its line."""
    lines = [ln for ln, _ in numbered]
    df = pd.DataFrame([r for _, r in numbered], columns=header, dtype=str) if numbered else pd.DataFrame(
        {c: pd.Series(dtype=str) for c in header})
    for col, kind in spec.items():
        if kind == "str":
            continue
        text = df[col]
        nums = pd.to_numeric(text, errors="coerce")
        bad = pd.Series(~np.isfinite(nums.to_numpy(dtype=float)), index=nums.index)
        if kind == "float?":
            bad &= text != ""
        if kind == "int":
            bad |= nums.fillna(0) != nums.fillna(0).round()
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise InputError(file, f"column '{col}': not a {'whole ' if kind == 'int' else ''}"
                                   f"number: '{text.iloc[i]}'", lines[i])
        df[col] = nums.astype("int64") if kind == "int" else nums.astype("float64")
    for col in categorical:
        if col in df.columns and spec.get(col, "str") == "str":
            df[col] = df[col].astype("category")
    return df


def _exact_guarded(file, work):
    try:
        return work()
    except csv.Error as e:
        raise InputError(file, f"malformed CSV: {e}") from None
    except (OSError, UnicodeDecodeError) + _zstd_errors() as e:
        raise InputError(file, f"cannot read: {e}") from None


def _read_csv_exact(file, spec, categorical=()):
    """read_csv's careful reader: row by row with the csv module, naming the first bad line."""
    def work():
        header, rows = _exact_rows(file, spec)
        return _exact_table(file, header, list(rows), spec, categorical)
    return _exact_guarded(file, work)


def _exact_chunks(file, spec, categorical):
    """fold_csv's chunks by the exact reader: CHUNK_ROWS rows at a time."""
    header, rows = _exact_guarded(file, lambda: _exact_rows(file, spec))
    while True:
        batch = _exact_guarded(file, lambda: list(itertools.islice(rows, CHUNK_ROWS)))
        if not batch:
            return
        yield _exact_table(file, header, batch, spec, categorical)


def _check_spec_columns(file, header, spec):
    for col in spec:
        if col not in header:
            raise InputError(file, f"missing column '{col}' (has: {', '.join(header)})", 1)


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
