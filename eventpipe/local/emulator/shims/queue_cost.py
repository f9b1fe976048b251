"""Queue cost: keep moto's SQS cost per message flat as a queue grows.

moto computes *every* attribute of a queue (message counts included, a scan of the
queue) for each message sent and received, and reads the clock through datetime
conversions for each message scanned: 12 messages/s with 2,000 queued. The shim reads the
retention period directly and gives moto's SQS a plain clock; the behaviour is the same,
the cost per message stays flat. It changes no behaviour an API caller can see; on AWS the
cost of a send or receive does not depend on queue depth (SQS quotas: no per-queue limit on
stored messages, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
"""

from __future__ import annotations

import time
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
    install(sqs_models, "unix_time_millis", unix_time_millis)
    install(sqs_models.SQSBackend, "is_message_valid_based_on_retention_period", retained)
