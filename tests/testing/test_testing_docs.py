"""docs/testing.md documents every name of the test kit, and its examples run as written.

The page's Python blocks are of two kinds: a block whose first line is a comment naming a
file (``# shop/handler.py``) is that file of the example plugin; every other block holds
tests. The files are written into a temporary directory, the test blocks into one test
module beside them, and pytest runs it in a fresh process (the example plugin is never
installed, only put on the path), so a reader copying the page gets what it shows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import eventpipe.testing

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "testing.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
FILE_HEADER = re.compile(r"^# ([\w/]+\.py)\n")


def _blocks() -> tuple[dict[str, str], list[str]]:
    files: dict[str, str] = {}
    tests: list[str] = []
    for block in BLOCK.findall(PAGE.read_text()):
        header = FILE_HEADER.match(block)
        if header:
            files[header.group(1)] = block
        else:
            tests.append(block)
    return files, tests


def test_every_name_the_test_kit_exports_is_documented() -> None:
    text = PAGE.read_text()
    names = [*eventpipe.testing.__all__, "invoke_consumer"]
    missing = [name for name in names if f"`{name}`" not in text]
    assert missing == []


def test_the_examples_run_as_written(tmp_path: Path) -> None:
    files, tests = _blocks()
    assert {"shop/handler.py", "shop/plugin.py", "shop/infra.py"} <= set(files)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    module = tmp_path / "test_examples.py"
    module.write_text("\n\n".join(tests))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    defined = len(re.findall(r"^def test_", module.read_text(), re.M))
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{defined} passed" in run.stdout, run.stdout
