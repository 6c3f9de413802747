"""The report's figures: each as PNG (for the page) and, when asked (`--formats png,pdf,svg`),
as PDF and SVG beside it for a paper. Deterministic: matplotlib's Agg backend, its built-in
defaults (no user matplotlibrc), a fixed font, size and dpi, no 'Software'/date metadata, a fixed
svg.hashsalt and PDF fonts embedded as Type 42, so the same inputs give the same bytes with the
same matplotlib.

Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies);
heatmaps use viridis. Every figure function takes already computed data (see metrics) and the PNG's
path, and writes NAME.png (and NAME.pdf, NAME.svg with those formats) at that path.

Inside a `figure_workers.Renderer` (the builder's), a figure function only queues its figure for
the worker processes that draw them while the inputs are read and the tables built.
"""
import functools
import math
from pathlib import Path

import numpy as np

from . import figure_workers, fmt
from .loading import ENERGY_BUCKETS, STATES

matplotlib = None   # imported by _load_matplotlib() where a figure is drawn
plt = None

DPI = 100
WIDTH = 10.0   # inches: 1000 px
RC_UPDATE = {
    "backend": "Agg", "svg.hashsalt": "jettison", "figure.dpi": DPI, "savefig.dpi": DPI,
    "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9,
    "legend.fontsize": 8, "xtick.labelsize": 8, "ytick.labelsize": 8, "axes.grid": True,
    "grid.alpha": 0.3, "axes.axisbelow": True, "savefig.facecolor": "white",
    "figure.facecolor": "white", "path.simplify": True, "pdf.fonttype": 42,
    "svg.fonttype": "path",
}
RC = None           # matplotlib's built-in defaults with RC_UPDATE, once imported
FORMATS = ("png", "pdf", "svg")   # what --formats may ask for
DEFAULT_FORMATS = ("png",)
_formats = DEFAULT_FORMATS        # what this report writes (set by Renderer)


def _load_matplotlib():
    global matplotlib, plt, RC
    if plt is None:
        import matplotlib as mpl
        mpl.use("Agg")
        import matplotlib.patches  # noqa: F401
        import matplotlib.path  # noqa: F401
        import matplotlib.pyplot as pyplot
        matplotlib, plt = mpl, pyplot
        RC = dict(mpl.rcParamsDefault)
        RC.update(RC_UPDATE)


def parse_formats(text):
    """'png,pdf,svg' -> ('png', 'pdf', 'svg'); png is always written (the page shows it).
    Raises ValueError naming an unknown format."""
    asked = [f.strip().lower() for f in text.split(",") if f.strip()]
    for f in asked:
        if f not in FORMATS:
            raise ValueError(f"unknown figure format '{f}'; choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f == "png" or f in asked)

# Okabe & Ito, "Color Universal Design" (2008): black, orange, sky blue, bluish green, yellow,
# blue, vermillion, reddish purple; grey for the baseline.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
             "grey": "#999999"}
_C = OKABE_ITO
STRATEGY_COLORS = {"always-on": _C["grey"], "sleep-only": _C["blue"], "full": _C["orange"],
                   "partial": _C["green"], "proxy": _C["purple"], "hybrid": _C["vermillion"]}
_EXTRA = [_C["purple"], _C["vermillion"], _C["sky"], _C["yellow"]]
ORACLE_COLOR = _C["black"]
STATE_COLORS = {"active": "#4d4d4d", "idle": _C["yellow"], "migrating": _C["purple"],
                "suspending": _C["sky"], "asleep": _C["blue"], "resuming_full": _C["vermillion"],
                "resuming_selective": _C["orange"], "serving": _C["green"], "proxy": _C["grey"]}
BYTE_PARTS = (("migrated", _C["blue"]), ("fetched", _C["orange"]), ("prefetched", _C["green"]),
              ("reintegrated", _C["vermillion"]))
SAVINGS_COLORS = (_C["blue"], _C["orange"])
RANGE_COLOR = _C["purple"]   # published ranges drawn on the figures


def strategy_color(name, index=0):
    return STRATEGY_COLORS.get(name, _EXTRA[index % len(_EXTRA)])


def _figure(height, ncols=1, nrows=1, **kw):
    return plt.subplots(nrows, ncols, figsize=(WIDTH, height), layout="constrained", **kw)


LEGEND_ROW = 0.45   # inches under the panels for a figure-wide legend


def _panels_with_legend(row_heights, ncols=1, width_ratios=None, sharex=False, legend_lines=1):
    """Panels in rows of the given heights (inches), and under them an axes-less row holding a
    figure-wide legend of legend_lines lines (matplotlib 3.6 has no 'outside' legend placement)."""
    legend_h = LEGEND_ROW + 0.18 * (max(1, legend_lines) - 1)
    fig = plt.figure(figsize=(WIDTH, sum(row_heights) + legend_h), layout="constrained")
    gs = fig.add_gridspec(len(row_heights) + 1, ncols, width_ratios=width_ratios,
                          height_ratios=[*row_heights, legend_h])
    axes, first = [], None
    for r in range(len(row_heights)):
        row = []
        for c in range(ncols):
            ax = fig.add_subplot(gs[r, c], sharex=first if sharex else None)
            first = first or ax
            row.append(ax)
        axes.append(row)
    legend_ax = fig.add_subplot(gs[len(row_heights), :])
    legend_ax.axis("off")
    return fig, axes, legend_ax


_METADATA = {"png": {"Software": None},
             "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
             "svg": {"Creator": None, "Date": None}}


def _save(fig, path):
    """NAME.png, and with those formats NAME.pdf and NAME.svg beside it. The layout is computed
    for the PNG and reused (the layout engine is switched off after it), so the files agree."""
    path = Path(path)
    fig.savefig(path.with_suffix(".png"), format="png", dpi=DPI, metadata=_METADATA["png"])
    fig.set_layout_engine("none")
    for f in _formats:
        if f != "png":
            fig.savefig(path.with_suffix("." + f), format=f, dpi=DPI, metadata=_METADATA[f])
    plt.close(fig)


def _figure_job(fn):
    """A figure function: drawn here, or queued to the active Renderer's workers
    (figure_workers.py)."""
    @functools.wraps(fn)
    def call(*args, **kw):
        if figure_workers.active is not None:
            figure_workers.active.submit(fn.__name__, args, kw)
            return None
        _load_matplotlib()
        return fn(*args, **kw)
    return call


def set_formats(formats):
    """The formats _save writes, for the figures drawn from now on in this process."""
    global _formats
    _formats = tuple(formats)


def _rc():
    return matplotlib.rc_context(RC)


def _byte_unit(largest):
    for i, unit in enumerate(("B", "KiB", "MiB", "GiB", "TiB", "PiB")):
        if largest < 1024 ** (i + 1) or unit == "PiB":
            return unit, 1024 ** i
    return "B", 1


# ---- many points: what a pixel can show -----------------------------------------------------
# A run of 1000 desktops over 30 days has 300,000 migrations per strategy. Plots of them keep what
# the figure can show: BINS equal parts of an axis' data range are about four per pixel of a
# 1000-pixel-wide figure, so what is left out is drawn within a quarter pixel of what is kept.

BINS = 4000
SCATTER_BINS = 1000     # per axis of a half-width panel: about half a pixel
SCATTER_PER_CELL = 4    # markers kept per cell: four overlapping at alpha 0.6 cover 97%


def _bin_keys(v, log, lo, hi, bins):
    """Each value's bin among `bins` equal parts of [lo, hi] (of log10 for a log axis, where
    values <= 0 fall in bin -1)."""
    v = np.asarray(v, dtype=float)
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.log10(np.where(v > 0, v, np.nan))
        lo, hi = math.log10(lo), math.log10(hi)
    span = hi - lo
    k = np.floor((v - lo) * (bins / span)) if span > 0 else np.zeros_like(v)
    return np.where(np.isfinite(k), np.clip(k, 0, bins), -1).astype(np.int64)


def _range(v, log):
    v = np.asarray(v, dtype=float)
    v = v[v > 0] if log else v
    return (float(v.min()), float(v.max())) if len(v) else (1.0, 1.0)


def _cdf_points(v, log=False):
    """The step points of the empirical CDF of sorted values v, drawn with where='post':
    (v[0], 0), then (v[i], (i + 1) / n). With more than 2 * BINS values only the first and the
    last point of each x bin are kept: the CDF rises monotonically, so they are the bin's lowest
    and highest, and every point left out lies between them within the bin."""
    n = len(v)
    x = np.concatenate([[v[0]], v])
    y = np.concatenate([[0.0], np.arange(1, n + 1) / n])
    if n <= 2 * BINS:
        return x, y
    k = _bin_keys(x, log, *_range(v, log), BINS)
    change = np.flatnonzero(np.diff(k))
    keep = np.zeros(len(x), dtype=bool)
    keep[[0, -1]] = True
    keep[change] = True
    keep[change + 1] = True
    return x[keep], y[keep]


def _scatter_points(x, y, log, lo, hi):
    """Of many points, at most SCATTER_PER_CELL per cell of a SCATTER_BINS x SCATTER_BINS grid
    over [lo, hi] on both axes, in their order: a marker is ~4 pixels wide, a cell half a pixel."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) <= 4 * SCATTER_BINS:
        return x, y
    cell = (_bin_keys(x, log, lo, hi, SCATTER_BINS) * (SCATTER_BINS + 2)
            + _bin_keys(y, log, lo, hi, SCATTER_BINS))
    order = np.argsort(cell, kind="stable")
    sc = cell[order]
    starts = np.flatnonzero(np.r_[True, sc[1:] != sc[:-1]])
    rank = np.arange(len(sc)) - np.repeat(starts, np.diff(np.r_[starts, len(sc)]))
    keep = np.sort(order[rank < SCATTER_PER_CELL])
    return x[keep], y[keep]


def _merge_subpixel(segments, lo, hi):
    """A row's segments [(start, duration, state)] on an axis from lo to hi, the segments of one
    state that start in the same of BINS equal parts of it merged into one, from the first start to
    the last end: gaps shorter than a quarter pixel between segments of a state are closed, at
    most BINS segments per state remain. Few segments are returned as they are."""
    if len(segments) <= 200 or hi <= lo:
        return segments
    start = np.array([s[0] for s in segments], dtype=float)
    end = start + np.array([s[1] for s in segments], dtype=float)
    state = np.array([s[2] for s in segments], dtype=object)
    k = _bin_keys(start, False, lo, hi, BINS)
    out = []
    for st in dict.fromkeys(state):
        idx = np.flatnonzero(state == st)
        kk = k[idx]
        first = np.flatnonzero(np.r_[True, kk[1:] != kk[:-1]])
        s0 = start[idx][first]
        e1 = np.maximum.reduceat(end[idx], first)
        out += [(float(a), float(b - a), st) for a, b in zip(s0, e1)]
    return out


# ---- a run ---------------------------------------------------------------------------------

def _range_band(ax, along, a, b, low, high, label=None):
    """A published range as a hatched band: across x from a to b between y low..high
    (along='x'), or across all y between x low..high (along='y')."""
    kw = dict(facecolor="none", edgecolor=RANGE_COLOR, hatch="///", linewidth=1.0, zorder=3,
              label=label)
    if along == "x":
        ax.add_patch(matplotlib.patches.Rectangle((a, low), b - a, high - low, **kw))
    else:
        ax.axvspan(low, high, **kw)


@_figure_job
def energy(rows, always_on_kwh, path, published=None):
    """Energy per strategy against the always-on baseline, and its savings; published savings
    ranges (dicts with metric, strategy, low, high) hatched over the bars they belong to."""
    with _rc():
        fig, (ax, ax2) = _figure(3.8, ncols=2, gridspec_kw={"width_ratios": [3, 2]})
        names = [r["strategy"] for r in rows]
        x = np.arange(len(rows))
        kwh = [r["energy_kwh"] for r in rows]
        ax.bar(x, kwh, color=[strategy_color(n, i) for i, n in enumerate(names)], width=0.6)
        ax.axhline(always_on_kwh, color="#333333", linestyle="--", linewidth=1,
                   label=f"always-on baseline: {always_on_kwh:,.2f} kWh")
        for i, r in enumerate(rows):
            ax.annotate(f"{r['energy_kwh']:,.2f} kWh\nsaves {r['savings_pct']:.1f}%",
                        (i, r["energy_kwh"]), textcoords="offset points", xytext=(0, 3),
                        ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, names)
        ax.set_ylabel("energy (kWh)")
        ax.set_ylim(0, max(max(kwh), always_on_kwh) * 1.22)
        ax.set_title("Energy per strategy")
        ax.legend(loc="upper right")

        w = 0.38
        ax2.bar(x - w / 2, [r["savings_pct"] for r in rows], w, color=SAVINGS_COLORS[0],
                label="all idle periods")
        ax2.bar(x + w / 2, [r["savings_pct_periods_10min_plus"] for r in rows], w,
                color=SAVINGS_COLORS[1], label="periods of 10 min or more")
        labelled = False
        for p in published or ():
            where = {"savings_pct": -w / 2, "savings_pct_periods_10min_plus": w / 2}.get(p["metric"])
            if where is None or p["strategy"] not in names:
                continue
            i = names.index(p["strategy"])
            _range_band(ax2, "x", i + where - w * 0.6, i + where + w * 0.6, p["low"], p["high"],
                        label=None if labelled else "published range")
            labelled = True
        ax2.set_xticks(x, names)
        ax2.set_ylabel("savings vs always-on (%)")
        ax2.set_ylim(min(0, *[r["savings_pct"] for r in rows]) * 1.1, 122)
        ax2.set_title("Savings")
        ax2.legend(loc="upper center", ncols=3 if labelled else 2)
        _save(fig, path)


@_figure_job
def energy_by_state(table, path):
    """The desktops' energy per strategy, stacked by power state (kWh), and each state's share."""
    with _rc():
        fig, axes, legend_ax = _panels_with_legend([3.4], ncols=2, width_ratios=[3, 2])
        ax, ax2 = axes[0]
        names = list(table["strategy"])
        x = np.arange(len(names))
        totals = table[list(ENERGY_BUCKETS)].sum(axis=1).to_numpy(dtype=float)
        bottom, bottom2 = np.zeros(len(names)), np.zeros(len(names))
        present = set()
        for st in ENERGY_BUCKETS:
            v = table[st].to_numpy(dtype=float)
            if not (v > 0).any():
                continue
            present.add(st)
            c = STATE_COLORS[st]
            ax.bar(x, v, 0.6, bottom=bottom, color=c)
            share = np.divide(100 * v, totals, out=np.zeros_like(v), where=totals > 0)
            ax2.bar(x, share, 0.6, bottom=bottom2, color=c)
            for i, sh in enumerate(share):
                if sh >= 6:
                    ax2.text(i, bottom2[i] + sh / 2, f"{sh:.0f}%", ha="center", va="center",
                             fontsize=7, color="white" if st in ("active", "asleep") else "black")
            bottom += v
            bottom2 += share
        for i, t in enumerate(totals):
            ax.annotate(f"{t:,.2f} kWh", (i, t), textcoords="offset points", xytext=(0, 3),
                        ha="center", fontsize=8)
        ax.set_ylim(0, (totals.max() if len(totals) else 1) * 1.15 or 1)
        ax.set_ylabel("desktop energy (kWh)")
        ax.set_title("Desktop energy by power state")
        ax2.set_ylim(0, 100)
        ax2.set_ylabel("share of the strategy's desktop energy (%)")
        ax2.set_title("Where each strategy's energy goes")
        for a in (ax, ax2):
            a.set_xticks(x, names)
        _state_legend(legend_ax, present)
        _save(fig, path)


@_figure_job
def savings_by_class(table, path):
    """Grouped bars: savings per idle-period length class, one bar per sleeping strategy."""
    from .metrics import PERIOD_CLASSES
    with _rc():
        fig, ax = _figure(3.8)
        strategies = [s for s in dict.fromkeys(table["strategy"]) if s != "always-on"]
        classes = [c[0] for c in PERIOD_CLASSES]
        x = np.arange(len(classes))
        w = 0.8 / max(1, len(strategies))
        for i, s in enumerate(strategies):
            t = table[table["strategy"] == s].set_index("class").reindex(classes)
            offs = x - 0.4 + w * (i + 0.5)
            vals = t["savings_pct"].to_numpy(dtype=float)
            ax.bar(offs, np.nan_to_num(vals), w, color=strategy_color(s, i), label=s)
            for xo, v in zip(offs, vals):
                if not math.isnan(v):
                    ax.annotate(f"{v:.0f}", (xo, v), textcoords="offset points",
                                xytext=(0, 2 if v >= 0 else -9), ha="center", fontsize=7)
        first = table[table["strategy"] == table["strategy"].iloc[0]].set_index("class")
        total_h = first["idle_hours"].sum()
        labels = []
        for c in classes:
            n, h = int(first.loc[c, "periods"]), first.loc[c, "idle_hours"]
            share = 100 * h / total_h if total_h else 0
            labels.append(f"{c}\n{n:,} periods, {share:.0f}% of idle time")
        ax.set_xticks(x, labels)
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_ylabel("savings vs always-on (%)")
        lows = table.loc[table["strategy"] != "always-on", "savings_pct"].dropna()
        ax.set_ylim(min(0.0, lows.min() * 1.15 if len(lows) else 0.0), 108)
        ax.set_title("Savings by idle-period length")
        ax.legend(loc="upper left", ncols=max(1, len(strategies)))
        _save(fig, path)


@_figure_job
def latency_cdf(lat, path, published=None):
    """Empirical CDFs of migration latency and of the user's return latency, per strategy; a
    published p50 migration latency range hatched across the migration panel."""
    with _rc():
        fig, axes = _figure(3.8, ncols=2)
        titles = {"migration": "Migration latency", "return": "Return latency (resume + reintegration)"}
        for ax, kind in zip(axes, ("migration", "return")):
            series = lat.get(kind, {})
            allv = np.concatenate(list(series.values())) if series else np.array([])
            for i, (s, v) in enumerate(series.items()):
                c = strategy_color(s, i)
                if v[0] == v[-1]:
                    # Every one took the same time: the CDF is a step at that value. Say so, and
                    # mark it, rather than draw a lone vertical line.
                    ax.plot([v[0], v[0]], [0, 1], color=c, linewidth=1.5, linestyle=(0, (4, 2)),
                            marker="o", markevery=[1],
                            label=f"{s}: all {len(v):,} take {v[0]:.2f} s")
                    continue
                positive = allv[allv > 0]
                log = bool(len(positive) and positive.max() / positive.min() > 20)
                ax.step(*_cdf_points(v, log), where="post", color=c, linewidth=1.5,
                        label=f"{s}: p50 {np.percentile(v, 50, method='inverted_cdf'):.2f} s, n={len(v):,}")
            if kind == "migration":
                for p in published or ():
                    if p["metric"] in ("migration_latency_p50_s", "migration_latency_s.p50"):
                        _range_band(ax, "y", 0, 1, p["low"], p["high"],
                                    label=f"published p50 ({p['strategy']}): "
                                          f"{p['low']:g}-{p['high']:g} s")
            positive = allv[allv > 0]
            if len(positive) and positive.max() / positive.min() > 20:
                ax.set_xscale("log")
            elif len(allv) and allv.min() == allv.max():
                pad = max(0.5, 0.25 * abs(float(allv[0])))   # a single value: centre it
                ax.set_xlim(float(allv[0]) - pad, float(allv[0]) + pad)
            if not series:
                ax.text(0.5, 0.5, "no " + kind + "s in this run", ha="center", va="center",
                        transform=ax.transAxes)
            ax.set_ylim(0, 1.02)
            ax.set_xlabel("seconds")
            ax.set_ylabel("share of periods")
            ax.set_title(titles[kind])
            if series:
                ax.legend(loc="lower right")
        _save(fig, path)


@_figure_job
def bytes_moved(rows, path):
    """Bytes per strategy stacked by kind: the totals, and each strategy's mix in shares (so a
    strategy that moves little still shows what it moves)."""
    with _rc():
        fig, (ax, ax2) = _figure(3.8, ncols=2)
        names = [r["strategy"] for r in rows]
        x = np.arange(len(rows))
        totals = np.array([sum(r[p] for p, _ in BYTE_PARTS) for r in rows], dtype=float)
        unit, div = _byte_unit(totals.max() if len(totals) and totals.max() > 0 else 1)
        bottom = np.zeros(len(rows))
        bottom2 = np.zeros(len(rows))
        for part, color in BYTE_PARTS:
            vals = np.array([r[part] for r in rows], dtype=float)
            ax.bar(x, vals / div, 0.6, bottom=bottom, color=color, label=part)
            bottom += vals / div
            share = np.divide(100 * vals, totals, out=np.zeros_like(vals), where=totals > 0)
            ax2.bar(x, share, 0.6, bottom=bottom2, color=color, label=part)
            for i, v in enumerate(share):
                if v >= 4:
                    ax2.text(i, bottom2[i] + v / 2, f"{v:.0f}%", ha="center", va="center",
                             fontsize=7, color="white")
            bottom2 += share
        for i, t in enumerate(totals):
            ax.annotate(fmt.bytes_h(t), (i, t / div), textcoords="offset points", xytext=(0, 3),
                        ha="center", fontsize=8)
            per = rows[i]["migrations"]
            if t > 0:
                ax2.annotate(f"{fmt.bytes_h(t / per)}\nper migration" if per else fmt.bytes_h(t),
                             (i, 100), textcoords="offset points", xytext=(0, 2), ha="center",
                             fontsize=7)
            else:
                ax2.text(i, 2, "nothing moved", ha="center", va="bottom", fontsize=7)
        top = totals.max() / div if len(totals) and totals.max() > 0 else 1
        ax.set_ylim(0, top * 1.15)
        ax.set_ylabel(f"bytes ({unit})")
        ax.set_title("Bytes moved in total")
        ax.legend(loc="upper left")
        ax2.set_ylim(0, 118)
        ax2.set_ylabel("share of the strategy's bytes (%)")
        ax2.set_title("What each strategy moves")
        for a in (ax, ax2):
            a.set_xticks(x, names)
        _save(fig, path)


def _state_legend(legend_ax, present):
    handles = [matplotlib.patches.Patch(color=STATE_COLORS[s], label=s.replace("_", " "))
               for s in ENERGY_BUCKETS if s in present]
    legend_ax.legend(handles=handles, loc="center", ncols=max(1, min(8, len(handles))),
                     frameon=False)


def _draw_segments(ax, y, segments, lo=None, hi=None, scale=1.0, offset=0.0):
    by_state = {}
    for start, dur, state in segments:
        if lo is not None and (start + dur < lo or start > hi):
            continue
        by_state.setdefault(state, []).append(((start - offset) / scale, dur / scale))
    for state in STATES:
        if state in by_state:
            _bars(ax, by_state[state], y - 0.38, 0.76, STATE_COLORS[state])
    return set(by_state)


def _bars(ax, spans, y0, height, color):
    """Rectangles [(x, width)] from y0 to y0 + height, face and a 0.4-pt edge in the colour, as
    broken_barh draws them; but as one compound path (no path object and unit conversion per
    rectangle: a timeline has thousands). The caller sets the axis limits."""
    a = np.asarray(spans, dtype=float).reshape(-1, 2)
    x0, x1 = a[:, 0], a[:, 0] + a[:, 1]
    verts = np.empty((len(a), 5, 2))
    verts[:, :, 0] = np.stack([x0, x1, x1, x0, x0], axis=1)
    verts[:, :, 1] = [y0, y0, y0 + height, y0 + height, y0]
    Path = matplotlib.path.Path
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(a))
    ax.add_artist(matplotlib.patches.PathPatch(Path(verts.reshape(-1, 2), codes), facecolor=color,
                                               edgecolor=color, linewidth=0.4, snap=True))


@_figure_job
def timeline(segments, path):
    """One broken_barh panel per strategy, one row per chosen desktop, coloured by state."""
    with _rc():
        strategies = list(segments)
        heights = [0.3 * max(1, len(segments[s])) + 0.5 for s in strategies]
        heights[-1] += 0.35   # the time axis
        fig, axes, legend_ax = _panels_with_legend(heights, sharex=True)
        axes = np.array(axes)
        starts = [seg[0] for s in strategies for d in segments[s].values() for seg in d]
        ends = [seg[0] + seg[1] for s in strategies for d in segments[s].values() for seg in d]
        lo, hi = (min(starts), max(ends)) if starts else (0.0, 0.0)
        span = hi - lo
        scale, unit = (86400.0, "days") if span > 2 * 86400 else (3600.0, "hours")
        present = set()
        for ax, s in zip(axes[:, 0], strategies):
            if ax is not axes[-1, 0]:
                ax.tick_params(labelbottom=False)
            desktops = list(segments[s])
            for y, d in enumerate(desktops):
                present |= _draw_segments(ax, y, _merge_subpixel(segments[s][d], lo, hi),
                                          scale=scale)
            ax.set_yticks(range(len(desktops)), desktops)
            ax.set_ylim(len(desktops) - 0.5, -0.5)
            ax.set_title(s, loc="left", fontsize=9)
            ax.grid(axis="y", visible=False)
        if starts:
            axes[-1, 0].set_xlim(min(starts) / scale, max(ends) / scale)
        axes[-1, 0].set_xlabel(f"time since the trace start ({unit})")
        _state_legend(legend_ax, present)
        _save(fig, path)


@_figure_job
def timeline_zoom(rows, desktop, period, path, first_minutes=20.0, tail_seconds=90.0):
    """One idle period of one desktop, every strategy a row: its start, and the user's return."""
    with _rc():
        strategies = list(rows)
        segs = {}
        for s, d in rows.items():
            t, st = d["time_s"].to_numpy(dtype=float), d["state"].to_list()
            segs[s] = [(t[i], t[i + 1] - t[i], st[i]) for i in range(len(t) - 1) if t[i + 1] > t[i]]
        in_period = {s: d[d["period"] == period] for s, d in rows.items()}
        t0 = min(float(d["time_s"].min()) for d in in_period.values())
        closes = [float(d["time_s"].max()) for d in in_period.values()]
        t_close = max(closes)
        head_end = min(t0 + first_minutes * 60.0, t_close)
        fig, axes, legend_ax = _panels_with_legend([0.42 * len(strategies) + 1.0], ncols=2,
                                                   width_ratios=[3, 2])
        a1, a2 = axes[0]
        present = set()
        for y, s in enumerate(strategies):
            present |= _draw_segments(a1, y, segs[s], t0, head_end, scale=60.0, offset=t0)
            present |= _draw_segments(a2, y, segs[s], t_close - tail_seconds, t_close + 10,
                                      offset=t_close)
        for ax in (a1, a2):
            ax.set_yticks(range(len(strategies)), strategies)
            ax.set_ylim(len(strategies) - 0.5, -0.5)
            ax.grid(axis="y", visible=False)
        a1.set_xlim(0, (head_end - t0) / 60.0)
        a1.set_xlabel("minutes since the idle period began")
        a1.set_title(f"{desktop}, idle period {period}: the first "
                     f"{(head_end - t0) / 60.0:.0f} min", loc="left")
        a2.set_xlim(-tail_seconds, 10)
        a2.set_xlabel("seconds, relative to the last strategy's window close")
        a2.set_title("the user's return", loc="left")
        _state_legend(legend_ax, present)
        _save(fig, path)


def _wide(values, ratio=20.0):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return len(v) > 0 and v.max() / v.min() > ratio


@_figure_job
def contention(pairs, path):
    """Per-migration latency with and without contention: CDF pairs per strategy (solid: as run,
    dashed: alone on an idle network), and each migration as a point (uncontended, contended)
    against the diagonal (no slowdown)."""
    with _rc():
        fig, (ax, ax2) = _figure(3.8, ncols=2)
        every = np.concatenate([np.concatenate(v) for v in pairs.values()]) if pairs else np.array([])
        log = _wide(every)
        lo, hi = _range(every, log)
        for i, (s, (cont, unc)) in enumerate(pairs.items()):
            c = strategy_color(s, i)
            for v, style, what in ((np.sort(cont), "-", "contended"), (np.sort(unc), "--", "uncontended")):
                ax.step(*_cdf_points(v, log), where="post", color=c, linestyle=style,
                        linewidth=1.5,
                        label=f"{s} {what}: p50 {np.percentile(v, 50, method='inverted_cdf'):.2f} s")
            ax2.scatter(*_scatter_points(unc, cont, log, lo, hi), s=10, color=c, alpha=0.6,
                        edgecolors="none", label=f"{s}: n={len(cont):,}")
        if len(every):
            positive = every[every > 0]
            lo, hi = (positive.min(), positive.max()) if len(positive) else (0.0, 1.0)
            if _wide(every):
                ax.set_xscale("log")
                ax2.set_xscale("log")
                ax2.set_yscale("log")
                lims = (lo / 1.5, hi * 1.5)
            else:
                lims = (0.0, hi * 1.08 if hi > 0 else 1.0)
            ax2.plot(lims, lims, color="#333333", linewidth=0.8, linestyle=":",
                     label="no slowdown")
            ax2.set_xlim(*lims)
            ax2.set_ylim(*lims)
            ax.legend(loc="lower right")
            ax2.legend(loc="upper left")
        else:
            for a in (ax, ax2):
                a.text(0.5, 0.5, "no migrations in this run", ha="center", va="center",
                       transform=a.transAxes)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("migration latency (s)")
        ax.set_ylabel("share of migrations")
        ax.set_title("Migration latency: contended (solid) vs uncontended (dashed)")
        ax2.set_xlabel("uncontended latency (s): alone on an idle network")
        ax2.set_ylabel("contended latency (s): as run")
        ax2.set_title("Each migration")
        _save(fig, path)


_LINESTYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


@_figure_job
def sweep_migration_latency(table, xkey, xvalues, others, path):
    """p50 migration latency against xkey (its values in sweep order, evenly spaced): one line per
    strategy and value of the other swept keys (marker and line style); contended on the left,
    uncontended (alone on an idle network) on the right when the table has it. Log y when the
    values span more than 20x."""
    panels = [("contended", "p50 migration latency, as run")]
    if table["uncontended"].notna().any():
        panels.append(("uncontended", "p50 migration latency, uncontended"))
    both = np.concatenate([table[c].to_numpy(dtype=float) for c, _ in panels])
    log = _wide(both)
    groups = [()]
    if others:
        groups = list(dict.fromkeys(tuple(str(v) for v in r) for r in table[others].itertuples(index=False)))
    pos = {v: i for i, v in enumerate(xvalues)}
    migrating = [s for s in dict.fromkeys(table["strategy"])
                 if table.loc[table["strategy"] == s, ["contended", "uncontended"]].notna().any().any()]
    entries = len(migrating) * len(groups)
    with _rc():
        fig, axes, legend_ax = _panels_with_legend([3.2], ncols=len(panels),
                                                   legend_lines=math.ceil(entries / 4) + 1)
        axes = axes[0]
        for ax, (col, title) in zip(axes, panels):
            for i, s in enumerate(dict.fromkeys(table["strategy"])):
                rows = table[table["strategy"] == s]
                if not rows[["contended", "uncontended"]].notna().any().any():
                    continue   # never migrated (always-on, sleep-only)
                for g, key in enumerate(groups):
                    sel = rows
                    for k, v in zip(others, key):
                        sel = sel[sel[k].astype(str) == v]
                    xs = sel[xkey].astype(str).map(pos).to_numpy(dtype=float)
                    label = ", ".join((s, *key))
                    ax.plot(xs, sel[col].to_numpy(dtype=float), color=strategy_color(s, i),
                            linestyle=_LINESTYLES[g % len(_LINESTYLES)],
                            marker=_MARKERS[g % len(_MARKERS)], markersize=4, label=label)
            ax.set_xticks(range(len(xvalues)), xvalues)
            ax.set_xlim(-0.3, len(xvalues) - 0.7)
            ax.set_xlabel(xkey)
            ax.set_ylabel("seconds")
            if log:
                ax.set_yscale("log")
            else:
                ax.set_ylim(bottom=0)
            ax.set_title(title)
        if len(axes) == 2:
            lo = min(a.get_ylim()[0] for a in axes)
            hi = max(a.get_ylim()[1] for a in axes)
            for a in axes:
                a.set_ylim(lo, hi)
        handles, names = axes[0].get_legend_handles_labels()
        if handles:
            legend_ax.legend(handles, names, loc="center", ncols=max(1, min(4, len(names))),
                             frameon=False, title=", ".join(["strategy", *others]),
                             title_fontsize=8)
        else:
            axes[0].text(0.5, 0.5, "no migrations at any point", ha="center", va="center",
                         transform=axes[0].transAxes)
        _save(fig, path)


# ---- a sweep -------------------------------------------------------------------------------

def _xaxis(sweep):
    """(x labels, the point numbers at each x, axis title): one grid key -> its values; else each
    point, labelled with all its values."""
    t = sweep.table
    if len(sweep.grid_keys) == 1:
        key = sweep.grid_keys[0]
        return sweep.grid_values[key], key, lambda rows: rows[key]
    keys = sweep.grid_keys
    points = list(dict.fromkeys(t["point"]))
    labels = []
    for p in points:
        r = t[t["point"] == p].iloc[0]
        labels.append(" / ".join(str(r[k]) for k in keys) if keys else str(p))
    return labels, " / ".join(keys) if keys else "point", \
        lambda rows: rows["point"].map(dict(zip(points, labels)))


def _ci(rows, col):
    """The 95% half-widths of a replicated sweep's means (replicates.py), else None."""
    c = rows.get(col + "_ci")
    return None if c is None or not c.notna().any() else c.fillna(0).to_numpy(dtype=float)


@_figure_job
def sweep_lines(sweep, path):
    """Energy, savings and wake-ups against the swept values, one line per strategy (always-on, the
    baseline, left out); the oracle (offline optimum of partial) dashed where sweep.csv has it."""
    t = sweep.table
    labels, title, keyof = _xaxis(sweep)
    panels = [("energy_kwh", "oracle_energy_kwh", "energy (kWh)"),
              ("savings_pct", "oracle_savings_pct", "savings vs always-on (%)")]
    if "wakeups" in t.columns and (t["wakeups"].fillna(0) > 0).any():
        panels.append(("wakeups", "oracle_wakeups", "wake-ups"))
    rotate = max(len(str(v)) for v in labels) > 10 or len(labels) > 8
    with _rc():
        fig, axes, legend_ax = _panels_with_legend([3.6 if rotate else 3.0], ncols=len(panels))
        axes = axes[0]
        x = np.arange(len(labels))
        pos = dict(zip(labels, x))
        for ax, (col, oracle, ylabel) in zip(axes, panels):
            for i, s in enumerate(sweep.strategies):
                rows = t[t["strategy"] == s]
                if s == "always-on" and len(sweep.strategies) > 1:
                    continue   # the baseline: its scale would flatten the others (in the caption)
                if col == "wakeups" and not (rows[col].fillna(0) > 0).any():
                    continue
                xs = keyof(rows).map(pos).to_numpy(dtype=float)
                # Replicated sweeps: the mean, with its 95% confidence interval as error bars.
                ax.errorbar(xs, rows[col].to_numpy(dtype=float), yerr=_ci(rows, col), marker="o",
                            markersize=4, capsize=3, color=strategy_color(s, i), label=s)
                if oracle in rows.columns and rows[oracle].notna().any():
                    ax.errorbar(xs, rows[oracle].to_numpy(dtype=float), yerr=_ci(rows, oracle),
                                marker="x", markersize=5, capsize=3, linestyle="--",
                                color=ORACLE_COLOR, label=f"{s}: oracle (offline optimum)")
            step = max(1, math.ceil(len(labels) / 30))   # at most 30 labelled ticks
            ax.set_xticks(x[::step], labels[::step], rotation=30 if rotate else 0,
                          ha="right" if rotate else "center")
            ax.set_xlabel(title)
            ax.set_ylabel(ylabel)
            ax.set_title(ylabel[0].upper() + ylabel[1:].split(" (")[0])
        handles, names = axes[0].get_legend_handles_labels()
        legend_ax.legend(handles, names, loc="center", ncols=max(1, min(5, len(names))),
                         frameon=False)
        _save(fig, path)


@_figure_job
def sweep_heatmap(sweep, col, oracle_col, what, path):
    """Two grid keys: one heatmap per strategy (rows: first key, columns: second), plus the
    oracle's where sweep.csv has it; every cell annotated. All panels share one colour scale, shown
    by one colour bar, so equal colours mean equal values across strategies."""
    t = sweep.table
    k1, k2 = sweep.grid_keys
    v1, v2 = sweep.grid_values[k1], sweep.grid_values[k2]
    panels = []
    for s in sweep.strategies:
        rows = t[t["strategy"] == s]
        panels.append((s, rows, col))
        if oracle_col in rows.columns and rows[oracle_col].notna().any():
            panels.append((f"{s}: oracle", rows, oracle_col))
    grids, cis = [], []
    for name, rows, c in panels:
        m = rows.pivot_table(index=k1, columns=k2, values=c, aggfunc="first")
        grids.append(m.reindex(index=v1, columns=v2).to_numpy(dtype=float))
        ci = _ci(rows, c)   # replicated sweeps: each cell's mean ± its 95% half-width
        if ci is not None:
            ci = rows.assign(_h=ci).pivot_table(index=k1, columns=k2, values="_h", aggfunc="first")
            ci = ci.reindex(index=v1, columns=v2).to_numpy(dtype=float)
        cis.append(ci)
    finite = np.concatenate([m[np.isfinite(m)] for m in grids]) if grids else np.array([])
    vmin, vmax = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 1, vmax + 1
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    cell_h = 0.38 * len(v1) + 1.3
    with _rc():
        fig, axes = plt.subplots(nrows, ncols, layout="constrained", squeeze=False,
                                 figsize=(WIDTH, cell_h * nrows + 0.4))
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        image = None
        for ax, (name, _, _), m, ci in zip(axes.flat, panels, grids, cis):
            image = ax.imshow(np.ma.masked_invalid(m), cmap="viridis", vmin=vmin, vmax=vmax,
                              aspect="auto")
            for (i, j), v in np.ndenumerate(m if m.size <= 150 else np.empty((0, 0))):
                if math.isfinite(v):
                    dark = (v - vmin) / (vmax - vmin) < 0.6
                    text = fmt.value(v)
                    if ci is not None and math.isfinite(ci[i, j]):
                        text += f"\n± {fmt.value(ci[i, j])}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=8,
                            color="white" if dark else "black")
            ax.set_xticks(range(len(v2)), v2, rotation=30 if max(map(len, v2)) > 8 else 0)
            ax.set_yticks(range(len(v1)), v1)
            ax.set_xlabel(k2)
            ax.set_ylabel(k1)
            ax.grid(False)
            ax.set_title(f"{name}: {what}", fontsize=9)
        if image is not None:
            fig.colorbar(image, ax=axes.ravel().tolist(), label=what, shrink=0.9, aspect=30)
        _save(fig, path)
