"""The report on a run of the hybrid strategy beside partial: hybrid has its own colour, its rows are
in summary.json and periods.csv with the bulk phase's bytes counted in migrated_bytes (more than
partial's metadata alone, fewer wake-ups), and the report with its figures is written."""
import csv
import json
import sys
import unittest

import support

sys.path.insert(0, str(support.SOURCE_DIR / "analysis"))

from jettison_report import figures  # noqa: E402


class ReportHybrid(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "report-hybrid")
        args = [support.sim_binary(), "run", str(support.SOURCE_DIR / "scenarios/hybrid-proxy.yaml"),
                "--quiet", "--out", cls.tmp / "run", "--set", "desktops.count=3",
                "--set", "strategies=[partial,hybrid]", "--set", "migration.hybrid.after=10min"]
        support.run(args)
        cls.run_dir = cls.tmp / "run"

    def test_hybrid_rows_count_the_bulk(self):
        summary = json.loads((self.run_dir / "summary.json").read_text())["strategies"]
        self.assertEqual(summary["hybrid"]["periods"], summary["partial"]["periods"])
        self.assertGreater(summary["hybrid"]["migrated_bytes"], summary["partial"]["migrated_bytes"])
        self.assertLess(summary["hybrid"]["wakeups"], summary["partial"]["wakeups"])
        with open(self.run_dir / "periods.csv", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["strategy"] == "hybrid"]
        self.assertEqual(len(rows), summary["hybrid"]["periods"])
        self.assertEqual(sum(int(r["migrated_bytes"]) for r in rows), summary["hybrid"]["migrated_bytes"])
        self.assertEqual(sum(int(r["network_bytes"]) for r in rows), summary["hybrid"]["network_bytes"])

    def test_report_is_written_with_hybrid(self):
        out = self.tmp / "report"
        support.report([self.run_dir], out)
        pngs = {p.name for p in out.rglob("*.png")}
        self.assertTrue(support.expected_figures(self.run_dir, "run") <= pngs,
                        support.expected_figures(self.run_dir, "run") - pngs)
        self.assertIn("hybrid", (out / "index.html").read_text())
        colours = [figures.strategy_color(s) for s in ("always-on", "sleep-only", "full", "partial")]
        self.assertEqual(figures.strategy_color("hybrid"), figures.STRATEGY_COLORS["hybrid"])
        self.assertNotIn(figures.strategy_color("hybrid"), colours)


if __name__ == "__main__":
    unittest.main()
