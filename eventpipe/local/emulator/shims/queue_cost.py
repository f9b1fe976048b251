"""Queue cost: keep moto's SQS cost per message flat as a queue grows.

moto computes *every* attribute of a queue (message counts included, a scan of the
queue) for each message sent and received, and reads the clock through datetime
conversions for each message scanned: 12 messages/s with 2,000 queued. The shim reads the
retention period directly and gives moto's SQS a plain clock; the behaviour is the same,
the cost per message stays flat.

The attributes moto builds for a send (it reads ``ContentBasedDeduplication`` from them)
hold the three message counts, each a scan of the queue through every message's
visibility: three scans per message sent. The shim counts all three in one scan when the
attributes are read (GetQueueAttributes), and not at all for a send, which reads none of
them. It changes no behaviour an API caller can see; on AWS the
cost of a send or receive does not depend on queue depth (SQS quotas: no per-queue limit on
stored messages, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

from eventpipe.local.emulator.shims.scope import install


def flat_queue_cost() -> None:
    """Give moto's SQS a plain clock and a direct retention-period check."""
    from moto.sqs import models as sqs_models

    original_unix_time = sqs_models.unix_time

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else original_unix_time(dt)

    def unix_time_millis(dt: Any = None) -> float:
        return time.time() * 1000.0 if dt is None else original_unix_time(dt) * 1000.0

    def retained(self: Any, queue_name: str, message: Any) -> bool:
        period = int(self.get_queue(queue_name).message_retention_period)
        return bool(period + message.sent_timestamp / 1000 > time.time())

    install(sqs_models, "unix_time", unix_time)
    _counted_once(sqs_models)
    install(sqs_models, "unix_time_millis", unix_time_millis)
    install(sqs_models.SQSBackend, "is_message_valid_based_on_retention_period", retained)


_COUNTS: ContextVar[dict[str, int] | None] = ContextVar("eventpipe_queue_counts", default=None)
"""The counts of the queue whose attributes are being built (one scan for all three)."""
_NOT_COUNTED = {"visible": 0, "not_visible": 0, "delayed": 0}
"""What a send's attributes hold for the counts: the send reads none of them."""


def _counted_once(sqs_models: Any) -> None:
    """moto's queue attributes with the three counts from one scan; a send counts none."""
    queue_class = sqs_models.Queue
    build = queue_class.attributes.fget
    send = sqs_models.SQSBackend.send_message

    def scan(queue: Any) -> dict[str, int]:
        now = time.time() * 1000.0
        counts = {"visible": 0, "not_visible": 0, "delayed": 0}
        for message in list(queue._messages):
            delayed = now < message.delayed_until  # moto's Message.delayed
            counts["delayed"] += delayed
            if now >= message.visible_at:  # visible from its visibility time (fifo shim)
                counts["visible"] += not delayed
            else:
                counts["not_visible"] += 1
        return counts

    def attributes(queue: Any) -> Any:
        if _COUNTS.get() is not None:
            return build(queue)
        token = _COUNTS.set(scan(queue))
        try:
            return build(queue)
        finally:
            _COUNTS.reset(token)

    def count(name: str, moto_count: Any) -> Any:
        def read(queue: Any) -> int:
            counts = _COUNTS.get()
            return moto_count(queue) if counts is None else counts[name]

        read.__qualname__ = f"count_{name}"
        return read

    def send_message(self: Any, *args: Any, **kwargs: Any) -> Any:
        token = _COUNTS.set(_NOT_COUNTED)
        try:
            return send(self, *args, **kwargs)
        finally:
            _COUNTS.reset(token)

    install(queue_class, "attributes", attributes)
    for name, attribute in (
        ("visible", "approximate_number_of_messages"),
        ("not_visible", "approximate_number_of_messages_not_visible"),
        ("delayed", "approximate_number_of_messages_delayed"),
    ):
        install(queue_class, attribute, count(name, getattr(queue_class, attribute).fget))
    install(sqs_models.SQSBackend, "send_message", send_message)
