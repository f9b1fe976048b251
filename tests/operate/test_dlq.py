"""``dlq cancel`` on the embedded emulator, whose shim runs SQS message move tasks
(eventpipe/local/emulator/shims/move_tasks.py): a real running redrive is cancelled
through the CLI, as an operator would with ``--local``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.emulator.shims import apply_moto_shims


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    apply_moto_shims()
    running = start_emulator()
    yield running
    running.stop()


def _arn(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attrs["Attributes"]["QueueArn"])


def _wait(condition: Any, timeout: float = 120) -> Any:
    """Poll until ``condition()`` is truthy (generous deadline: CPUs may be busy)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_cancel_stops_a_running_redrive_and_leaves_the_rest(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"}.items():
        monkeypatch.setenv(key, value)
    emulator.reset()
    sqs = emulator.client("sqs")
    dlq = sqs.create_queue(QueueName="c-dlq")["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 1})
    queue = sqs.create_queue(QueueName="c", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    for n in range(60):
        sqs.send_message(QueueUrl=dlq, MessageBody=f"m{n}")
    output = {
        "stack": "dev",
        "region": "us-east-1",
        "bus": {"name": "b", "arn": "arn:aws:events:us-east-1:123456789012:event-bus/b"},
        "consumers": {
            "c": {
                "queueUrl": queue,
                "queueArn": _arn(sqs, queue),
                "dlqUrl": dlq,
                "dlqArn": _arn(sqs, dlq),
            },
        },
    }
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"eventpipe": output}))
    runner = CliRunner(env={"COLUMNS": "80"})
    where = ["--outputs", str(outputs), "--endpoint-url", emulator.endpoint_url]

    started = runner.invoke(app, ["dlq", "redrive", "c", "--rate", "1", "--no-wait", *where])
    assert started.exit_code == 0, started.output
    cancelled = runner.invoke(app, ["dlq", "cancel", "c", "--json", *where])
    assert cancelled.exit_code == 0, cancelled.output
    data = json.loads(cancelled.stdout)
    assert data["status"] == "CANCELLING" and data["taskHandle"]

    def ended() -> dict[str, Any] | None:
        [task] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
        return task if task["Status"] == "CANCELLED" else None

    task = _wait(ended)
    moved = task["ApproximateNumberOfMessagesMoved"]
    assert moved < 60  # stopped early: at 1 message/s, 60 would take a minute
    counts = sqs.get_queue_attributes(
        QueueUrl=dlq,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    # Nothing lost: what was not moved is back in the DLQ, what was moved is in the queue.
    left = int(counts["ApproximateNumberOfMessages"]) + int(
        counts["ApproximateNumberOfMessagesNotVisible"]
    )
    in_queue = int(
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]["ApproximateNumberOfMessages"]
    )
    assert left + in_queue == 60 and in_queue == moved

    again = runner.invoke(app, ["dlq", "cancel", "c", *where])
    assert again.exit_code == 0
    assert "nothing to cancel" in again.stdout
