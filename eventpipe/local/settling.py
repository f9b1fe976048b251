"""When the local engine has settled: nothing waits in a queue the engine reads, nothing
is in flight in a poller, a pipe or an asynchronous invocation queue, and no function log
line waits to be sent.

``eventpipe demo`` and the end-to-end tests wait for it before they compare outcomes.
A queue's depth is what SQS reports for it (GetQueueAttributes: visible, in flight and
delayed messages), so a message the engine has not received yet counts too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

DEPTH_ATTRIBUTES = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]


class Busy(Protocol):
    """A poller or pipe runner: how many batches it is handling now."""

    @property
    def in_flight(self) -> int: ...


class Pending(Protocol):
    """An asynchronous invocation queue (how many events wait or run), or the function
    log shipper (how many invocations' lines wait to be sent)."""

    @property
    def pending(self) -> int: ...


def queue_depths(sqs: Any, queues: Sequence[tuple[str, str]]) -> dict[str, int]:
    """(key, queue URL) -> visible + in flight + delayed messages, read in the given order
    (put upstream queues first: a message moved downstream during the reads is seen)."""
    depths = {}
    for key, url in queues:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=DEPTH_ATTRIBUTES)
        depths[key] = sum(int(v) for v in attributes["Attributes"].values())
    return depths


def settled(
    readers: Sequence[Busy], invokers: Sequence[Pending], depths: Callable[[], dict[str, int]]
) -> bool:
    """Nothing in flight, nothing pending, every queue empty (read last)."""
    if any(reader.in_flight for reader in readers):
        return False
    if any(invoker.pending for invoker in invokers):
        return False
    return not any(depths().values())


def wait_until(check: Callable[[], bool], timeout: float, interval: float) -> bool:
    """Wait until ``check()`` holds twice in a row (a batch received between two checks is
    not missed); False after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < deadline:
        calm = calm + 1 if check() else 0
        if calm >= 2:
            return True
        time.sleep(interval)
    return False
