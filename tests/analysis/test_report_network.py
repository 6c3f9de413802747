"""The network and server model in the report: links.csv and servers.csv are loaded (and their
absence tolerated), the "Network and servers" section's numbers come out of a small hand-written
run folder as expected, an older folder without those files still gives a report that says what
is missing, and a sweep over desktops.count x network.uplink.bandwidth gets its migration-latency
figure (from the real simulator)."""
import csv
import json
import shutil
import sys
import unittest

import numpy as np
from pathlib import Path

import support

sys.path.insert(0, str(support.SOURCE_DIR / "analysis"))

from jettison_report import loading, metrics  # noqa: E402
from jettison_report.errors import InputError  # noqa: E402

GIB = 1024 ** 3


def _latency(p50, p95, count):
    return {"p50": p50, "p95": p95, "p99": p95, "max": p95, "count": count}


def _strategy(name, migrations, lat, unc, **extra):
    st = {"energy_kwh": 1.0, "baseline_energy_kwh": 2.0, "savings_pct": 50.0,
          "savings_pct_periods_10min_plus": 50.0, "network_bytes": 3 * 40 * 1024 ** 2 if migrations else 0,
          "migrated_bytes": 3 * 40 * 1024 ** 2 if migrations else 0, "reintegrated_bytes": 0,
          "wakeups": 0, "sleep_fraction": 0.5, "migrations": migrations, "periods": 3,
          "idle_hours": 3.0, "migration_latency_s": lat, "reintegration_latency_s": _latency(0, 0, 0),
          "migration_latency_uncontended_s": unc}
    st.update(extra)
    return name, st


SUMMARY = {
    "scenario": "hand-written", "seed": 1, "desktops": 3, "servers": 2, "topology": "star",
    "strategies": dict([
        _strategy("always-on", 0, _latency(0, 0, 0), _latency(0, 0, 0),
                  contention_slowdown_p50=0.0, flows=0, peak_concurrent_flows=0,
                  peak_link_utilisation=0.0, server_refusals=0, server_overcommits=0,
                  servers_energy_kwh=2.0, consolidation_ratio=0.0),
        _strategy("partial", 3, _latency(20.0, 30.0, 3), _latency(4.0, 5.0, 3),
                  contention_slowdown_p50=5.0, flows=6, peak_concurrent_flows=3,
                  peak_link_utilisation=0.75, server_refusals=1, server_overcommits=2,
                  servers_energy_kwh=2.5, consolidation_ratio=2.5),
    ]),
}

PERIOD_HEADER = ["strategy", "desktop", "period", "start_s", "idle_s", "window_s", "outcome",
                 "energy_j", "baseline_j", "fetched_bytes", "migration_latency_s",
                 "return_latency_s", "migration_latency_uncontended_s", "server"]
PERIODS = [
    ["always-on", "d00", 0, 0, 3600, 3600, "stayed-on", 360000, 360000, 0, "", "", "", ""],
    ["always-on", "d01", 0, 0, 3600, 3600, "stayed-on", 360000, 360000, 0, "", "", "", ""],
    ["always-on", "d02", 0, 0, 3600, 3600, "stayed-on", 360000, 360000, 0, "", "", "", ""],
    ["partial", "d00", 0, 0, 3600, 3610, "migrated", 180000, 361000, 0, 20.0, 2.0, 4.0, "s0"],
    ["partial", "d01", 0, 0, 3600, 3610, "migrated", 180000, 361000, 0, 18.0, 2.0, 4.0, "s0"],
    ["partial", "d02", 0, 0, 3600, 3610, "refused", 180000, 361000, 0, 30.0, 2.0, 5.0, "s1"],
]

LINK_HEADER = ["strategy", "link", "from", "to", "capacity_bps", "peak_utilisation",
               "mean_utilisation", "bytes"]
# partial: 12 directions, so the table keeps the 10 busiest; two ties on peak (broken by mean)
LINKS = [["partial", f"d{i:02d}-sw0", f"d{i:02d}", "sw0", 1e9, 0.05 * i, 0.001 * i, 1000 * i]
         for i in range(1, 11)]
LINKS += [["partial", "sw0-s0", "sw0", "s0", 2.5e9, 0.75, 0.02, 5 * GIB],
          ["partial", "sw0-s0", "s0", "sw0", 2.5e9, 0.50, 0.01, GIB]]

SERVER_HEADER = ["strategy", "server", "capacity_bytes", "peak_memory_bytes", "mean_memory_bytes",
                 "peak_vms", "mean_vms", "busy_s", "vm_seconds", "energy_j", "attributed_j",
                 "admitted", "overcommitted"]
SERVERS = [
    ["always-on", "s0", 8 * GIB, 0, 0, 0, 0.0, 0.0, 0.0, 3.6e6, 0.0, 0, 0],
    ["always-on", "s1", 8 * GIB, 0, 0, 0, 0.0, 0.0, 0.0, 3.6e6, 0.0, 0, 0],
    ["partial", "s0", 8 * GIB, 2 * GIB, GIB, 3, 1.5, 100.0, 250.0, 3.6e6, 1.8e6, 4, 2],
    ["partial", "s1", 8 * GIB, 0, 0, 0, 0.0, 0.0, 0.0, 5.4e6, 0.0, 0, 0],
]


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def write_fixture(folder):
    """A run folder by hand: summary.json, periods.csv, links.csv, servers.csv."""
    folder = Path(folder)
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps(SUMMARY, indent=1))
    _write_csv(folder / "periods.csv", PERIOD_HEADER, PERIODS)
    _write_csv(folder / "links.csv", LINK_HEADER, LINKS)
    _write_csv(folder / "servers.csv", SERVER_HEADER, SERVERS)
    return folder


def write_old_fixture(folder):
    """The same run as an older simulator wrote it: no links.csv, servers.csv, network figures in
    summary.json or migration_latency_uncontended_s and server in periods.csv."""
    folder = Path(folder)
    folder.mkdir(parents=True)
    summary = json.loads(json.dumps(SUMMARY))
    for k in ("servers", "topology"):
        del summary[k]
    for st in summary["strategies"].values():
        for k in ("migration_latency_uncontended_s", "contention_slowdown_p50", "flows",
                  "peak_concurrent_flows", "peak_link_utilisation", "server_refusals",
                  "server_overcommits", "servers_energy_kwh", "consolidation_ratio"):
            del st[k]
    (folder / "summary.json").write_text(json.dumps(summary))
    _write_csv(folder / "periods.csv", PERIOD_HEADER[:-2], [r[:-2] for r in PERIODS])
    return folder


def section_tables(md, heading, stop="### "):
    """Every table (rows as dicts) between the heading and the next heading starting with stop."""
    lines = md.splitlines()
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(stop)), len(lines))
    tables, i = [], start + 1
    while i < end:
        if lines[i].startswith("| ") and i + 1 < end and lines[i + 1].startswith("|-"):
            headers = [c.strip() for c in lines[i].strip("|").split("|")]
            rows = []
            i += 2
            while i < end and lines[i].startswith("|"):
                rows.append(dict(zip(headers, (c.strip() for c in lines[i].strip("|").split("|")))))
                i += 1
            tables.append(rows)
        else:
            i += 1
    return tables, "\n".join(lines[start:end])


class Loading(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "report-network-loading")
        cls.new = write_fixture(cls.tmp / "new")
        cls.old = write_old_fixture(cls.tmp / "old")

    def test_links_and_servers_are_read(self):
        run = loading.load_run(self.new, "new")
        self.assertEqual(run.missing, ["desktops.csv", "scenario.yaml", "timeline.csv"])
        self.assertEqual(len(run.links), len(LINKS))
        self.assertEqual(run.links["capacity_bps"].dtype.kind, "f")
        self.assertEqual(run.links["peak_utilisation"].max(), 0.75)
        self.assertEqual(list(run.servers["server"]), ["s0", "s1", "s0", "s1"])
        self.assertEqual(run.servers["admitted"].dtype.kind, "i")
        self.assertEqual(run.servers["peak_memory_bytes"].iloc[2], 2 * GIB)
        # periods.csv's new column is numeric (empty where nothing migrated)
        unc = loading.read_periods(self.new / "periods.csv")["migration_latency_uncontended_s"]
        self.assertEqual(unc.dtype.kind, "f")
        self.assertEqual(unc.isna().sum(), 3)
        self.assertEqual(sorted(unc.dropna()), [4.0, 4.0, 5.0])
        # the digest pairs each migration's latency with it
        pairs = metrics.migration_pairs(run.periods)
        self.assertEqual(sorted(np.concatenate([u for _, u in pairs.values()])), [4.0, 4.0, 5.0])

    def test_absent_files_are_listed_not_fatal(self):
        run = loading.load_run(self.old, "old")
        self.assertIsNone(run.links)
        self.assertIsNone(run.servers)
        self.assertIn("links.csv", run.missing)
        self.assertIn("servers.csv", run.missing)
        self.assertNotIn("migration_latency_uncontended_s", run.periods.columns)
        self.assertFalse(metrics.has_network_figures(run.summary))

    def test_bad_links_and_servers_name_the_file_and_line(self):
        bad = self.tmp / "bad-links"
        shutil.copytree(self.new, bad)
        rows = [r[:] for r in LINKS]
        rows[2][5] = "busy"
        _write_csv(bad / "links.csv", LINK_HEADER, rows)
        with self.assertRaises(InputError) as e:
            loading.load_run(bad, "bad")
        self.assertIn(f"{bad / 'links.csv'}:4:", str(e.exception))
        self.assertIn("peak_utilisation", str(e.exception))
        bad2 = self.tmp / "bad-servers"
        shutil.copytree(self.new, bad2)
        _write_csv(bad2 / "servers.csv", SERVER_HEADER[:-1], [r[:-1] for r in SERVERS])
        with self.assertRaises(InputError) as e:
            loading.load_run(bad2, "bad")
        self.assertIn("missing column 'overcommitted'", str(e.exception))

    def test_sweep_axes(self):
        self.assertEqual(metrics.sweep_latency_axes(["network.uplink.bandwidth", "desktops.count"]),
                         ("desktops.count", ["network.uplink.bandwidth"]))
        self.assertEqual(metrics.sweep_latency_axes(["network.uplink.bandwidth"]),
                         ("network.uplink.bandwidth", []))
        self.assertEqual(metrics.sweep_latency_axes(["policy.sleep.timeout", "desktop.link.bandwidth"]),
                         ("desktop.link.bandwidth", ["policy.sleep.timeout"]))
        self.assertIsNone(metrics.sweep_latency_axes(["policy.sleep.timeout"]))


class Section(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "report-network-section")
        cls.new = write_fixture(cls.tmp / "new")
        cls.old = write_old_fixture(cls.tmp / "old")
        cls.report = cls.tmp / "report"
        support.report([cls.new], cls.report)
        cls.md = (cls.report / "summary.md").read_text()
        cls.tables, cls.text = section_tables(cls.md, "### Network and servers")

    def test_strategy_table(self):
        latency, links, servers = self.tables
        self.assertEqual([r["strategy"] for r in latency], ["always-on", "partial"])
        p = latency[1]
        self.assertEqual((p["migrations"], p["p50 s"], p["uncontended p50 s"], p["p95 s"],
                          p["uncontended p95 s"], p["slowdown p50"]),
                         ("3", "20.000", "4.000", "30.000", "5.000", "5.00x"))
        self.assertEqual((p["flows"], p["peak concurrent flows"], p["peak link utilisation %"]),
                         ("6", "3", "75.0"))
        a = latency[0]   # never migrated: no latencies
        self.assertEqual((a["p50 s"], a["uncontended p50 s"], a["slowdown p50"]), ("-", "-", "-"))
        self.assertIn("- **topology**: star", self.text)
        self.assertIn("- **servers**: 2", self.text)

    def test_busiest_links(self):
        links = self.tables[1]
        self.assertEqual(len(links), 10)     # 12 directions, the 10 busiest
        self.assertEqual([(r["link"], r["direction"]) for r in links[:3]],
                         [("sw0-s0", "sw0 → s0"), ("sw0-s0", "s0 → sw0"), ("d10-sw0", "d10 → sw0")])
        # s0 -> sw0 and d10 tie on peak (50%) and mean (1%): the one with more bytes comes first
        self.assertEqual(links[0]["capacity"], "2.5 Gbps")
        self.assertEqual(links[0]["peak utilisation %"], "75.0")
        self.assertEqual(links[0]["mean utilisation %"], "2.000")
        self.assertEqual(links[0]["bytes"], "5.0 GiB")
        self.assertEqual(links[-1]["link"], "d03-sw0")
        self.assertNotIn("d02-sw0", {r["link"] for r in links})
        self.assertIn("Link directions that carried traffic: partial 12.", self.text)

    def test_servers(self):
        servers = self.tables[2]
        self.assertEqual([(r["strategy"], r["server"]) for r in servers],
                         [("always-on", "s0"), ("always-on", "s1"), ("partial", "s0"),
                          ("partial", "s1")])
        s0 = servers[2]
        self.assertEqual(s0["memory GiB"], "8.00")
        self.assertEqual(s0["peak memory GiB"], "2.00 (25.0%)")
        self.assertEqual(s0["mean memory GiB"], "1.00 (12.5%)")
        self.assertEqual((s0["peak VMs"], s0["mean VMs"], s0["consolidation"]), ("3", "1.50", "2.50"))
        self.assertEqual((s0["energy kWh"], s0["attributed kWh"]), ("1.000", "0.500"))
        self.assertEqual((s0["admitted"], s0["overcommits"]), ("4", "2"))
        self.assertEqual(servers[3]["consolidation"], "-")    # never hosted anything
        self.assertEqual(servers[3]["energy kWh"], "1.500")
        self.assertIn("Refused VMs (no server had room; per strategy): always-on 0, partial 1.",
                      self.text)

    def test_contention_figure(self):
        self.assertIn("![new: migration latency under contention](figures/new-contention.png)",
                      self.text)
        data = (self.report / "figures" / "new-contention.png").read_bytes()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(support.expected_figures(self.new, "new")
                         - {p.name for p in (self.report / "figures").iterdir()}, set())
        self.assertEqual(support.broken_links(self.report / "index.html"), [])
        html = (self.report / "index.html").read_text()
        self.assertIn('id="s1-network"', html)

    def test_older_folder_says_what_is_missing(self):
        out = self.tmp / "report-old"
        support.report([self.old], out)
        self.assertEqual({p.name for p in (out / "figures").iterdir()},
                         support.figure_files(support.expected_figures(self.old, "old")))
        self.assertFalse((out / "figures" / "old-contention.png").exists())
        tables, text = section_tables((out / "summary.md").read_text(), "### Network and servers")
        self.assertEqual(tables, [])
        self.assertIn("- **not in the folder**: links.csv, servers.csv", text)
        self.assertIn("summary.json has no network figures", text)
        self.assertIn("No links.csv in this folder", text)
        self.assertIn("No servers.csv in this folder", text)
        self.assertIn("periods.csv has no migration_latency_uncontended_s column", text)


class Sweep(unittest.TestCase):
    """A real sweep over desktops.count x network.uplink.bandwidth (the default scenario's star)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "report-network-sweep")
        cls.sweep = support.sim_sweep(cls.tmp / "sweep", ["desktops.count=1,4",
                                                          "network.uplink.bandwidth=100Mbps,10Gbps"],
                                      ["strategies=[always-on,full,partial]"])
        cls.report = cls.tmp / "report"
        support.report([cls.sweep], cls.report)

    def test_figure(self):
        name = "sweep-sweep-migration-latency.png"
        expected = support.expected_figures(self.sweep, "sweep")
        self.assertIn(name, expected)
        self.assertEqual({p.name for p in (self.report / "figures").iterdir()},
                         support.figure_files(expected))
        data = (self.report / "figures" / name).read_bytes()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assertGreater(len(data), 5000)
        self.assertIn(f"figures/{name}", support.parse_html(self.report / "index.html").imgs)
        md = (self.report / "summary.md").read_text()
        self.assertIn("### Migration latency over the sweep", md)
        self.assertIn("against desktops.count, one line per value of network.uplink.bandwidth", md)
        self.assertRegex(md, r"uncontended, the same migrations alone on an idle network \(right, "
                             r"from (sweep\.csv|points/\*/summary\.json)\)")

    def test_uncontended_from_points_when_sweep_csv_lacks_it(self):
        """Older sweep.csv files lack migration_latency_uncontended_p50_s: each point's
        summary.json gives it, and the two agree where both exist."""
        sweep = loading.load_sweep(self.sweep, "sweep")
        table, source = metrics.sweep_latency(sweep)
        self.assertIsNotNone(source)
        col = "migration_latency_uncontended_p50_s"
        if col in sweep.table.columns:
            sweep.table = sweep.table.drop(columns=[col])
            table2, source2 = metrics.sweep_latency(sweep)
            self.assertEqual(source2, "points/*/summary.json")
            self.assertEqual(table["uncontended"].round(6).fillna(-1).tolist(),
                             table2["uncontended"].round(6).fillna(-1).tolist())
        else:
            self.assertEqual(source, "points/*/summary.json")
        partial = table[table["strategy"] == "partial"]
        self.assertTrue((partial["uncontended"] > 0).all())
        self.assertTrue((partial["contended"] >= partial["uncontended"] - 1e-6).all())
        self.assertTrue(table.loc[table["strategy"] == "always-on", "contended"].isna().all())


if __name__ == "__main__":
    unittest.main()
