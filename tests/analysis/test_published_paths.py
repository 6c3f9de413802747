"""Published ranges name summary.json figures by dotted path into a strategy's object."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.environ.get("JETTISON_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")), "analysis"))

import json  # noqa: E402

import support  # noqa: E402
from jettison_report import loading  # noqa: E402
from jettison_report.published import compare_sweep, flat_metrics  # noqa: E402


class DottedPaths(unittest.TestCase):
    def test_nested_objects_flatten_to_dotted_paths(self):
        figures = {
            "savings_pct": 90.5,
            "vs_full": {"savings_ratio_pct": 95.0, "network_ratio_pct": 2.5},
            "savings_pct_by_idle_length": {"over_1h": 96.0},
            "migration_latency_s": {"p50": 3.8, "count": 10},
            "flag": True,
        }
        flat = flat_metrics(figures)
        self.assertEqual(flat["savings_pct"], 90.5)
        self.assertEqual(flat["vs_full.savings_ratio_pct"], 95.0)
        self.assertEqual(flat["savings_pct_by_idle_length.over_1h"], 96.0)
        self.assertEqual(flat["migration_latency_s.p50"], 3.8)
        # the older spellings of one-level objects stay
        self.assertEqual(flat["migration_latency_s_p50"], 3.8)
        self.assertEqual(flat["migration_latency_p50_s"], 3.8)
        self.assertNotIn("flag", flat)


class SweepMetricsFromPoints(unittest.TestCase):
    """A published metric that sweep.csv has no column for (vs_full.*) is read from each point's
    summary.json; the concurrent-migrations sweep of reproduce-paper.sh used to say 'not found'."""

    @classmethod
    def setUpClass(cls):
        tmp = support.temp_dir(cls, "published-sweep")
        cls.sweep = tmp / "sweep"
        support.run([support.sim_binary(), "sweep", "--quiet", "--threads", "2",
                     support.SOURCE_DIR / "scenarios" / "paper" / "concurrent-migrations.yaml",
                     "--grid", "desktops.count=2,3", "--out", cls.sweep])

    def test_vs_full_ranges_come_from_the_points(self):
        sweep = loading.load_folder(self.sweep, "sweep")
        self.assertNotIn("vs_full.network_ratio_pct", sweep.table.columns)
        expected = []
        for point in sorted((self.sweep / "points").iterdir()):
            figures = json.loads((point / "summary.json").read_text())["strategies"]["partial"]
            expected.append(figures["vs_full"]["network_ratio_pct"])
        self.assertEqual(len(expected), 2)
        found = {c.metric: c for c in compare_sweep(sweep)}
        c = found["vs_full.network_ratio_pct"]
        self.assertFalse(c.status.startswith("not found"), c.status)
        lo, hi = min(expected), max(expected)
        inside = sum(1 for v in expected if c.low <= v <= c.high)
        self.assertIn(f"{inside} of 2" if 0 < inside < 2 else ("reproduced" if inside else ""), c.status)
        from jettison_report import fmt
        self.assertEqual(c.ours, fmt.value(lo) if fmt.value(lo) == fmt.value(hi)
                         else f"{fmt.value(lo)} to {fmt.value(hi)}")
        self.assertTrue(found["vs_full.migration_latency_speedup"].ours != "-")


if __name__ == "__main__":
    unittest.main()
