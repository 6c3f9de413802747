"""Plots of many points keep what a pixel can show (figures.py): the CDF steps, the contention
scatter and the timeline bars of a large run, thinned. Hand-built inputs, hand-derived outcomes; no
simulator, no drawing."""
import sys
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "analysis"))
from jettison_report import figures  # noqa: E402


class CdfPoints(unittest.TestCase):
    def test_few_values_are_kept_whole(self):
        # n <= 2 * BINS (8,000): the step points are (v[0], 0) then (v[i], (i + 1) / n), all of them
        v = np.array([1.0, 2.0, 2.0, 5.0])
        x, y = figures._cdf_points(v)
        self.assertEqual(x.tolist(), [1.0, 1.0, 2.0, 2.0, 5.0])
        self.assertEqual(y.tolist(), [0.0, 0.25, 0.5, 0.75, 1.0])

    def test_equal_values_are_one_step(self):
        # 9,000 migrations of 3.84 s (no contention): one bin, its first and last point
        x, y = figures._cdf_points(np.full(9000, 3.84))
        self.assertEqual(x.tolist(), [3.84, 3.84])
        self.assertEqual(y.tolist(), [0.0, 1.0])

    def test_every_point_left_out_lies_between_two_kept_within_a_bin(self):
        rng = np.random.default_rng(7)
        for log in (False, True):
            v = np.sort(np.concatenate([rng.lognormal(1.0, 1.5, 50_000), np.full(10_000, 3.84)]))
            n = len(v)
            x, y = figures._cdf_points(v, log)
            # at most the first and last of each of BINS + 1 bins
            self.assertLessEqual(len(x), 2 * (figures.BINS + 1))
            self.assertEqual((x[0], y[0], x[-1], y[-1]), (v[0], 0.0, v[-1], 1.0))
            full_x = np.concatenate([[v[0]], v])
            full_y = np.concatenate([[0.0], np.arange(1, n + 1) / n])
            # kept points are points of the full CDF, in order
            self.assertTrue(np.all(np.diff(x) >= 0) and np.all(np.diff(y) >= 0))
            self.assertTrue(np.isin(y, full_y).all())
            # each point left out lies between the kept points either side of it (by y), and
            # those are at most one bin apart in x
            out = ~np.isin(full_y, y)
            self.assertGreater(out.sum(), 0)
            hi = np.searchsorted(y, full_y[out])
            lo = hi - 1
            t = np.log10 if log else (lambda a: a)
            width = (t(v[-1]) - t(v[0])) / figures.BINS
            self.assertTrue(np.all(x[lo] <= full_x[out]) and np.all(full_x[out] <= x[hi]))
            self.assertTrue(np.all(t(x[hi]) - t(x[lo]) <= width * (1 + 1e-9)))


class ScatterPoints(unittest.TestCase):
    def test_at_most_four_per_cell_in_their_order(self):
        # 1,000 cells on the diagonal of [0, 1000], each point 10 times: 10,000 points (> 4 *
        # SCATTER_BINS) -> 4 of each cell kept, 4,000, in the order they came
        centres = np.arange(1000) + 0.5
        x = np.repeat(centres, 10)
        y = x.copy()
        kx, ky = figures._scatter_points(x, y, False, 0.0, 1000.0)
        self.assertEqual(len(kx), 4000)
        self.assertEqual(kx.tolist(), np.repeat(centres, 4).tolist())
        self.assertEqual(ky.tolist(), kx.tolist())

    def test_one_cell_keeps_four(self):
        x = np.full(100_000, 3.84)
        kx, ky = figures._scatter_points(x, x, True, 3.84, 160.0)
        self.assertEqual(len(kx), 4)

    def test_few_points_are_kept_whole(self):
        x = np.arange(4000, dtype=float)
        kx, _ = figures._scatter_points(x, x, False, 0.0, 4000.0)
        self.assertEqual(len(kx), 4000)


class MergeSubpixel(unittest.TestCase):
    def test_a_states_segments_in_one_bin_become_one(self):
        # A row from 0 to 4000 s: BINS = 4000 bins of 1 s. In each of the first 100 seconds, 8
        # segments of 1/8 s alternating asleep (at k, k+1/4, k+1/2, k+3/4) and serving (at k+1/8,
        # k+3/8, k+5/8, k+7/8); then asleep from 100 s to the end. 801 segments (> 200).
        segs = []
        for k in range(100):
            for j in range(8):
                segs.append((k + j / 8, 1 / 8, "asleep" if j % 2 == 0 else "serving"))
        segs.append((100.0, 3900.0, "asleep"))
        out = figures._merge_subpixel(segs, 0.0, 4000.0)
        # per second: asleep from k to k + 7/8 (its last segment's end), serving from k + 1/8 to
        # k + 1; the long segment as it was: 100 + 100 + 1
        self.assertEqual(len(out), 201)
        asleep = [s for s in out if s[2] == "asleep"]
        serving = [s for s in out if s[2] == "serving"]
        self.assertEqual(asleep[:2], [(0.0, 0.875, "asleep"), (1.0, 0.875, "asleep")])
        self.assertEqual(asleep[-1], (100.0, 3900.0, "asleep"))
        self.assertEqual(serving[0], (0.125, 0.875, "serving"))
        self.assertEqual(serving[-1], (99.125, 0.875, "serving"))
        # time covered per state never shrinks: every original segment lies within a merged one
        for start, dur, st in segs:
            self.assertTrue(any(s == st and a <= start and start + dur <= a + d
                                for a, d, s in out), (start, dur, st))

    def test_few_segments_are_kept_as_they_are(self):
        segs = [(float(i), 0.5, "idle") for i in range(200)]
        self.assertIs(figures._merge_subpixel(segs, 0.0, 200.0), segs)


if __name__ == "__main__":
    unittest.main()
