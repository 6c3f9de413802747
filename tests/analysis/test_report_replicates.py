"""Replicated sweeps in the report: the mean and 95% confidence interval of a hand-made sweep.csv
equal the hand-computed mean +- t(0.975, n-1) * s / sqrt(n); the report shows them (table cells
'mean ± half-width', error bars, the Student t caption) and never draws the seed as an axis, also for
an older sweep whose grid varies `seed`; and a real `jettison-sim sweep --replicates` gives a report."""
import math
import sys
import unittest

import support

sys.path.insert(0, str(support.SOURCE_DIR / "analysis"))
from jettison_report import loading, replicates  # noqa: E402

HEADER = "point,migration.migrate_after,replicate,seed,strategy,energy_kwh,baseline_energy_kwh,savings_pct\n"
# Two values of migrate_after x 3 replicates, partial only; energies and savings chosen by hand.
ROWS = [
    "0,5min,0,42,partial,9,10,10",
    "1,5min,1,43,partial,8.8,10,12",
    "2,5min,2,44,partial,8.3,10,17",
    "3,10min,0,42,partial,9.5,10,5",
    "4,10min,1,43,partial,9.5,10,5",
    "5,10min,2,44,partial,9.2,10,8",
]
# Hand derivation for 5min's savings 10, 12, 17: mean 13; deviations -3, -1, 4; s^2 = (9 + 1 +
# 16) / 2 = 13, s = 3.60555; t(0.975, 2) = 4.30265 (a t table); half-width 4.30265 * 3.60555 /
# sqrt(3) = 8.95669. For 10min's 5, 5, 8: mean 6, s^2 = (1 + 1 + 4) / 2 = 3, s = 1.73205, half-width
# 4.30265 * 1.73205 / sqrt(3) = 4.30265.
T_975_2 = 4.30265


class ReportReplicates(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "report-replicates")
        cls.hand = cls.tmp / "hand"
        cls.hand.mkdir()
        (cls.hand / "sweep.csv").write_text(HEADER + "\n".join(ROWS) + "\n")

    def test_mean_and_interval_equal_the_hand_computed_ones(self):
        sweep = loading.load_folder(self.hand, "hand")
        self.assertEqual(sweep.grid_keys, ["migration.migrate_after"])
        self.assertEqual(sweep.replicates, 3)
        t = sweep.table.set_index("migration.migrate_after")
        self.assertAlmostEqual(t.loc["5min", "savings_pct"], 13.0, places=9)
        self.assertAlmostEqual(t.loc["5min", "savings_pct_ci"], T_975_2 * math.sqrt(13) / math.sqrt(3),
                               places=4)
        self.assertAlmostEqual(t.loc["5min", "savings_pct_ci"], 8.95669, places=4)
        self.assertAlmostEqual(t.loc["10min", "savings_pct"], 6.0, places=9)
        self.assertAlmostEqual(t.loc["10min", "savings_pct_ci"], 4.30265, places=4)
        # energy 9, 8.8, 8.3: mean 8.7, s^2 = (0.09 + 0.01 + 0.16) / 2 = 0.13
        self.assertAlmostEqual(t.loc["5min", "energy_kwh"], 8.7, places=9)
        self.assertAlmostEqual(t.loc["5min", "energy_kwh_ci"], T_975_2 * math.sqrt(0.13 / 3), places=4)
        # the baseline does not vary: a zero-width interval
        self.assertEqual(t.loc["5min", "baseline_energy_kwh_ci"], 0.0)
        self.assertEqual(list(t["replicates"]), [3, 3])
        self.assertEqual(list(t["point"]), [0, 3])   # each point's first replicate

    def test_one_replicate_has_no_interval(self):
        mean, ci, n = replicates.mean_ci([4.0])
        self.assertEqual((mean, n), (4.0, 1))
        self.assertTrue(math.isnan(ci))

    def test_report_shows_mean_and_interval_with_its_caption(self):
        out = self.tmp / "report-hand"
        support.report([self.hand], out)
        page = (out / "index.html").read_text()
        self.assertIn("13.00 ± 8.96", page)
        self.assertIn("6.00 ± 4.30", page)
        self.assertIn("95% confidence interval (Student t: mean ± t(0.975, n−1)·s/√n)", page)
        self.assertIn("3 per point (seeds 42, 43, 44)", page)
        self.assertTrue(any(p.name.endswith("sweep-lines.png") for p in (out / "figures").iterdir()))

    def test_a_grid_over_seed_is_replicates_not_an_axis(self):
        old = self.tmp / "old"
        old.mkdir()
        # an older sweep: --grid seed=1,2 --grid policy.sleep.timeout=10s,2min, no replicate column
        (old / "sweep.csv").write_text(
            "point,seed,policy.sleep.timeout,strategy,energy_kwh,baseline_energy_kwh,savings_pct\n"
            "0,1,10s,partial,9,10,10\n1,1,2min,partial,9.5,10,5\n"
            "2,2,10s,partial,8,10,20\n3,2,2min,partial,9.5,10,5\n")
        sweep = loading.load_folder(old, "old")
        self.assertEqual(sweep.grid_keys, ["policy.sleep.timeout"])
        t = sweep.table.set_index("policy.sleep.timeout")
        # 10, 20: mean 15, s = 7.07107, t(0.975, 1) = 12.7062: half-width 12.7062 * 7.07107 / sqrt(2) = 63.531
        self.assertAlmostEqual(t.loc["10s", "savings_pct"], 15.0, places=9)
        self.assertAlmostEqual(t.loc["10s", "savings_pct_ci"], 63.531, places=2)
        out = self.tmp / "report-old"
        support.report([old], out)
        names = [p.name for p in (out / "figures").iterdir()]
        self.assertFalse(any("heatmap" in n for n in names), names)
        self.assertIn("old-sweep-lines.png", names)

    def test_a_real_replicated_sweep_reports(self):
        sweep = support.run([support.sim_binary(), "sweep", "--quiet", "--threads", "2", "--out",
                             self.tmp / "real", "--replicates", "2",
                             "--set", "idle_trace={generate: office, desktops: 3, days: 2}",
                             "--set", "desktops.count=3", "--grid", "strategies=[sleep-only,partial]",
                             "--grid", "migration.migrate_after=5min,20min"])
        self.assertEqual(sweep.returncode, 0)
        loaded = loading.load_folder(self.tmp / "real", "real")
        self.assertEqual(loaded.grid_keys, ["strategies", "migration.migrate_after"])
        self.assertEqual(loaded.replicates, 2)
        self.assertEqual(len(loaded.table), 2 * 2)   # 2 points x 2 strategies, replicates averaged
        out = self.tmp / "report-real"
        support.report([self.tmp / "real"], out)
        page = (out / "index.html").read_text()
        self.assertIn("2 per point (seeds 42, 43)", page)
        self.assertIn("±", page)


if __name__ == "__main__":
    unittest.main()
