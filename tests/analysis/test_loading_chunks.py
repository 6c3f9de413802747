"""The report reads periods.csv in chunks of loading.CHUNK_ROWS rows (loading._read_csv_chunked): the
table must be the one a single parse gives, whatever the chunk size, plain or zstd-compressed.
Hand-built inputs: the text columns' values first appear in later chunks out of sorted order, a
number column has empty fields, the whole-number column is converted; no simulator."""
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


class ChunkedRead(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="jettison-loading-"))
        cls.plain = cls.tmp / "periods.csv"
        cls.plain.write_text(HEADER + "\n" + "\n".join(rows()) + "\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def read(self, file, chunk_rows):
        saved = loading.CHUNK_ROWS
        loading.CHUNK_ROWS = chunk_rows
        try:
            return loading.read_periods(file)
        finally:
            loading.CHUNK_ROWS = saved

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


if __name__ == "__main__":
    unittest.main()
