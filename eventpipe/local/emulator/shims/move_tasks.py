"""DLQ redrive: SQS message move tasks on the embedded moto server.

moto does not implement ``StartMessageMoveTask``, ``ListMessageMoveTasks`` and
``CancelMessageMoveTask``, which ``eventpipe dlq redrive`` (and the console's "Start DLQ
redrive") use. The shim adds them to moto's SQS API with AWS's validation and error
codes; a background thread moves the messages (body, message attributes; on FIFO the
group and a fresh deduplication id) at most ``MaxNumberOfMessagesPerSecond`` per second,
and the task goes RUNNING -> COMPLETED. Without ``DestinationArn`` each message goes back
to the queue it was first sent to, which the shim remembers for every message (AWS:
``DeadLetterQueueSourceArn``). Only requests to the embedded server get them
(:mod:`.scope`): ``mock_aws`` in the same process keeps stock moto, so its users' tests
do not depend on an engine having run before. AWS behaviour reproduced: SQS API reference, ``StartMessageMoveTask``
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html),
``ListMessageMoveTasks`` and ``CancelMessageMoveTask``.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from eventpipe.local.emulator.shims.scope import in_embedded_thread, install

MOVE_TASK_HISTORY = 10
"""ListMessageMoveTasks returns at most the 10 most recent tasks of a source queue."""

MOVE_HIDE_SECONDS = 60
"""How long a message being moved stays invisible in the source (a crash mid-move makes
it visible again, never loses it)."""

_ORIGIN = "_eventpipe_origin"
"""Attribute set on every moto message: the ARN of the queue it was first sent to. moto
moves the message object itself to a DLQ, so it still says where it came from."""

RUNNING_ERROR = (
    "There is already a task running. Only one active task is allowed for a source queue "
    "arn at a given time."
)
NOT_A_DLQ_ERROR = "Source queue must be configured as a Dead Letter Queue."

_TASK_LOCK = threading.Lock()
"""Guards status changes: a start racing a start, a cancel racing the task's end."""


def _sqs_error(code: str, message: str) -> Exception:
    from moto.sqs.exceptions import SQSException

    return SQSException(code, message)


def _not_found(parameter: str) -> Exception:
    return _sqs_error(
        "ResourceNotFoundException",
        f"The resource that you specified for the {parameter} parameter doesn't exist.",
    )


def _queue_of(arn: str | None, parameter: str) -> Any:
    """The moto queue behind ``arn`` (``arn:aws:sqs:region:account:name``)."""
    from moto.sqs.models import sqs_backends

    parts = str(arn or "").split(":")
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "sqs"]:
        raise _sqs_error("InvalidParameterValue", f"Value for parameter {parameter} is invalid.")
    _, _, _, region, account, name = parts
    queue = sqs_backends[account][region].queues.get(name)
    if queue is None:
        raise _not_found(parameter)
    return queue


def _backend_of(queue: Any) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[queue.account_id][queue.region]


def _tasks_of(queue: Any) -> list[MoveTask]:
    """The source queue's tasks, newest first; kept on the queue, so a moto reset or a
    deleted queue drops them with it."""
    tasks: list[MoveTask] | None = getattr(queue, "_eventpipe_move_tasks", None)
    if tasks is None:
        tasks = []
        queue._eventpipe_move_tasks = tasks
    return tasks


def _encode_handle(task_id: str, source_arn: str) -> str:
    raw = json.dumps({"taskId": task_id, "sourceArn": source_arn}).encode()
    return base64.b64encode(raw).decode()


def _decode_handle(handle: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.b64decode(handle.encode(), validate=True))
        return str(data["taskId"]), str(data["sourceArn"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise _sqs_error(
            "InvalidParameterValue", "Value for parameter TaskHandle is invalid."
        ) from None


@dataclass
class MoveTask:
    """One message move task: what ListMessageMoveTasks reports, and its mover thread."""

    task_id: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    to_move: int
    started: int = field(default_factory=lambda: int(time.time() * 1000))
    moved: int = 0
    status: str = "RUNNING"
    failure: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def handle(self) -> str:
        return _encode_handle(self.task_id, self.source_arn)

    def entry(self) -> dict[str, Any]:
        """As AWS lists it: the handle only while RUNNING, destination and rate only when
        the start request gave them, the failure reason only when FAILED."""
        entry: dict[str, Any] = {
            "Status": self.status,
            "SourceArn": self.source_arn,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": self.started,
        }
        if self.status == "RUNNING":
            entry["TaskHandle"] = self.handle
        if self.destination_arn:
            entry["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            entry["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.failure:
            entry["FailureReason"] = self.failure
        return entry


def start_move_task(
    source_arn: str | None, destination_arn: str | None = None, rate: Any = None
) -> MoveTask:
    """Validate like AWS, then move the source's messages in a background thread."""
    source = _queue_of(source_arn, "SourceArn")
    backend = _backend_of(source)
    if not any(q.dead_letter_queue is source for q in backend.queues.values()):
        raise _sqs_error("InvalidParameterValue", NOT_A_DLQ_ERROR)
    if destination_arn:
        _queue_of(destination_arn, "DestinationArn")
    if rate is not None and not 1 <= int(rate) <= 500:
        raise _sqs_error(
            "InvalidParameterValue",
            f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. "
            "Reason: must be between 1 and 500.",
        )
    with _TASK_LOCK:
        tasks = _tasks_of(source)
        if any(t.status in ("RUNNING", "CANCELLING") for t in tasks):
            raise _sqs_error("InvalidParameterValue", RUNNING_ERROR)
        task = MoveTask(
            task_id=str(uuid.uuid4()),
            source_arn=source.queue_arn,
            destination_arn=destination_arn or None,
            rate=None if rate is None else int(rate),
            to_move=len(source.messages),
        )
        tasks.insert(0, task)
        del tasks[MOVE_TASK_HISTORY:]
    # The mover works for the embedded server: it carries the request's mark, so the
    # receives and sends it makes are shimmed like the server's own (FIFO order, origin).
    in_embedded_thread(_run_move, task, source, name=f"sqs-move-{source.name}")
    return task


def list_move_tasks(source_arn: str | None, max_results: Any = None) -> list[dict[str, Any]]:
    limit = 1 if max_results is None else int(max_results)
    if not 1 <= limit <= MOVE_TASK_HISTORY:
        raise _sqs_error(
            "InvalidParameterValue",
            f"Value {limit} for parameter MaxResults is invalid. Reason: must be between 1 "
            f"and {MOVE_TASK_HISTORY}.",
        )
    source = _queue_of(source_arn, "SourceArn")
    return [task.entry() for task in _tasks_of(source)[:limit]]


def cancel_move_task(handle: str | None) -> MoveTask:
    task_id, source_arn = _decode_handle(str(handle or ""))
    source = _queue_of(source_arn, "SourceArn")
    with _TASK_LOCK:
        task = next((t for t in _tasks_of(source) if t.task_id == task_id), None)
        if task is None or task.status != "RUNNING":
            raise _sqs_error("ResourceNotFoundException", "Task does not exist.")
        task.status = "CANCELLING"
        task.cancel.set()
    return task


def _run_move(task: MoveTask, source: Any) -> None:
    """Receive from the source, send to the destination, delete from the source, until
    ``to_move`` messages moved, the source is empty, or the task is cancelled."""
    from moto.sqs.exceptions import QueueDoesNotExist

    backend = _backend_of(source)
    began = time.monotonic()
    try:
        while task.moved < task.to_move and not task.cancel.is_set():
            want = min(10, task.to_move - task.moved, task.rate or 10)
            batch = backend.receive_message(source.name, want, 0, MOVE_HIDE_SECONDS, ["All"])
            if not batch:
                break
            for index, message in enumerate(batch):
                if task.cancel.is_set() or not _move_one(task, backend, source, message):
                    _release(backend, source, batch[index:])
                    break
                task.moved += 1
                if task.rate:  # at most `rate` per second, on average since the start
                    task.cancel.wait(max(0.0, began + task.moved / task.rate - time.monotonic()))
            if task.failure:
                break
    except QueueDoesNotExist:
        task.failure = "AWS.SimpleQueueService.NonExistentQueue"
    except Exception as exc:  # never leave a task RUNNING forever: report why it stopped
        task.failure = f"{type(exc).__name__}: {exc}"
    with _TASK_LOCK:
        if task.failure:
            task.status = "FAILED"
        elif task.cancel.is_set():
            task.status = "CANCELLED"
        else:
            task.status = "COMPLETED"


def _move_one(task: MoveTask, backend: Any, source: Any, message: Any) -> bool:
    """Send one received message on; False (and ``task.failure``) when it cannot be."""
    origin = getattr(message, _ORIGIN, None)
    target_arn = task.destination_arn or (origin if origin != source.queue_arn else None)
    if target_arn is None:  # sent straight to the DLQ: no source queue to return to
        task.failure = "CouldNotDetermineMessageSource"
        return False
    parts = target_arn.split(":")
    target = backend.queues.get(parts[-1]) if len(parts) == 6 else None
    if target is None:
        task.failure = "AWS.SimpleQueueService.NonExistentQueue"
        return False
    fifo = bool(target.fifo_queue)
    backend.send_message(
        target.name,
        message.body,
        message_attributes=message.message_attributes or None,
        group_id=(message.group_id or "redrive") if fifo else None,
        # A fresh id: the original is still in the deduplication window of the
        # destination when the message failed quickly, and would be dropped.
        deduplication_id=str(uuid.uuid4()) if fifo else None,
    )
    backend.delete_message(source.name, message.receipt_handle)
    return True


def _release(backend: Any, source: Any, messages: list[Any]) -> None:
    """Make messages received but not moved visible again at once."""
    for message in messages:
        try:
            backend.change_message_visibility(source.name, message.receipt_handle, 0)
        except Exception:  # already gone (purged, deleted): nothing to release
            continue


def message_origin() -> None:
    """Remember on every moto message the ARN of the queue it was first sent to."""
    from moto.sqs import models as sqs_models

    original = sqs_models.SQSBackend.send_message

    def send_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        message = original(self, queue_name, *args, **kwargs)
        setattr(message, _ORIGIN, self.get_queue(queue_name).queue_arn)
        return message

    install(sqs_models.SQSBackend, "send_message", send_message)


def move_task_api() -> None:
    """Add the three move-task actions to the embedded server's SQS API; anywhere else
    they stay what moto 5.2 makes of them: not implemented."""
    from moto.core.responses import ActionResult
    from moto.sqs.responses import SQSResponse

    def start_message_move_task(self: Any) -> Any:
        task = start_move_task(
            self._get_param("SourceArn"),
            self._get_param("DestinationArn"),
            self._get_param("MaxNumberOfMessagesPerSecond"),
        )
        return ActionResult({"TaskHandle": task.handle})

    def list_message_move_tasks(self: Any) -> Any:
        results = list_move_tasks(self._get_param("SourceArn"), self._get_param("MaxResults"))
        return ActionResult({"Results": results})

    def cancel_message_move_task(self: Any) -> Any:
        task = cancel_move_task(self._get_param("TaskHandle"))
        return ActionResult({"ApproximateNumberOfMessagesMoved": task.moved})

    for method in (start_message_move_task, list_message_move_tasks, cancel_message_move_task):
        install(SQSResponse, method.__name__, method, otherwise=_not_implemented(method.__name__))


def _not_implemented(action: str) -> Any:
    """What moto answers for an action it lacks (its ``call_action``)."""

    def not_implemented(self: Any) -> Any:
        raise NotImplementedError(f"The {action} action has not been implemented")

    return not_implemented
