"""A queue's messages read in place on the embedded moto server, without receiving them.

Two parts of the engine need what a queue holds without taking it: the DLQ watcher (which
events reached a consumer's DLQ, with the reason each copy carries) and the alarm
evaluator (``ApproximateAgeOfOldestMessage``, which SQS publishes to CloudWatch only:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).

SQS has no API for that. ReceiveMessage hides what it returns for the visibility timeout
and counts a receive ("ReceiveMessage",
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html):
it would take messages from under an operator's ``eventpipe dlq`` and bring each closer to
its ``maxReceiveCount``. GetQueueAttributes only counts. moto publishes no SQS metrics to
its CloudWatch and has no public accessor of a queue's messages (its ``Queue.messages``
lists the visible ones only). So :func:`stored_messages` is the one place the engine reads
moto's private list of a queue's messages; against any other emulator it answers None and
the callers fall back to counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventpipe.local.emulator.server import Emulator


@dataclass(frozen=True)
class StoredMessage:
    """One message a queue holds (visible, in flight or delayed)."""

    message_id: str
    body: str
    message_attributes: dict[str, Any]
    """As moto keeps them: name -> ``{"data_type", "string_value"...}``."""
    sent_at: float
    """When it was sent, in seconds since the epoch (0 when unknown)."""


def stored_messages(
    emulator: Emulator, account: str, queue_name: str
) -> list[StoredMessage] | None:
    """Every message ``queue_name`` holds now, oldest first; None when the emulator is not
    the embedded one, [] when the queue does not exist (any more)."""
    if not emulator.embedded:
        return None
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[account][emulator.region].queues.get(queue_name)
    if queue is None:
        return []
    return [
        StoredMessage(
            message_id=str(message.id),
            body=str(message.body),
            message_attributes=dict(message.message_attributes or {}),
            sent_at=int(message.sent_timestamp or 0) / 1000,
        )
        for message in list(queue._messages)  # the one private read: see the module docstring
    ]
