"""Derived tables of a run: what the figures and tables show, computed once, no formatting."""
import math

import numpy as np
import pandas as pd

# Idle-period length classes (seconds, [low, high)); "10 min plus" in summary.json is idle_s >= 600.
PERIOD_CLASSES = (("under 10 min", 0.0, 600.0), ("10-30 min", 600.0, 1800.0),
                  ("30-60 min", 1800.0, 3600.0), ("over 1 h", 3600.0, math.inf))


def _q(st, key, q):
    lat = st.get(key) or {}
    return lat.get(q) if lat.get("count") else None


def strategy_rows(summary):
    """One dict per strategy of summary.json, in its order."""
    rows = []
    for name, st in summary["strategies"].items():
        migrations = st.get("migrations")
        moved = None
        if migrations:
            moved = st["network_bytes"] / migrations
        rows.append({
            "strategy": name,
            "energy_kwh": st["energy_kwh"],
            "baseline_energy_kwh": st["baseline_energy_kwh"],
            "savings_pct": st["savings_pct"],
            "savings_pct_periods_10min_plus": st["savings_pct_periods_10min_plus"],
            "network_bytes": st["network_bytes"],
            "moved_per_migration": moved,
            "migrations": migrations,
            "wakeups": st["wakeups"],
            "sleep_fraction": st["sleep_fraction"],
            "migration_p50": _q(st, "migration_latency_s", "p50"),
            "migration_p95": _q(st, "migration_latency_s", "p95"),
            "return_p50": _q(st, "reintegration_latency_s", "p50"),
            "return_p95": _q(st, "reintegration_latency_s", "p95"),
            "server_energy_kwh": st.get("server_energy_kwh"),
        })
    return rows


def always_on_kwh(summary):
    """The always-on baseline's energy: the always-on strategy's, else the first baseline."""
    st = summary["strategies"]
    if "always-on" in st:
        return st["always-on"]["energy_kwh"]
    return next(iter(st.values()))["baseline_energy_kwh"]


def _order(strategies, preferred):
    known = [s for s in preferred if s in set(strategies)]
    return known + [s for s in dict.fromkeys(strategies) if s not in set(known)]


def savings_by_class(periods, order=()):
    """Per strategy x length class: periods, idle hours, energy, baseline, savings (%)."""
    rows = []
    for strategy in _order(periods["strategy"], order):
        p = periods[periods["strategy"] == strategy]
        for name, low, high in PERIOD_CLASSES:
            c = p[(p["idle_s"] >= low) & (p["idle_s"] < high)]
            e, b = c["energy_j"].sum(), c["baseline_j"].sum()
            rows.append({"strategy": strategy, "class": name, "periods": len(c),
                         "idle_hours": c["idle_s"].sum() / 3600.0, "energy_kwh": e / 3.6e6,
                         "baseline_kwh": b / 3.6e6,
                         "savings_pct": 100.0 * (1.0 - e / b) if b > 0 else math.nan})
    return pd.DataFrame(rows, columns=["strategy", "class", "periods", "idle_hours", "energy_kwh",
                                       "baseline_kwh", "savings_pct"])


def latencies(periods, order=()):
    """{'migration': {strategy: sorted seconds}, 'return': {...}}; strategies without any left out."""
    out = {"migration": {}, "return": {}}
    for strategy in _order(periods["strategy"], order):
        p = periods[periods["strategy"] == strategy]
        for kind, col in (("migration", "migration_latency_s"), ("return", "return_latency_s")):
            v = np.sort(p[col].dropna().to_numpy(dtype=float))
            if len(v):
                out[kind][strategy] = v
    return out


def bytes_moved(summary, periods):
    """Per strategy: migrated, fetched (on demand), prefetched and reintegrated bytes."""
    rows = []
    for name, st in summary["strategies"].items():
        migrated, reint = st["migrated_bytes"], st["reintegrated_bytes"]
        prefetched = st.get("prefetched_bytes", 0) or 0
        if periods is not None:
            fetched = float(periods.loc[periods["strategy"] == name, "fetched_bytes"].sum())
        else:   # network = migrated + fetched + prefetched + reintegrated
            fetched = max(0.0, st["network_bytes"] - migrated - prefetched - reint)
        rows.append({"strategy": name, "migrated": float(migrated), "fetched": fetched,
                     "prefetched": float(prefetched), "reintegrated": float(reint),
                     "network": float(st["network_bytes"]), "migrations": st.get("migrations")})
    return rows


def timeline_segments(timeline, order=()):
    """{strategy: {desktop: [(start_s, duration_s, state), ...]}}: each row's state lasts until the
    desktop's next row; the last row of a desktop (its final close) has no extent and is dropped."""
    out = {}
    for strategy in _order(timeline["strategy"], order):
        t = timeline[timeline["strategy"] == strategy]
        per = {}
        for desktop in sorted(set(t["desktop"])):
            d = t[t["desktop"] == desktop].sort_values("time_s", kind="stable")
            times, states = d["time_s"].to_numpy(), d["state"].to_list()
            per[desktop] = [(float(times[i]), float(times[i + 1] - times[i]), states[i])
                            for i in range(len(times) - 1) if times[i + 1] > times[i]]
        out[strategy] = per
    return out


def zoom_choice(timeline):
    """The (desktop, period) to zoom on: the partial strategy's period with the most state changes
    (else any strategy's), earliest first on ties. None for an empty timeline."""
    if timeline is None or timeline.empty:
        return None
    t = timeline[timeline["strategy"] == "partial"]
    if t.empty:
        t = timeline
    counts = t.groupby(["desktop", "period"], sort=True).agg(n=("time_s", "size"),
                                                              t0=("time_s", "min"))
    counts = counts.reset_index().sort_values(["n", "t0"], ascending=[False, True], kind="stable")
    best = counts.iloc[0]
    return str(best["desktop"]), int(best["period"])


def period_rows(timeline, desktop, period, order=()):
    """{strategy: rows of that desktop's period (time-sorted), plus the desktop's next row}."""
    out = {}
    for strategy in _order(timeline["strategy"], order):
        d = timeline[(timeline["strategy"] == strategy) & (timeline["desktop"] == desktop)]
        d = d.sort_values("time_s", kind="stable").reset_index(drop=True)
        idx = d.index[d["period"] == period]
        if len(idx):
            out[strategy] = d.iloc[idx[0]:min(idx[-1] + 2, len(d))]
    return out
