"""analysis/notebooks/paper.ipynb executed headless (nbconvert, an IPython kernel on JETTISON_PYTHON3)
with the module from the build tree: every cell runs without error, the published-vs-ours table has
a row per about.published entry of scenarios/paper/*.yaml, and the sweep's figure is drawn."""
import json
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

import yaml

import jettison

SOURCE = Path(os.environ["JETTISON_SOURCE_DIR"])
TMP = Path(os.environ["JETTISON_TEST_TMP"])


class PaperNotebook(unittest.TestCase):
    def test_executes_and_shows_the_table_and_the_figure(self):
        out = TMP / "notebook"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        env = dict(os.environ)
        # The kernel is this interpreter (Debian's, with pandas and the module), whatever else is on PATH.
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        env.pop("MPLBACKEND", None)  # the notebook draws inline
        p = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                            "--ExecutePreprocessor.timeout=600", "--output-dir", str(out),
                            str(SOURCE / "analysis/notebooks/paper.ipynb")],
                           capture_output=True, text=True, env=env, cwd=out)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        nb = json.loads((out / "paper.ipynb").read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        self.assertTrue(all(c.get("execution_count") for c in code), "a code cell did not run")
        for c in code:
            for o in c.get("outputs", []):
                self.assertNotEqual(o["output_type"], "error", o.get("evalue"))
        # The table: one row per published entry of the paper's scenarios.
        # (of each scenario as run: a *-fitted.yaml extends another and inherits its entries)
        expected = sum(len((yaml.safe_load(jettison.load(f).yaml).get("about") or {}).get("published") or [])
                       for f in (SOURCE / "scenarios/paper").glob("*.yaml"))
        self.assertGreater(expected, 0)
        html = [o["data"]["text/html"] for c in code for o in c.get("outputs", [])
                if "text/html" in o.get("data", {}) and "published" in "".join(o["data"]["text/html"])]
        self.assertEqual(len(html), 1, "no published-vs-ours table")
        table = "".join(html[0])
        body = table.split("<tbody>")[1]
        self.assertEqual(body.count("<tr>"), expected)
        printed = "".join("".join(o.get("text", "")) for c in code for o in c.get("outputs", []))
        self.assertIn(f"{expected} published figures from", printed)
        # The sweep's figure.
        images = [o for c in code for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        self.assertEqual(len(images), 1)
        self.assertGreater(len(images[0]["data"]["image/png"]), 1000)


if __name__ == "__main__":
    unittest.main()
