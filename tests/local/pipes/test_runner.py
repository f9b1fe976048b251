"""The local Pipe runner against the embedded moto: SQS source -> template -> FIFO target.

What is checked is what the Pipes docs say a pipe with an SQS source and target does:
records are sent with their group and deduplication ids taken from the body, deleted
from the source once the target took them; a record the target refuses stays, and the
source queue's redrive policy moves it to the source DLQ after maxReceiveCount. Waits are
on conditions (generous deadlines), never on a sleep.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from eventpipe.local.deploy.materializers.base import Context
from eventpipe.local.deploy.materializers.pipes import pipe as materialize_pipe
from eventpipe.local.deploy.records import DeployState, PipeSpec, QueueInfo
from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.emulator.shims import apply_moto_shims
from eventpipe.local.pipes import PipeRunner

DEADLINE = 90.0


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    apply_moto_shims()
    running = start_emulator()
    yield running
    running.stop()


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _queue(sqs: Any, name: str, attributes: dict[str, str]) -> QueueInfo:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return QueueInfo(name, url, arn, name.endswith(".fifo"), 1, 1)


def _count(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def _receive_all(sqs: Any, url: str, expected: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []

    def more() -> bool:
        response = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        )
        for message in response.get("Messages", []):
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(got) >= expected

    _until(more, f"{expected} messages in {url}")
    return got


@pytest.fixture
def queues(emulator: Emulator) -> dict[str, QueueInfo]:
    emulator.reset()
    sqs = emulator.client("sqs")
    dlq = _queue(sqs, "intake-dlq", {})
    redrive = json.dumps({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 2})
    intake = _queue(sqs, "intake", {"VisibilityTimeout": "1", "RedrivePolicy": redrive})
    target = _queue(sqs, "orders.fifo", {"FifoQueue": "true"})
    return {"dlq": dlq, "intake": intake, "target": target}


def _spec(queues: dict[str, QueueInfo]) -> PipeSpec:
    return PipeSpec(
        name="orders-pipe",
        arn="arn:aws:pipes:us-east-1:123456789012:pipe/orders-pipe",
        source_arn=queues["intake"].arn,
        target_arn=queues["target"].arn,
        input_template="<$.body>",
        message_group_id="$.body.detail.customerId",
        message_deduplication_id="$.body.id",
    )


def _event(n: int, customer: str | None) -> str:
    detail: dict[str, Any] = {"n": n}
    if customer is not None:
        detail["customerId"] = customer
    return json.dumps({"id": f"e-{n}", "detail-type": "Order Created", "detail": detail})


def test_records_reach_the_fifo_queue_in_their_groups_and_leave_the_source(
    emulator: Emulator, queues: dict[str, QueueInfo]
) -> None:
    sqs = emulator.client("sqs")
    for n in range(12):
        sqs.send_message(QueueUrl=queues["intake"].url, MessageBody=_event(n, f"c-{n % 3}"))
    runner = PipeRunner(emulator, _spec(queues), queues["intake"], queues["target"])
    runner.start()
    try:
        got = _receive_all(sqs, queues["target"].url, 12)
        _until(lambda: _count(sqs, queues["intake"].url) == 0, "the source to empty")
    finally:
        runner.stop()
    bodies = {json.loads(m["Body"])["id"]: m for m in got}
    assert set(bodies) == {f"e-{n}" for n in range(12)}
    for n in range(12):
        attributes = bodies[f"e-{n}"]["Attributes"]
        assert attributes["MessageGroupId"] == f"c-{n % 3}"
        assert attributes["MessageDeduplicationId"] == f"e-{n}"
    assert json.loads(bodies["e-4"]["Body"])["detail"] == {"n": 4, "customerId": "c-1"}
    assert runner.sent == 12 and runner.failed == 0


def test_a_record_without_its_group_is_refused_and_redriven_to_the_source_dlq(
    emulator: Emulator, queues: dict[str, QueueInfo]
) -> None:
    sqs = emulator.client("sqs")
    sqs.send_message(QueueUrl=queues["intake"].url, MessageBody=_event(99, None))
    spec = _spec(queues)
    spec.batch_size = 1
    runner = PipeRunner(emulator, spec, queues["intake"], queues["target"])
    runner.start()
    try:
        _until(lambda: _count(sqs, queues["dlq"].url) == 1, "the record in the intake DLQ")
    finally:
        runner.stop()
    assert _count(sqs, queues["target"].url) == 0  # never merged into some other group
    assert runner.failed >= 2  # once per receive: maxReceiveCount is 2
    [moved] = sqs.receive_message(QueueUrl=queues["dlq"].url)["Messages"]
    assert json.loads(moved["Body"])["id"] == "e-99"


def test_the_same_event_twice_lands_once(emulator: Emulator, queues: dict[str, QueueInfo]) -> None:
    sqs = emulator.client("sqs")
    for _ in range(2):  # SQS is at-least-once: the same event may be in the intake twice
        sqs.send_message(QueueUrl=queues["intake"].url, MessageBody=_event(5, "c-1"))
    runner = PipeRunner(emulator, _spec(queues), queues["intake"], queues["target"])
    runner.start()
    try:
        _until(lambda: runner.sent == 2, "both copies sent")
    finally:
        runner.stop()
    got = _receive_all(sqs, queues["target"].url, 1)
    assert len(got) == 1  # MessageDeduplicationId = the event id
    assert sqs.receive_message(QueueUrl=queues["target"].url).get("Messages") is None


def test_failures_are_logged_to_the_pipes_log_group(
    emulator: Emulator, queues: dict[str, QueueInfo]
) -> None:
    sqs, logs = emulator.client("sqs"), emulator.client("logs")
    logs.create_log_group(logGroupName="/aws/vendedlogs/pipes/orders-pipe")
    spec = _spec(queues)
    spec.log_group, spec.log_level = "/aws/vendedlogs/pipes/orders-pipe", "ERROR"
    sqs.send_message(QueueUrl=queues["intake"].url, MessageBody=_event(7, None))
    runner = PipeRunner(emulator, spec, queues["intake"], queues["target"])
    runner.start()

    def logged() -> list[dict[str, Any]]:
        events = logs.filter_log_events(logGroupName=spec.log_group).get("events", [])
        return [json.loads(e["message"]) for e in events]

    try:
        _until(lambda: any(r["messageType"] == "ExecutionFailed" for r in logged()), "a log")
    finally:
        runner.stop()
    records = logged()
    assert {r["logLevel"] for r in records} == {"ERROR"}  # INFO steps are not logged at ERROR
    failed = next(r for r in records if r["messageType"] == "TargetInvocationFailed")
    assert "MessageGroupId" in failed["error"]["message"]
    assert failed["resourceArn"] == spec.arn


def test_the_materializer_records_the_pipe_and_moto_describes_it(emulator: Emulator) -> None:
    emulator.reset()
    state = DeployState(region="us-east-1", account="123456789012", time_scale=1.0)
    inputs = {
        "name": "orders-pipe",
        "roleArn": "arn:aws:iam::123456789012:role/pipe",
        "source": "arn:aws:sqs:us-east-1:123456789012:intake",
        "target": "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
        "sourceParameters": {"sqsQueueParameters": {"batchSize": 5.0}},
        "targetParameters": {
            "inputTemplate": "<$.body>",
            "sqsQueueParameters": {
                "messageGroupId": "$.body.detail.customerId",
                "messageDeduplicationId": "$.body.id",
            },
        },
        "logConfiguration": {
            "level": "ERROR",
            "cloudwatchLogsLogDestination": {
                "logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/pipes/orders"
            },
        },
    }
    pipe_id, outputs = materialize_pipe(Context(emulator, state), "orders-pipe", inputs)
    assert pipe_id == "orders-pipe" and outputs["arn"].endswith(":pipe/orders-pipe")
    [spec] = state.pipes
    assert (spec.batch_size, spec.log_group, spec.log_level) == (5, "/pipes/orders", "ERROR")
    assert spec.message_group_id == "$.body.detail.customerId"
    described = emulator.client("pipes").describe_pipe(Name="orders-pipe")
    assert described["Source"] == inputs["source"]
    sqs_params = described["TargetParameters"]["SqsQueueParameters"]
    assert sqs_params["MessageGroupId"] == "$.body.detail.customerId"
    names = [p["Name"] for p in emulator.client("pipes").list_pipes()["Pipes"]]
    assert names == ["orders-pipe"]
