"""The report in a real browser: Debian's headless Chromium (chromium, chromium-driver,
python3-selenium) opens index.html from file://, every <img> must have loaded (complete, with a
natural width), no link may be broken, the title must be the report's; a screenshot is saved
into the test's folder (kept with JETTISON_KEEP_TEST_OUTPUT=1)."""
import importlib.util
import shutil
import struct
import sys
import tempfile
import time
import unittest
from pathlib import Path
from urllib.parse import unquote, urlparse

import support

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
INSTALL = ("the browser test needs Debian's chromium, chromium-driver and python3-selenium "
           "(apt-get install chromium chromium-driver python3-selenium; scripts/test.sh installs them)")


def _png_size(path):
    head = Path(path).read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


class ReportInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if importlib.util.find_spec("selenium") is None:
            raise AssertionError(f"{INSTALL}: no selenium module for {sys.executable}")
        for path in (CHROMIUM, CHROMEDRIVER):
            if not Path(path).exists():
                raise AssertionError(f"{INSTALL}: {path} not found")
        cls.tmp = support.temp_dir(cls, "report-browser")
        run_dir = support.sim_run(cls.tmp / "run", "desktops.count=3")
        paper = support.augmented_copy(run_dir, cls.tmp / "paper")
        sweep = support.sim_sweep(cls.tmp / "sweep", ["policy.sleep.timeout=5s,30s"],
                                  ["desktops.count=2"])
        cls.report = cls.tmp / "report"
        support.report([paper, sweep], cls.report, "--title", "Jettison browser check")
        cls.driver = cls._start()
        cls.addClassCleanup(cls.driver.quit)

    @classmethod
    def _start(cls):
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        opts = Options()
        opts.binary_location = CHROMIUM
        profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=cls.tmp)
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--no-first-run", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", f"--user-data-dir={profile}", "--window-size=1280,1000",
                  "--hide-scrollbars"):
            opts.add_argument(a)
        try:
            return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
        except Exception as e:
            raise AssertionError(f"headless Chromium did not start ({INSTALL}): {e}") from None

    def setUp(self):
        self.driver.get((self.report / "index.html").resolve().as_uri())
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.driver.execute_script(
                    "return document.readyState === 'complete' && "
                    "Array.from(document.images).every(i => i.complete)"):
                break
            time.sleep(0.1)

    def test_title(self):
        self.assertEqual(self.driver.title, "Jettison browser check")
        h1 = self.driver.execute_script("return document.querySelector('h1').textContent")
        self.assertEqual(h1, "Jettison browser check")

    def test_every_image_rendered(self):
        images = self.driver.execute_script(
            "return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, "
            "i.naturalWidth, i.naturalHeight])")
        expected = {f"figures/{p.name}" for p in (self.report / "figures").iterdir()
                    if p.suffix == ".png"}   # the PDF and SVG beside each are links
        self.assertEqual({src for src, *_ in images}, expected)
        self.assertGreaterEqual(len(images), 7)   # 6 of the run, 1 of the sweep
        for src, complete, width, height in images:
            self.assertTrue(complete, src)
            self.assertGreater(width, 0, f"{src} did not render")
            self.assertGreater(height, 0, src)

    def test_no_broken_links(self):
        links = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('a[href]')).map(a => "
            "[a.getAttribute('href'), a.href, a.hash ? !!document.getElementById("
            "decodeURIComponent(a.hash.slice(1))) : null])")
        self.assertGreater(len(links), 10)
        for raw, resolved, anchor_ok in links:
            u = urlparse(resolved)
            self.assertEqual(u.scheme, "file", f"{raw} leaves the report")
            if raw.startswith("#"):
                self.assertTrue(anchor_ok, f"{raw}: no element with that id")
            else:
                self.assertTrue(Path(unquote(u.path)).is_file(), f"{raw}: no such file")
        self.assertEqual(support.broken_links(self.report / "index.html"), [])
        # nothing was fetched from anywhere but the report folder
        resources = self.driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        for r in resources:
            self.assertTrue(r.startswith((self.report.resolve().as_uri() + "/")), r)

    def test_screenshot(self):
        top = self.tmp / "report-screenshot.png"
        self.assertTrue(self.driver.save_screenshot(str(top)))
        width, height = _png_size(top)
        self.assertGreaterEqual(width, 1000)
        self.assertGreaterEqual(height, 600)
        self.assertGreater(top.stat().st_size, 30_000, "the screenshot is nearly blank")
        # the whole page, as tall as it is (within Chromium's limit)
        full_height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, min(int(full_height) + 100, 16000))
        full = self.tmp / "report-screenshot-full.png"
        self.assertTrue(self.driver.save_screenshot(str(full)))
        self.assertGreater(_png_size(full)[1], height)
        self.driver.set_window_size(1280, 1000)
        print(f"\nscreenshots: {top} {full}")


if __name__ == "__main__":
    unittest.main()
