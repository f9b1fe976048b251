"""Dead-letter queue work: look at failed messages, move them back, or drop them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from eventpipe.contract import (
    DLQ_ATTR_CONSUMER,
    DLQ_ATTR_ERROR_MESSAGE,
    DLQ_ATTR_ERROR_TYPE,
    DLQ_ATTR_FAILED_AT,
    DLQ_ATTR_MESSAGE_ID,
    DLQ_ATTR_RECEIVE_COUNT,
)
from eventpipe.operate.aws import error_code, is_unimplemented
from eventpipe.operate.exceptions import (
    NotSupportedError,
    OperationFailedError,
    RedriveRunningError,
)
from eventpipe.operate.stack_outputs import ConsumerOutputs, StackTarget

POLL_SECONDS = 2.0
"""Pause between ListMessageMoveTasks polls (module-level so tests can shorten it)."""

PEEK_HIDE_SECONDS = 30
"""How long peeked messages stay hidden while more are fetched: long enough for a page
loop, short enough that a crash mid-peek delays redrives only briefly."""

REASON_ATTRIBUTES = {
    "error_type": DLQ_ATTR_ERROR_TYPE,
    "error_message": DLQ_ATTR_ERROR_MESSAGE,
    "consumer": DLQ_ATTR_CONSUMER,
    "receive_count": DLQ_ATTR_RECEIVE_COUNT,
    "failed_at": DLQ_ATTR_FAILED_AT,
    "original_message_id": DLQ_ATTR_MESSAGE_ID,
}


@dataclass(frozen=True)
class PeekedMessage:
    """A DLQ message and why it is there.

    Messages the runtime dead-lettered on purpose (PermanentError, invalid detail) carry
    the ``eventpipe.*`` attributes; messages SQS moved after ``maxReceiveCount`` failed
    receives have none, so ``reason`` says so.
    """

    message_id: str
    body: str
    sent_at: str | None
    receive_count: int | None
    reason: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        if "error_type" in self.reason:
            return f"{self.reason['error_type']}: {self.reason.get('error_message', '')}".strip()
        return "retries exhausted (maxReceiveCount reached; see the function's logs)"

    @property
    def event(self) -> dict[str, Any] | None:
        """The body as JSON, when it is JSON (EventBridge envelopes are)."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"summary": self.summary, "event": self.event}


def _peeked(message: dict[str, Any]) -> PeekedMessage:
    attrs = message.get("MessageAttributes", {})
    reason = {
        key: str(attrs[name].get("StringValue", attrs[name].get("BinaryValue", "")))
        for key, name in REASON_ATTRIBUTES.items()
        if name in attrs
    }
    system = message.get("Attributes", {})
    sent = system.get("SentTimestamp")
    return PeekedMessage(
        message_id=message["MessageId"],
        body=message.get("Body", ""),
        sent_at=(
            datetime.fromtimestamp(int(sent) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if sent
            else None
        ),
        receive_count=int(system["ApproximateReceiveCount"])
        if "ApproximateReceiveCount" in system
        else None,
        reason=reason,
    )


def peek(sqs: Any, consumer: ConsumerOutputs, limit: int = 10) -> list[PeekedMessage]:
    """Up to ``limit`` DLQ messages, left in the queue.

    Received messages are hidden while the next page is fetched (so no message is shown
    twice), then all made visible again at once with visibility timeout 0. Nothing is
    deleted; the only trace is a higher ApproximateReceiveCount on the DLQ, which has no
    redrive policy of its own.
    """
    seen: dict[str, dict[str, Any]] = {}
    try:
        while len(seen) < limit:
            response = sqs.receive_message(
                QueueUrl=consumer.dlq_url,
                MaxNumberOfMessages=min(10, limit - len(seen)),
                VisibilityTimeout=PEEK_HIDE_SECONDS,
                WaitTimeSeconds=0,
                MessageAttributeNames=["All"],
                AttributeNames=["All"],
            )
            page = response.get("Messages", [])
            new = [m for m in page if m["MessageId"] not in seen]
            if not new:
                break
            for message in new:
                seen[message["MessageId"]] = message
    finally:
        _release(sqs, consumer.dlq_url, list(seen.values()))
    return [_peeked(m) for m in seen.values()]


def _release(sqs: Any, url: str, messages: list[dict[str, Any]]) -> None:
    """Make received messages visible again now (visibility timeout 0)."""
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(chunk)
            ],
        )


def depth(sqs: Any, url: str) -> int:
    """Visible plus in-flight messages of a queue."""
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs.get("ApproximateNumberOfMessages", 0)) + int(
        attrs.get("ApproximateNumberOfMessagesNotVisible", 0)
    )


def purge(sqs: Any, consumer: ConsumerOutputs) -> int:
    """Delete every message of the DLQ; returns how many there were (approximately).
    SQS allows one purge per queue per 60 seconds."""
    count = depth(sqs, consumer.dlq_url)
    sqs.purge_queue(QueueUrl=consumer.dlq_url)
    return count


@dataclass(frozen=True)
class MoveProgress:
    """One poll of a message move task."""

    status: str
    moved: int
    to_move: int | None
    failure: str | None = None


def running_task(sqs: Any, consumer: ConsumerOutputs, target: StackTarget) -> dict[str, Any] | None:
    """The RUNNING message move task from this DLQ, if any."""
    from botocore.exceptions import ClientError

    try:
        tasks = sqs.list_message_move_tasks(SourceArn=consumer.dlq_arn, MaxResults=10)
    except NotImplementedError:
        raise _unsupported(target) from None
    except ClientError as exc:
        if is_unimplemented(exc, target):
            raise _unsupported(target) from None
        raise
    for task in tasks.get("Results", []):
        if task.get("Status") == "RUNNING":
            return dict(task)
    return None


def _unsupported(target: StackTarget) -> NotSupportedError:
    return NotSupportedError(
        f"{target.endpoint_url or 'the endpoint'} does not implement SQS message move tasks "
        "(StartMessageMoveTask / ListMessageMoveTasks); moto does not emulate them. Redrive "
        "against AWS, or inspect the messages with `eventpipe dlq peek`"
    )


def start_redrive(
    sqs: Any, consumer: ConsumerOutputs, target: StackTarget, rate: int | None = None
) -> str:
    """Start moving the DLQ's messages back to the consumer's queue; returns the task
    handle. Refuses when a move task is already running from this DLQ (SQS allows one)."""
    from botocore.exceptions import ClientError

    running = running_task(sqs, consumer, target)
    if running is not None:
        moved = running.get("ApproximateNumberOfMessagesMoved", 0)
        raise RedriveRunningError(
            f"a redrive from {consumer.name}'s DLQ is already running ({moved} message(s) "
            "moved so far). Wait for it to finish, or cancel it with `aws sqs "
            f"cancel-message-move-task --task-handle {running.get('TaskHandle')}`"
        )
    params: dict[str, Any] = {"SourceArn": consumer.dlq_arn, "DestinationArn": consumer.queue_arn}
    if rate is not None:
        params["MaxNumberOfMessagesPerSecond"] = rate
    try:
        return str(sqs.start_message_move_task(**params)["TaskHandle"])
    except NotImplementedError:
        raise _unsupported(target) from None
    except ClientError as exc:
        if is_unimplemented(exc, target):
            raise _unsupported(target) from None
        # SQS answers a second start with InvalidParameterValue ("There is already a
        # task running..."); only the message tells it apart from other bad parameters.
        already = "already a task running" in str(exc).lower()
        if error_code(exc) in ("ResourceInUse", "ResourceInUseException") or already:
            raise RedriveRunningError(
                f"SQS refused: a redrive from {consumer.name}'s DLQ is already running; "
                "wait for it to finish"
            ) from None
        raise


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def watch_redrive(
    sqs: Any,
    consumer: ConsumerOutputs,
    handle: str,
    *,
    interval: float | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Iterator[MoveProgress]:
    """Poll the task until it leaves RUNNING; yields each observation. Raises
    :class:`OperationFailedError` when it ends FAILED."""
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=consumer.dlq_arn, MaxResults=10)
        task = next((t for t in tasks.get("Results", []) if t.get("TaskHandle") == handle), None)
        if task is None:  # listed tasks can lag a fresh start; SQS keeps the last 10
            task = next(iter(tasks.get("Results", [])), {"Status": "RUNNING"})
        progress = MoveProgress(
            status=str(task.get("Status", "RUNNING")),
            moved=int(task.get("ApproximateNumberOfMessagesMoved", 0)),
            to_move=_int_or_none(task.get("ApproximateNumberOfMessagesToMove")),
            failure=task.get("FailureReason"),
        )
        yield progress
        if progress.status == "FAILED":
            raise OperationFailedError(
                f"redrive of {consumer.name} failed after {progress.moved} message(s): "
                f"{progress.failure or 'no reason given'}"
            )
        if progress.status not in ("RUNNING", "CANCELLING"):
            return
        (sleep or time.sleep)(POLL_SECONDS if interval is None else interval)
