"""The 'Simulated vs emulated' section (jettison_report/emu_comparison.py, jettison_report.py
--emulated) on a recorded emulated run and a real simulator run of the same trace; no root needed.

data/emu-vs-sim/ is the emu/ folder scripts/emu-vs-sim.sh kept for `--from 160 2` over the bundled
Debian capture (jettison-replay against jettison-desktop, timeout 3 s, no prefetch, write-protect
dirty tracking): periods.csv, the agent's and the replay's logs, settings.json and trace.csv (the
120 s span, 2,421 accesses + the closing read). The simulated side is run here as the script runs it:
scenarios/emu/vm-vs-sim.yaml, the same sets, the idle period S + 120 s with S = 300 s + 0.233470 s
(migrate_after + the scenario's migration), the profile trace.csv.

By hand from trace.csv: 2,254 distinct pages (demand fetches, 9,232,384 bytes), 1,823 of them
written (7,467,008 bytes); gaps over 3 s after 2.969, 59.928 and 68.853 s, the last access of the
span at 85.886 s: 4 sleeps and 3 wake-ups for pages. Simulated energy over the span, from its
periods.csv: serving 20.743153 s x 60 W + suspending 4 x 0.3 s x 90 W + asleep 97.456847 s x 1.2 W +
resuming_selective 3 x 0.2 s x 60 W = 1,244.589 + 108 + 116.948 + 36 = 1,505.537 J. Emulated, from
the agent's log over the span: serving 20.745 s, suspending 1.283 s (0.3 s + the memory server's
close, ~21 ms, per sleep), asleep 97.371 s, resuming_selective 0.601 s: 1,244.7 + 115.5 + 116.8 + 36.1
= 1,513.1 J, within 1%. (Recorded after the page source's reconnect fix: each wake-up is reached
203-218 ms after the first fault, the 0.2 s resume plus one 50 ms retry at most.)
"""
import csv
import shutil
import sys
import unittest
from pathlib import Path

import support

sys.path.insert(0, str(support.SOURCE_DIR / "analysis"))
from jettison_report import emu_comparison  # noqa: E402
from jettison_report.errors import InputError  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "emu-vs-sim"


class EmuComparison(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "emu-comparison")
        idle = cls.tmp / "idle.csv"
        idle.write_text("desktop,start,end\nd00,0,420.233470\n")
        cls.sim = cls._sim(idle)

    @classmethod
    def _sim(cls, idle):
        out = cls.tmp / "sim"
        support.run([support.sim_binary(), "run", support.SOURCE_DIR / "scenarios/emu/vm-vs-sim.yaml",
                     "--quiet", "--out", out, "--set", "policy.sleep.timeout=3s",
                     "--set", "policy.prefetch.rule=none", "--set", "desktop.vm_memory=1073741824B",
                     "--set", f"idle_trace={idle}",
                     "--set", f"page_traces.profiles.0.file={DATA / 'trace.csv'}"])
        return out

    def rows(self):
        emu = emu_comparison.load_emulated(DATA)
        rows, notes, paired = emu_comparison.compare(self.sim, emu)
        return {r.key: r for r in rows}, notes, paired

    def test_counts_equal_the_hand_derived_values_on_both_sides(self):
        r, _, _ = self.rows()
        for key, want in {"wakeups": 3, "demand": 2254, "prefetch": 0, "fetched_bytes": 2254 * 4096,
                          "dirty": 1823, "dirty_bytes": 1823 * 4096}.items():
            self.assertEqual((r[key].emu, r[key].sim), (want, want), key)
            self.assertTrue(r[key].equal, key)

    def test_energy_within_five_percent_and_the_simulated_side_by_hand(self):
        r, notes, _ = self.rows()
        self.assertAlmostEqual(r["energy"].sim, 1505.537, delta=0.01)
        self.assertLess(abs(r["energy"].diff), 0.05 * r["energy"].sim)
        self.assertAlmostEqual(r["energy"].emu, 1513.1, delta=0.1)   # the recorded run's logs
        self.assertIn("suspending", notes["energy"])

    def test_every_difference_has_its_reason(self):
        r, notes, paired = self.rows()
        # periods.csv: 4 wake-ups, the 4th the write-back's after the span (replay.log).
        self.assertEqual(r["wakeups_total"].emu, 4)
        self.assertIn("writes the dirty pages back", notes["wakeups_total"])
        self.assertIn("memory server", notes["t_suspending"])
        for row in r.values():
            status = emu_comparison.status(row, notes)[0]
            self.assertIn(status, ("equal", "within 5%", "explained"), row.name)
            if status != "equal":
                self.assertTrue(notes.get(row.key), row.name)
        # Both timelines: 4 x (suspending, asleep) and 3 x (resuming_selective, serving), in order.
        self.assertEqual([st for st, _, _ in paired][:4],
                         ["suspending", "asleep", "resuming_selective", "serving"])
        self.assertEqual(len(paired), 14)

    def test_report_has_the_section_first(self):
        out = self.tmp / "report"
        support.run([support.PYTHON, support.REPORT_CLI, self.sim, "--emulated", DATA, "--out", out, "--quiet"])
        page = (out / "index.html").read_text()
        self.assertLess(page.index("<h2>Simulated vs emulated</h2>"), page.index("<h2>1. sim"))
        self.assertIn("Why the rows differ", page)
        self.assertIn("change by change", (out / "summary.md").read_text())

    def test_a_bad_emulated_folder_is_named_and_nothing_is_written(self):
        bad = self.tmp / "bad-emu"
        shutil.copytree(DATA, bad)
        (bad / "agent.log").unlink()
        out = self.tmp / "report-bad"
        p = support.run([support.PYTHON, support.REPORT_CLI, self.sim, "--emulated", bad, "--out", out],
                        check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(f"jettison-report: error: {bad / 'agent.log'}: missing", p.stderr)
        self.assertFalse(out.exists())
        with self.assertRaises(InputError):
            emu_comparison.load_emulated(self.tmp / "no-such-folder")
        rows = list(csv.DictReader(open(DATA / "periods.csv")))
        self.assertEqual(rows[0]["strategy"], "emulated")


if __name__ == "__main__":
    unittest.main()
