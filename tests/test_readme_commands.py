"""Every command README.md shows, run as written, each in a fresh shell.

The README's ``bash`` blocks are read line by line. The README asks for
``source .venv/bin/activate`` once per terminal; each command here runs in a fresh
``bash`` that first runs that very line, then the command exactly as the README has it,
in a copy of the project laid out as a fresh clone is (program, stack files,
``examples/``, ``components/``, an empty ``consumers/``, and ``.venv`` pointing at the
environment running these tests). ``eventpipe dev`` is started the same way, as a
process of its own, and every other line then runs in README order: each must exit 0,
on an 80-column terminal, with no line wider than that. The commands of "Add a consumer"
(``eventpipe new refunds``, ``pytest consumers/refunds``, ``rm -rf consumers/refunds``)
run in that copy, so they never touch this repository.

A line that cannot run here is in :data:`EXEMPT` with the reason; a README line in
neither set fails :func:`test_every_readme_command_is_run_or_exempt`, so a command
added to the README is tested from then on.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.terminal import TERMINAL_80, too_wide

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
ACTIVATE = "source .venv/bin/activate"
RUNNABLE = ("eventpipe", "pytest", "rm")

EXEMPT = {
    "make demo": "runs `eventpipe demo`, which tests/local/test_cli.py runs on this stack",
    "make test": "runs this very suite",
    "make install": "reinstalls the test run's own virtualenv",
    "pulumi stack select dev --create": "needs the Pulumi CLI and a backend",
    "pulumi preview": "needs the Pulumi CLI and AWS credentials",
    "pulumi up": "deploys to AWS",
    "pulumi stack output eventpipe --json": "needs a stack deployed with `pulumi up`",
    "eventpipe status --stack prod --profile prod-readonly": "needs the prod stack on AWS",
    "eventpipe dlq peek order-processing -s prod": "needs the prod stack on AWS",
    "eventpipe replay -s prod --from 2026-11-22T00:00 --to 2026-11-23T00:00 --consumer "
    "inventory-reservation": "needs the prod stack on AWS",
    "eventpipe match @examples/order-created.json --stack prod --deployed": (
        "needs the prod stack's rules on AWS"
    ),
}
"""README lines not run here, each with why."""

DEADLINE = 180.0
"""Seconds ``eventpipe dev`` may take to announce itself (it shares two CPUs)."""


def readme_commands() -> list[str]:
    """The shell lines of README.md's ``bash`` blocks, comments dropped, in order."""
    commands = []
    for block in BLOCK.findall(README.read_text()):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(shlex.join(words))
    return commands


def _runnable(command: str) -> bool:
    return shlex.split(command)[0] in RUNNABLE and command not in EXEMPT


def test_every_readme_command_is_run_or_exempt() -> None:
    commands = readme_commands()
    assert ACTIVATE in commands  # said once, plainly, before the commands that need it
    assert commands.index(ACTIVATE) < commands.index("eventpipe dev")
    unknown = [c for c in commands if c != ACTIVATE and not _runnable(c) and c not in EXEMPT]
    assert unknown == [], "run these in this test, or add them to EXEMPT with the reason"
    stale = [c for c in EXEMPT if c not in commands]
    assert stale == [], "EXEMPT lists commands the README no longer shows"


def test_the_files_the_readme_names_ship() -> None:
    named = set(re.findall(r"@?(examples/[\w./-]+\.json)", README.read_text()))
    assert named, "the README names its example event"
    missing = [path for path in named if not (REPO / path).is_file()]
    assert missing == []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project as a fresh clone has it, after `make install` (``.venv``)."""
    target = tmp_path / "project"
    target.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "__main__.py"):
        shutil.copy(REPO / name, target / name)
    shutil.copytree(REPO / "examples", target / "examples")
    (target / "components").symlink_to(REPO / "components")
    (target / "consumers").mkdir()
    (target / ".venv").symlink_to(Path(sys.prefix))
    return target


def _shell_env() -> dict[str, str]:
    """The caller's environment as a new terminal has it (no virtualenv active), fake
    credentials so nothing can reach AWS, an 80-column terminal for rich."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    path = env.get("PATH", "").split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in path if Path(p) != Path(sys.prefix) / "bin")
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        **TERMINAL_80,
    )
    env.pop("AWS_PROFILE", None)
    return env


def _script(command: str) -> list[str]:
    return ["bash", "--noprofile", "--norc", "-c", f"{ACTIVATE}\n{command}"]


def _start_dev(project: Path) -> subprocess.Popen[str]:
    """``eventpipe dev`` as the README shows it; returns once it has announced itself."""
    process = subprocess.Popen(
        _script("exec eventpipe dev"),
        cwd=project,
        env=_shell_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    announcement = project / ".eventpipe" / "dev-dev.json"
    deadline = time.monotonic() + DEADLINE
    while not announcement.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    if not announcement.exists():
        process.kill()
        output = process.communicate(timeout=30)[0]
        pytest.fail(f"`eventpipe dev` did not announce itself:\n{output}")
    return process


def test_readme_commands_run_as_written_in_a_fresh_shell(project: Path) -> None:
    commands = [c for c in readme_commands() if _runnable(c) and c != "eventpipe dev"]
    dev = _start_dev(project)
    failures = []
    wide = []
    try:
        for command in commands:
            run = subprocess.run(
                _script(command),
                cwd=project,
                env=_shell_env(),
                capture_output=True,
                text=True,
                timeout=300,
            )
            if run.returncode != 0:
                failures.append(f"$ {command}\n{run.stdout}{run.stderr}")
            if command.startswith("eventpipe "):  # pytest's own report names tmp paths
                wide += [f"$ {command}\n{line}" for line in too_wide(run.stdout + run.stderr)]
            if command.startswith("eventpipe new "):
                assert (project / "consumers" / "refunds" / "pyproject.toml").exists()
    finally:
        dev.send_signal(signal.SIGINT)
        dev_output = dev.communicate(timeout=60)[0]
    assert failures == [], "\n\n".join(failures)
    assert wide == [], "\n".join(wide)
    assert dev.returncode == 0, dev_output
    assert too_wide(dev_output) == [], dev_output
    assert re.search(r"^console: http://127\.0\.0\.1:\d+/\?token=[\w-]{32}$", dev_output, re.M), (
        dev_output
    )
    assert not (project / "consumers" / "refunds").exists()  # `rm -rf consumers/refunds`


def test_the_readme_shows_the_code_eventpipe_new_writes(tmp_path: Path) -> None:
    """Each ``python`` block of "Add a consumer" is, line for line, part of the file it
    names as `eventpipe new` (with the README's options) writes it."""
    from eventpipe.scaffold import Names, render

    [new] = [c for c in readme_commands() if c.startswith("eventpipe new ")]
    words = shlex.split(new)
    options = dict(zip(words[3::2], words[4::2], strict=True))
    names = Names.of(words[2], options["--source"], options["--detail-type"])
    files = render(names)
    section = re.split(r"\n##+ ", README.read_text().split("## Add a consumer", 1)[1])[0]
    blocks = re.findall(r"^```python\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 2
    for block in blocks:
        header, _, code = block.partition("\n")
        path = header.removeprefix("# ").split()[0].removeprefix(f"consumers/{names.consumer}/")
        assert path in files, f"{path} is not a file `eventpipe new` writes"
        assert code.strip() in files[path], f"{path} differs from what `eventpipe new` writes"
