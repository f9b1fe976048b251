"""Discarding a retired consumer's queues: the one explicit act that loses its messages.

Pulumi never deletes a retired consumer's queues (``components/retention.py``); the
operator does, here, after being told how many messages go with them. SQS counts are
approximate ("ApproximateNumberOfMessages ... the approximate number of messages available
for retrieval", GetQueueAttributes,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html),
so the count is read just before each queue is deleted, and reported as such. "When you
delete a queue, any messages in the queue are no longer available"
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventpipe.operate.exceptions import OperateError
from eventpipe.stack_output import StackOutputs

COUNTED = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


@dataclass
class Discarded:
    """What discarding one retired consumer removed: messages per queue role."""

    consumer: str
    messages: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.messages.values())


def held(sqs: Any, url: str) -> int:
    """Messages a queue holds: visible, in flight and delayed."""
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(COUNTED))["Attributes"]
    return sum(int(attrs.get(name, 0)) for name in COUNTED)


def retired_queues(outputs: StackOutputs, name: str) -> dict[str, str]:
    """The retired consumer's queue URLs by role; an unknown name lists the retired ones."""
    entry = outputs.retired.get(name)
    if entry is None:
        known = ", ".join(sorted(outputs.retired)) or "none"
        raise OperateError(
            f"{name!r} is no retired consumer of stack {outputs.stack} (retired: {known}); "
            "a deployed consumer's messages are purged with `eventpipe dlq purge`"
        )
    return {role: str(url) for role, url in entry.urls.items()}


def count(sqs: Any, outputs: StackOutputs, name: str) -> Discarded:
    """How many messages discarding ``name`` would lose, per queue."""
    found = Discarded(name)
    for role, url in retired_queues(outputs, name).items():
        found.messages[role] = held(sqs, url)
    return found


def discard(sqs: Any, outputs: StackOutputs, name: str) -> Discarded:
    """Delete every queue of the retired consumer ``name``; returns what each held."""
    gone = Discarded(name)
    for role, url in retired_queues(outputs, name).items():
        gone.messages[role] = held(sqs, url)
        sqs.delete_queue(QueueUrl=url)
    return gone
