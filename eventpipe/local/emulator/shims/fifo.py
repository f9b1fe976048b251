"""FIFO queues as on AWS: groups resume with their oldest message; sequence numbers grow.

moto keeps a received message "pending" (blocking its group) until a receive finds it
visible again, and then releases the group's pending messages one at a time while it
walks the queue; when several messages of a group come back together (a failed batch, or
a visibility timeout), it skips the earlier ones and delivers a later one first: out of
order. The shim releases every visible message before a receive starts, and counts a
message visible from its exact visibility time (moto: one millisecond later), so a group
resumes with its oldest message, as on AWS: within a message group, messages are received
in the order they were sent, and a group's next message is not returned while an earlier
one is in flight (SQS developer guide, "FIFO queue delivery logic":
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html).

Sequence numbers: moto draws a FIFO message's ``SequenceNumber`` at random (and gives none
when the queue deduplicates by content). On AWS every FIFO message gets one, and
"SequenceNumber continues to increase for a particular MessageGroupId" (SQS API
reference, ``SendMessage``:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
Batches by group: moto fills a FIFO receive in queue order, mixing groups, so one
receive of 10 from a queue with 10 busy groups blocks all 10 groups behind one batch. On
AWS, "When you specify a MaxNumberOfMessages parameter in the ReceiveMessage API call,
SQS returns as many messages with the same message group ID as possible. The
ReceiveMessage API call can also return messages from other available message groups"
(AWS Knowledge Center, "Why doesn't my Amazon SQS FIFO queue return all messages or
messages in other message groups?",
https://repost.aws/knowledge-center/sqs-fifo-messages-not-returned). The shim offers a
FIFO queue's visible messages to moto's receive grouped (groups by their oldest message,
each group in send order), so a receive fills up from one group first.

The shim stamps each new FIFO message with a number that grows across the process (so
within every group too), 20 digits as moto writes them; a send SQS deduplicates keeps the
first message's number.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from eventpipe.local.emulator.shims.scope import install

_SEQUENCE = itertools.count(10**19)
_SEQUENCE_LOCK = threading.Lock()


def fifo_release() -> None:
    """Release visible pending messages before each receive; visible at the exact time."""
    from moto.sqs import models as sqs_models

    original = sqs_models.SQSBackend.receive_message

    def receive_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        queue = self.get_queue(queue_name)
        # A copy first: another request's thread may change the set during the walk.
        for message in [m for m in list(queue.pending_messages) if m.visible]:
            queue.pending_messages.discard(message)
        return original(self, queue_name, *args, **kwargs)

    def visible(message: Any) -> bool:  # read for every message a receive scans: kept lean
        return bool(time.time() * 1000.0 >= message.visible_at)

    install(sqs_models.SQSBackend, "receive_message", receive_message)
    install(sqs_models.Message, "visible", visible)


def fifo_sequence_numbers() -> None:
    """Stamp every new FIFO message with a growing SequenceNumber."""
    from moto.sqs import models as sqs_models

    original = sqs_models.SQSBackend.send_message

    def send_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        message = original(self, queue_name, *args, **kwargs)
        if self.get_queue(queue_name).fifo_queue and not getattr(message, "_ep_seq", False):
            with _SEQUENCE_LOCK:
                message.sequence_number = f"{next(_SEQUENCE):020d}"
            setattr(message, "_ep_seq", True)  # noqa: B010
        return message

    install(sqs_models.SQSBackend, "send_message", send_message)


def fifo_group_batches() -> None:
    """Offer a FIFO queue's visible messages group by group (each group in order)."""
    from moto.sqs import models as sqs_models

    original = sqs_models.Queue.messages.fget  # type: ignore[attr-defined]

    def messages(self: Any) -> list[Any]:
        visible: list[Any] = original(self)
        if not self.fifo_queue:
            return visible
        first: dict[Any, int] = {}
        for message in visible:
            first.setdefault(message.group_id, len(first))
        return sorted(visible, key=lambda m: first[m.group_id])  # stable: order kept per group

    install(sqs_models.Queue, "messages", messages)
