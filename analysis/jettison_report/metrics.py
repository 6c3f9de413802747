"""Derived tables of a run: what the figures and tables show, computed once, no formatting."""
import math
import re

import numpy as np
import pandas as pd

from .loading import ENERGY_BUCKETS, STATES
from .period_digest import PERIOD_CLASSES, STATE_COLUMNS, UNCONTENDED


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


def net_savings(rows, scenario):
    """Adds to each strategy row the consolidation servers' energy attributed to its VMs
    (`servers_kwh`, 0 for strategies that host nothing) and the savings counting it
    (`net_savings_pct` = 1 - (desktop energy + attributed server energy) / baseline). With
    servers.add_to_total the desktop energy already holds it: it is not added twice."""
    in_total = bool(((scenario or {}).get("servers") or {}).get("add_to_total"))
    for r in rows:
        server = r.get("server_energy_kwh") or 0.0
        r["servers_kwh"] = server
        desktops = r["energy_kwh"] - (server if in_total else 0.0)
        r["desktop_savings_pct"] = (100.0 * (1 - desktops / r["baseline_energy_kwh"])
                                    if r["baseline_energy_kwh"] else 0.0)
        net = desktops + server
        r["net_savings_pct"] = (100.0 * (1 - net / r["baseline_energy_kwh"])
                                if r["baseline_energy_kwh"] else 0.0)
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
    """Per strategy x length class: periods, idle hours, energy, baseline, savings (%).
    `periods`: a period_digest.PeriodDigest."""
    rows = []
    for strategy in _order(periods.strategies, order):
        classes = periods.strategies[strategy].classes
        for name, _, _ in PERIOD_CLASSES:
            n, idle, e, b = classes[name]
            rows.append({"strategy": strategy, "class": name, "periods": n,
                         "idle_hours": idle / 3600.0, "energy_kwh": e / 3.6e6,
                         "baseline_kwh": b / 3.6e6,
                         "savings_pct": 100.0 * (1.0 - e / b) if b > 0 else math.nan})
    return pd.DataFrame(rows, columns=["strategy", "class", "periods", "idle_hours", "energy_kwh",
                                       "baseline_kwh", "savings_pct"])


_POWER_UNITS = {"w": 1.0, "kw": 1e3, "mw": 1e-3}


def _watts(text):
    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*([kKmM]?[wW])\s*", str(text))
    if not m:
        raise ValueError(f"not a power: {text!r}")
    return float(m.group(1)) * _POWER_UNITS[m.group(2).lower()]


def _desktop_powers(scenario):
    """(default power per state in W, {desktop id: its power per state}) from scenario.yaml."""
    default = {k: _watts(v) for k, v in ((scenario.get("desktop") or {}).get("power") or {}).items()}
    listed = {}
    for entry in ((scenario.get("desktops") or {}).get("list") or []):
        if isinstance(entry, dict) and isinstance(entry.get("power"), dict):
            listed[str(entry["id"])] = {**default,
                                        **{k: _watts(v) for k, v in entry["power"].items()}}
    return default, listed


def energy_by_state(periods, scenario, order=()):
    """Per strategy, the desktops' energy in each power state (kWh): each desktop's time in a state
    (the t_<state>_s of its periods) times its draw there (scenario.yaml's desktop.power,
    overridden per desktop by desktops.list), and the proxy strategy's proxy (proxy_energy_j) as
    one more bucket. `periods`: a period_digest.PeriodDigest.
    Returns (DataFrame strategy x bucket, None), or (None, why) when the
    scenario does not give every draw or the parts do not add up to periods.csv's energy_j (less
    the servers' share when servers.add_to_total): then no breakdown is shown rather than a wrong
    one."""
    if not scenario:
        return None, "no scenario.yaml in the folder: the draw per state is not known"
    try:
        default, listed = _desktop_powers(scenario)
    except ValueError as e:
        return None, f"scenario.yaml: {e}"
    missing = [st for st in STATES if st not in default]
    if missing:
        return None, "scenario.yaml's desktop.power lacks " + ", ".join(missing)
    absent = [c for c in STATE_COLUMNS if c not in periods.columns]
    if absent:
        return None, "periods.csv lacks " + ", ".join(absent)
    in_total = bool((scenario.get("servers") or scenario.get("server") or {}).get("add_to_total"))
    rows = []
    for strategy in _order(periods.strategies, order):
        p = periods.strategies[strategy]
        seconds = p.state_s
        draw = {st: np.full(len(seconds), default[st]) for st in STATES}
        if listed:
            for i, d in enumerate(seconds.index):
                if d in listed:
                    for st in STATES:
                        draw[st][i] = listed[d][st]
        parts = {st: float((seconds[f"t_{st}_s"].to_numpy(dtype=float) * draw[st]).sum())
                 for st in STATES}
        parts["proxy"] = p.proxy_energy_j
        total = p.energy_j - (p.server_energy_j if in_total else 0.0)
        if abs(sum(parts.values()) - total) > 1e-6 * max(1.0, abs(total)) + 1e-3 * p.rows:
            return None, (f"the states' energy of {strategy} ({sum(parts.values()):.1f} J) does not "
                          f"add up to periods.csv's energy_j ({total:.1f} J)")
        rows.append({"strategy": strategy, **{st: parts[st] / 3.6e6 for st in ENERGY_BUCKETS}})
    return pd.DataFrame(rows, columns=["strategy", *ENERGY_BUCKETS]), None


def latencies(periods, order=()):
    """{'migration': {strategy: sorted seconds}, 'return': {...}}; strategies without any left out."""
    out = {"migration": {}, "return": {}}
    for strategy in _order(periods.strategies, order):
        p = periods.strategies[strategy]
        for kind, v in (("migration", p.migration_latency_s), ("return", p.return_latency_s)):
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
            p = periods.strategies.get(name)
            fetched = p.fetched_bytes if p else 0.0
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


# ---- network and servers -------------------------------------------------------------------

def network_rows(summary):
    """Per strategy of summary.json: migration latency contended vs uncontended, flows, links and
    the servers' figures; None where an older summary.json lacks a figure."""
    rows = []
    for name, st in summary["strategies"].items():
        unc = st.get("migration_latency_uncontended_s")
        rows.append({
            "strategy": name,
            "migrations": st.get("migrations"),
            "p50": _q(st, "migration_latency_s", "p50"),
            "p95": _q(st, "migration_latency_s", "p95"),
            "unc_p50": _q(st, "migration_latency_uncontended_s", "p50") if isinstance(unc, dict) else None,
            "unc_p95": _q(st, "migration_latency_uncontended_s", "p95") if isinstance(unc, dict) else None,
            "slowdown_p50": st.get("contention_slowdown_p50") if (st.get("migration_latency_s") or {}).get("count") else None,
            "flows": st.get("flows"),
            "peak_flows": st.get("peak_concurrent_flows"),
            "peak_link_utilisation": st.get("peak_link_utilisation"),
            "servers_energy_kwh": st.get("servers_energy_kwh"),
            "refusals": st.get("server_refusals"),
            "overcommits": st.get("server_overcommits"),
            "consolidation_ratio": st.get("consolidation_ratio"),
        })
    return rows


def has_network_figures(summary):
    return any("migration_latency_uncontended_s" in st or "flows" in st
               for st in summary["strategies"].values())


def busiest_links(links, n=10, order=()):
    """Per strategy, its n busiest link directions: by peak utilisation, then mean utilisation,
    then bytes (descending), then link and direction; and how many directions it used."""
    out = []
    for strategy in _order(links["strategy"], order):
        l = links[links["strategy"] == strategy]
        l = l.sort_values(["peak_utilisation", "mean_utilisation", "bytes", "link", "from"],
                          ascending=[False, False, False, True, True], kind="stable")
        out.append((strategy, len(l), l.head(n)))
    return out


def server_rows(servers, order=()):
    """One dict per row of servers.csv (strategies in order): memory as shares of capacity and the
    consolidation ratio (hosted VM-time / time the server hosted anything)."""
    rows = []
    for strategy in _order(servers["strategy"], order):
        for _, r in servers[servers["strategy"] == strategy].iterrows():
            cap = float(r["capacity_bytes"])
            share = (lambda b: 100.0 * float(b) / cap) if cap > 0 else (lambda b: None)
            rows.append({
                "strategy": strategy, "server": r["server"], "capacity_bytes": cap,
                "peak_memory_bytes": float(r["peak_memory_bytes"]),
                "peak_memory_pct": share(r["peak_memory_bytes"]),
                "mean_memory_bytes": float(r["mean_memory_bytes"]),
                "mean_memory_pct": share(r["mean_memory_bytes"]),
                "peak_vms": float(r["peak_vms"]), "mean_vms": float(r["mean_vms"]),
                "busy_s": float(r["busy_s"]),
                "consolidation_ratio": (float(r["vm_seconds"]) / float(r["busy_s"])
                                        if r["busy_s"] > 0 else None),
                "energy_kwh": float(r["energy_j"]) / 3.6e6,
                "attributed_kwh": float(r["attributed_j"]) / 3.6e6,
                "admitted": int(r["admitted"]), "overcommitted": int(r["overcommitted"]),
            })
    return rows


def migration_pairs(periods, order=()):
    """{strategy: (contended seconds, uncontended seconds)} over the periods that have both (the
    same migrations, in periods.csv order); strategies without any left out. {} when periods.csv
    has no migration_latency_uncontended_s column."""
    if UNCONTENDED not in periods.columns:
        return {}
    out = {}
    for strategy in _order(periods.strategies, order):
        contended, uncontended = periods.strategies[strategy].pairs
        if len(contended):
            out[strategy] = (contended, uncontended)
    return out


SWEEP_NETWORK_AXIS = "desktops.count"


def is_bandwidth_key(key):
    return key.split(".")[-1] == "bandwidth"


def sweep_latency_axes(grid_keys):
    """(x key, other keys) for the sweep's migration-latency figure: desktops.count if swept, else
    the first swept bandwidth; None when neither is swept."""
    if SWEEP_NETWORK_AXIS in grid_keys:
        x = SWEEP_NETWORK_AXIS
    else:
        x = next((k for k in grid_keys if is_bandwidth_key(k)), None)
        if x is None:
            return None
    return x, [k for k in grid_keys if k != x]


def _point_summaries(sweep):
    """{point: summary.json of its folder} for the points sweep.json names (read leniently: a
    point without a readable summary.json is left out)."""
    import json
    out = {}
    for p in (sweep.meta or {}).get("points") or []:
        folder = p.get("folder") if isinstance(p, dict) else None
        if not isinstance(folder, str):
            continue
        try:
            with open(sweep.path / folder / "summary.json", encoding="utf-8") as f:
                out[p.get("point")] = json.load(f)
        except (OSError, ValueError):
            continue
    return out


def sweep_latency(sweep):
    """sweep.csv's rows with 'contended' and 'uncontended' p50 migration latency (seconds; NaN where
    the point's strategy migrated nothing). The uncontended one comes from sweep.csv, or for older
    sweep.csv files from each point's summary.json; 'uncontended_from' says which (None: neither)."""
    t = sweep.table.copy()
    lat = t["migration_latency_p50_s"] if "migration_latency_p50_s" in t.columns else \
        pd.Series(np.nan, index=t.index)
    t["contended"] = lat.where(lat > 0)
    source = None
    col = "migration_latency_uncontended_p50_s"
    if col in t.columns and t[col].notna().any():
        unc, source = t[col], "sweep.csv"
    else:
        sums = _point_summaries(sweep)

        def pick(r):
            st = ((sums.get(int(r["point"])) or {}).get("strategies") or {}).get(r["strategy"]) or {}
            q = st.get("migration_latency_uncontended_s")
            return q.get("p50") if isinstance(q, dict) and isinstance(q.get("p50"), (int, float)) \
                else np.nan
        unc = t.apply(pick, axis=1).astype(float) if len(t) else pd.Series(dtype=float)
        if unc.notna().any():
            source = "points/*/summary.json"
    t["uncontended"] = unc.where(unc > 0) if source else np.nan
    return t, source
