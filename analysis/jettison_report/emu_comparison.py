"""Simulated vs emulated: a jettison-sim run folder and an emulated run of the same page trace
(scripts/emu-vs-sim.sh's emu/ folder: periods.csv, agent.log, replay.log, settings.json), side by
side over the span the VM is hosted. Each row is marked equal, within 5% or explained, and every
difference gets a paragraph computed from the two runs' outputs and the emulator's logs.

  python3 -m jettison_report.emu_comparison SIM_RUN_DIR EMU_DIR     (prints the section as Markdown)
"""
import csv
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .content import Document, Facts, Heading, Para, Section, Table
from .errors import InputError

PAGE = 4096
HOSTED_STATES = ("serving", "suspending", "asleep", "resuming_selective")
WITHIN = 0.05               # "within 5%"
TIME_EPS_S = 0.0015         # equal times: the logs' millisecond stamps, plus a rounding
_STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\] \[\w+\] (.*)$")


def _events(path):
    out = []
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror}") from None
    for line in lines:
        m = _STAMP.match(line)
        if m:
            out.append((datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp(), m.group(2)))
    return out, lines


def _first_row(path):
    try:
        with open(path, newline="") as f:
            row = next(csv.DictReader(f), None)
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror}") from None
    if row is None:
        raise InputError(path, "no period row")
    return row


def _num(row, key, path):
    v = row.get(key)
    if v in (None, ""):
        return None
    try:
        return float(v)
    except ValueError:
        raise InputError(path, f"column {key}: not a number: '{v}'", line=2) from None


def _seconds(text):
    m = re.fullmatch(r"([0-9.]+)\s*(ms|s)", str(text).strip())
    return float(m.group(1)) / (1000 if m.group(2) == "ms" else 1) if m else None


@dataclass
class Emulated:
    """What the emulated run did over its hosted span [start, end] (wall clock, seconds)."""
    path: Path
    settings: dict
    periods: dict
    start: float
    end: float
    state_time: dict                      # state -> seconds inside the span
    wakes: list                           # (time, seconds asleep) of each magic-packet wake-up in the span
    sleeps: list                          # time of each `suspending` in the span
    suspend_extra: list                   # per sleep: suspending's length minus the configured delay
    memserver_stop: list                  # per sleep: suspending -> "memserver: stopped" (s)
    reconnects: list                      # per wake: the fetcher's "resumed after N ms (K attempts)" (s, K)
    writeback_wake: bool                  # magic packets sent for the write-back, after the span
    replay_summary: list = field(default_factory=list)
    changes: list = field(default_factory=list)     # (seconds into the span, state) inside it
    decisions: list = field(default_factory=list)   # sleep controller: (scheduled, acted, wall stamp)


def load_emulated(path):
    """Reads an emulated run folder (raises InputError naming the file on a bad one)."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(path, "not a folder (an emulated run: periods.csv, agent.log, replay.log, settings.json)")
    for name in ("periods.csv", "agent.log", "replay.log", "settings.json"):
        if not (path / name).is_file():
            raise InputError(path / name, "missing: not an emulated run folder written by scripts/emu-vs-sim.sh")
    try:
        settings = json.loads((path / "settings.json").read_text())
    except (OSError, ValueError) as e:
        raise InputError(path / "settings.json", f"not JSON: {e}") from None
    for key in ("period_s", "speed", "suspend", "resume_selective", "sleep_timeout"):
        if key not in settings:
            raise InputError(path / "settings.json", f"no key {key}")
    periods = _first_row(path / "periods.csv")
    agent, _ = _events(path / "agent.log")
    replay, replay_lines = _events(path / "replay.log")

    # The span starts when the replay's guest starts (the session's "-> serving") and lasts the
    # period in trace time, divided by the speed.
    start = next((t for t, msg in replay if re.search(r"-> serving: guest running here", msg)), None)
    if start is None:
        raise InputError(path / "replay.log", "no 'migrating-in -> serving: guest running here' line: "
                                              "did the replay start?")
    end = start + float(settings["period_s"]) / float(settings["speed"])
    changes = [(t, m.group(1)) for t, msg in agent if (m := re.fullmatch(r"power\[emulated\]: (\w+)", msg))]
    timeline = [(min([start] + [t for t, _ in changes]) - 1.0, "serving")] + changes
    state_time = {}
    for i, (t, s) in enumerate(timeline):
        t_next = timeline[i + 1][0] if i + 1 < len(timeline) else float("inf")
        lo, hi = max(t, start), min(t_next, end)
        if hi > lo:
            state_time[s] = state_time.get(s, 0.0) + hi - lo

    wakes = [(t, float(m.group(1))) for t, msg in agent
             if start <= t < end and (m := re.search(r"woke \(magic_packet.* after ([0-9.]+) s asleep", msg))]
    delay = _seconds(settings["suspend"]) or 0.0
    sleeps, suspend_extra, memserver_stop = [], [], []
    for i, (t, s) in enumerate(changes):
        if s != "suspending" or not start <= t < end:
            continue
        sleeps.append(t)
        nxt = next((u for u, s2 in changes[i + 1:] if s2 != "suspending"), None)
        if nxt is not None:
            suspend_extra.append(nxt - t - delay)
        stop = next((u for u, msg in agent if u >= t and msg.startswith("memserver: stopped")), None)
        if stop is not None and (nxt is None or stop <= nxt):
            memserver_stop.append(stop - t)
    reconnects = [(float(m.group(1)) / 1000, int(m.group(2))) for t, msg in replay
                  if start <= t < end and (m := re.search(r"resumed after (\d+) ms \((\d+) attempts", msg))]
    reintegrating = next((t for t, msg in replay if "serving -> reintegrating" in msg), None)
    writeback_wake = reintegrating is not None and any(
        t >= reintegrating and re.search(r"magic packet \d+ sent", msg) for t, msg in replay)
    summary = [l for l in replay_lines if re.match(r"^(replayed|faults|fault latency|sleep rule|write-back|verified)", l)]
    speed = float(settings["speed"])
    rel = [((t - start) * speed, st) for t, st in changes if start < t < end]
    decisions = [(float(m.group(1)), float(m.group(2)), t) for t, msg in replay
                 if (m := re.search(r"sleep: the scheduler said sleep at ([0-9.]+) s \(now ([0-9.]+) s\)", msg))]
    return Emulated(path, settings, periods, start, end, state_time, wakes, sleeps, suspend_extra,
                    memserver_stop, reconnects, writeback_wake, summary, rel, decisions)


def _sim_changes(sim_dir, span):
    """The simulated desktop's state changes while hosted: (seconds after the migration's end, state)."""
    f = Path(sim_dir) / "timeline.csv"
    if not f.is_file():
        return None
    rows = []
    with open(f, newline="") as fh:
        for r in csv.DictReader(fh):
            if r.get("strategy") == "partial" and r.get("period") == "0":
                rows.append((float(r["time_s"]), r["state"]))
    landed = next((t for i, (t, st) in enumerate(rows) if st == "serving" and i and rows[i - 1][1] == "migrating"), None)
    if landed is None:
        return None
    return [(t - landed, st) for t, st in rows if landed < t < landed + span]


@dataclass
class Row:
    name: str
    emu: float
    sim: float
    digits: int          # decimals shown
    key: str
    exact: bool = True   # counts: equal means equal; times: within the logs' resolution

    @property
    def diff(self):
        return self.emu - self.sim

    @property
    def equal(self):
        return self.diff == 0 if self.exact else abs(self.diff) <= TIME_EPS_S

    @property
    def within(self):
        return abs(self.diff) <= WITHIN * abs(self.sim) if self.sim else self.equal


def desktop_watts(sim_dir):
    """desktop.power from the run's scenario.yaml (the simulator's watts, applied to both sides)."""
    import yaml
    f = Path(sim_dir) / "scenario.yaml"
    try:
        scenario = yaml.safe_load(f.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f, f"cannot read the scenario: {e}") from None
    power = ((scenario or {}).get("desktop") or {}).get("power") or {}
    out = {}
    for state, v in power.items():
        m = re.fullmatch(r"\s*([0-9.]+)\s*W\s*", str(v))
        if not m:
            raise InputError(f, f"desktop.power.{state}: expected watts (e.g. 60W), got '{v}'")
        out[state] = float(m.group(1))
    missing = [s for s in HOSTED_STATES if s not in out]
    if missing:
        raise InputError(f, f"desktop.power has no {', '.join(missing)}")
    return out


def compare(sim_dir, emu):
    """The rows and a paragraph per difference: (rows, notes{key: text}, facts)."""
    sim_dir = Path(sim_dir)
    sp = sim_dir / "periods.csv"
    sim = _first_row(sp)
    if sim.get("strategy") != "partial":
        raise InputError(sp, f"the first period's strategy is '{sim.get('strategy')}', not partial")
    ep = emu.path / "periods.csv"
    e = lambda k: _num(emu.periods, k, ep) or 0.0
    s = lambda k: _num(sim, k, sp) or 0.0
    watts = desktop_watts(sim_dir)
    sim_t = {st: s(f"t_{st}_s") for st in HOSTED_STATES}
    emu_t = {st: emu.state_time.get(st, 0.0) for st in HOSTED_STATES}
    emu_other = sum(v for k, v in emu.state_time.items() if k not in HOSTED_STATES)
    energy = lambda t: sum(t.get(st, 0.0) * watts.get(st, 0.0) for st in t)
    emu_all = dict(emu.state_time)
    sim_metadata = s("migrated_bytes")
    span = emu.end - emu.start

    rows = [
        Row("wake-ups to serve pages, hosted span", len(emu.wakes), s("wakeups"), 0, "wakeups"),
        Row("wake-ups in periods.csv", e("wakeups"), s("wakeups"), 0, "wakeups_total"),
        Row("pages fetched on demand", e("fetched_pages"), s("fetched_pages"), 0, "demand"),
        Row("pages prefetched", e("prefetched_pages"), s("prefetched_pages"), 0, "prefetch"),
        Row("prefetched pages the guest used", e("prefetch_used"), s("prefetch_used"), 0, "prefetch_used"),
        Row("bytes fetched (demand + prefetched pages x 4 KiB)",
            e("fetched_bytes") + e("prefetched_pages") * PAGE, s("fetched_bytes") + s("prefetched_pages") * PAGE,
            0, "fetched_bytes"),
        Row("dirty pages", e("dirty_pages"), s("dirty_pages"), 0, "dirty"),
        Row("dirty bytes (dirty pages x 4 KiB)", e("dirty_pages") * PAGE, s("reintegrated_bytes") - sim_metadata,
            0, "dirty_bytes"),
        Row("write-back bytes on the wire (emu) / reintegrated page bytes (sim)", e("reintegrated_bytes"),
            s("reintegrated_bytes") - sim_metadata, 0, "writeback_bytes"),
        Row("network bytes, pages and write-back (sim: without the device state)", e("network_bytes"),
            s("network_bytes") - 2 * sim_metadata, 0, "network"),
    ]
    for st in HOSTED_STATES:
        rows.append(Row(f"time {st} (s)", emu_t[st], sim_t[st], 3, "t_" + st, exact=False))
    rows.append(Row("time in other states (s)", emu_other, 0.0, 3, "t_other", exact=False))
    rows.append(Row("hosted span (s)", span, sum(sim_t.values()), 3, "span", exact=False))
    rows.append(Row("desktop energy, hosted span (J)", energy(emu_all), energy(sim_t), 1, "energy", exact=False))
    rows.append(Row("mean desktop power, hosted span (W)", energy(emu_all) / span if span else 0.0,
                    energy(sim_t) / sum(sim_t.values()) if sum(sim_t.values()) else 0.0, 2, "power",
                    exact=False))
    by_key = {r.key: r for r in rows}
    paired = _pair(emu, _sim_changes(sim_dir, span))
    notes = _notes(by_key, emu, sim_t, emu_t, watts, sim_metadata, paired)
    return rows, notes, paired


def _pair(emu, sim_changes):
    """The two timelines change for change: [(state, emulated s, simulated s)], or None when their
    sequences of states differ (or the simulator wrote no timeline)."""
    if sim_changes is None or [st for _, st in emu.changes] != [st for _, st in sim_changes]:
        return None
    return [(st, a, b) for (a, st), (b, _) in zip(emu.changes, sim_changes)]


def _ms(values):
    if not values:
        return "-"
    mean = sum(values) / len(values) * 1000
    return f"{mean:+.1f} ms (from {min(values) * 1000:+.1f} to {max(values) * 1000:+.1f})"


def _notes(r, emu, sim_t, emu_t, watts, sim_metadata, paired):
    """A paragraph for each differing row, from the numbers and the logs."""
    cfg = emu.settings
    notes = {}
    n_wakes = len(emu.wakes)
    if not r["wakeups_total"].equal:
        extra = r["wakeups_total"].diff
        if emu.writeback_wake and extra == 1 and r["wakeups"].equal:
            notes["wakeups_total"] = (
                f"The emulated periods.csv counts {int(r['wakeups_total'].emu)} wake-ups: the {n_wakes} "
                "of the hosted span (the desktop agent's 'woke (magic_packet ...)' lines between the "
                "replay's start and its end) and one more after it: when the trace is done the replay "
                "writes the dirty pages back, finds the desktop asleep and wakes it (replay.log: magic "
                "packets sent after 'serving -> reintegrating'). The simulator counts wake-ups for pages "
                "only; its desktop wakes at the user's return by a full resume, not counted as a wake-up.")
    if not r["wakeups"].equal:
        notes["wakeups"] = (
            f"{n_wakes} emulated wake-ups against {int(r['wakeups'].sim)} simulated. The emulated sleep "
            f"timer counts {cfg['sleep_timeout']} after the last request on the fetcher's clock; a request "
            "arriving within a few milliseconds of the timeout (fault service, TLS reconnects) falls on "
            "either side of it. Wake-ups at (s into the span, s asleep before): "
            + ", ".join(f"{t - emu.start:.3f} ({a:.3f})" for t, a in emu.wakes) + ".")
    if not r["writeback_bytes"].equal:
        d = r["writeback_bytes"].diff
        notes["writeback_bytes"] = (
            f"The emulated write-back's bytes are the message bytes of the journalled write-back: "
            f"{int(r['writeback_bytes'].emu):,} for {int(r['dirty'].emu):,} dirty pages, {int(d):+,} bytes "
            f"({d / max(r['dirty'].emu, 1):+.1f} per page) against the pages' 4 KiB each: the write-back "
            "messages' framing (run headers and the commit; an all-zero page would travel as a 16-byte "
            "zero run instead, fewer bytes). The simulator "
            f"moves dirty pages x 4 KiB (its reintegrated bytes, {int(r['writeback_bytes'].sim + sim_metadata):,}, "
            f"less the device state, {int(sim_metadata):,} bytes, which the replay does not move).")
    if not r["network"].equal:
        zero = next((int(m.group(1)) for l in emu.replay_summary
                     if (m := re.search(r"prefetched \((\d+) zero\)", l))), 0)
        requests = r["demand"].emu + r["prefetch"].emu
        # All-zero pages travel in ZERO runs (16 bytes a run of pages, no data: emu/PROTOCOL.md).
        pages_moved = (r["fetched_bytes"].emu - zero * PAGE) + r["writeback_bytes"].emu
        overhead = r["network"].emu - pages_moved
        notes["network"] = (
            f"Emulated: the bytes on the page connections, {int(r['network'].emu):,} = "
            f"{int(r['fetched_bytes'].emu - zero * PAGE):,} bytes of fetched page data"
            + (f" ({zero:,} of the {int(requests):,} pages fetched were all-zero and travelled in ZERO "
               f"runs, 16 bytes a run and no data: {zero * PAGE:,} bytes of pages x 4 KiB never sent)"
               if zero else "")
            + f" + {int(r['writeback_bytes'].emu):,} of "
            f"write-back + {int(overhead):,} of protocol ({overhead / max(requests, 1):.1f} bytes per page "
            "fetched: requests, run headers, HELLO and sleep messages; TLS records not counted). "
            "Simulated: pages x 4 KiB and the dirty pages, with no protocol overhead (its network bytes "
            f"less the device state counted twice, {int(2 * sim_metadata):,} bytes, which the replay does "
            "not move).")
    d_serving = r["t_serving"].diff
    if not r["t_serving"].equal:
        text = f"Serving {d_serving:+.3f} s. "
        if paired is None:
            text += ("The two timelines do not have the same sequence of states (see the wake-up rows); "
                     "serving follows from when each side slept and woke.")
        else:
            sleeps = [(a, b) for st, a, b in paired if st == "suspending"]
            wakes = [(a, b) for st, a, b in paired if st == "resuming_selective"]
            lag_sleep = [a - b for a, b in sleeps]
            lag_wake = [a - b for a, b in wakes]
            text += (f"Both desktops go through the same {len(paired)} state changes in the same order "
                     f"(the timeline below). Serving ends at each of the {len(sleeps)} sleeps and starts "
                     f"again at each of the {len(wakes)} wake-ups; the emulated desktop began its sleeps "
                     f"{_ms(lag_sleep)} after the simulated one")
            if len(emu.decisions) == len(sleeps):
                sched = [d[0] - b for d, (_, b) in zip(emu.decisions, sleeps)]
                acted = [d[1] - d[0] for d in emu.decisions]
                text += (f": its sleep controller scheduled the sleep (last request served + "
                         f"{cfg['sleep_timeout']}, on the fetcher's clock) {_ms(sched)} after the simulator's "
                         f"time (the emulated request is served after the replay's access runs, a userfaultfd "
                         f"fault and a TLS round trip; the simulated one at the access + 2 x latency + a page "
                         f"at the link's rate), acted on it {_ms(acted)} later (its timer), and the agent "
                         "began `suspending` after the sleep message crossed the link")
            text += (f"; and began its wake-ups {_ms(lag_wake)} after the simulated ones (the fault reaches "
                     "the sleep controller, which sends the magic packet, which the agent receives). "
                     f"Sleeps later by {sum(lag_sleep):+.3f} s in all, wakes later by {sum(lag_wake):+.3f} s: "
                     f"serving {sum(lag_sleep) - sum(lag_wake):+.3f} s, as measured up to the logs' stamps.")
            if lag_wake:
                offset = sum(lag_wake) / len(lag_wake)
                text += (f" Each wake-up is the first access after a long gap, so its lag is mostly the "
                         f"offset of the replay's clock from the span's start in the logs (the session's "
                         f"'guest running' line; the replay thread starts a few ms later): {offset * 1000:.1f} ms. "
                         f"Every later segment of serving starts and ends with it, so it cancels there; only "
                         f"the first segment, which starts at the span's start, carries it once. Without it, "
                         f"the sleeps come {(sum(lag_sleep) / len(lag_sleep) - offset) * 1000:+.1f} ms after "
                         "the simulated ones on average: the emulated controller's timer, the sleep message "
                         "and the request's real service time.")
            resume = _seconds(cfg["resume_selective"]) or 0.0
            reached = [ms for ms, _ in emu.reconnects]
            if reached and sum(reached) / len(reached) - resume > 0.02:
                text += (f" The replay's page source reached the woken desktop after "
                         f"{sum(reached) / len(reached) * 1000:.0f} ms on average (from "
                         f"{min(reached) * 1000:.0f} to {max(reached) * 1000:.0f} ms, 'resumed after' in "
                         f"replay.log) against its {cfg['resume_selective']} selective resume: where the "
                         "waking fault is the last request before the timeout (its neighbours prefetched "
                         "with it), the sleep timer starts only when that reconnect serves it, so those "
                         "sleeps come that much later.")
        notes["t_serving"] = text
    if not r["t_suspending"].equal:
        n = len(emu.sleeps)
        mean_extra = sum(emu.suspend_extra) / len(emu.suspend_extra) if emu.suspend_extra else 0.0
        stop = sum(emu.memserver_stop) / len(emu.memserver_stop) if emu.memserver_stop else None
        notes["t_suspending"] = (
            f"{n} emulated sleeps in the span, each {mean_extra * 1000:+.1f} ms longer than the "
            f"{cfg['suspend']} suspend delay on average: the agent enters `suspending` when the sleep "
            "request arrives and first closes its memory server"
            + (f" ('memserver: stopped' {stop * 1000:.1f} ms after, on average)" if stop is not None else "")
            + ", then starts the delay.")
    if not r["t_resuming_selective"].equal:
        notes["t_resuming_selective"] = (
            f"{cfg['resume_selective']} per wake-up on both sides; the difference is the wake-up count "
            "and the millisecond stamps of the agent's log.")
    if not r["t_asleep"].equal:
        others = {k: r[k].diff for k in ("t_serving", "t_suspending", "t_resuming_selective", "t_other")}
        notes["t_asleep"] = (
            "The rest of the span: the span is the same, so asleep gives back what the other states "
            "take (" + ", ".join(f"{k[2:]} {v:+.3f} s" for k, v in others.items()) + f"; their sum "
            f"{sum(others.values()):+.3f} s against asleep's {r['t_asleep'].diff:+.3f} s"
            f" and the span's {r['span'].diff:+.3f} s).")
    if not r["t_other"].equal:
        notes["t_other"] = ("The emulated desktop spent this long in states the simulated one never "
                            "takes while hosted: " + ", ".join(
                                f"{k} {v:.3f} s" for k, v in emu.state_time.items() if k not in HOSTED_STATES) + ".")
    if not r["span"].equal:
        notes["span"] = ("The emulated span is the replay's period on the wall clock from the session's "
                         "'-> serving' stamp; the simulated one is the idle period less the migration. "
                         "They differ by the logs' millisecond stamps and the microsecond rounding of the "
                         "simulated migration's end.")
    if not r["energy"].equal:
        parts = {st: (emu.state_time.get(st, 0.0) - sim_t.get(st, 0.0)) * watts.get(st, 0.0)
                 for st in set(emu.state_time) | set(sim_t)}
        notes["energy"] = (
            "Energy is time per state x the watts of the simulator's scenario on both sides: "
            + ", ".join(f"{st} {parts[st]:+.1f} J ({watts.get(st, 0.0):g} W)" for st in sorted(parts)
                        if abs(parts[st]) >= 0.05)
            + f"; {r['energy'].diff:+.1f} J in all, {r['energy'].diff / r['energy'].sim * 100:+.2f}%.")
        notes["power"] = "The energy over the span, divided by it: see the energy row."
    resident = r["demand"].emu + r["prefetch"].emu
    if not cfg.get("dirty_tracking") and not r["dirty"].equal and r["dirty"].emu == resident:
        for key in ("dirty", "dirty_bytes"):
            notes[key] = (
                f"The emulated run had no dirty tracking (DIRTY_TRACKING=0): its fetcher then counts "
                f"every resident page as dirty ({int(resident):,} = the pages fetched) and writes them all "
                f"back; the simulator counts the pages the trace writes ({int(r['dirty'].sim):,}). "
                "With write-protect faults (the default) both count the written pages.")
    for key in ("demand", "prefetch", "prefetch_used", "fetched_bytes", "dirty", "dirty_bytes"):
        if not r[key].equal and key not in notes:
            notes[key] = (
                "Not expected: both sides replay the same accesses from an empty region with the same "
                f"prefetcher ({cfg.get('prefetch', 'none')}). Compare the emulated replay.log's fault lines "
                "with the simulator's page trace to find the first page that differs.")
            notes[key + "_unexplained"] = ""
    return notes


def status(row, notes):
    if row.equal:
        return ("equal", "ok")
    if row.key + "_unexplained" in notes or row.key not in notes:
        return ("not explained", "bad")
    return ("within 5%", "ok") if row.within else ("explained", "unknown")


def section(sim_dir, emu_dir, sid="emu", title=None):
    """The 'Simulated vs emulated' section: the table, then a paragraph per difference."""
    emu = emu_dir if isinstance(emu_dir, Emulated) else load_emulated(emu_dir)
    rows, notes, paired = compare(sim_dir, emu)
    cfg = emu.settings
    sec = Section(sid, title or "Simulated vs emulated")
    b = sec.blocks
    b.append(Para(
        f"The same page trace, {cfg.get('trace', '?')} from {cfg.get('from_s', 0)} s for "
        f"{float(cfg['period_s']):g} s ({cfg.get('accesses', '?')} accesses), through the emulator "
        "(jettison-replay hosting it, jettison-desktop serving its pages over TLS in another network "
        "namespace, woken by real magic packets, emulated power) and through the simulator "
        f"({cfg.get('scenario', 'the scenario')}, partial, its profile anchored at the migration's end). "
        "Rows compare the span the VM is hosted; energy is time per power state x the simulator's "
        "watts on both sides (the emulated times from the desktop agent's log)."))
    b.append(Facts([
        ("emulated run", str(emu.path)), ("simulated run", str(sim_dir)),
        ("sleep rule", f"{cfg.get('sleep_rule', 'timeout')} {cfg['sleep_timeout']}"),
        ("prefetch", str(cfg.get("prefetch", "none")) + (f", radius {cfg['radius']}" if cfg.get("radius") else "")),
        ("transitions (emulated desktop and simulated)",
         f"suspend {cfg['suspend']}, selective resume {cfg['resume_selective']}, full resume {cfg.get('resume_full', '-')}"),
        ("dirty tracking", "write-protect faults (exact)" if cfg.get("dirty_tracking") else "every resident page"),
        ("speed", f"{float(cfg['speed']):g}"),
        ("simulator settings", cfg.get("sets") or "-"),
    ]))
    table_rows, numbered = [], []
    for r in rows:
        fmt = f"{{:,.{r.digits}f}}"
        d = "0" if r.equal and r.exact else fmt.replace("{:", "{:+").format(r.diff)
        if r.sim and not (r.equal and r.exact):
            d += f" ({r.diff / r.sim * 100:+.2f}%)"
        st = status(r, notes)
        ref = ""
        if not r.equal and notes.get(r.key):
            numbered.append(r.key)
            ref = f"[{len(numbered)}]"
        table_rows.append([r.name, fmt.format(r.emu), fmt.format(r.sim), d, st, ref])
    counts = {}
    for row in table_rows:
        counts[row[4][0]] = counts.get(row[4][0], 0) + 1
    b.append(Table(["metric", "emulated", "simulated", "emulated - simulated", "status", "note"],
                   table_rows, numeric=(1, 2, 3),
                   caption=", ".join(f"{v} {k}" for k, v in counts.items()) + " (equal: the same count, or "
                           f"times within {TIME_EPS_S * 1000:g} ms; within 5%: a difference of at most 5%, "
                           "explained below; explained: more than 5%, explained below)."))
    if numbered:
        b.append(Heading(3, "Why the rows differ", f"{sid}-why"))
        for i, key in enumerate(numbered, 1):
            b.append(Para(f"[{i}] {notes[key]}"))
    if paired:
        b.append(Heading(3, "The desktop's power states, change by change", f"{sid}-timeline"))
        b.append(Table(["state entered", "emulated (s into the span)", "simulated (s into the span)",
                        "emulated - simulated (ms)"],
                       [[st, f"{a:.3f}", f"{s_:.6f}", f"{(a - s_) * 1000:+.1f}"] for st, a, s_ in paired],
                       numeric=(1, 2, 3),
                       caption="Emulated: the desktop agent's log ('power[emulated]: STATE'), from the "
                               "replay's start; simulated: timeline.csv, from the migration's end."))
    if emu.replay_summary:
        b.append(Heading(3, "The emulated replay's own summary", f"{sid}-replay"))
        b.append(Facts([(f"replay {i + 1}", l) for i, l in enumerate(emu.replay_summary)]))
    return sec


def section_for(folders, emu_dir):
    """For jettison_report.py --emulated: the section comparing the emulated run with the first
    input folder (InputError, so nothing is written, when either is not what it should be)."""
    if not folders or folders[0].kind != "run":
        raise InputError(emu_dir, "--emulated needs a run folder (not a sweep) as the first input")
    return section(folders[0].path, emu_dir)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python3 -m jettison_report.emu_comparison SIM_RUN_DIR EMU_DIR", file=sys.stderr)
        return 2
    try:
        sec = section(argv[0], argv[1], title="Simulated vs emulated")
    except InputError as e:
        print(f"emu_comparison: error: {e}", file=sys.stderr)
        return 1
    from . import markdown
    emu = load_emulated(argv[1])
    doc = Document(title=f"Simulated vs emulated: {emu.settings.get('trace', '')}", intro=[], sections=[sec])
    sys.stdout.write(markdown.render(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
