"""Where a copy ended, from what the stack holds: the DLQs and the dead-letter archive.

A DLQ is peeked (:func:`eventpipe.operate.peek.peek`: received, then made visible again
at once, nothing deleted); a message belongs to the event when its body is the event (an
EventBridge envelope whose ``id``, or an SNS notification whose ``MessageId``, is the
event id; or the intake rule's reason wrapper around it) or when its
``eventpipe.message_id`` attribute names one of the event's SQS message ids. The archive
holds ``<consumer>/<YYYY-MM-DD>/<DLQ message id>.json``
(:mod:`eventpipe.operate.archive`), so a DLQ copy the archiver moved is found by its id.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from eventpipe.operate import archive
from eventpipe.operate.dlq import dead_letter_queue
from eventpipe.operate.peek import PeekedMessage, peek
from eventpipe.stack_output import ConsumerOutputs, StackOutputs


@dataclass(frozen=True)
class DeadLetter:
    """A DLQ message (or archived dead letter) of the event."""

    message: PeekedMessage
    intake: bool
    archive_key: str | None = None


def event_id_in(body: str) -> str | None:
    """The event id a DLQ body names: an EventBridge envelope's ``id``, an SNS
    notification's ``MessageId``, or the event inside the intake rule's wrapper."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("eventpipe"), dict) and isinstance(data.get("event"), dict):
        data = data["event"]
    if data.get("Type") == "Notification" and data.get("MessageId"):
        return str(data["MessageId"])
    value = data.get("id")
    return str(value) if value else None


def belongs(message: PeekedMessage, event_id: str, message_ids: Collection[str]) -> bool:
    if message.message_id == event_id:
        return True
    if message.reason.get("original_message_id") in message_ids or (
        message.reason.get("original_message_id") == event_id
    ):
        return True
    return event_id_in(message.body) == event_id


def find_in_dlqs(
    sqs: Any,
    consumer: ConsumerOutputs[str],
    event_id: str,
    message_ids: Collection[str],
    scan: int,
) -> list[DeadLetter]:
    """The event's messages in the consumer's DLQ (and intake DLQ), up to ``scan`` read."""
    if scan <= 0:
        return []
    found = []
    queues = [dead_letter_queue(consumer)]
    if consumer.intake_dlq_url:
        queues.append(dead_letter_queue(consumer, intake=True))
    for queue in queues:
        for message in peek(sqs, queue, limit=scan).messages:
            if belongs(message, event_id, message_ids):
                found.append(DeadLetter(message, queue.intake))
    return found


def find_archived(
    s3: Any,
    outputs: StackOutputs[str],
    consumer: str,
    event_id: str,
    dlq_message_ids: Collection[str],
    scan: int,
) -> list[DeadLetter]:
    """The event's archived dead letters: by DLQ message id in the key, else by reading
    up to ``scan`` objects of the consumer's prefix."""
    if not (outputs.dead_letter_archive and outputs.dead_letter_archive.bucket_name) or scan <= 0:
        return []
    bucket = archive.archive_bucket(outputs)
    found = []
    keys = archive.archived_keys(s3, bucket, consumer)
    named = [k for k in keys if k.rsplit("/", 1)[-1].removesuffix(".json") in dlq_message_ids]
    for key in named or keys[:scan]:
        stored = archive.read(s3, bucket, key)
        peeked = stored.peeked
        if key in named or belongs(peeked, event_id, ()):
            found.append(DeadLetter(peeked, False, key))
    return found
