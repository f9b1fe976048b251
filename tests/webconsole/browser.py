"""Headless Chromium for the browser tests: Debian's ``chromium`` and
``chromium-driver`` packages, installed with apt-get when missing (as root, as CI runs),
driven by Selenium (pinned in constraints.txt).

Only flags that work as root in a container without network are used; every test waits
on a DOM condition with a generous bound (:data:`WAIT`), never on a fixed time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from eventpipe.graph.png import FLAGS as HEADLESS_FLAGS

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PACKAGES = ("chromium", "chromium-driver")
WAIT = 120.0
"""Seconds a DOM condition may take to hold (a bound on a loaded 2-CPU machine, not a
margin: the condition is checked every half second and the test goes on when it holds)."""
FLAGS = (*HEADLESS_FLAGS, "--disable-dev-shm-usage", "--window-size=1400,1000")
"""The product's own headless flags (:data:`eventpipe.graph.png.FLAGS`) and a window."""


def ensure_chromium() -> None:
    """Install Debian's Chromium and its driver when they are missing (needs root)."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RuntimeError(
            f"the browser tests need {CHROMIUM} and {CHROMEDRIVER}: run "
            f"`sudo apt-get install -y {' '.join(PACKAGES)}` (Debian/Ubuntu)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES],
        check=True,
        env=env,
    )


def start_browser(profile: Path):  # type: ignore[no-untyped-def]
    """A headless Chromium with a fresh profile in ``profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    ensure_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
