"""Replicates of a sweep: the rows of sweep.csv that differ only in their seed (`jettison-sim sweep
--replicates K` writes `replicate` and `seed` columns; an older sweep's `--grid seed=...` axis is
the same thing) are one point run K times. Every figure and table of a sweep shows their mean and a
95% confidence interval from Student's t distribution: mean +- t(0.975, n-1) * s / sqrt(n), with s
the sample standard deviation (n-1 in its denominator) of the n replicates. One replicate: no
interval (NaN)."""
import math

import numpy as np
import pandas as pd

REPLICATE_COLUMNS = ("replicate", "seed")
CI_SUFFIX = "_ci"            # the interval's half-width, next to each averaged column
COUNT_COLUMN = "replicates"  # n, per aggregated row
CAPTION = ("Mean of {n} replicates (seeds) per point, with its 95% confidence interval (Student t: "
           "mean ± t(0.975, n−1)·s/√n)")


def t975(n):
    """t(0.975, n-1): the two-sided 95% quantile of Student's t with n-1 degrees of freedom."""
    from scipy.stats import t   # only replicated sweeps need scipy: imported when they do
    return float(t.ppf(0.975, n - 1))


def mean_ci(values):
    """(mean, half-width of the 95% interval, n) of the finite values."""
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=float)
    n = len(v)
    if n == 0:
        return math.nan, math.nan, 0
    mean = float(v.mean())
    if n == 1:
        return mean, math.nan, 1
    return mean, t975(n) * float(v.std(ddof=1)) / math.sqrt(n), n


def is_replicated(header, keys):
    """Whether sweep.csv's rows are replicates: its replicate/seed columns, or a grid over seed."""
    return "replicate" in header or "seed" in keys


def aggregate(table, keys):
    """One row per combination of the grid `keys` and strategy, in sweep order: `point` the first
    replicate's point, every numeric column the replicates' mean with `<col>_ci` its 95% half-width,
    and `replicates` their number."""
    numeric = [c for c in table.columns
               if c not in ("point", "strategy", *keys, *REPLICATE_COLUMNS)
               and pd.api.types.is_numeric_dtype(table[c])]
    by = list(keys) + ["strategy"]
    rows = []
    # sort=False keeps the groups in order of first appearance: the sweep's order.
    for _, g in table.groupby(by, sort=False, dropna=False):
        first = g.iloc[0]
        row = {"point": int(first["point"])}
        row.update({k: first[k] for k in by})
        row[COUNT_COLUMN] = len(g)
        for c in numeric:
            m, ci, _ = mean_ci(g[c].to_numpy(dtype=float))
            row[c] = m
            row[c + CI_SUFFIX] = ci
        rows.append(row)
    columns = ["point", *keys, "strategy", *numeric, *(c + CI_SUFFIX for c in numeric), COUNT_COLUMN]
    return pd.DataFrame(rows, columns=columns)
