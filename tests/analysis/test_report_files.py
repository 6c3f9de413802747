"""The report on real simulator outputs: a run folder, sweep folders (one grid key: lines; two:
heatmaps) and several folders at once. Checks the files, that every <img> and relative link
resolves, the expected figures, the strategy table of summary.md against summary.json, the
published-vs-ours marks, and that the same inputs give byte-identical figures."""
import json
import unittest
from pathlib import Path

import numpy as np

import support


class ReportFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "report-files")
        cls.run_dir = support.sim_run(cls.tmp / "run", "desktops.count=3")
        cls.sweep2 = support.sim_sweep(cls.tmp / "sweep2", ["policy.sleep.rule=timeout,oracle",
                                                            "policy.prefetch.rule=none,markov"],
                                       ["desktops.count=2"])
        cls.sweep1 = support.sim_sweep(cls.tmp / "sweep1", ["policy.sleep.timeout=5s,30s,2min"],
                                       ["desktops.count=2"])
        cls.aug = support.augmented_copy(cls.run_dir, cls.tmp / "paper")
        cls.sweep1_aug = support.augmented_sweep_copy(cls.sweep1, cls.tmp / "timeouts")
        cls.run_report = cls.tmp / "report-run"
        support.report([cls.run_dir], cls.run_report)
        cls.multi_report = cls.tmp / "report-multi"
        support.report([cls.aug, cls.sweep2, cls.sweep1_aug], cls.multi_report, "--title", "Many",
                       "--formats", "png,pdf,svg")

    def check_folder(self, report, expected_figures, formats=("png",)):
        self.assertTrue((report / "index.html").is_file())
        self.assertTrue((report / "summary.md").is_file())
        figures = {p.name for p in (report / "figures").iterdir()}
        self.assertTrue(expected_figures <= figures, f"missing: {expected_figures - figures}")
        pngs = {n for n in figures if n.endswith(".png")}
        # every figure as PNG, and in each other format asked for (PDF, SVG for a paper);
        # nothing else in the folder
        self.assertEqual(figures, support.figure_files(pngs, formats))
        # the captions link each figure's other formats, and only those written
        text = (report / "index.html").read_text()
        for f in ("pdf", "svg"):
            self.assertEqual(f">{f.upper()}</a>" in text, f in formats, f)
        for name in figures:
            data = (report / "figures" / name).read_bytes()
            self.assertGreater(len(data), 5000, name)
            if name.endswith(".png"):
                self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n", name)
            elif name.endswith(".pdf"):
                self.assertEqual(data[:5], b"%PDF-", name)
                self.assertTrue(data.rstrip().endswith(b"%%EOF"), name)
                # fonts embedded as TrueType (Type 42): publishers reject Type 3 fonts
                self.assertNotIn(b"/Subtype /Type3", data, name)
                self.assertNotIn(b"/CreationDate", data, name)
            else:
                self.assertIn(b"<svg", data[:2000], name)
                self.assertTrue(data.rstrip().endswith(b"</svg>"), name)
                self.assertNotIn(b"<dc:date>", data, name)
        self.assertEqual(support.broken_links(report / "index.html"), [])
        page = support.parse_html(report / "index.html")
        self.assertEqual({f"figures/{n}" for n in expected_figures} - set(page.imgs), set())
        text = (report / "index.html").read_text()
        self.assertNotRegex(text, r"(?i)<script|https?://|<link ")
        # no temporary folders left next to the report
        self.assertEqual([p.name for p in report.parent.iterdir()
                          if p.name.startswith(f".{report.name}.")], [])
        return page

    def check_strategy_table(self, md_text, heading, summary_file):
        summary = json.loads(Path(summary_file).read_text())
        rows = support.markdown_table(md_text, heading, "strategy")
        self.assertEqual([r["strategy"] for r in rows], list(summary["strategies"]))
        for r in rows:
            st = summary["strategies"][r["strategy"]]
            self.assertEqual(r["energy kWh"], f"{st['energy_kwh']:.3f}")
            self.assertEqual(r["baseline kWh"], f"{st['baseline_energy_kwh']:.3f}")
            self.assertEqual(r["desktop savings %"], f"{st['savings_pct']:.2f}")
            # net: the servers' energy attributed to the VMs counted (add_to_total is off here)
            server = st.get("server_energy_kwh") or 0.0
            self.assertEqual(r["servers kWh"], f"{server:.3f}")
            net = 100 * (1 - (st["energy_kwh"] + server) / st["baseline_energy_kwh"])
            self.assertEqual(r["net savings %"], f"{net:.2f}")
            if server > 0:
                self.assertLess(float(r["net savings %"]), float(r["desktop savings %"]))
            self.assertEqual(r["savings ≥10 min %"], f"{st['savings_pct_periods_10min_plus']:.2f}")
            self.assertEqual(int(r["wake-ups"].replace(",", "")), st["wakeups"])
            self.assertEqual(int(r["migrations"].replace(",", "")), st["migrations"])

    def test_run_report(self):
        # the default: every figure as PNG, no PDF or SVG
        page = self.check_folder(self.run_report, support.expected_figures(self.run_dir, "run"))
        self.assertEqual(page.title, "Jettison report: office-default")
        md = (self.run_report / "summary.md").read_text()
        self.check_strategy_table(md, "## 1. run", self.run_dir / "summary.json")
        for heading in ("### Energy and savings", "### Savings by idle-period length",
                        "### Migration and return latency", "### Bytes moved",
                        "### Power-state timeline", "### Scenario parameters"):
            self.assertIn(heading, md)
        for cls in ("under 10 min", "10-30 min", "30-60 min", "over 1 h"):
            self.assertRegex(md, rf"\| {cls} \| [0-9,]+ \|")
        # partial's migrations all take the same time on an idle network: the caption says so
        summary = json.loads((self.run_dir / "summary.json").read_text())["strategies"]["partial"]
        lat = summary["migration_latency_s"]
        if lat["count"] > 1 and lat["p50"] == lat["max"]:
            self.assertRegex(md, r"Every migration of [a-z, -]*partial[a-z, -]* takes the same time")

    def test_savings_by_length_agrees_with_summary(self):
        """The classes of 10 min and more, pooled, give summary.json's savings_pct_periods_10min_plus."""
        import csv
        summary = json.loads((self.run_dir / "summary.json").read_text())
        with open(self.run_dir / "periods.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        for name, st in summary["strategies"].items():
            long = [r for r in rows if r["strategy"] == name and float(r["idle_s"]) >= 600]
            e = sum(float(r["energy_j"]) for r in long)
            b = sum(float(r["baseline_j"]) for r in long)
            self.assertAlmostEqual(100 * (1 - e / b), st["savings_pct_periods_10min_plus"], places=4)

    def test_energy_by_state_adds_up(self):
        """The breakdown's parts add up to each strategy's energy in summary.json; a scenario whose
        draws do not match periods.csv gives no breakdown (and says why) rather than a wrong one."""
        import sys
        sys.path.insert(0, str(support.SOURCE_DIR / "analysis"))
        from jettison_report import loading, metrics
        run = loading.load_folder(self.run_dir, "run")
        table, why = metrics.energy_by_state(run.periods, run.scenario)
        self.assertIsNone(why)
        summary = json.loads((self.run_dir / "summary.json").read_text())["strategies"]
        for _, r in table.iterrows():
            parts = sum(r[st] for st in loading.STATES)
            self.assertAlmostEqual(parts, summary[r["strategy"]]["energy_kwh"], places=6)
        self.assertGreater(table.set_index("strategy").loc["sleep-only", "asleep"], 0)
        wrong = json.loads(json.dumps(run.scenario))
        wrong["desktop"]["power"]["asleep"] = "2.4W"
        table, why = metrics.energy_by_state(run.periods, wrong)
        self.assertIsNone(table)
        self.assertIn("does not add up", why)
        # a desktop of desktops.list with its own draw
        listed = json.loads(json.dumps(run.scenario))
        listed["desktop"]["power"]["asleep"] = "2.4W"
        ids = sorted(run.periods.strategies["sleep-only"].state_s.index)
        listed.setdefault("desktops", {})["list"] = [{"id": i, "power": {"asleep": "1.2W"}} for i in ids]
        table, why = metrics.energy_by_state(run.periods, listed)
        self.assertIsNone(why)

    def test_multi_report(self):
        expected = (support.expected_figures(self.aug, "paper")
                    | support.expected_figures(self.sweep2, "sweep2")
                    | support.expected_figures(self.sweep1_aug, "timeouts"))
        self.assertIn("paper-timeline.png", expected)
        self.assertIn("sweep2-sweep-heatmap-energy.png", expected)
        self.assertIn("timeouts-sweep-lines.png", expected)
        # --formats png,pdf,svg: every figure also as PDF and SVG
        page = self.check_folder(self.multi_report, expected, ("png", "pdf", "svg"))
        self.assertEqual(page.title, "Many")
        self.assertTrue({"overview", "s1", "s2", "s3", "overview-published"} <= page.ids)
        md = (self.multi_report / "summary.md").read_text()
        self.check_strategy_table(md, "## 1. paper", self.aug / "summary.json")
        self.assertIn("Office week, three desktops", md)     # about.title
        self.assertIn("Second paragraph.", md)               # about.description
        # published vs ours: in the overview (with the folder) and in the run's section
        combined = support.markdown_table(md, "### Published vs ours, all folders", "folder")
        self.assertEqual([(r["folder"], r["metric"]) for r in combined],
                         [("paper", p["metric"]) for p in support.PUBLISHED]
                         + [("timeouts", "savings_pct_periods_10min_plus"),
                            ("timeouts", "reintegration_latency_p50_s")])
        # a sweep: ours is the range over its points, the status counts the points within
        self.assertRegex(combined[2]["ours"], r"^[0-9.]+ to [0-9.]+%$")
        self.assertRegex(combined[2]["ours vs published"], r"^(✔ reproduced|✘ above|✘ below|\? \d of 3 points reproduced)")
        self.assertEqual(combined[3]["ours vs published"], "✔ reproduced (all 3 points)")
        summary = json.loads((self.aug / "summary.json").read_text())["strategies"]["partial"]
        ten = summary["savings_pct_periods_10min_plus"]
        lat = summary["migration_latency_s"]["p50"]
        self.assertEqual(combined[0]["published"], "44 to 91%")
        self.assertTrue(combined[0]["ours vs published"].startswith("✘ above" if ten > 91 else
                                                                   "✘ below" if ten < 44 else "✔ reproduced"))
        self.assertTrue(combined[1]["ours vs published"].startswith("✔ reproduced" if 3 <= lat <= 5
                                                                   else "✘"))
        html = (self.multi_report / "index.html").read_text()
        self.assertRegex(html, r'<td class="(ok|bad)">(✔|✘) ')
        # the parameter tables: the run's scenario.yaml flattened; a sweep's swept keys
        self.assertRegex(md, r"\| desktop\.power\.idle \| [^|]*W \|")
        self.assertNotIn("| about.", md)
        self.assertIn("| policy.sleep.timeout | swept: 5s, 30s, 2min |", md)
        # the sweep tables hold sweep.csv's rows
        rows = support.markdown_table(md, "## 3. timeouts", "point")
        self.assertEqual(len(rows), 3 * 4)
        self.assertEqual([r["policy.sleep.timeout"] for r in rows[::4]], ["5s", "30s", "2min"])

    def test_same_inputs_same_figures(self):
        again = self.tmp / "report-run-again"
        support.report([self.run_dir], again)
        for p in sorted((self.run_report / "figures").iterdir()):
            self.assertEqual(p.read_bytes(), (again / "figures" / p.name).read_bytes(), p.name)
        self.assertEqual((self.run_report / "summary.md").read_text(),
                         (again / "summary.md").read_text())

    def test_replaces_an_earlier_report(self):
        out = self.tmp / "report-replaced"
        support.report([self.run_dir], out)
        (out / "figures" / "stale.png").write_bytes(b"old")
        p = support.report([self.sweep1], out)
        self.assertIn(str(out / "index.html"), p.stdout)
        self.assertFalse((out / "figures" / "stale.png").exists())
        self.assertEqual({f.name for f in (out / "figures").iterdir()},
                         support.expected_figures(self.sweep1, "sweep1"))

    def test_paper_formats(self):
        """--paper is --formats png,pdf,svg; pdf alone adds only the PDFs; the PNGs are the same
        bytes whatever else is written; an unknown format is bad usage (exit 2), nothing written."""
        paper = self.tmp / "report-paper"
        support.report([self.run_dir], paper, "--paper")
        pngs = support.expected_figures(self.run_dir, "run")
        self.check_folder(paper, pngs, ("png", "pdf", "svg"))
        pdf = self.tmp / "report-pdf"
        support.report([self.run_dir], pdf, "--formats", "pdf")
        self.check_folder(pdf, pngs, ("png", "pdf"))
        for name in pngs:
            self.assertEqual((paper / "figures" / name).read_bytes(),
                             (self.run_report / "figures" / name).read_bytes(), name)
        bad = self.tmp / "report-bad-format"
        p = support.report([self.run_dir], bad, "--formats", "png,eps", check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("unknown figure format 'eps'", p.stderr)
        self.assertFalse(bad.exists())


class CompressedAndMissingPeriods(unittest.TestCase):
    """output.periods: csv.zst is read as periods.csv (every zstd frame: one per strategy);
    output.periods: none leaves periods.csv missing, and the report says so instead of failing."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "report-periods")
        cls.csv = support.sim_run(cls.tmp / "csv", "desktops.count=3")
        cls.zst = support.sim_run(cls.tmp / "zst", "desktops.count=3", "output.periods=csv.zst")
        cls.none = support.sim_run(cls.tmp / "none", "desktops.count=3", "output.periods=none")

    def test_zst_loads_like_csv(self):
        import sys
        sys.path.insert(0, str(support.SOURCE_DIR / "analysis"))
        from jettison_report import loading
        self.assertTrue((self.zst / "periods.csv.zst").is_file())
        self.assertFalse((self.zst / "periods.csv").exists())
        a = loading.load_run(self.csv, "csv")
        b = loading.load_run(self.zst, "zst")
        self.assertEqual(b.missing, [])
        self.assertEqual(b.periods.rows, a.periods.rows)
        self.assertEqual(set(b.periods.strategies), {"always-on", "sleep-only", "full", "partial"})
        self.assertTrue(loading.read_periods(self.zst / "periods.csv.zst").equals(
            loading.read_periods(self.csv / "periods.csv")))
        for name, x in a.periods.strategies.items():
            y = b.periods.strategies[name]
            self.assertEqual((x.rows, x.classes, x.energy_j), (y.rows, y.classes, y.energy_j))
            self.assertTrue(np.array_equal(x.migration_latency_s, y.migration_latency_s))

    def test_none_is_reported_missing(self):
        out = self.tmp / "report-none"
        support.report([self.none], out)
        text = (out / "index.html").read_text()
        self.assertIn("No periods.csv in this folder", text)
        self.assertIn("periods.csv", (out / "summary.md").read_text())


if __name__ == "__main__":
    unittest.main()
