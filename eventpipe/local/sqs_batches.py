"""Receiving a batch from SQS the way Lambda's event source mapping and Pipes both do.

Both pollers of the local engine (``functions/pollers.py`` for event source mappings,
``pipes/runner.py`` for EventBridge Pipes) receive with every attribute and, with a
batching window, keep receiving until the batch is full or the window has passed
(Lambda: "Batching behavior", https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching;
Pipes: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html).
One module, so the two cannot drift apart.
"""

from __future__ import annotations

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
