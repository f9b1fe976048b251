"""Peek at a dead-letter queue: its messages, left in the queue, each with why it is there.

The reason comes from the ``eventpipe.*`` message attributes the runtime attaches to a
record it dead-letters, or from the intake rule's reason wrapper around an event; a
message with neither was moved by SQS's own redrive policy, and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eventpipe.contract import (
    DLQ_ATTR_CONSUMER,
    DLQ_ATTR_ERROR_MESSAGE,
    DLQ_ATTR_ERROR_TYPE,
    DLQ_ATTR_FAILED_AT,
    DLQ_ATTR_MESSAGE_ID,
    DLQ_ATTR_RECEIVE_COUNT,
)
from eventpipe.operate.dlq import DeadLetterQueue

PEEK_HIDE_SECONDS = 30
"""How long peeked messages stay hidden while more are fetched: long enough for a page
loop, short enough that a crash mid-peek delays redrives only briefly."""

NO_REASON = "no reason recorded: the function crashed or timed out on every attempt"
"""The label of a DLQ message without eventpipe's reason attributes. The runtime copies
every record it gives up on to the DLQ with its reason (a PermanentError, an invalid
body, the last allowed receive); a message without one was moved by SQS's own redrive
policy after ``maxReceiveCount`` receives in which the runtime never reported it (the
invocation crashed, ran out of memory or timed out)."""

NO_REASON_INTAKE = (
    "no reason recorded: the pipe could not deliver it to the FIFO queue on every attempt "
    "(see the pipe's log)"
)
"""The label of an intake-DLQ message without a reason body: SQS moved it after the
pipe's receives failed ``maxReceiveCount`` times."""

ATTRIBUTE_PREFIX = "eventpipe."

REASON_ATTRIBUTES = {
    "error_type": DLQ_ATTR_ERROR_TYPE,
    "error_message": DLQ_ATTR_ERROR_MESSAGE,
    "consumer": DLQ_ATTR_CONSUMER,
    "receive_count": DLQ_ATTR_RECEIVE_COUNT,
    "failed_at": DLQ_ATTR_FAILED_AT,
    "original_message_id": DLQ_ATTR_MESSAGE_ID,
}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class PeekedMessage:
    """A DLQ message and why it is there.

    Records the runtime dead-lettered (PermanentError, an invalid body or detail, the
    last allowed receive) carry the ``eventpipe.*`` attributes; events the intake rule
    dead-lettered carry their reason in the body (``{"eventpipe": {"reason": ...},
    "event": {...}}``, docs/components.md); a message with neither was moved by SQS's
    redrive policy, and ``summary`` says so honestly (:data:`NO_REASON`).
    """

    message_id: str
    body: str
    sent_at: str | None
    receive_count: int | None
    reason: dict[str, str] = field(default_factory=dict)
    group: str | None = None
    """The FIFO message group id, on a FIFO DLQ."""
    intake: bool = False

    @property
    def _wrapped(self) -> dict[str, Any] | None:
        """The intake rule's reason wrapper, when the body is one."""
        data = self._json
        marker = data.get("eventpipe") if data else None
        if isinstance(marker, dict) and "event" in (data or {}):
            return data
        return None

    @property
    def _json(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    @property
    def summary(self) -> str:
        if "error_type" in self.reason:
            text = f"{self.reason['error_type']}: {self.reason.get('error_message', '')}".strip()
            behind = self.reason.get("held_behind")
            if behind:  # FIFO: it never ran on its last receive (the runtime's reason)
                group = self.reason.get("message_group")
                text += f" (held behind message {behind}" + (
                    f" of group {group})" if group else ")"
                )
            return text
        if self.reason.get("error_message"):
            return self.reason["error_message"]
        wrapped = self._wrapped
        if wrapped is not None:
            reason = wrapped["eventpipe"].get("reason")
            if reason:
                return str(reason)
        return NO_REASON_INTAKE if self.intake else NO_REASON

    @property
    def event(self) -> dict[str, Any] | None:
        """The event: the body as JSON (EventBridge envelopes are), unwrapped from the
        intake rule's reason wrapper."""
        wrapped = self._wrapped
        if wrapped is not None:
            event = wrapped.get("event")
            return event if isinstance(event, dict) else None
        return self._json

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape (camelCase keys; reason keys too)."""
        return {
            "messageId": self.message_id,
            "body": self.body,
            "sentAt": self.sent_at,
            "receiveCount": self.receive_count,
            "reason": {_camel(k): v for k, v in self.reason.items()},
            "group": self.group,
            "summary": self.summary,
            "event": self.event,
        }


def _attribute_value(value: dict[str, Any]) -> str:
    if "StringValue" in value:
        return str(value["StringValue"])
    binary = value.get("BinaryValue", b"")
    return binary.decode(errors="replace") if isinstance(binary, bytes) else str(binary)


def _peeked(message: dict[str, Any], intake: bool = False) -> PeekedMessage:
    attrs = message.get("MessageAttributes", {})
    known = {name: key for key, name in REASON_ATTRIBUTES.items()}
    reason = {
        known.get(name, name[len(ATTRIBUTE_PREFIX) :]): _attribute_value(value)
        for name, value in attrs.items()
        if name.startswith(ATTRIBUTE_PREFIX)
    }
    system = message.get("Attributes", {})
    sent = system.get("SentTimestamp")
    return PeekedMessage(
        message_id=message["MessageId"],
        body=message.get("Body", ""),
        sent_at=(
            datetime.fromtimestamp(int(sent) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if sent
            else None
        ),
        receive_count=int(system["ApproximateReceiveCount"])
        if "ApproximateReceiveCount" in system
        else None,
        reason=reason,
        group=system.get("MessageGroupId"),
        intake=intake,
    )


@dataclass(frozen=True)
class PeekResult:
    """What ``peek`` showed, and how many it could not show and why."""

    queue: DeadLetterQueue
    messages: list[PeekedMessage]
    depth: int
    """Messages in the DLQ when the peek began (visible + in flight, as SQS counts)."""
    in_flight: int
    """Of those, already in flight elsewhere (a redrive, another peek): not receivable."""
    limit: int

    @property
    def not_shown(self) -> int:
        """Messages in the queue that this peek did not show (0 when all were)."""
        return max(0, self.depth - len(self.messages))

    @property
    def held_back(self) -> int:
        """Messages not shown for a reason other than ``--limit``: on a FIFO DLQ, those of
        groups whose earlier messages this peek (or someone else) holds in flight, and on
        any queue those already in flight elsewhere."""
        if len(self.messages) >= self.limit:
            return 0
        return self.not_shown

    def to_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.queue.consumer,
            "intake": self.queue.intake,
            "fifo": self.queue.fifo,
            "depth": self.depth,
            "shown": len(self.messages),
            "notShown": self.not_shown,
            "heldBack": self.held_back,
            "messages": [m.to_dict() for m in self.messages],
        }


def peek(sqs: Any, queue: DeadLetterQueue, limit: int = 10) -> PeekResult:
    """Up to ``limit`` DLQ messages, left in the queue, with the count of those it could
    not show.

    Received messages are hidden while the next page is fetched (so no message is shown
    twice), then all made visible again at once with visibility timeout 0. Nothing is
    deleted; the only trace is a higher ApproximateReceiveCount on the DLQ, which has no
    redrive policy of its own.

    On a FIFO DLQ, SQS returns no more messages of a message group while earlier ones of
    that group are in flight (received and not deleted), and one ReceiveMessage returns
    at most 10 (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html,
    https://repost.aws/knowledge-center/sqs-fifo-messages-not-returned). A peek must hold
    the messages it has shown in flight to page on, so it sees at most the first
    messages of each group that one receive returned; the rest are counted, not shown.
    """
    counts = sqs.get_queue_attributes(
        QueueUrl=queue.url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    visible = int(counts.get("ApproximateNumberOfMessages", 0))
    in_flight = int(counts.get("ApproximateNumberOfMessagesNotVisible", 0))
    seen: dict[str, dict[str, Any]] = {}
    try:
        while len(seen) < limit:
            response = sqs.receive_message(
                QueueUrl=queue.url,
                MaxNumberOfMessages=min(10, limit - len(seen)),
                VisibilityTimeout=PEEK_HIDE_SECONDS,
                WaitTimeSeconds=0,
                MessageAttributeNames=["All"],
                AttributeNames=["All"],
            )
            page = response.get("Messages", [])
            new = [m for m in page if m["MessageId"] not in seen]
            if not new:
                break
            for message in new:
                seen[message["MessageId"]] = message
    finally:
        _release(sqs, queue.url, list(seen.values()))
    return PeekResult(
        queue=queue,
        messages=[_peeked(m, queue.intake) for m in seen.values()],
        depth=visible + in_flight,
        in_flight=in_flight,
        limit=limit,
    )


def _release(sqs: Any, url: str, messages: list[dict[str, Any]]) -> None:
    """Make received messages visible again now (visibility timeout 0)."""
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(chunk)
            ],
        )
