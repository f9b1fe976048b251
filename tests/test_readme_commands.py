"""Every command README.md shows, run as written against the local engine.

The README's ``bash`` blocks are read line by line. ``eventpipe dev`` is started the way
the README says (a process of its own, in a copy of the project) and every other
``eventpipe ...`` line then runs, in README order, in that project: each must exit 0.
A line that cannot run here is in :data:`EXEMPT` with the reason; a README line in
neither set fails :func:`test_every_readme_command_is_run_or_exempt`, so a command
added to the README is tested from then on.

Files a command names (``@event.json``) are written first (:data:`FILES`): the README
assumes the reader has one.
"""

from __future__ import annotations

import json
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
from typer.testing import CliRunner

from eventpipe.cli import app

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXECUTABLES = ("eventpipe", ".venv/bin/eventpipe")

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
    "eventpipe match @event.json --stack prod --deployed": "needs the prod stack's rules on AWS",
}
"""README lines not run here, each with why."""

FILES = {
    "event.json": {
        "source": "ecommerce.orders",
        "detail-type": "Order Created",
        "detail": {"orderId": "o-1", "customerId": "c-1", "amount": 1500},
    }
}


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
    return shlex.split(command)[0] in EXECUTABLES and command not in EXEMPT


def test_every_readme_command_is_run_or_exempt() -> None:
    commands = readme_commands()
    assert "eventpipe dev" in commands
    unknown = [c for c in commands if not _runnable(c) and c not in EXEMPT]
    assert unknown == [], "run these in this test, or add them to EXEMPT with the reason"
    stale = [c for c in EXEMPT if c not in commands]
    assert stale == [], "EXEMPT lists commands the README no longer shows"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's project (program and stack files), the README's files
    in it, the cwd of the commands; fake credentials so nothing can reach AWS."""
    target = tmp_path / "project"
    target.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "__main__.py"):
        shutil.copy(REPO / name, target / name)
    for name, content in FILES.items():
        (target / name).write_text(json.dumps(content))
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.chdir(target)
    return target


def _start_dev(project: Path) -> subprocess.Popen[str]:
    """``eventpipe dev`` as the README shows it, in ``project``; returns once it has
    announced itself (generous deadline: the deploy shares two CPUs with the suite)."""
    executable = str(Path(sys.executable).with_name("eventpipe"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # `components` of the program
    process = subprocess.Popen(
        [executable, *shlex.split("eventpipe dev")[1:]],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    announcement = project / ".eventpipe" / "dev-dev.json"
    deadline = time.monotonic() + 180
    while not announcement.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    if not announcement.exists():
        process.kill()
        output = process.communicate(timeout=30)[0]
        pytest.fail(f"`eventpipe dev` did not announce itself:\n{output}")
    return process


def test_readme_commands_run_as_written_against_the_local_engine(project: Path) -> None:
    commands = [c for c in readme_commands() if _runnable(c)]
    dev = _start_dev(project)
    runner = CliRunner()
    failures = []
    try:
        for command in commands:
            if command == "eventpipe dev":
                continue  # running: the rest of the commands talk to it
            result = runner.invoke(app, shlex.split(command)[1:])
            if result.exit_code != 0:
                failures.append(f"$ {command}\n{result.output}")
    finally:
        dev.send_signal(signal.SIGINT)
        dev_output = dev.communicate(timeout=60)[0]
    assert failures == [], "\n\n".join(failures)
    assert dev.returncode == 0, dev_output
    assert re.search(r"^console: http://127\.0\.0\.1:\d+/\?token=[\w-]{32}$", dev_output, re.M), (
        dev_output
    )
    assert (project / "consumers" / "refunds" / "pyproject.toml").exists()  # `new refunds`
