"""FIFO groups after a retry: a group resumes with its oldest message, as on AWS.

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
"""

from __future__ import annotations

from typing import Any


def fifo_release() -> None:
    """Release visible pending messages before each receive; visible at the exact time."""
    from moto.sqs import models as sqs_models

    original = sqs_models.SQSBackend.receive_message

    def receive_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        queue = self.get_queue(queue_name)
        for message in [m for m in queue.pending_messages if m.visible]:
            queue.pending_messages.discard(message)
        return original(self, queue_name, *args, **kwargs)

    def visible(message: Any) -> bool:
        return bool(sqs_models.unix_time_millis() >= message.visible_at)

    sqs_models.SQSBackend.receive_message = receive_message  # type: ignore[method-assign]
    setattr(sqs_models.Message, "visible", property(visible))  # noqa: B010
