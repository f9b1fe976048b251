"""What happened to each message, per consumer: the demo's table and the dev log.

A message is identified by its event id when the body is an EventBridge envelope (so a
copy in the DLQ, moved by redrive or sent by the runtime, is recognised), else by a hash
of its body (direct-queue consumers).

Each delivery's outcome is logged once: ``ok``, ``retry`` (with the failure's reason, as
the function logged it) or ``dead-letter`` (with the reason the DLQ copy carries). A
record the runtime dead-lettered itself is reported handled in the function's response;
the poller looks in the DLQ before recording the batch (:meth:`Tracker.batch`'s
``dead_letters``), so such a record is logged as dead-lettered, not as ``ok``. While a
record's batch is in flight the DLQ watcher leaves it to the poller. A record that
arrives again after being dead-lettered (a redrive, a replay) starts a new round: its
next outcome is logged again, whatever it is.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["succeeded", "retried", "dead-lettered", "pending"]
TURN_WAIT_SECONDS = 120.0
"""How long a batch's outcome waits for an earlier batch of the same record to record."""


def message_key(body: str) -> str:
    """Stable identity of a message body across the queue, its retries and the DLQ."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and "detail-type" in data and data.get("id"):
        return f"event:{data['id']}"
    return "body:" + hashlib.sha256(body.encode()).hexdigest()[:16]


def describe(body: str) -> str:
    """A short human label of a message: ``Order Created (ecommerce.orders)`` or the body."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and "detail-type" in data:
        return f"{data.get('detail-type')} ({data.get('source')}) {str(data.get('id', ''))[:8]}"
    text = body if len(body) <= 40 else body[:37] + "..."
    return text.replace("\n", " ")


@dataclass
class LogEntry:
    """One line of the live log: an event reached a consumer and what came of it."""

    consumer: str
    label: str
    outcome: Literal["ok", "retry", "dead-letter", "error"]
    attempt: int
    detail: str = ""
    key: str = ""
    """The message identity (see :func:`message_key`)."""
    log: str = ""
    """Where the function's full log of this attempt is (group and stream), if known."""


@dataclass
class MessageRecord:
    consumer: str
    key: str
    label: str
    attempts: int = 0
    failures: int = 0
    handled: bool = False
    dead_lettered: bool = False
    last_error: str = ""
    redriven: int = 0
    """Times it came back after being dead-lettered (redrive, replay)."""
    dlq_copies: set[str] = field(default_factory=set)
    """DLQ message ids already attributed to this record (each is logged once)."""

    @property
    def outcome(self) -> Outcome:
        if self.dead_lettered:
            return "dead-lettered"
        if self.handled:
            return "retried" if self.failures else "succeeded"
        return "pending"


@dataclass
class Counts:
    received: int = 0
    succeeded: int = 0
    retried: int = 0
    dead_lettered: int = 0
    pending: int = 0
    attempts: int = 0


@dataclass
class Delivery:
    """One record of a batch as the poller saw it."""

    key: str
    label: str
    receive_count: int
    reason: str = ""
    """The failure's reason as the function logged it (error type and message)."""


@dataclass
class Tracker:
    """Thread-safe outcome book, fed by the pollers and the DLQ watcher."""

    on_log: Callable[[LogEntry], None] | None = None
    records: dict[tuple[str, str], MessageRecord] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _in_flight: dict[tuple[str, str], int] = field(default_factory=dict)
    _turns: dict[tuple[str, str], deque[int]] = field(default_factory=dict)
    """Per record, the batches holding it, in the order they began: a record's outcomes
    are recorded in delivery order even when a later delivery finishes first."""
    _batches_begun: int = 0
    _changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._changed = threading.Condition(self._lock)

    def wait_for(self, done: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``done()`` holds, checking it again after every outcome recorded (a
        test's bounded wait on what the engine saw, never on a fixed time). ``done`` may
        read the tracker (:meth:`outcome`, :meth:`summary`). False on timeout."""
        with self._changed:
            return self._changed.wait_for(done, timeout)

    def _record(self, consumer: str, key: str, label: str) -> MessageRecord:
        record = self.records.get((consumer, key))
        if record is None:
            record = self.records[(consumer, key)] = MessageRecord(consumer, key, label)
        return record

    def begin(self, consumer: str, keys: list[str]) -> int:
        """A batch of these records is in flight: the poller will report their outcome.
        Returns the batch's turn, for :meth:`batch` and :meth:`abandon`."""
        with self._lock:
            self._batches_begun += 1
            for key in keys:
                self._in_flight[(consumer, key)] = self._in_flight.get((consumer, key), 0) + 1
                self._turns.setdefault((consumer, key), deque()).append(self._batches_begun)
            return self._batches_begun

    def abandon(self, consumer: str, keys: list[str], turn: int | None = None) -> None:
        """The batch of these records ended without an outcome (the poller failed)."""
        with self._lock:
            for key in keys:
                self._done(consumer, key)
            self._end_turn(consumer, keys, turn)

    def _end_turn(self, consumer: str, keys: list[str], turn: int | None) -> None:
        if turn is None:
            return
        for key in keys:
            turns = self._turns.get((consumer, key))
            if turns is not None:
                self._turns[(consumer, key)] = deque(t for t in turns if t != turn)
                if not self._turns[(consumer, key)]:
                    del self._turns[(consumer, key)]
        self._changed.notify_all()

    def _wait_turn(self, consumer: str, keys: list[str], turn: int | None) -> None:
        """Until every earlier batch holding one of ``keys`` has recorded (bounded, so a
        lost batch never stops the book)."""
        if turn is None:
            return

        def first() -> bool:
            return all(self._turns.get((consumer, k), deque([turn]))[0] == turn for k in keys)

        self._changed.wait_for(first, TURN_WAIT_SECONDS)

    def _done(self, consumer: str, key: str) -> None:
        count = self._in_flight.get((consumer, key), 0) - 1
        if count > 0:
            self._in_flight[(consumer, key)] = count
        else:
            self._in_flight.pop((consumer, key), None)

    def batch(
        self,
        consumer: str,
        deliveries: list[Delivery],
        failed: set[str],
        error: str | None,
        max_receive_count: int | None,
        dead_letters: dict[str, tuple[str, str]] | None = None,
        log: str = "",
        turn: int | None = None,
    ) -> None:
        """Record one invocation: ``failed`` holds the keys the function did not handle;
        ``dead_letters`` the batch's keys found in the DLQ now (key -> DLQ message id and
        reason), which the runtime dead-lettered and reported handled. ``turn`` (from
        :meth:`begin`): recorded after the earlier batches holding the same records."""
        dead_letters = dead_letters or {}
        entries = []
        keys = [delivery.key for delivery in deliveries]
        with self._lock:
            self._wait_turn(consumer, keys, turn)
            for delivery in deliveries:
                self._done(consumer, delivery.key)
                record = self._record(consumer, delivery.key, delivery.label)
                if record.dead_lettered:  # back from the DLQ: a new round
                    record.dead_lettered = False
                    record.handled = False
                    record.redriven += 1
                record.attempts += 1
                attempt = max(delivery.receive_count, record.attempts)
                copy = dead_letters.get(delivery.key)
                if copy is not None and copy[0] not in record.dlq_copies:
                    record.dlq_copies.add(copy[0])
                    record.dead_lettered = True
                    record.failures += 1
                    record.last_error = copy[1]
                    reason = copy[1]
                    entry = LogEntry(
                        consumer, delivery.label, "dead-letter", attempt, reason, delivery.key, log
                    )
                    entries.append(entry)
                elif delivery.key in failed:
                    record.failures += 1
                    record.last_error = delivery.reason or error or "reported in batchItemFailures"
                    last = max_receive_count is not None and attempt >= max_receive_count
                    detail = record.last_error
                    if last:
                        detail += " - maxReceiveCount reached, SQS moves it to the DLQ"
                    entries.append(
                        LogEntry(
                            consumer, delivery.label, "retry", attempt, detail, delivery.key, log
                        )
                    )
                else:
                    record.handled = True
                    entries.append(
                        LogEntry(consumer, delivery.label, "ok", attempt, key=delivery.key)
                    )
            self._end_turn(consumer, keys, turn)
            self._changed.notify_all()
            self._emit(entries)

    def dead_lettered(
        self, consumer: str, key: str, label: str, reason: str, copy_id: str = ""
    ) -> bool:
        """Note a message seen in ``consumer``'s DLQ; True the first time it is logged.

        A record whose batch is in flight is left to :meth:`batch`; a DLQ copy already
        attributed (``copy_id``) is not logged again."""
        with self._lock:
            if (consumer, key) in self._in_flight:
                return False
            record = self._record(consumer, key, label)
            if copy_id and copy_id in record.dlq_copies:
                return False
            if not copy_id and record.dead_lettered:
                return False
            if copy_id:
                record.dlq_copies.add(copy_id)
            if record.dead_lettered:
                return False
            record.dead_lettered = True
            attempt = record.attempts
            self._changed.notify_all()
        self._emit([LogEntry(consumer, label, "dead-letter", attempt, reason, key)])
        return True

    def _emit(self, entries: list[LogEntry]) -> None:
        if self.on_log is not None:
            for entry in entries:
                self.on_log(entry)

    def outcome(self, consumer: str, key: str) -> Outcome | None:
        """Final outcome of message ``key`` at ``consumer``; None if it never arrived."""
        with self._lock:
            record = self.records.get((consumer, key))
            return record.outcome if record else None

    def consumers_of(self, key: str) -> set[str]:
        with self._lock:
            return {consumer for consumer, k in self.records if k == key}

    def summary(self) -> dict[str, Counts]:
        """Counts per consumer; ``succeeded``, ``retried``, ``dead_lettered`` and
        ``pending`` are exclusive and add up to ``received``."""
        result: dict[str, Counts] = {}
        with self._lock:
            for record in self.records.values():
                counts = result.setdefault(record.consumer, Counts())
                counts.received += 1
                counts.attempts += record.attempts
                outcome = record.outcome
                if outcome == "dead-lettered":
                    counts.dead_lettered += 1
                elif outcome == "pending":
                    counts.pending += 1
                else:
                    setattr(counts, outcome, getattr(counts, outcome) + 1)
        return result
