"""``eventpipe demo`` and ``eventpipe dev`` as a user runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from eventpipe import aws_clients
from eventpipe.aws_clients import FAKE_CREDENTIALS
from eventpipe.cli import app
from eventpipe.operate.stack_outputs import StackTarget, from_local
from tests.local.conftest import REAL_PLUGINS, REPO, PluginEnv, real_project
from tests.local.watch.test_reload import poll_until

runner = CliRunner()


def test_demo_passes_on_the_projects_dev_stack(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(REPO / name, project / name)
    with PluginEnv(REAL_PLUGINS):
        result = runner.invoke(app, ["demo", "--project-dir", str(project)])
    assert result.exit_code == 0, result.output
    assert "outcomes per consumer" in result.output
    assert "time scale 0.01" in result.output  # the output says time is scaled
    assert "demo passed" in result.output
    # It ends with the trace of a poison sample: the event, the consumer that
    # dead-lettered it with its reason and DLQ message id, read back from the logs.
    trace = " ".join(result.output.split("(the demo's poison event):", 1)[1].split())
    assert re.search(r"on dev: failed - .*dead-lettered in [a-z-]+", trace), trace
    assert re.search(r"#1 dead-lettered [0-9.]+ ms PermanentError: ", trace), trace
    assert re.search(r"-> dead-lettered: in the (intake )?DLQ .* DLQ message [0-9a-f-]{36}", trace)
    assert "Logs Insights over 4 log group(s)" in trace
    # The project's poison sample is an order, which order-processing (per-key FIFO)
    # also receives: its part shows the pipe hop with the message group.
    assert re.search(r"-intake -> pipe \S+ -> \S+\.fifo, group \S+", trace), trace
    for consumer in (
        "order-processing",
        "inventory-reservation",
        "notifications",
        "priority-orders",
    ):
        assert consumer in result.output


def test_demo_fails_when_an_outcome_differs_from_the_sample(tmp_path: Path) -> None:
    project = real_project(tmp_path / "project", "dev", {"eventpipe:publishSchemas": False})
    with PluginEnv("e2e-wrong") as plugins:
        plugins.install(
            tmp_path / "site",
            "eventpipe-e2e-wrong",
            {"e2e-wrong": "tests.local.fixtures.plugins.wrong_samples"},
        )
        result = runner.invoke(app, ["demo", "--project-dir", str(project)])
    assert result.exit_code == 1, result.output
    assert "mismatch" in result.output
    assert "expected succeeded, got dead-lettered" in result.output.replace("\n", " ")


def _depth(target: StackTarget, queue_url: str) -> int:
    sqs = aws_clients.client(
        "sqs",
        region=target.region,
        endpoint_url=target.endpoint_url,
        credentials=target.credentials,
    )
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def test_dev_announces_itself_serves_publish_local_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    project = real_project(tmp_path / "project", "dev", {"eventpipe:publishSchemas": False})
    site = tmp_path / "site"
    with PluginEnv("e2e-wrong") as plugins:
        plugins.install(
            site, "eventpipe-e2e-wrong", {"e2e-wrong": "tests.local.fixtures.plugins.wrong_samples"}
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    announcement = project / ".eventpipe" / "dev-dev.json"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("eventpipe")),
            "dev",
            "--project-dir",
            str(project),
            "--time-scale",
            "0.01",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not announcement.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert announcement.exists(), (
            process.communicate(timeout=10)[0] if process.poll() is not None else "no file"
        )
        announced = json.loads(announcement.read_text())
        assert announced["pid"] == process.pid
        assert announced["endpointUrl"].startswith("http://127.0.0.1:")
        assert announced["region"] == "us-east-1"
        # What the operator commands read: the typed stack output of the announcement.
        target = from_local(project, "dev")
        assert target.credentials == FAKE_CREDENTIALS  # never real ones
        assert "e2e-reject" in target.outputs.consumers

        # The operator CLI finds the running engine through the announcement file.
        published = subprocess.run(
            [
                str(Path(sys.executable).with_name("eventpipe")),
                "publish",
                "--local",
                "--project-dir",
                str(project),
                "--source",
                "e2e.samples",
                "-t",
                "Sample",
                "--detail",
                '{"n": 2}',
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert published.returncode == 0, published.stdout + published.stderr
        dlq = target.outputs.consumer("e2e-reject").dlq_url
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _depth(target, dlq):
            time.sleep(0.2)
        assert _depth(target, dlq) == 1  # handled by dev's worker: rejected -> DLQ
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "stopped." in output
    assert not announcement.exists()
    text = " ".join(output.split())
    # Where each function's log is, and the command that follows it.
    assert "function logs" in text and "/aws/lambda/" in text
    assert f"follow: eventpipe logs e2e-reject --local --project-dir {project} --follow" in output
    # The publish hint can be pasted: it carries the --project-dir dev ran with.
    assert f"`eventpipe publish --local --project-dir {project} ...`" in output
    # Piped, a delivery line is never hard-wrapped: outcome and reason on one line.
    [line] = [li for li in output.splitlines() if "-> e2e-reject" in li]
    assert "dead-lettered attempt" in line and "PermanentError" in line
    # The rejected event's outcome is printed once, as dead-lettered, with its reason.
    assert text.count("-> e2e-reject dead-lettered") == 1, output
    assert "-> e2e-reject ok" not in text
    assert "PermanentError" in text


def _announce(project: Path, pid: int, endpoint: str = "http://127.0.0.1:4566") -> Path:
    path = project / ".eventpipe" / "dev-dev.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "endpointUrl": endpoint, "region": "us-east-1"}))
    return path


def test_a_second_dev_refuses_to_start_and_names_the_running_one(tmp_path: Path) -> None:
    project = real_project(tmp_path / "project", "dev", {"eventpipe:publishSchemas": False})
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        announcement = _announce(project, running.pid, "http://127.0.0.1:45678")
        result = runner.invoke(app, ["dev", "--project-dir", str(project)], env={"COLUMNS": "80"})
        assert result.exit_code == 1, result.output
        text = " ".join(result.output.split())
        assert "already running" in text
        assert f"pid {running.pid}" in text
        assert "http://127.0.0.1:45678" in text
        assert "running since" in text and "UTC" in text
        assert "deploying" not in text  # refused before anything started
        assert announcement.exists()  # the running one's file is left alone
    finally:
        running.kill()
        running.wait()


def test_a_stale_announcement_is_replaced(tmp_path: Path) -> None:
    from eventpipe.cli.local import claim_announcement

    project = tmp_path / "project"
    project.mkdir()
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()
    announcement = _announce(project, exited.pid)
    note = claim_announcement(project, "dev")
    assert note is not None and f"pid {exited.pid}" in note and "has exited" in note
    assert not announcement.exists()
    assert claim_announcement(project, "dev") is None


def test_dev_restarts_a_consumers_workers_when_its_code_changes(
    tmp_path: Path, capsys: object
) -> None:
    from eventpipe.cli.local import _change_watcher
    from eventpipe.local.deploy.records import FunctionSpec

    package = tmp_path / "devreload_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    handler = package / "handlers.py"
    handler.write_text("def handle(event): pass\n")
    project = tmp_path / "project"
    project.mkdir()
    stack_file = project / "Pulumi.dev.yaml"
    stack_file.write_text("config: {}\n")

    class Pool:
        restarts = 0

        def __init__(self) -> None:
            env = {"EVENTPIPE_HANDLER": "devreload_pkg.handlers:handle", "EVENTPIPE_CONSUMER": "c"}
            self.spec = FunctionSpec("fn-c", "arn:fn", "h", env, timeout=3, memory=128)

        def restart(self) -> None:
            Pool.restarts += 1

    class Engine:
        pools = {"fn-c": Pool()}

    sys.path.insert(0, str(tmp_path))
    try:
        watcher = _change_watcher(Engine(), project, "dev", "eventpipe dev")
    finally:
        sys.path.remove(str(tmp_path))

    def bump(path: Path) -> None:
        path.write_text(path.read_text() + "\n")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    printed: list[str] = []

    def said(text: str) -> bool:
        printed.append(capsys.readouterr().out)  # type: ignore[attr-defined]
        return text in "".join(printed)

    try:
        bump(handler)
        poll_until(watcher, lambda: Pool.restarts > 0)
        assert Pool.restarts == 1
        bump(stack_file)
        poll_until(watcher, lambda: said("could not apply it"))
    finally:
        watcher.close()
    out = " ".join("".join(printed).split())
    assert "c: handler code changed (handlers.py); restarting its workers" in out
    assert "Pulumi.dev.yaml changed: could not apply it" in out  # a stand-in engine cannot redeploy
    assert "`eventpipe dev`" in out
    assert Pool.restarts == 1
