"""Published ranges name summary.json figures by dotted path into a strategy's object."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.environ.get("JETTISON_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")), "analysis"))

from jettison_report.published import flat_metrics  # noqa: E402


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


if __name__ == "__main__":
    unittest.main()
