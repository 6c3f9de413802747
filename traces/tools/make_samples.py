#!/usr/bin/env python3
"""Generate Jettison's synthetic sample traces (deterministic, standard library only).

Writes into --out:
  office-idle.csv     idle periods of --desktops office desktops over --days days (day 0 = Monday)
  pages-windows.csv   page accesses of an idle Windows VM over one 2 h idle period
  pages-linux.csv     page accesses of an idle Linux VM over one 2 h idle period

Same arguments -> byte-identical files (every random stream is a random.Random seeded
from a string built from --seed). The traces are synthetic; see traces/samples/README.md
for the model and the figures that motivated its parameters, and traces/FORMAT.md for the
file formats.

  python3 traces/tools/make_samples.py --out traces/samples --seed 1
"""

import argparse
import math
import os
import random

# --------------------------------------------------------------------------------------
# Idle-period trace model. Times are integer milliseconds internally (3 decimals in CSV).
# --------------------------------------------------------------------------------------

MS = 1000
MIN = 60 * MS
HOUR = 60 * MIN
DAY = 24 * HOUR

MIN_ACTIVE_MS = 60 * MS          # idle periods separated by <= 60 s of activity are merged
FIRST_IDLE_MS = (60 * MS, 15 * MIN)  # user activity at trace start before the first period

ARRIVAL_MEAN_H = (8.25, 9.25)    # per-desktop mean arrival, uniform in this range (hours)
ARRIVAL_SD_MIN = (8, 20)         # per-desktop day-to-day jitter (normal), minutes
ARRIVAL_CLIP_H = (7.75, 9.75)
DEPART_MEAN_H = (16.9, 18.1)     # per-desktop mean departure
DEPART_SD_MIN = (10, 25)
DEPART_CLIP_H = (16.25, 18.75)

LUNCH_PROB = 0.9                 # else lunch at the desk (no lunch break)
LUNCH_START_H = (12.0, 12.75)    # uniform start; with 30-60 min it ends by 13:45
LUNCH_MIN = (30, 60)
COFFEE_COUNT = ([1, 2, 3], [0.3, 0.45, 0.25])
COFFEE_MIN = (5, 20)
MEETING_COUNT = ([0, 1, 2], [0.4, 0.4, 0.2])
MEETING_SLOTS_H = (9.0, 16.0)    # meetings start on a half hour in this range
MEETING_MIN = ([30, 45, 60, 90], [0.3, 0.2, 0.35, 0.15])
MEETING_WALK_MIN = (1, 5)        # leaves the desk this long before the slot, same after
GAP_RATE_PER_H = (1.6, 2.8)      # per-desktop rate of short idle gaps (Poisson) while present
GAP_MIN = (1, 10)                # short gap length, log-uniform, minutes

WEEKEND_VISIT_PROB = 0.10        # per desktop per weekend day
WEEKEND_VISIT_START_H = (10, 16)
WEEKEND_VISIT_H = (1, 3)

AWAY_SHARE = 0.10                # share of desktops (at least 2) whose users are away a day or two
AWAY_DAYS_PER_WEEK = ([1, 2], [0.7, 0.3])
ABSENT_PROB_OTHERS = 0.02        # any other user misses a given weekday with this probability


def _clip(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


def _poisson_starts(rng, rate_per_ms, a, b):
    """Event times of a Poisson process of the given rate on [a, b)."""
    out = []
    t = a + rng.expovariate(rate_per_ms)
    while t < b:
        out.append(t)
        t += rng.expovariate(rate_per_ms)
    return out


def _gap_ms(rng):
    return math.exp(rng.uniform(math.log(GAP_MIN[0] * MIN), math.log(GAP_MIN[1] * MIN)))


def desktop_periods(rng, days, away):
    """Sorted, merged, clipped idle periods [(start_ms, end_ms)] of one desktop."""
    horizon = days * DAY
    arr_mu = rng.uniform(*ARRIVAL_MEAN_H) * HOUR
    arr_sd = rng.uniform(*ARRIVAL_SD_MIN) * MIN
    dep_mu = rng.uniform(*DEPART_MEAN_H) * HOUR
    dep_sd = rng.uniform(*DEPART_SD_MIN) * MIN
    gap_rate = rng.uniform(*GAP_RATE_PER_H) / HOUR

    absent = set()
    if away:
        for week in range((days + 6) // 7):
            k = rng.choices(*AWAY_DAYS_PER_WEEK)[0]
            absent.update(week * 7 + d for d in rng.sample(range(5), k))

    sessions = []   # presence at the desk: [(arrive, depart)]
    idle = []       # idle stretches while present (breaks, meetings, short gaps)
    for day in range(days):
        base = day * DAY
        if day % 7 < 5:
            if day in absent or (not away and rng.random() < ABSENT_PROB_OTHERS):
                continue
            arrive = base + _clip(rng.gauss(arr_mu, arr_sd), ARRIVAL_CLIP_H[0] * HOUR,
                                  ARRIVAL_CLIP_H[1] * HOUR)
            depart = base + _clip(rng.gauss(dep_mu, dep_sd), DEPART_CLIP_H[0] * HOUR,
                                  DEPART_CLIP_H[1] * HOUR)
            sessions.append((arrive, depart))
            if rng.random() < LUNCH_PROB:
                s = base + rng.uniform(*LUNCH_START_H) * HOUR
                idle.append((s, s + rng.uniform(*LUNCH_MIN) * MIN))
            for _ in range(rng.choices(*COFFEE_COUNT)[0]):
                s = rng.uniform(arrive + 30 * MIN, depart - 30 * MIN)
                idle.append((s, s + rng.uniform(*COFFEE_MIN) * MIN))
            n_slots = int((MEETING_SLOTS_H[1] - MEETING_SLOTS_H[0]) * 2) + 1
            for _ in range(rng.choices(*MEETING_COUNT)[0]):
                slot = base + MEETING_SLOTS_H[0] * HOUR + rng.randrange(n_slots) * 30 * MIN
                walk = rng.uniform(*MEETING_WALK_MIN) * MIN
                length = rng.choices(*MEETING_MIN)[0] * MIN
                idle.append((slot - walk, slot + length + rng.uniform(*MEETING_WALK_MIN) * MIN))
            for s in _poisson_starts(rng, gap_rate, arrive, depart):
                idle.append((s, s + _gap_ms(rng)))
        elif rng.random() < WEEKEND_VISIT_PROB:
            arrive = base + rng.uniform(*WEEKEND_VISIT_START_H) * HOUR
            depart = arrive + rng.uniform(*WEEKEND_VISIT_H) * HOUR
            sessions.append((arrive, depart))
            for s in _poisson_starts(rng, gap_rate, arrive, depart):
                idle.append((s, s + _gap_ms(rng)))

    # Outside presence the desktop is on and idle (the always-on VM case).
    prev_end = rng.uniform(*FIRST_IDLE_MS)
    for arrive, depart in sessions:
        idle.append((prev_end, arrive))
        prev_end = depart
    idle.append((prev_end, horizon))

    idle = sorted((round(s), round(e)) for s, e in idle)
    merged = []
    for s, e in idle:
        if merged and s - merged[-1][1] <= MIN_ACTIVE_MS:
            if e > merged[-1][1]:
                merged[-1][1] = e
        else:
            merged.append([s, e])
    out = []
    for s, e in merged:
        s, e = max(s, 0), min(e, horizon)
        if e - s >= MS:  # drop slivers left by clipping at the horizon
            out.append((s, e))
    return out


def _fmt_ms(ms):
    sec, frac = divmod(ms, MS)
    return str(sec) if frac == 0 else ("%d.%03d" % (sec, frac)).rstrip("0")


def make_idle(seed, n_desktops, days):
    width = max(2, len(str(n_desktops - 1)))
    n_away = min(n_desktops, max(2, round(AWAY_SHARE * n_desktops)))
    away = set(random.Random("jettison-idle-away:%d" % seed).sample(range(n_desktops), n_away))
    rows = []
    for i in range(n_desktops):
        did = "d%0*d" % (width, i)
        rng = random.Random("jettison-idle:%d:%d" % (seed, i))
        for s, e in desktop_periods(rng, days, i in away):
            rows.append((s, did, e))
    rows.sort()
    lines = ["desktop,start,end"]
    lines.extend("%s,%s,%s" % (d, _fmt_ms(s), _fmt_ms(e)) for s, d, e in rows)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# Page-access model of an idle VM. Times are integer microseconds (6 decimals in CSV).
# --------------------------------------------------------------------------------------

US = 1_000_000
PROFILE_S = 7200
VM_PAGES = 1 << 20               # 4 GiB of 4 KiB pages

PROFILES = {
    # Windows: busier timer, mail/IM polling every ~5 min, services every ~75 s.
    "windows": dict(
        hot_pages=450, hot_regions=5, tick_s=(1.0, 2.0), tick_pages=(2, 6),
        write_share=0.35,
        components=[
            # name, period s, size (distinct pages per burst), initial pool pages, pool regions,
            # growth g0 (new pages per burst at t=0), tau s, floor, hot share of each burst
            dict(name="poll", period=300, size=(50, 300), pool=5000, regions=6,
                 g0=120, tau=2400, floor=3, hot=0.10),
            dict(name="services", period=75, size=(20, 80), pool=4000, regions=5,
                 g0=15, tau=1800, floor=0.5, hot=0.15),
        ]),
    # Linux: quieter timer (tickless), polling every ~10 min, daemons every ~60 s.
    "linux": dict(
        hot_pages=250, hot_regions=3, tick_s=(1.5, 2.5), tick_pages=(2, 4),
        write_share=0.20,
        components=[
            dict(name="poll", period=600, size=(50, 300), pool=4000, regions=4,
                 g0=100, tau=2400, floor=3, hot=0.10),
            dict(name="daemons", period=60, size=(20, 60), pool=3000, regions=4,
                 g0=10, tau=1800, floor=0.5, hot=0.15),
        ]),
}

PERIOD_JITTER = (0.8, 1.2)       # each inter-burst interval = period * uniform(...)
BURST_S = (0.05, 0.6)            # a burst's accesses spread over this long
BURST_GROUP = (1, 8)             # accesses sharing one timestamp within a burst
BURST_STEP_US = (50, 2000)       # time between timestamp groups
RUN_PAGES = (4, 48)              # contiguous runs pools are built from
WRITE_HI, WRITE_LO = 0.7, 0.03   # write probability of data pages vs read-mostly pages


class Layout:
    """Non-overlapping regions of the guest-physical page space, and page attributes."""

    def __init__(self, rng, write_share):
        self.rng = rng
        self.taken = []
        self.wprob = {}
        self.write_share = write_share
        self.data_share = (write_share - WRITE_LO) / (WRITE_HI - WRITE_LO)

    def region(self, length, lo=0, hi=VM_PAGES):
        for _ in range(1000):
            start = self.rng.randrange(lo, hi - length) // 512 * 512
            if all(start + length <= a or b <= start for a, b in self.taken):
                self.taken.append((start, start + length))
                return [start, start + length]
        raise RuntimeError("page space too crowded")

    def new_page(self, gfn, mixed=False):
        """Give a page its write probability: data pages are written often, code and
        read-mostly pages rarely; `mixed` pages (the hot set, whose few top pages carry much
        of the traffic) get one near the profile's write share, so it stays on target."""
        if mixed:
            self.wprob[gfn] = self.write_share * self.rng.uniform(0.5, 1.5)
        else:
            self.wprob[gfn] = WRITE_HI if self.rng.random() < self.data_share else WRITE_LO
        return gfn

    def runs(self, regions, n, mixed=False):
        """About n distinct new pages as contiguous runs inside the given regions."""
        rng, runs, got, tries = self.rng, [], 0, 0
        while got < n and tries < 100000:
            tries += 1
            a, b = rng.choice(regions)
            length = min(rng.randint(*RUN_PAGES), n - got)
            start = rng.randrange(a, b - length)
            run = [self.new_page(g, mixed) for g in range(start, start + length)
                   if g not in self.wprob]
            if run:
                runs.append(run)
                got += len(run)
        return runs

    def op(self, gfn):
        return "w" if self.rng.random() < self.wprob[gfn] else "r"


class Grower:
    """New pages of a slowly growing working set: allocated contiguously, region by region."""

    def __init__(self, layout, regions):
        self.layout, self.regions, self.cursor = layout, regions, None

    def take(self, n):
        rng, out = self.layout.rng, []
        while len(out) < n:
            if self.cursor is None or rng.random() < 0.02:
                a, b = rng.choice(self.regions)
                self.cursor = [rng.randrange(a, b), b]
            g, end = self.cursor
            if g >= end:
                self.cursor = None
                continue
            self.cursor[0] += 1
            if g not in self.layout.wprob:
                out.append(self.layout.new_page(g))
        return out


def _fmt_us(us):
    return "%d.%06d" % divmod(us, US)


def make_pages(seed, name):
    p = PROFILES[name]
    rng = random.Random("jettison-pages:%d:%s" % (seed, name))
    lay = Layout(rng, p["write_share"])
    end_us = PROFILE_S * US
    events = []  # (time_us, page, op), generated component by component, each in time order

    # Hot set: kernel/timer pages, a few clustered regions; Zipf-like popularity.
    hot_regions = [lay.region(rng.randint(2048, 8192)) for _ in range(p["hot_regions"])]
    hot = [g for run in lay.runs(hot_regions, p["hot_pages"], mixed=True) for g in run]
    order = hot[:]
    rng.shuffle(order)
    cum, acc = [], 0.0
    for rank in range(len(order)):
        acc += 1.0 / (rank + 1) ** 0.9
        cum.append(acc)

    # Timer ticks: a few hot pages, all at one timestamp.
    t = rng.uniform(0, p["tick_s"][1]) * US
    while t < end_us:
        ts = int(t)
        seen = set()
        for g in rng.choices(order, cum_weights=cum, k=rng.randint(*p["tick_pages"])):
            if g not in seen:
                seen.add(g)
                events.append((ts, g, lay.op(g)))
        t += rng.uniform(*p["tick_s"]) * US

    # Periodic bursts: a pool of resident pages touched again and again, plus growth.
    for c in p["components"]:
        regions = [lay.region(rng.randint(8192, 65536)) for _ in range(c["regions"])]
        pool = lay.runs(regions, c["pool"])
        pool_w = [1.0 / (i + 1) ** 0.6 for i in range(len(pool))]
        grow = Grower(lay, regions)
        t = rng.uniform(0.1, 1.0) * c["period"] * US
        while t < end_us - US:
            size = rng.randint(*c["size"])
            g_now = c["g0"] * math.exp(-t / US / c["tau"]) + c["floor"]
            n_new = min(size // 2, int(g_now * rng.uniform(0.5, 1.5) + rng.random()))
            n_hot = int(size * c["hot"])
            pages = list(dict.fromkeys(rng.choices(order, cum_weights=cum, k=n_hot)))
            chosen = set(pages)
            want = size - n_new
            cum_pool = []
            acc = 0.0
            for w in pool_w:
                acc += w
                cum_pool.append(acc)
            tries = 0
            while len(pages) < want and tries < 200:
                tries += 1
                run = rng.choices(pool, cum_weights=cum_pool)[0]
                a = rng.randrange(len(run))
                for g in run[a:a + rng.randint(1, len(run))]:
                    if g not in chosen and len(pages) < want:
                        chosen.add(g)
                        pages.append(g)
            fresh = grow.take(n_new)
            if fresh:
                pool.append(fresh)
                pool_w.append(pool_w[len(pool_w) // 2])  # new pages: middling popularity
            pages.extend(fresh)

            span = rng.uniform(*BURST_S) * US
            step = span / max(1, len(pages) // 4)
            ts, i = t, 0
            while i < len(pages):
                k = rng.randint(*BURST_GROUP)
                for g in pages[i:i + k]:
                    if ts < end_us:
                        events.append((int(ts), g, lay.op(g)))
                i += k
                ts += min(step, rng.uniform(*BURST_STEP_US))
            t += c["period"] * rng.uniform(*PERIOD_JITTER) * US

    events.sort(key=lambda e: e[0])  # stable: equal timestamps keep generation order
    lines = ["time,page,op"]
    lines.extend("%s,%d,%s" % (_fmt_us(ts), g, op) for ts, g, op in events)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------

def _write(path, text):
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="output folder (created if missing)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--desktops", type=int, default=20, help="desktops in office-idle.csv")
    ap.add_argument("--days", type=int, default=7, help="days in office-idle.csv (day 0 = Monday)")
    ap.add_argument("--idle-only", action="store_true", help="write office-idle.csv only")
    a = ap.parse_args()
    if a.desktops < 1 or a.days < 1:
        ap.error("--desktops and --days must be at least 1")
    os.makedirs(a.out, exist_ok=True)
    _write(os.path.join(a.out, "office-idle.csv"), make_idle(a.seed, a.desktops, a.days))
    if not a.idle_only:
        for name in ("windows", "linux"):
            _write(os.path.join(a.out, "pages-%s.csv" % name), make_pages(a.seed, name))


if __name__ == "__main__":
    main()
