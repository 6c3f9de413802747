"""periods.csv as the report uses it, gathered a chunk at a time (loading.fold_csv): per strategy,
the sums its tables and figures show and the latencies its CDFs draw. Memory grows with the
migrations (a few numbers each), not with the rows: the report of 100,000 desktops x 30 days
(134 million rows) does not hold the table.

Sums are taken per chunk as the whole-table code took them (pandas' sum over the same rows in the
same order) and added up chunk by chunk: a file of one chunk gives the same numbers as before."""
import math

import numpy as np
import pandas as pd

from .loading import STATES

# Idle-period length classes (seconds, [low, high)); "10 min plus" in summary.json is idle_s >= 600.
PERIOD_CLASSES = (("under 10 min", 0.0, 600.0), ("10-30 min", 600.0, 1800.0),
                  ("30-60 min", 1800.0, 3600.0), ("over 1 h", 3600.0, math.inf))
STATE_COLUMNS = tuple(f"t_{st}_s" for st in STATES)
UNCONTENDED = "migration_latency_uncontended_s"


class StrategyPeriods:
    """One strategy's rows of periods.csv, digested."""

    def __init__(self):
        self.rows = 0
        # class name -> [periods, idle seconds, energy J, baseline J]
        self.classes = {name: [0, 0.0, 0.0, 0.0] for name, _, _ in PERIOD_CLASSES}
        self.energy_j = 0.0
        self.server_energy_j = 0.0   # empty fields as 0
        self.proxy_energy_j = 0.0    # empty fields (or no column) as 0
        self.fetched_bytes = 0.0
        self.state_s = None          # DataFrame: desktop -> seconds in each state (STATE_COLUMNS)
        self._migration, self._return, self._pairs = [], [], []

    def add(self, p, has):
        self.rows += len(p)
        idle = p["idle_s"]
        for name, low, high in PERIOD_CLASSES:
            c = p[(idle >= low) & (idle < high)]
            k = self.classes[name]
            k[0] += len(c)
            k[1] += float(c["idle_s"].sum())
            k[2] += float(c["energy_j"].sum())
            k[3] += float(c["baseline_j"].sum())
        self.energy_j += float(p["energy_j"].sum())
        if has("server_energy_j"):
            self.server_energy_j += float(p["server_energy_j"].fillna(0).sum())
        if has("proxy_energy_j"):
            self.proxy_energy_j += float(p["proxy_energy_j"].fillna(0).sum())
        self.fetched_bytes += float(p["fetched_bytes"].sum())
        if all(has(c) for c in STATE_COLUMNS):
            # Keyed by the desktop's id as text (categories differ from chunk to chunk).
            part = p[list(STATE_COLUMNS)].groupby(p["desktop"].astype(str).to_numpy()).sum()
            self.state_s = part if self.state_s is None else self.state_s.add(part, fill_value=0.0)
        mig = p["migration_latency_s"].to_numpy(dtype=float)
        self._migration.append(mig[~np.isnan(mig)])
        ret = p["return_latency_s"].to_numpy(dtype=float)
        self._return.append(ret[~np.isnan(ret)])
        if has(UNCONTENDED):
            unc = p[UNCONTENDED].to_numpy(dtype=float)
            both = ~np.isnan(mig) & ~np.isnan(unc)
            self._pairs.append((mig[both], unc[both]))

    def finish(self):
        self.migration_latency_s = np.sort(_joined(self._migration))
        self.return_latency_s = np.sort(_joined(self._return))
        # Contended and uncontended latency of the migrations that have both, in periods.csv order.
        self.pairs = (_joined([a for a, _ in self._pairs]), _joined([b for _, b in self._pairs]))
        del self._migration, self._return, self._pairs


def _joined(parts):
    return np.concatenate(parts) if parts else np.empty(0)


class PeriodDigest:
    """What the report needs of a periods.csv: its columns, rows, and per strategy (in the order
    they first appear) a StrategyPeriods."""

    def __init__(self, header):
        self.columns = tuple(header)
        self.rows = 0
        self.strategies = {}

    @property
    def empty(self):
        return self.rows == 0

    def add(self, chunk):
        self.rows += len(chunk)
        has = set(self.columns).__contains__
        names = chunk["strategy"]
        for name in pd.unique(names):   # in the order they first appear
            self.strategies.setdefault(str(name), StrategyPeriods()).add(chunk[names == name], has)

    def finish(self):
        for s in self.strategies.values():
            s.finish()
        return self
