"""What one consumer invocation did with each record: the invoker's result types.

:class:`InvocationResult` is what ``invoke_consumer(...)`` returns (succeeded, will retry,
dead-lettered); :class:`DeadLetter` is a message the runtime sent to the consumer's DLQ,
with the reason it attached. Kept apart from the invoker so reading a result needs no moto.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class DeadLetter:
    """A message the runtime sent to the consumer's DLQ, with the reason it attached."""

    message_id: str
    """Id of the original message (the source queue's), not the DLQ copy's."""
    body: str
    error_type: str
    error_message: str
    consumer: str
    receive_count: int
    failed_at: str
    attributes: dict[str, str]
    """Every message attribute of the DLQ copy as a string (reason + original attributes)."""
    group_id: str | None = None

    def json(self) -> Any:
        """The body decoded from JSON (the original EventBridge event or payload)."""
        return json.loads(self.body)


@dataclass
class InvocationResult:
    """What one invocation did with each record: succeeded, will retry, dead-lettered."""

    response: dict[str, Any]
    """The raw ``{"batchItemFailures": [...]}`` the handler returned."""
    records: list[dict[str, Any]]
    """The SQS records the handler was invoked with, in order."""
    succeeded: list[str] = field(default_factory=list)
    """Message ids acknowledged after the handler returned (or a duplicate was skipped)."""
    retried: list[str] = field(default_factory=list)
    """Message ids reported in ``batchItemFailures``: SQS delivers them again."""
    dead_lettered: list[DeadLetter] = field(default_factory=list)
    """Messages sent to the DLQ at once (permanent errors, bad bodies, invalid details)."""

    @property
    def dead_lettered_ids(self) -> list[str]:
        return [d.message_id for d in self.dead_lettered]

    @property
    def message_ids(self) -> list[str]:
        return [r["messageId"] for r in self.records]

    def outcome(self, message_id: str) -> Literal["succeeded", "retried", "dead-lettered"]:
        """The outcome of one message by id."""
        if message_id in self.retried:
            return "retried"
        if message_id in self.dead_lettered_ids:
            return "dead-lettered"
        if message_id in self.succeeded:
            return "succeeded"
        raise KeyError(message_id)

    @property
    def outcomes(self) -> list[str]:
        """Outcome of each record, in batch order (handy for ``== ["succeeded", ...]``)."""
        return [self.outcome(mid) for mid in self.message_ids]
