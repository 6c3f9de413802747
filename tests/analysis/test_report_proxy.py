"""The report on a run of the hybrid-proxy scenario, proxy strategy included: the proxy's draw is its
own bucket of the energy by state (periods.csv's proxy_energy_j), the buckets add up to summary.json's
energy for every strategy, the proxy has its own colour, and the report with its figures is written."""
import json
import sys
import unittest

import support

sys.path.insert(0, str(support.SOURCE_DIR / "analysis"))

from jettison_report import figures, loading, metrics  # noqa: E402


class ReportProxy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "report-proxy")
        args = [support.sim_binary(), "run", str(support.SOURCE_DIR / "scenarios/hybrid-proxy.yaml"),
                "--quiet", "--out", cls.tmp / "run", "--set", "desktops.count=3"]
        support.run(args)
        cls.run_dir = cls.tmp / "run"

    def test_proxy_is_its_own_bucket_and_the_parts_add_up(self):
        run = loading.load_folder(self.run_dir, "run")
        table, why = metrics.energy_by_state(run.periods, run.scenario)
        self.assertIsNone(why)
        summary = json.loads((self.run_dir / "summary.json").read_text())["strategies"]
        self.assertIn("proxy", summary)
        by = table.set_index("strategy")
        for name, row in by.iterrows():
            self.assertAlmostEqual(sum(row[b] for b in loading.ENERGY_BUCKETS), summary[name]["energy_kwh"],
                                   places=6)
            if name != "proxy":
                self.assertEqual(row["proxy"], 0.0)
        self.assertGreater(by.loc["proxy", "proxy"], 0)
        # the proxy's bucket is periods.csv's column, in kWh
        p = loading.read_periods(self.run_dir / "periods.csv")
        p = p[p["strategy"] == "proxy"]
        self.assertAlmostEqual(by.loc["proxy", "proxy"], p["proxy_energy_j"].sum() / 3.6e6, places=9)
        self.assertGreater(summary["proxy"]["wakeups"], 0)

    def test_report_is_written_with_the_proxy(self):
        out = self.tmp / "report"
        support.report([self.run_dir], out)
        pngs = {p.name for p in out.rglob("*.png")}
        self.assertTrue(support.expected_figures(self.run_dir, "run") <= pngs,
                        support.expected_figures(self.run_dir, "run") - pngs)
        self.assertIn("proxy", (out / "index.html").read_text())
        self.assertNotEqual(figures.strategy_color("proxy"), figures.strategy_color("hybrid"))
        self.assertIn("proxy", figures.STATE_COLORS)


if __name__ == "__main__":
    unittest.main()
