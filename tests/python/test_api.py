"""The Python API (python/jettison): loading, overrides, runs and sweeps against jettison-sim's files.

Runs the module from the build tree (PYTHONPATH=build/python) and the CLI (JETTISON_SIM) on small
cuts of the default scenario (desktops.count of 2 or 3 of its 20 desktops, one synthetic week).
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import pandas as pd

import jettison

SIM = os.environ["JETTISON_SIM"]
SOURCE = Path(os.environ["JETTISON_SOURCE_DIR"])
TMP = Path(os.environ.get("JETTISON_TEST_TMP", tempfile.gettempdir()))
CSV_FILES = ["periods.csv", "timeline.csv", "desktops.csv", "links.csv", "servers.csv"]


def cli(*args, check=True):
    return subprocess.run([SIM, *args], capture_output=True, text=True, check=check)


def fresh(name):
    d = TMP / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def without_wall(summary_text):
    summary = json.loads(summary_text)
    summary.pop("wall_seconds")
    return summary


class Loading(unittest.TestCase):
    def test_file_string_and_dict_load_the_same_scenario(self):
        path = SOURCE / "scenarios/paper/idle-10min-plus.yaml"
        from_file = jettison.load(path, {"desktops.count": 2})
        # The same text standing for the same file: its `extends: ../default.yaml` resolves alike.
        from_text = jettison.load(path.read_text(), {"desktops.count": 2}, name=str(path))
        self.assertEqual(from_file.name, "paper-idle-10min-plus")
        self.assertEqual(from_text.name, from_file.name)
        self.assertEqual(from_text.yaml, from_file.yaml)
        self.assertEqual(from_file.desktop_count, 2)
        # A mapping laid over the embedded default.
        from_dict = jettison.load({"extends": jettison.DEFAULT, "name": "from-dict",
                                   "desktops": {"count": 3}, "strategies": ["always-on", "partial"]})
        self.assertEqual(from_dict.name, "from-dict")
        self.assertEqual(from_dict.desktop_count, 3)
        self.assertEqual(from_dict.strategies, ["always-on", "partial"])
        self.assertEqual(from_dict.source, "<dict>")
        # The default, as `jettison-sim run` without a file.
        self.assertEqual(jettison.load().source, "embedded:scenarios/default.yaml")

    def test_text_without_its_name_resolves_from_the_current_folder(self):
        text = (SOURCE / "scenarios/paper/idle-10min-plus.yaml").read_text()
        with self.assertRaises(jettison.ScenarioError) as caught:
            jettison.load(text)
        self.assertEqual(caught.exception.key, "extends")
        self.assertIn("cannot open '../default.yaml'", str(caught.exception))

    def test_runs_of_file_and_text_are_identical(self):
        path = SOURCE / "scenarios/paper/idle-10min-plus.yaml"
        a = jettison.run(path, {"desktops.count": 2}, threads=1)
        # (named as its file, so that `extends: ../default.yaml` resolves from the file's folder)
        b = jettison.run(jettison.load(path.read_text(), {"desktops.count": 2}, name=str(path)), threads=1)
        # Same traces, same figures; only scenario.yaml's first line names the source.
        for name in CSV_FILES:
            self.assertEqual(a.text(name), b.text(name), name)

    def test_an_override_changes_the_result(self):
        base = jettison.run(None, {"desktops.count": 2}, threads=1)
        more = jettison.run(None, {"desktops.count": 3}, threads=1)
        # desktops.csv: one row per strategy x desktop: the default's strategies x 2, then x 3.
        n = len(base.scenario.strategies)
        self.assertGreaterEqual(n, 4)
        self.assertEqual(len(base.desktops), n * 2)
        self.assertEqual(len(more.desktops), n * 3)
        self.assertEqual(base.summary["desktops"], 2)
        # A longer sleep timeout keeps partial's desktops awake longer between page requests, so
        # they sleep a smaller share of the time and draw more energy; the other strategies never
        # serve pages, so theirs do not change.
        slow = jettison.run(None, {"desktops.count": 2, "policy.sleep.timeout": "10min"}, threads=1)
        self.assertGreater(slow.strategies.loc["partial", "energy_kwh"],
                           base.strategies.loc["partial", "energy_kwh"])
        self.assertLess(slow.strategies.loc["partial", "sleep_fraction"],
                        base.strategies.loc["partial", "sleep_fraction"])
        self.assertEqual(slow.strategies.loc["full", "energy_kwh"], base.strategies.loc["full", "energy_kwh"])
        # Scenario.with_overrides: later overrides win.
        s = jettison.load(None, {"desktops.count": 2}).with_overrides(["desktops.count=5"])
        self.assertEqual(s.desktop_count, 5)


class SameAsTheCli(unittest.TestCase):
    def test_in_memory_tables_equal_the_cli_files(self):
        out = fresh("cli-run")
        cli("run", "--set", "desktops.count=3", "--out", str(out / "run"), "--threads", "1", "-q")
        r = jettison.run(None, {"desktops.count": 3}, threads=1)
        for name in CSV_FILES:
            # The same bytes, so the same DataFrames as pandas reads the files.
            self.assertEqual(r.text(name), (out / "run" / name).read_text(), name)
        self.assertEqual(r.text("scenario.yaml"), (out / "run" / "scenario.yaml").read_text())
        pd.testing.assert_frame_equal(r.periods, pd.read_csv(out / "run/periods.csv"))
        pd.testing.assert_frame_equal(r.desktops, pd.read_csv(out / "run/desktops.csv"))
        self.assertEqual(without_wall(r.text("summary.json")),
                         without_wall((out / "run/summary.json").read_text()))
        # Every strategy has one row per idle period of the 3 desktops.
        per_strategy = r.periods.groupby("strategy").size()
        self.assertEqual(sorted(per_strategy.index), sorted(r.scenario.strategies))
        self.assertEqual(len(set(per_strategy)), 1)
        # The strategies table is summary.json's figures.
        self.assertAlmostEqual(r.strategies.loc["partial", "energy_kwh"],
                               r.summary["strategies"]["partial"]["energy_kwh"])

    def test_run_with_out_writes_the_cli_files(self):
        out = fresh("cli-run-out")
        cli("run", "--set", "desktops.count=2", "--out", str(out / "cli"), "--threads", "1", "-q")
        r = jettison.run(None, {"desktops.count": 2}, threads=1, out=out / "py")
        self.assertEqual(sorted(os.listdir(out / "py")), sorted(os.listdir(out / "cli")))
        for name in CSV_FILES + ["scenario.yaml"]:
            self.assertEqual((out / "py" / name).read_bytes(), (out / "cli" / name).read_bytes(), name)
        pd.testing.assert_frame_equal(r.periods, pd.read_csv(out / "cli/periods.csv"))

    def test_sweep_equals_the_cli_sweep(self):
        out = fresh("cli-sweep")
        grid = {"policy.sleep.timeout": ["10s", "1min"], "desktops.count": [1, 2]}
        cli("sweep", "--grid", "policy.sleep.timeout=10s,1min", "--grid", "desktops.count=1,2",
            "--out", str(out / "cli"), "--threads", "1", "-q")
        written = jettison.sweep(None, grid, threads=1, out=out / "py")
        self.assertEqual((out / "py/sweep.csv").read_bytes(), (out / "cli/sweep.csv").read_bytes())
        # In memory: 2 x 2 points x the default's strategies, the same figures as sweep.csv's.
        rows = jettison.sweep(None, grid, threads=1)
        self.assertEqual(len(rows), 2 * 2 * len(jettison.load().strategies))
        self.assertEqual(list(rows.columns[:4]), ["point", "policy.sleep.timeout", "desktops.count", "strategy"])
        self.assertEqual(list(rows["point"]), list(written["point"]))
        self.assertEqual(list(rows["strategy"]), list(written["strategy"]))
        self.assertEqual(list(rows["wakeups"]), list(written["wakeups"]))
        self.assertEqual(list(rows["network_bytes"]), list(written["network_bytes"]))
        # sweep.csv prints 15 significant digits, summary.json 17: equal to 1e-13 relative.
        for col in ["energy_kwh", "savings_pct"]:
            for a, b in zip(rows[col], written[col]):
                self.assertAlmostEqual(a, b, delta=1e-13 * max(abs(a), 1.0), msg=col)


class Errors(unittest.TestCase):
    def test_a_bad_key_raises_with_file_line_and_key(self):
        d = fresh("bad-key")
        bad = d / "bad.yaml"
        bad.write_text("extends: embedded:scenarios/default.yaml\nname: bad\ndesktop:\n  powr: 3W\n")
        with self.assertRaises(jettison.ScenarioError) as caught:
            jettison.load(bad)
        e = caught.exception
        self.assertEqual(e.file, str(bad))
        self.assertEqual(e.line, 4)  # `powr:` is on the file's 4th line
        self.assertEqual(e.key, "desktop.powr")
        self.assertIn("unknown key 'powr' (did you mean 'power'?)", str(e))
        # The CLI's message, word for word.
        p = cli("validate", str(bad), check=False)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, f"jettison-sim: error: {e}\n")
        self.assertEqual(os.listdir(d), ["bad.yaml"])

    def test_errors_of_text_dicts_and_overrides(self):
        with self.assertRaises(jettison.ScenarioError) as caught:
            jettison.load("extends: embedded:scenarios/default.yaml\nseed: -1\n")
        self.assertEqual((caught.exception.file, caught.exception.line, caught.exception.key),
                         ("<string>", 2, "seed"))
        with self.assertRaises(jettison.ScenarioError) as caught:
            jettison.load({"extends": jettison.DEFAULT, "strategies": ["bogus"]})
        self.assertEqual(caught.exception.file, "<dict>")
        self.assertEqual(caught.exception.key, "strategies[0]")
        self.assertIn("unknown strategy 'bogus'", str(caught.exception))
        with self.assertRaises(jettison.ScenarioError) as caught:
            jettison.run(None, {"desktop.vm_memory": 4})
        e = caught.exception
        self.assertEqual((e.file, e.line, e.key), (None, None, "desktop.vm_memory"))
        never = TMP / "never-written"
        p = cli("run", "--set", "desktop.vm_memory=4", "--out", str(never), check=False)
        self.assertEqual((p.returncode, p.stderr), (2, f"jettison-sim: error: {e}\n"))
        self.assertFalse(never.exists())
        # A sweep checks every point before running any: the second timeout is bad.
        with self.assertRaises(jettison.ScenarioError) as caught:
            jettison.sweep(None, {"policy.sleep.timeout": ["10s", "-5s"]})
        self.assertEqual(caught.exception.key, "policy.sleep.timeout")


class NothingWritten(unittest.TestCase):
    def test_runs_and_sweeps_in_memory_write_nothing(self):
        d = fresh("nothing-written")
        before = os.getcwd()
        os.chdir(d)
        try:
            r = jettison.run(None, {"desktops.count": 1}, threads=1)
            self.assertGreater(len(r.periods), 0)
            jettison.sweep(None, {"policy.sleep.timeout": ["10s", "1min"]}, {"desktops.count": 1}, threads=1)
            self.assertIsNone(r.out)
        finally:
            os.chdir(before)
        # Not even results/<name>/ (the CLI's default output folder) or a staging folder.
        self.assertEqual(list(d.iterdir()), [])


if __name__ == "__main__":
    unittest.main()
