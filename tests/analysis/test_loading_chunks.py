"""CSVs are read in chunks of loading.CHUNK_ROWS rows. read_periods' table (loading._read_csv_chunked)
must be the one a single parse gives, whatever the chunk size, plain or zstd-compressed; the
report's digest of periods.csv (loading.read_period_digest) must give the table's sums, counts and
latencies, and name a bad line in a later chunk. Hand-built inputs: the text columns' values first
appear in later chunks out of sorted order, a number column has empty fields, the whole-number
column is converted; no simulator."""
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "analysis"))
from jettison_report import loading  # noqa: E402
from jettison_report.errors import InputError  # noqa: E402

HEADER = ("strategy,desktop,period,start_s,idle_s,window_s,outcome,energy_j,baseline_j,fetched_bytes,"
          "migration_latency_s,return_latency_s,t_asleep_s,server")


def rows():
    # 11 rows: strategies and desktops appear in reverse order, so each chunk adds categories that
    # sort before the ones seen already.
    out = []
    for i in range(11):
        strategy = ("sleep-only", "partial", "full", "always-on")[i % 4]
        desktop = f"d{10 - i:02d}"
        latency = "" if i % 3 else f"{3.5 + i / 8:.6f}"
        out.append(f"{strategy},{desktop},{i},{60.0 * i:.6f},{600.0 + i:.6f},{700.5 + i:.6f},"
                   f"{'migrated' if latency else 'slept'},{1000.25 * i:.3f},{2000.5 * i:.3f},{4096 * i},"
                   f"{latency},{latency},{12.5 * i:.6f},{'s0' if latency else ''}")
    return out


def in_chunks(reader, file, chunk_rows):
    """reader(file) with loading.CHUNK_ROWS set to chunk_rows."""
    saved = loading.CHUNK_ROWS
    loading.CHUNK_ROWS = chunk_rows
    try:
        return reader(file)
    finally:
        loading.CHUNK_ROWS = saved


class WithPeriodsFile(unittest.TestCase):
    """A temporary folder with the hand-built periods.csv (rows())."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="jettison-loading-"))
        cls.plain = cls.tmp / "periods.csv"
        cls.plain.write_text(HEADER + "\n" + "\n".join(rows()) + "\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)


class ChunkedRead(WithPeriodsFile):
    def read(self, file, chunk_rows):
        return in_chunks(loading.read_periods, file, chunk_rows)

    def test_every_chunk_size_gives_the_one_parse_table(self):
        whole = self.read(self.plain, 1 << 20)
        self.assertEqual(len(whole), 11)
        self.assertEqual(list(whole.columns), HEADER.split(","))
        # Categories sorted as one parse sorts them, whichever chunk saw a value first.
        self.assertEqual(list(whole["strategy"].cat.categories), ["always-on", "full", "partial", "sleep-only"])
        self.assertEqual(str(whole["period"].dtype), "int64")
        self.assertEqual(whole["energy_j"].iloc[10], 10002.5)
        self.assertTrue(np.isnan(whole["migration_latency_s"].iloc[1]))
        self.assertEqual(whole["migration_latency_s"].iloc[3], 3.875)
        for chunk_rows in (1, 2, 3, 10, 11, 12):
            part = self.read(self.plain, chunk_rows)
            self.assertTrue(part.equals(whole), f"chunks of {chunk_rows} rows")
            for c in ("strategy", "desktop", "outcome", "server"):
                self.assertEqual(list(part[c].cat.categories), list(whole[c].cat.categories), c)

    def test_zstd_file_reads_the_same(self):
        import zstandard
        zst = self.tmp / "periods.csv.zst"
        zst.write_bytes(zstandard.ZstdCompressor().compress(self.plain.read_bytes()))
        self.assertTrue(self.read(zst, 4).equals(self.read(self.plain, 1 << 20)))

    def test_header_only_is_an_empty_table_with_the_columns(self):
        empty = self.tmp / "empty.csv"
        empty.write_text(HEADER + "\n")
        df = self.read(empty, 4)
        self.assertEqual(len(df), 0)
        self.assertEqual(list(df.columns), HEADER.split(","))

    def test_a_bad_number_in_a_later_chunk_names_its_line(self):
        bad = self.tmp / "bad.csv"
        lines = rows()
        lines[9] = lines[9].replace(",9,", ",nine,", 1)
        bad.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
        with self.assertRaises(InputError) as e:
            self.read(bad, 3)
        self.assertIn("'nine'", str(e.exception))
        self.assertIn(":11", str(e.exception))   # line 11: the header, then the tenth row


class Digest(WithPeriodsFile):
    """The report's digest of periods.csv (period_digest.PeriodDigest, read by loading.fold_csv a
    chunk at a time): whatever the chunk size, the sums, counts and latencies the table gives."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = loading.read_periods(cls.plain)

    def digest(self, file, chunk_rows):
        return in_chunks(loading.read_period_digest, file, chunk_rows)

    def test_every_chunk_size_gives_the_tables_figures(self):
        t = self.table
        for chunk_rows in (1, 2, 3, 10, 11, 12, 1 << 20):
            d = self.digest(self.plain, chunk_rows)
            self.assertEqual(d.rows, 11)
            self.assertEqual(d.columns, tuple(HEADER.split(",")))
            # the strategies in the order they first appear
            self.assertEqual(list(d.strategies), ["sleep-only", "partial", "full", "always-on"])
            for name, s in d.strategies.items():
                p = t[t["strategy"] == name]
                self.assertEqual(s.rows, len(p))
                self.assertAlmostEqual(s.energy_j, p["energy_j"].sum(), places=6)
                self.assertAlmostEqual(s.fetched_bytes, p["fetched_bytes"].sum(), places=6)
                # every row is 600-611 s idle: the 10-30 min class
                self.assertEqual(s.classes["10-30 min"][0], len(p))
                self.assertAlmostEqual(s.classes["10-30 min"][3], p["baseline_j"].sum(), places=6)
                self.assertEqual(s.classes["under 10 min"], [0, 0.0, 0.0, 0.0])
                mig = np.sort(p["migration_latency_s"].dropna().to_numpy())
                self.assertTrue(np.array_equal(s.migration_latency_s, mig), (name, chunk_rows))
                self.assertTrue(np.array_equal(s.return_latency_s, mig))
                # this file has t_asleep_s only: no breakdown by state kept
                self.assertIsNone(s.state_s)

    def test_zstd_file_digests_the_same(self):
        import zstandard
        zst = self.tmp / "periods.csv.zst"
        zst.write_bytes(zstandard.ZstdCompressor().compress(self.plain.read_bytes()))
        a, b = self.digest(zst, 3), self.digest(self.plain, 1 << 20)
        self.assertEqual(list(a.strategies), list(b.strategies))
        for name in a.strategies:
            self.assertEqual(a.strategies[name].classes, b.strategies[name].classes)

    def test_a_bad_number_in_a_later_chunk_names_its_line(self):
        bad = self.tmp / "bad.csv"
        lines = rows()
        lines[9] = lines[9].replace(",9,", ",nine,", 1)
        bad.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
        for chunk_rows in (3, 1 << 20):
            with self.assertRaises(InputError) as e:
                self.digest(bad, chunk_rows)
            self.assertIn("'nine'", str(e.exception))
            self.assertIn(":11", str(e.exception))

    def test_a_short_row_in_a_later_chunk_names_its_line(self):
        bad = self.tmp / "short.csv"
        lines = rows()
        lines[7] = lines[7].rsplit(",", 1)[0]
        bad.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
        with self.assertRaises(InputError) as e:
            self.digest(bad, 2)
        self.assertIn("fields", str(e.exception))
        self.assertIn(":9", str(e.exception))


if __name__ == "__main__":
    unittest.main()
