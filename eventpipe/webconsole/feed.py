"""The live feed: each outcome the local engine recorded, newest last, numbered so the
page asks only for what it has not seen (``after``).

Fed by the engine's tracker (``on_log``): one entry per delivery's outcome (``ok``,
``retry``, ``dead-letter``, ``error``), the same lines ``eventpipe dev`` prints.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

CAPACITY = 2000
"""Entries kept; older ones leave the feed (the trace still finds them in the logs)."""
EVENT_PREFIX = "event:"


class Outcome(Protocol):
    """What the tracker logs (:class:`eventpipe.local.watch.tracker.LogEntry`)."""

    consumer: str
    label: str
    outcome: str
    attempt: int
    detail: str
    key: str


@dataclass(frozen=True)
class FeedEntry:
    seq: int
    time: str
    consumer: str
    label: str
    outcome: str
    attempt: int
    detail: str
    event_id: str | None
    """The EventBridge event id, when the message is an event (else None)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "consumer": self.consumer,
            "label": self.label,
            "outcome": self.outcome,
            "attempt": self.attempt,
            "detail": self.detail,
            "eventId": self.event_id,
        }


class Feed:
    def __init__(self, capacity: int = CAPACITY):
        self._entries: deque[FeedEntry] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._seq = 0

    def add(self, outcome: Outcome) -> None:
        key = outcome.key or ""
        event_id = key[len(EVENT_PREFIX) :] if key.startswith(EVENT_PREFIX) else None
        with self._lock:
            self._seq += 1
            self._entries.append(
                FeedEntry(
                    self._seq,
                    datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
                    outcome.consumer,
                    outcome.label,
                    outcome.outcome,
                    outcome.attempt,
                    outcome.detail,
                    event_id,
                )
            )

    def since(self, after: int = 0) -> list[FeedEntry]:
        with self._lock:
            return [entry for entry in self._entries if entry.seq > after]

    def of_event(self, event_id: str) -> list[FeedEntry]:
        with self._lock:
            return [entry for entry in self._entries if entry.event_id == event_id]
