"""SQS message move tasks (DLQ redrive) on the embedded moto, through boto3 as the
operator CLI and the AWS console call them.

moto 5.2.5 has no StartMessageMoveTask; the engine's shim adds it. What is checked is the
AWS behaviour the CLI relies on: validation and error codes, RUNNING -> COMPLETED with
the counts, the default destination, FIFO groups, the rate, cancel.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.emulator.shims import apply_moto_shims


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    apply_moto_shims()
    running = start_emulator()
    yield running
    running.stop()


@pytest.fixture
def sqs(emulator: Emulator) -> Any:
    emulator.reset()
    return emulator.client("sqs")


def _arn(sqs: Any, url: str) -> str:
    return str(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    )


def _pipe(sqs: Any, name: str, fifo: bool = False) -> tuple[str, str]:
    """A queue with a DLQ (maxReceiveCount 1); returns (queue url, dlq url)."""
    suffix = ".fifo" if fifo else ""
    extra = {"FifoQueue": "true"} if fifo else {}
    dlq = sqs.create_queue(QueueName=f"{name}-dlq{suffix}", Attributes=extra)["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 1})
    queue = sqs.create_queue(
        QueueName=f"{name}{suffix}", Attributes={**extra, "RedrivePolicy": policy}
    )["QueueUrl"]
    return queue, dlq


def _wait(sqs: Any, source_arn: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        [task] = sqs.list_message_move_tasks(SourceArn=source_arn)["Results"]
        if task["Status"] not in ("RUNNING", "CANCELLING") or time.monotonic() > deadline:
            return dict(task)
        time.sleep(0.05)


def _bodies(sqs: Any, url: str) -> list[str]:
    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", [])
    return [m["Body"] for m in messages]


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = exc.value.response["Error"]
    return error["Code"], error["Message"]


def test_redrive_to_a_destination_completes_with_counts_and_attributes(sqs: Any) -> None:
    queue, dlq = _pipe(sqs, "std")
    for n in range(3):
        sqs.send_message(
            QueueUrl=dlq,
            MessageBody=f"m{n}",
            MessageAttributes={"why": {"DataType": "String", "StringValue": f"reason {n}"}},
        )
    handle = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, queue))[
        "TaskHandle"
    ]
    assert handle
    task = _wait(sqs, _arn(sqs, dlq))
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 3
    assert task["ApproximateNumberOfMessagesToMove"] == 3
    assert task["DestinationArn"] == _arn(sqs, queue)
    assert "TaskHandle" not in task  # AWS lists the handle only while RUNNING
    messages = sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    assert sorted(m["Body"] for m in messages) == ["m0", "m1", "m2"]
    assert {m["MessageAttributes"]["why"]["StringValue"] for m in messages} == {
        "reason 0",
        "reason 1",
        "reason 2",
    }
    assert _bodies(sqs, dlq) == []


def test_without_destination_messages_return_to_their_source_queue(sqs: Any) -> None:
    queue, dlq = _pipe(sqs, "origin")
    other = sqs.create_queue(
        QueueName="origin-2",
        Attributes={
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 1}
            )
        },
    )["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="from-1")
    sqs.send_message(QueueUrl=other, MessageBody="from-2")
    for url in (queue, other):  # receive once without deleting: the next receive moves it
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
        assert _bodies(sqs, url) == []
    assert (
        sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]["ApproximateNumberOfMessages"]
        == "2"
    )

    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    task = _wait(sqs, _arn(sqs, dlq))
    assert task["Status"] == "COMPLETED", task
    assert "DestinationArn" not in task
    assert _bodies(sqs, queue) == ["from-1"]
    assert _bodies(sqs, other) == ["from-2"]


def test_a_message_sent_straight_to_the_dlq_has_no_source_to_return_to(sqs: Any) -> None:
    _, dlq = _pipe(sqs, "direct")
    sqs.send_message(QueueUrl=dlq, MessageBody="sent by the runtime")
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    task = _wait(sqs, _arn(sqs, dlq))
    assert task["Status"] == "FAILED"
    assert task["FailureReason"] == "CouldNotDetermineMessageSource"
    assert _bodies(sqs, dlq) == ["sent by the runtime"]  # left where it was, visible


def test_fifo_redrive_keeps_groups_and_order_despite_deduplication(sqs: Any) -> None:
    queue, dlq = _pipe(sqs, "orders", fifo=True)
    for n in range(4):  # same dedup ids as the original deliveries would have had
        sqs.send_message(
            QueueUrl=dlq,
            MessageBody=f"o{n}",
            MessageGroupId=f"customer-{n % 2}",
            MessageDeduplicationId=f"event-{n}",
        )
        sqs.send_message(
            QueueUrl=queue,
            MessageBody=f"original {n}",
            MessageGroupId="seen",
            MessageDeduplicationId=f"event-{n}",
        )
    sqs.purge_queue(QueueUrl=queue)
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, queue))
    assert _wait(sqs, _arn(sqs, dlq))["ApproximateNumberOfMessagesMoved"] == 4
    messages = sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["MessageGroupId"]
    )["Messages"]
    groups: dict[str, list[str]] = {}
    for message in messages:
        groups.setdefault(message["Attributes"]["MessageGroupId"], []).append(message["Body"])
    assert groups == {"customer-0": ["o0", "o2"], "customer-1": ["o1", "o3"]}


def test_a_second_start_while_running_fails_like_aws_and_cancel_stops_it(sqs: Any) -> None:
    queue, dlq = _pipe(sqs, "slow")
    for n in range(6):
        sqs.send_message(QueueUrl=dlq, MessageBody=f"s{n}")
    source, destination = _arn(sqs, dlq), _arn(sqs, queue)
    rate = 1  # six messages take five seconds at least: the cancel below comes first
    started = time.monotonic()
    handle = sqs.start_message_move_task(
        SourceArn=source, DestinationArn=destination, MaxNumberOfMessagesPerSecond=rate
    )["TaskHandle"]
    with pytest.raises(ClientError) as refused:
        sqs.start_message_move_task(SourceArn=source, DestinationArn=destination)
    assert _error(refused) == (
        "InvalidParameterValue",
        "There is already a task running. Only one active task is allowed for a source "
        "queue arn at a given time.",
    )
    [running] = sqs.list_message_move_tasks(SourceArn=source)["Results"]
    assert running["Status"] == "RUNNING"
    assert running["TaskHandle"] == handle
    assert running["MaxNumberOfMessagesPerSecond"] == rate

    # Wait on the task's own count of messages moved, never above the rate: a slow machine
    # moves fewer in the same time, never more.
    deadline = time.monotonic() + 30
    while True:
        [running] = sqs.list_message_move_tasks(SourceArn=source)["Results"]
        moved_so_far = running["ApproximateNumberOfMessagesMoved"]
        assert moved_so_far <= 1 + rate * (time.monotonic() - started)
        if moved_so_far >= 1:
            break
        assert time.monotonic() < deadline, "the task never moved a message"
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    task = _wait(sqs, source)
    assert task["Status"] == "CANCELLED"
    assert 1 <= task["ApproximateNumberOfMessagesMoved"] < 6
    assert moved <= task["ApproximateNumberOfMessagesMoved"]
    remaining = sqs.get_queue_attributes(
        QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    assert int(remaining) + task["ApproximateNumberOfMessagesMoved"] == 6  # none lost

    with pytest.raises(ClientError) as gone:
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert _error(gone) == ("ResourceNotFoundException", "Task does not exist.")
    # the next redrive is allowed once the first has ended
    sqs.start_message_move_task(SourceArn=source, DestinationArn=destination)
    assert _wait(sqs, source)["Status"] == "COMPLETED"


def test_the_rate_is_honoured(sqs: Any) -> None:
    queue, dlq = _pipe(sqs, "rated")
    for n in range(6):
        sqs.send_message(QueueUrl=dlq, MessageBody=f"r{n}")
    started = time.monotonic()
    sqs.start_message_move_task(
        SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, queue), MaxNumberOfMessagesPerSecond=10
    )
    assert _wait(sqs, _arn(sqs, dlq))["ApproximateNumberOfMessagesMoved"] == 6
    assert time.monotonic() - started >= 0.5  # 6 messages at 10/s take about 0.6 s


def test_validation_errors_match_aws(sqs: Any) -> None:
    queue, dlq = _pipe(sqs, "checks")
    region_account = ":".join(_arn(sqs, queue).split(":")[:5])
    with pytest.raises(ClientError) as not_dlq:
        sqs.start_message_move_task(SourceArn=_arn(sqs, queue))
    assert _error(not_dlq) == (
        "InvalidParameterValue",
        "Source queue must be configured as a Dead Letter Queue.",
    )
    with pytest.raises(ClientError) as no_destination:
        sqs.start_message_move_task(
            SourceArn=_arn(sqs, dlq), DestinationArn=f"{region_account}:missing"
        )
    assert _error(no_destination) == (
        "ResourceNotFoundException",
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
    )
    with pytest.raises(ClientError) as no_source:
        sqs.list_message_move_tasks(SourceArn=f"{region_account}:missing")
    assert _error(no_source)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as bad_handle:
        sqs.cancel_message_move_task(TaskHandle="not-a-handle")
    assert _error(bad_handle) == (
        "InvalidParameterValue",
        "Value for parameter TaskHandle is invalid.",
    )
    assert sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"] == []


def test_mock_aws_in_the_same_process_keeps_stock_moto(emulator: Emulator) -> None:
    """The shim is on for the embedded server only: a test of code against mock_aws
    must not depend on whether an engine ran earlier in the process."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        dlq = sqs.create_queue(QueueName="plain-dlq")["QueueUrl"]
        with pytest.raises(NotImplementedError):
            sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))
