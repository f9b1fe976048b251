"""Installed size of eventpipe's core and of each extra, in fresh virtualenvs.

For each install (the core, each extra, all of them) this builds a virtualenv with
``python -m venv`` (so pip and, on Python 3.11, setuptools are in it, as for a user),
installs eventpipe's wheel (built from this checkout) with ``-c constraints.txt`` and
measures ``site-packages``: the bytes of every file in it (apparent size, ``.pyc``
files pip compiled included), in MB of 10^6 bytes. The baseline is the same virtualenv
before the install. Needs PyPI (or pip's cache); takes a few minutes.

    .venv/bin/python benchmarks/install_sizes.py
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALLS = {
    "eventpipe": "",
    "eventpipe[deploy]": "deploy",
    "eventpipe[local]": "local",
    "eventpipe[cli]": "cli",
    "eventpipe[all]": "all",
}
CORE_TARGET_MB = 100


def size(path: Path) -> int:
    """Bytes of every regular file under ``path`` (symlinks not followed)."""
    total = 0
    for directory, _, files in os.walk(path):
        for name in files:
            file = Path(directory) / name
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def largest(site: Path, count: int = 4) -> list[tuple[str, int]]:
    """The biggest top-level entries of ``site`` (packages with their data)."""
    entries = [
        (entry.name, size(entry) if entry.is_dir() else entry.stat().st_size)
        for entry in site.iterdir()
        if not entry.name.endswith((".dist-info", ".pth")) and entry.name != "__pycache__"
    ]
    return sorted(entries, key=lambda item: -item[1])[:count]


def site_packages(venv: Path) -> Path:
    [site] = (venv / "lib").glob("python3*/site-packages")
    return site


def run(command: list[str]) -> None:
    """Run ``command``; its output (pip's index warnings) is shown only if it fails."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def build_wheel(out: Path) -> Path:
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)])  # fmt: skip
    [wheel] = out.glob("eventpipe-*.whl")
    return wheel


def measure(wheel: Path, extra: str, work: Path) -> tuple[int, int, float, Path]:
    """(baseline bytes, installed bytes, seconds to install, site-packages)."""
    venv = work / (extra or "core")
    run([sys.executable, "-m", "venv", str(venv)])
    site = site_packages(venv)
    baseline = size(site)
    target = f"{wheel}[{extra}]" if extra else str(wheel)
    started = time.perf_counter()
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
         "-c", str(ROOT / "constraints.txt"), target])  # fmt: skip
    return baseline, size(site), time.perf_counter() - started, site


def main() -> None:
    mb = 1_000_000
    print(f"python {platform.python_version()}, {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        wheel = build_wheel(work / "wheel")
        core = 0
        print(f"{'install':<20} {'site-packages':>14} {'over core':>10} {'install s':>10}  largest")
        for label, extra in INSTALLS.items():
            baseline, installed, seconds, site = measure(wheel, extra, work)
            if not extra:
                core = installed
                print(f"{'(empty venv)':<20} {baseline / mb:>11.1f} MB")
            over = "" if not extra else f"{(installed - core) / mb:>7.1f} MB"
            top = ", ".join(f"{name} {bytes_ / mb:.0f}" for name, bytes_ in largest(site))
            print(f"{label:<20} {installed / mb:>11.1f} MB {over:>10} {seconds:>10.1f}  {top}")
        verdict = "under" if core / mb < CORE_TARGET_MB else "OVER"
        print(f"core: {core / mb:.1f} MB, {verdict} the {CORE_TARGET_MB} MB target")


if __name__ == "__main__":
    main()
