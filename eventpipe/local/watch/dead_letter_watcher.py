"""Watching the consumers' DLQs, so dead-letters show up in the log and the demo table.

A message reaches a DLQ two ways: SQS moves it after ``maxReceiveCount`` receives, or the
runtime sends it at once (a permanent failure, with the reason in message attributes).
Either way its body identifies the event. Receiving from the DLQ would hide messages from
the operator's ``eventpipe dlq`` commands, so with the embedded moto the watcher reads
the queue's contents in place (:func:`~eventpipe.local.emulator.queue_contents.stored_messages`,
which says why that is the one way); against another endpoint it can only count
(``ApproximateNumberOfMessages``), and per-event attribution is not available.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventpipe.contract import DLQ_ATTR_ERROR_MESSAGE, DLQ_ATTR_ERROR_TYPE
from eventpipe.local.emulator.queue_contents import stored_messages
from eventpipe.local.emulator.server import Emulator
from eventpipe.local.watch.tracker import Tracker, describe, message_key


@dataclass
class WatchedDlq:
    consumer: str
    name: str
    url: str


def _reason(attributes: dict[str, Any]) -> str:
    def value(name: str) -> str:
        attribute = attributes.get(name) or {}
        return str(attribute.get("string_value") or attribute.get("StringValue") or "")

    error_type, message = value(DLQ_ATTR_ERROR_TYPE), value(DLQ_ATTR_ERROR_MESSAGE)
    if error_type or message:
        return f"sent by the runtime: {error_type}: {message}".rstrip(": ")
    return (
        "moved by SQS after maxReceiveCount; no reason recorded: the function crashed or "
        "timed out on every attempt"
    )


class DlqWatcher:
    """Reports every message that appears in a watched DLQ to the tracker, once."""

    def __init__(self, emulator: Emulator, account: str, dlqs: list[WatchedDlq], tracker: Tracker):
        self.emulator = emulator
        self.account = account
        self.dlqs = dlqs
        self.tracker = tracker
        self.counts: dict[str, int] = {}

    def poll(self) -> None:
        for dlq in self.dlqs:
            if self.emulator.embedded:
                for copy_id, key, label, reason in self._peek(dlq):
                    self.tracker.dead_lettered(dlq.consumer, key, label, reason, copy_id)
            else:
                attributes = self.emulator.client("sqs").get_queue_attributes(
                    QueueUrl=dlq.url, AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]
                self.counts[dlq.consumer] = int(attributes["ApproximateNumberOfMessages"])

    def find(self, consumer: str, keys: set[str]) -> dict[str, tuple[str, str]]:
        """Which of ``keys`` have a copy in ``consumer``'s DLQ now: key -> (copy id,
        reason). Empty against another emulator (its DLQ cannot be read in place)."""
        if not self.emulator.embedded:
            return {}
        found: dict[str, tuple[str, str]] = {}
        for dlq in self.dlqs:
            if dlq.consumer != consumer:
                continue
            for copy_id, key, _label, reason in self._peek(dlq):
                if key in keys:
                    found[key] = (copy_id, reason)
        return found

    def _peek(self, dlq: WatchedDlq) -> list[tuple[str, str, str, str]]:
        messages = stored_messages(self.emulator, self.account, dlq.name) or []
        self.counts[dlq.consumer] = len(messages)
        return [
            (
                message.message_id,
                message_key(message.body),
                describe(message.body),
                _reason(message.message_attributes),
            )
            for message in messages
        ]
