"""Bad inputs stop the report with exit code 1 and a message naming the bad file; nothing is
written: REPORT_DIR is not created (or an earlier report there is left as it was), and no
temporary folder is left behind."""
import json
import re
import shutil
import unittest

import support


class BadInputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = support.temp_dir(cls, "report-bad-inputs")
        cls.good = support.sim_run(cls.tmp / "good", "desktops.count=2")

    def copy(self, name):
        dst = self.tmp / name
        shutil.copytree(self.good, dst)
        return dst

    def assert_refused(self, inputs, bad_file, *message, line=None, out_name=None):
        out = self.tmp / (out_name or f"report-{bad_file.parent.name}-{bad_file.name}")
        p = support.report(inputs, out, check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        where = re.escape(f"{bad_file}:{line}: ") if line else re.escape(str(bad_file)) + r"(:\d+)?: "
        self.assertRegex(p.stderr, "^jettison-report: error: " + where)
        for m in message:
            self.assertIn(m, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual([x.name for x in out.parent.iterdir() if x.name.startswith(f".{out.name}.")],
                         [], "a temporary folder was left behind")
        return out

    def test_folder_without_summary_json(self):
        empty = self.tmp / "empty"
        empty.mkdir()
        out = self.assert_refused([empty], empty / "summary.json", "missing")
        self.assertFalse(out.exists())

    def test_missing_folder(self):
        out = self.assert_refused([self.tmp / "nowhere"], self.tmp / "nowhere", "no such folder")
        self.assertFalse(out.exists())

    def test_malformed_periods_csv(self):
        bad = self.copy("extra-field")
        f = bad / "periods.csv"
        lines = f.read_text().splitlines()
        lines[5] += ",surplus"
        f.write_text("\n".join(lines) + "\n")
        out = self.assert_refused([bad], f, "malformed CSV", line=6)
        self.assertFalse(out.exists())

    def test_periods_csv_with_a_word_for_a_number(self):
        bad = self.copy("not-a-number")
        f = bad / "periods.csv"
        lines = f.read_text().splitlines()
        header = lines[0].split(",")
        row = lines[3].split(",")
        row[header.index("energy_j")] = "lots"
        lines[3] = ",".join(row)
        f.write_text("\n".join(lines) + "\n")
        out = self.assert_refused([bad], f, "energy_j", "'lots'", line=4)
        self.assertFalse(out.exists())

    def test_malformed_summary_json(self):
        bad = self.copy("bad-json")
        f = bad / "summary.json"
        f.write_text(f.read_text()[:200])
        out = self.assert_refused([bad], f, "malformed JSON")
        self.assertFalse(out.exists())

    def test_summary_json_without_a_figure(self):
        bad = self.copy("no-energy")
        f = bad / "summary.json"
        s = json.loads(f.read_text())
        del s["strategies"]["partial"]["energy_kwh"]
        f.write_text(json.dumps(s))
        self.assert_refused([bad], f, "strategies.partial: missing 'energy_kwh'")

    def test_malformed_timeline_and_scenario(self):
        bad = self.copy("bad-timeline")
        (bad / "timeline.csv").write_text("strategy,desktop,period,time_s,state\n"
                                          "partial,d00,0,10.0,idle\npartial,d00,0,20.0,dozing\n")
        self.assert_refused([bad], bad / "timeline.csv", "unknown state 'dozing'", line=3)
        bad2 = self.copy("bad-scenario")
        (bad2 / "scenario.yaml").write_text("name: x\nabout:\n  published:\n"
                                            "    - {metric: savings_pct, low: 90, high: 10}\n")
        self.assert_refused([bad2], bad2 / "scenario.yaml", "low (90) is above high (10)")

    def test_one_bad_folder_among_good_ones_and_an_earlier_report_stays(self):
        out = self.tmp / "report-kept"
        support.report([self.good], out)
        before = sorted(p.relative_to(out) for p in out.rglob("*"))
        html = (out / "index.html").read_bytes()
        bad = self.copy("bad-among-good")
        (bad / "periods.csv").write_text("strategy,desktop\n")
        self.assert_refused([self.good, bad], bad / "periods.csv", "missing column",
                            out_name="report-kept")
        self.assertEqual(sorted(p.relative_to(out) for p in out.rglob("*")), before)
        self.assertEqual((out / "index.html").read_bytes(), html)

    def test_does_not_replace_a_folder_that_is_not_a_report(self):
        precious = self.tmp / "precious"
        precious.mkdir()
        (precious / "notes.txt").write_text("keep me")
        p = support.report([self.good], precious, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("is not a report", p.stderr)
        self.assertEqual((precious / "notes.txt").read_text(), "keep me")
        p = support.report([self.good], self.good, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("would replace the input folder", p.stderr)
        self.assertTrue((self.good / "summary.json").exists())


if __name__ == "__main__":
    unittest.main()
