"""Dead-letter queue work: pick the queue, move its messages back, or drop them.

Each consumer has its DLQ; a consumer whose FIFO group is a JSON path also has an intake
DLQ (events the pipe could not deliver to the FIFO queue, and events without the group
field). :func:`dead_letter_queue` picks one as a :class:`DeadLetterQueue`, and every
function here acts on that; :mod:`eventpipe.operate.peek` shows its messages and their
reasons.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from eventpipe.operate.aws import error_code, is_unimplemented
from eventpipe.operate.exceptions import (
    NotSupportedError,
    OperateError,
    OperationFailedError,
    RedriveRunningError,
)
from eventpipe.operate.stack_outputs import ConsumerOutputs, StackTarget

POLL_SECONDS = 2.0
"""Pause between ListMessageMoveTasks polls (module-level so tests can shorten it)."""


@dataclass(frozen=True)
class DeadLetterQueue:
    """One dead-letter queue of a consumer and where its redrive goes."""

    consumer: str
    url: str
    arn: str
    destination_arn: str
    """Where ``redrive`` moves messages: the consumer's queue, or its intake queue."""
    intake: bool = False
    fifo: bool = False

    @property
    def label(self) -> str:
        """How messages name it: "the DLQ of orders" / "the intake DLQ of orders"."""
        return f"the {'intake DLQ' if self.intake else 'DLQ'} of {self.consumer}"

    @property
    def title(self) -> str:
        """:attr:`label` starting a sentence."""
        return "T" + self.label[1:]


def dead_letter_queue(consumer: ConsumerOutputs, *, intake: bool = False) -> DeadLetterQueue:
    """The consumer's DLQ, or with ``intake`` its intake DLQ (pipe consumers only)."""
    if not intake:
        return DeadLetterQueue(
            consumer.name,
            consumer.dlq_url,
            consumer.dlq_arn,
            consumer.queue_arn,
            fifo=consumer.fifo,
        )
    if not (consumer.intake_dlq_url and consumer.intake_dlq_arn and consumer.intake_queue_arn):
        raise OperateError(
            f"{consumer.name} has no intake queue: only a FIFO consumer whose message_group "
            "is a JSON path has one (the rule feeds it, a pipe moves its events into the "
            "FIFO queue); drop --intake"
        )
    # The intake queue is a standard queue (EventBridge Pipes sources it), so is its DLQ.
    return DeadLetterQueue(
        consumer.name,
        consumer.intake_dlq_url,
        consumer.intake_dlq_arn,
        consumer.intake_queue_arn,
        intake=True,
    )


def redirected(queue: DeadLetterQueue, other: ConsumerOutputs) -> DeadLetterQueue:
    """``queue`` redriven into ``other``'s queue instead of its own (``dlq redrive --to``):
    how a retired consumer's dead letters reach the consumer that took over its work.

    SQS moves messages only between queues of one type: "you can also configure any other
    queue as the redrive destination if both queues are the same type. For example, if
    the dead-letter queue is a FIFO queue, the redrive destination queue must be a FIFO
    queue as well"
    (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
    """
    if queue.fifo != other.fifo:
        kinds = {True: "a FIFO queue", False: "a standard queue"}
        raise OperateError(
            f"{queue.label} is {kinds[queue.fifo]} and {other.name}'s queue is "
            f"{kinds[other.fifo]}: SQS redrives only between queues of one type. Redrive "
            f"into a consumer whose queue is {kinds[queue.fifo]}, or peek the messages "
            "(`eventpipe dlq peek`) and send them again with `eventpipe send`"
        )
    return dataclasses.replace(queue, destination_arn=other.queue_arn)


def depth(sqs: Any, url: str) -> int:
    """Visible plus in-flight messages of a queue."""
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs.get("ApproximateNumberOfMessages", 0)) + int(
        attrs.get("ApproximateNumberOfMessagesNotVisible", 0)
    )


def purge(sqs: Any, queue: DeadLetterQueue) -> int:
    """Delete every message of the DLQ; returns how many there were (approximately).
    SQS allows one purge per queue per 60 seconds."""
    count = depth(sqs, queue.url)
    sqs.purge_queue(QueueUrl=queue.url)
    return count


@dataclass(frozen=True)
class MoveProgress:
    """One poll of a message move task."""

    status: str
    moved: int
    to_move: int | None
    failure: str | None = None


def running_task(sqs: Any, queue: DeadLetterQueue, target: StackTarget) -> dict[str, Any] | None:
    """The RUNNING message move task from this DLQ, if any."""
    from botocore.exceptions import ClientError

    try:
        tasks = sqs.list_message_move_tasks(SourceArn=queue.arn, MaxResults=10)
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
    sqs: Any, queue: DeadLetterQueue, target: StackTarget, rate: int | None = None
) -> str:
    """Start moving the DLQ's messages back to the consumer's queue (the intake queue,
    for the intake DLQ); returns the task handle. Refuses when a move task is already
    running from this DLQ (SQS allows one)."""
    from botocore.exceptions import ClientError

    running = running_task(sqs, queue, target)
    if running is not None:
        moved = running.get("ApproximateNumberOfMessagesMoved", 0)
        intake = " --intake" if queue.intake else ""
        raise RedriveRunningError(
            f"a redrive from {queue.label} is already running ({moved} message(s) "
            "moved so far). Wait for it to finish, or cancel it with "
            f"`eventpipe dlq cancel {queue.consumer}{intake}` (or `aws sqs "
            f"cancel-message-move-task --task-handle {running.get('TaskHandle')}`)"
        )
    params: dict[str, Any] = {"SourceArn": queue.arn, "DestinationArn": queue.destination_arn}
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
                f"SQS refused: a redrive from {queue.label} is already running; "
                "wait for it to finish"
            ) from None
        raise


@dataclass(frozen=True)
class CancelResult:
    """What ``dlq cancel`` did."""

    cancelled: bool
    task_handle: str | None = None
    moved: int = 0
    """Messages the task had moved before it stopped (they stay where they went)."""


def cancel_redrive(sqs: Any, queue: DeadLetterQueue, target: StackTarget) -> CancelResult:
    """Cancel the running move task from this DLQ (ListMessageMoveTasks finds it).

    CancelMessageMoveTask stops only a RUNNING task; messages already moved are not
    moved back, the rest stay in the DLQ
    (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CancelMessageMoveTask.html).
    The task then lists as CANCELLING, then CANCELLED. With no task running there is
    nothing to cancel: ``cancelled`` is False.
    """
    from botocore.exceptions import ClientError

    if depth(sqs, queue.url) == 0:
        # Nothing visible and nothing in flight: no task is moving anything (a running
        # task holds the messages it moves in flight), so there is nothing to stop.
        return CancelResult(cancelled=False)
    running = running_task(sqs, queue, target)
    if running is None or not running.get("TaskHandle"):
        return CancelResult(cancelled=False)
    handle = str(running["TaskHandle"])
    try:
        response = sqs.cancel_message_move_task(TaskHandle=handle)
    except NotImplementedError:
        raise _unsupported(target) from None
    except ClientError as exc:
        if is_unimplemented(exc, target):
            raise _unsupported(target) from None
        if error_code(exc) in ("ResourceNotFoundException", "ResourceNotFound"):
            # It ended between our list and our cancel: nothing left to cancel.
            return CancelResult(cancelled=False, task_handle=handle)
        raise
    return CancelResult(
        cancelled=True,
        task_handle=handle,
        moved=int(response.get("ApproximateNumberOfMessagesMoved", 0)),
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def watch_redrive(
    sqs: Any,
    queue: DeadLetterQueue,
    handle: str,
    *,
    interval: float | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Iterator[MoveProgress]:
    """Poll the task until it leaves RUNNING; yields each observation. Raises
    :class:`OperationFailedError` when it ends FAILED."""
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=queue.arn, MaxResults=10)
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
                f"redrive of {queue.label} failed after {progress.moved} message(s): "
                f"{progress.failure or 'no reason given'}"
            )
        if progress.status not in ("RUNNING", "CANCELLING"):
            return
        (sleep or time.sleep)(POLL_SECONDS if interval is None else interval)
