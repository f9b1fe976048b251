"""Receiving a batch from SQS the way Lambda's event source mapping and Pipes both do.

Both pollers of the local engine (``functions/pollers.py`` for event source mappings,
``pipes/runner.py`` for EventBridge Pipes) receive with every attribute and, with a
batching window, keep receiving until the batch is full or the window has passed
(Lambda: "Batching behavior", https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching;
Pipes: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html).
One module, so the two cannot drift apart. :func:`return_failed` gives an event source
mapping's batch that failed as a whole back to its queue after the time-scaled
visibility timeout.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from typing import Any

SQS_MAX_RECEIVE = 10
"""ReceiveMessage returns at most 10 messages a call (SQS API reference)."""


def receive(sqs: Any, url: str, count: int, wait: int) -> list[dict[str, Any]]:
    """One ReceiveMessage of up to ``count`` (1-10) messages, every attribute included."""
    response = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=max(1, min(SQS_MAX_RECEIVE, count)),
        WaitTimeSeconds=wait,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
    )
    return list(response.get("Messages", []))


def each_ten(
    sqs: Any,
    action: str,
    url: str,
    messages: list[dict[str, Any]],
    extra: dict[str, Any] | None = None,
) -> None:
    """One ``*_batch`` call (``delete_message_batch``, ``change_message_visibility_batch``)
    per ten received messages: the batch APIs take at most ten entries (SQS API reference,
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html)."""
    call = getattr(sqs, action)
    for start in range(0, len(messages), SQS_MAX_RECEIVE):
        entries = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], **(extra or {})}
            for i, m in enumerate(messages[start : start + SQS_MAX_RECEIVE])
        ]
        call(QueueUrl=url, Entries=entries)


def fill_window(
    sqs: Any,
    url: str,
    batch: list[dict[str, Any]],
    size: int,
    window: float,
    stop: threading.Event,
) -> list[dict[str, Any]]:
    """``batch`` topped up with short polls until it holds ``size`` messages, ``window``
    seconds have passed, or ``stop`` is set. An empty batch or no window: as it is."""
    if not batch or window <= 0:
        return batch
    deadline = time.monotonic() + window
    while len(batch) < size and time.monotonic() < deadline and not stop.is_set():
        more = receive(sqs, url, size - len(batch), 0)
        if not more:
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        batch += more
    return batch


def return_failed(
    sqs: Any, url: str, batch: list[dict[str, Any]], left: float, visibility: int
) -> None:
    """Make a batch that failed as a whole (a crash, a timeout, an error) visible again
    once ``left`` seconds have passed: what remains of the time-scaled visibility
    timeout since its receive. Nothing is done when the queue's own timeout in the
    emulator (``visibility``) is no longer (no time scale).

    On AWS, "if Lambda encounters an error at any point while processing a batch, all
    messages in that batch return to the queue. After the visibility timeout, the
    messages become visible to Lambda again"
    (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). Locally
    the queue's timeout is kept at least the function timeout while the batch runs (a
    message must not reappear under a running batch), so without this a crashed attempt
    would wait that long, not the scaled timeout ``dev --time-scale`` announces.
    ChangeMessageVisibility counts the new timeout "from the time that you make the
    call" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html).
    A call that fails leaves the batch to the queue's own timeout: later, never lost.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    seconds = max(0, math.ceil(left))
    if seconds >= visibility:
        return
    for start in range(0, len(batch), SQS_MAX_RECEIVE):
        entries = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": seconds}
            for i, m in enumerate(batch[start : start + SQS_MAX_RECEIVE])
        ]
        with contextlib.suppress(BotoCoreError, ClientError):
            sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)
