"""A test run started with SIGINT ignored (in the background) still lets the processes
its tests start be interrupted (the root ``conftest.py``, :func:`conftest.hear_sigint`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = textwrap.dedent(
    """
    import signal
    import subprocess
    import sys


    def test_a_child_hears_ctrl_c():
        code = "import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert run.stdout.strip() == "True"
    """
)


def _run_in_background_like(directory: Path) -> subprocess.CompletedProcess[str]:
    """pytest on ``directory``, started as a background job is: SIGINT ignored."""
    command = f"trap '' INT; exec {sys.executable} -m pytest -q -p no:cacheprovider -p no:xdist ."
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", command],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_children_of_a_run_started_with_sigint_ignored_hear_ctrl_c(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "test_probe.py").write_text(PROBE)
    without = _run_in_background_like(bare)
    assert without.returncode == 1, without.stdout  # the inherited SIG_IGN, reproduced

    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "test_probe.py").write_text(PROBE)
    shutil.copy(REPO / "conftest.py", ours / "conftest.py")
    with_conftest = _run_in_background_like(ours)
    assert with_conftest.returncode == 0, with_conftest.stdout + with_conftest.stderr
