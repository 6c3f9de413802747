"""'Published vs ours': each about.published entry of a folder's scenario.yaml against our figure.

An entry names a metric: a key of summary.json's strategies.<strategy> (savings_pct,
savings_pct_periods_10min_plus, wakeups, ...) or a flattening of its latency objects
(migration_latency_p50_s, reintegration_latency_p95_s, ...: the sweep.csv column names). Without a
strategy it names a top-level key of summary.json (desktops, events). For a sweep, ours is the
range over its points and the status says how many points fall within.

The status is 'reproduced' when ours falls inside the published range, 'above' or 'below' when it
does not; `parameters` names the documented parameters ours depends on most (sim/MODEL.md,
scenarios/paper/README.md): the page profiles (trace file or fitted model, and anchor), migrate_after
and the sleep rule, read from the folder's scenario.yaml (a sweep's: its first point's, with swept
keys marked).
"""
import os
from dataclasses import dataclass

import pandas as pd

from . import fmt, loading


@dataclass
class Comparison:
    folder: str
    metric: str
    strategy: str
    low: float
    high: float
    unit: str
    source: str
    ours: str          # our figure, as text ('-' when not found)
    status: str        # reproduced | below | above | N of M points reproduced | not found: ...
    ok: bool | None    # True within, False outside, None unknown or partly
    parameters: str = "-"  # what ours depends on most: profiles, migrate_after, sleep rule


def flat_metrics(figures, prefix=""):
    """A strategy's summary.json object as flat numbers keyed by dotted path
    (`vs_full.savings_ratio_pct`, `migration_latency_s.p50`), plus the older underscore spellings of
    one-level objects (`migration_latency_s_p50`, `migration_latency_p50_s`)."""
    out = {}
    for key, v in figures.items():
        if isinstance(v, bool):
            continue
        path = f"{prefix}{key}"
        if isinstance(v, (int, float)):
            out[path] = float(v)
        elif isinstance(v, dict):
            out.update(flat_metrics(v, f"{path}."))
            if not prefix:
                for q, x in v.items():
                    if isinstance(x, (int, float)) and not isinstance(x, bool):
                        out[f"{key}_{q}"] = float(x)
                        if key.endswith("_s"):
                            out[f"{key[:-2]}_{q}_s"] = float(x)
    return out


def _entries(scenario):
    about = (scenario or {}).get("about") or {}
    return about.get("published") or []


def _status(v, low, high):
    if v < low:
        return "below", False
    if v > high:
        return "above", False
    return "reproduced", True


def _profile_text(profile):
    """`name = model X.yaml (anchor)` or `name = file X.csv (anchor)` for one page_traces profile."""
    if not isinstance(profile, dict):
        return str(profile)
    if profile.get("model"):
        what = f"model {os.path.basename(str(profile['model']))}"
    elif profile.get("file"):
        what = f"file {os.path.basename(str(profile['file']))}"
    else:
        what = "?"
    anchor = profile.get("anchor") or "idle-start"
    return f"{profile.get('name', '?')} = {what} ({anchor})"


def parameters(scenario, swept=()):
    """The documented parameters a published comparison depends on most, as one line:
    'pages: windows = file pages-windows.csv (idle-start), ...; migrate_after 5min; sleep timeout 10s'.
    Keys in `swept` (a sweep's grid keys) read 'swept'."""
    if not scenario:
        return "-"
    parts = []
    profiles = ((scenario.get("page_traces") or {}).get("profiles")) or []
    if "page_traces" in swept or "page_traces.profiles" in swept:
        parts.append("pages: swept")
    elif profiles:
        parts.append("pages: " + ", ".join(_profile_text(p) for p in profiles))
    migration = scenario.get("migration") or {}
    after = "swept" if "migration.migrate_after" in swept else migration.get("migrate_after", "?")
    parts.append(f"migrate_after {after}")
    sleep = (scenario.get("policy") or {}).get("sleep") or {}
    rule = sleep.get("rule", "?")
    if "policy.sleep.rule" in swept:
        rule = "swept"
    detail = ""
    if rule == "timeout":
        detail = " swept" if "policy.sleep.timeout" in swept else f" {sleep.get('timeout', '?')}"
    parts.append(f"sleep {rule}{detail}")
    return "; ".join(parts)


def _base(folder, p, params="-"):
    return dict(folder=folder, metric=p["metric"], strategy=p.get("strategy") or "",
                low=float(p["low"]), high=float(p["high"]), unit=p.get("unit") or "",
                source=p.get("source") or "", parameters=params)


def compare_run(run):
    out = []
    strategies = run.summary["strategies"]
    params = parameters(run.scenario)
    for p in _entries(run.scenario):
        base = _base(run.label, p, params)
        strategy = base["strategy"]
        if strategy:
            if strategy not in strategies:
                out.append(Comparison(**base, ours="-", ok=None,
                                      status=f"not found: no strategy '{strategy}' in this run"))
                continue
            values = flat_metrics(strategies[strategy])
        else:
            values = flat_metrics({k: v for k, v in run.summary.items() if k != "strategies"})
        if p["metric"] not in values:
            out.append(Comparison(**base, ours="-", ok=None,
                                  status="not found: no such metric in summary.json"))
            continue
        v = values[p["metric"]]
        status, ok = _status(v, base["low"], base["high"])
        out.append(Comparison(**base, ours=fmt.value(v), status=status, ok=ok))
    return out


def compare_sweep(sweep):
    out = []
    table = sweep.table
    params = parameters(sweep.scenario, swept=_swept_keys(sweep))
    for p in _entries(sweep.scenario):
        base = _base(sweep.label, p, params)
        metric, strategy = p["metric"], base["strategy"]
        rows = table[table["strategy"] == strategy] if strategy else table.iloc[0:0]
        if strategy and metric not in table.columns and not rows.empty:
            # Not a sweep.csv column (vs_full.*, ...): each point's summary.json has it.
            v = _from_point_summaries(sweep, strategy, metric)
            if v is None:
                out.append(Comparison(**base, ours="-", ok=None, status=(
                    f"not found: no column '{metric}' in sweep.csv nor in the points' summary.json")))
                continue
        elif metric not in table.columns or rows.empty:
            why = f"no column '{metric}' in sweep.csv" if metric not in table.columns else (
                f"no rows of strategy '{strategy}'" if strategy else "a sweep has no run-wide metrics")
            out.append(Comparison(**base, ours="-", status=f"not found: {why}", ok=None))
            continue
        else:
            v = pd.to_numeric(rows[metric], errors="coerce").dropna()
        if v.empty:
            out.append(Comparison(**base, ours="-", status="not found: no values", ok=None))
            continue
        within = int(((v >= base["low"]) & (v <= base["high"])).sum())
        lo, hi = float(v.min()), float(v.max())
        ours = (fmt.value(lo) if fmt.value(lo) == fmt.value(hi)
                else f"{fmt.value(lo)} to {fmt.value(hi)}")
        if within == len(v):
            status, ok = "reproduced" + (f" (all {len(v)} points)" if len(v) > 1 else ""), True
        elif within == 0:
            status, ok = ("below" if hi < base["low"] else "above" if lo > base["high"]
                          else "outside"), False
            if len(v) > 1:
                status += f" (all {len(v)} points)"
        else:
            status, ok = f"{within} of {len(v)} points reproduced", None
        out.append(Comparison(**base, ours=ours, status=status, ok=ok))
    return out


def _swept_keys(sweep):
    """The sweep's grid keys: sweep.csv's columns between `point` and `strategy`."""
    cols = list(sweep.table.columns)
    if "point" in cols and "strategy" in cols:
        return set(cols[cols.index("point") + 1:cols.index("strategy")])
    return set()


def _from_point_summaries(sweep, strategy, metric):
    """The metric of `strategy` at every point that has it, or None when no point does."""
    values = []
    for summary in loading.point_summaries(sweep):
        figures = summary["strategies"].get(strategy)
        if figures is None:
            continue
        flat = flat_metrics(figures)
        if metric in flat:
            values.append(flat[metric])
    return pd.Series(values, dtype=float) if values else None


def ranges(folder):
    """The folder's published entries as plain ranges {metric, strategy, low, high} for the
    figures to draw (entries whose bounds are not numbers are left to the table)."""
    out = []
    for p in _entries(folder.scenario):
        try:
            out.append(dict(metric=p["metric"], strategy=p.get("strategy") or "",
                            low=float(p["low"]), high=float(p["high"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def compare(folder):
    return compare_run(folder) if folder.kind == "run" else compare_sweep(folder)
