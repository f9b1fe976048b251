"""PNG of an SVG page, drawn by a headless Chromium when one is installed.

No Python library in the dependencies rasterises SVG, and Chromium draws the SVG the
console shows exactly as a browser does; where no Chromium is found, :func:`find_browser`
says so and ``eventpipe graph`` offers SVG and Mermaid only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENV_BROWSER = "EVENTPIPE_CHROMIUM"
"""A Chromium binary to use instead of the first of :data:`BROWSERS` on the PATH."""
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
"""Flags that let Chromium run headless as root and without any network."""
TIMEOUT = 120.0
"""Seconds one screenshot may take (a cold start on a busy machine takes a few)."""


class NoRendererError(RuntimeError):
    """No Chromium to draw a PNG with."""


def find_browser() -> str:
    """The Chromium binary to draw with; :class:`NoRendererError` when there is none."""
    chosen = os.environ.get(ENV_BROWSER)
    if chosen:
        return chosen
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise NoRendererError(
        "PNG needs a Chromium (none of " + ", ".join(BROWSERS) + " is on the PATH; set "
        f"{ENV_BROWSER} to one, or install Debian's `chromium` package); SVG and Mermaid "
        "need nothing"
    )


def svg_to_png(svg: str, width: float, height: float, target: Path) -> None:
    """Write ``target``: the SVG drawn at its own size."""
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="eventpipe-png-") as work:
        source = Path(work) / "graph.svg"
        source.write_text(svg, encoding="utf-8")
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--window-size={int(width)},{int(height)}",
            f"--screenshot={target.resolve()}",
            source.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0 or not target.exists():
        raise NoRendererError(f"{browser} could not draw the PNG: {done.stderr.strip()[-400:]}")
