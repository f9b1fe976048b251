"""What one consumer invocation did with each record: the invoker's result types.

:class:`InvocationResult` is what ``invoke_consumer(...)`` returns (succeeded, will retry,
dead-lettered); :class:`DeadLetter` is a message the runtime sent to the consumer's DLQ,
with the reason it attached. Kept apart from the invoker so reading a result needs no moto.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any, Literal

from eventpipe.exceptions import EventpipeDeprecationWarning


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


InvocationOutcome = Literal["succeeded", "will-retry", "dead-lettered"]
"""What one invocation did with a record. ``will-retry``: reported failed, so SQS delivers
it again (a sample's final outcome ``retried``, failed then succeeded, is another thing:
:class:`eventpipe.SampleEvent`)."""


@dataclass(init=False)
class InvocationResult:
    """What one invocation did with each record: succeeded, will retry, dead-lettered.

    Built by the invoker as ``InvocationResult(response, records, succeeded=...,
    will_retry=..., dead_lettered=...)``; ``retried=`` (the old name of ``will_retry``)
    still works, with a deprecation warning.
    """

    response: dict[str, Any]
    """The raw ``{"batchItemFailures": [...]}`` the handler returned."""
    records: list[dict[str, Any]]
    """The SQS records the handler was invoked with, in order."""
    succeeded: list[str]
    """Message ids acknowledged after the handler returned (or a duplicate was skipped)."""
    will_retry: list[str]
    """Message ids reported in ``batchItemFailures``: SQS delivers them again after their
    backoff (the runtime sets it as the message's visibility timeout)."""
    dead_lettered: list[DeadLetter]
    """Messages sent to the DLQ at once (permanent errors, bad bodies, invalid details)."""

    def __init__(
        self,
        response: dict[str, Any],
        records: list[dict[str, Any]],
        succeeded: list[str] | None = None,
        will_retry: list[str] | None = None,
        dead_lettered: list[DeadLetter] | None = None,
        *,
        retried: list[str] | None = None,
    ) -> None:
        if retried is not None:
            _warn_renamed("InvocationResult(retried=...)", "InvocationResult(will_retry=...)")
            will_retry = retried if will_retry is None else will_retry
        self.response = response
        self.records = records
        self.succeeded = list(succeeded or [])
        self.will_retry = list(will_retry or [])
        self.dead_lettered = list(dead_lettered or [])

    @property
    def retried(self) -> list[str]:
        """The old name of :attr:`will_retry` (deprecated)."""
        _warn_renamed("InvocationResult.retried", "InvocationResult.will_retry")
        return self.will_retry

    @property
    def dead_lettered_ids(self) -> list[str]:
        return [d.message_id for d in self.dead_lettered]

    @property
    def message_ids(self) -> list[str]:
        return [r["messageId"] for r in self.records]

    def outcome(self, message_id: str) -> InvocationOutcome:
        """The outcome of one message by id."""
        if message_id in self.will_retry:
            return "will-retry"
        if message_id in self.dead_lettered_ids:
            return "dead-lettered"
        if message_id in self.succeeded:
            return "succeeded"
        raise KeyError(message_id)

    @property
    def outcomes(self) -> list[InvocationOutcome]:
        """Outcome of each record, in batch order (handy for ``== ["succeeded", ...]``)."""
        return [self.outcome(mid) for mid in self.message_ids]


def _warn_renamed(old: str, new: str) -> None:
    warnings.warn(
        EventpipeDeprecationWarning(
            f"{old} is deprecated: write {new} (records SQS will deliver again; a sample's "
            "expected outcome 'retried' means failed, then succeeded)"
        ),
        stacklevel=3,
    )
