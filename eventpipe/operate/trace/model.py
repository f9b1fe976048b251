"""What a trace holds: one event, each consumer's view of it, every attempt, the end.

Frozen dataclasses; ``to_dict()`` gives the ``--json`` shape (camelCase keys, ISO 8601
UTC times), which the CLI and the local console print as they are. Keys are only ever
added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

OUTCOME_FAILED = ("retry", "dead-lettered")
"""Attempt outcomes that are failures (``held`` is not: the record never ran)."""


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class QueryRun:
    """The Logs Insights query the trace ran, and what it cost."""

    text: str
    log_groups: list[str]
    seconds: float
    """Wall time from StartQuery to the last GetQueryResults (every group chunk)."""
    records_matched: float | None = None
    bytes_scanned: float | None = None
    """GetQueryResults' ``statistics.bytesScanned``: what AWS bills (None when the
    endpoint reports no statistics, as the local emulator does not)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "logGroups": list(self.log_groups),
            "seconds": round(self.seconds, 3),
            "recordsMatched": self.records_matched,
            "bytesScanned": self.bytes_scanned,
        }


@dataclass(frozen=True)
class Attempt:
    """One delivery of the record to the function, as the runtime's outcome line says."""

    time: datetime
    receive_count: int | None
    outcome: str
    duration_ms: float | None = None
    error_type: str | None = None
    error_message: str | None = None
    message_id: str | None = None
    retry_in_seconds: int | None = None
    dlq_message_id: str | None = None
    log_stream: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": iso(self.time),
            "receiveCount": self.receive_count,
            "outcome": self.outcome,
            "durationMs": self.duration_ms,
            "errorType": self.error_type,
            "errorMessage": self.error_message,
            "messageId": self.message_id,
            "retryInSeconds": self.retry_in_seconds,
            "dlqMessageId": self.dlq_message_id,
            "logStream": self.log_stream,
        }


@dataclass(frozen=True)
class PipeHop:
    """The per-key FIFO hop: intake queue -> EventBridge Pipe -> FIFO queue."""

    intake_queue: str
    pipe: str
    fifo_queue: str
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "intakeQueue": self.intake_queue,
            "pipe": self.pipe,
            "fifoQueue": self.fifo_queue,
            "group": self.group,
        }


@dataclass(frozen=True)
class Ending:
    """Where the consumer's copy ended."""

    state: str
    """processed | dead-lettered | archived | in-flight | not-delivered | unknown"""
    detail: str
    reason: str | None = None
    dlq_message_id: str | None = None
    in_dlq: bool | None = None
    archive_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "detail": self.detail,
            "reason": self.reason,
            "dlqMessageId": self.dlq_message_id,
            "inDlq": self.in_dlq,
            "archiveKey": self.archive_key,
        }


@dataclass(frozen=True)
class ConsumerTrace:
    """One consumer's part of the trace."""

    consumer: str
    source: str
    matched: bool | None
    reason: str | None
    field: str | None
    queue: str | None
    pipe: PipeHop | None
    attempts: list[Attempt]
    ending: Ending

    def to_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "source": self.source,
            "matched": self.matched,
            "reason": self.reason,
            "field": self.field,
            "queue": self.queue,
            "pipe": self.pipe.to_dict() if self.pipe else None,
            "attempts": [a.to_dict() for a in self.attempts],
            "ending": self.ending.to_dict(),
        }


@dataclass(frozen=True)
class Trace:
    """One event from publish to outcome, across every consumer of the stack."""

    event_id: str
    stack: str
    since: datetime
    until: datetime
    state: str
    """processed | failed | in-flight | not-found"""
    summary: str
    event: dict[str, Any] | None
    event_from: str | None
    consumers: list[ConsumerTrace]
    query: QueryRun
    notes: list[str] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        """No consumer's copy is still in flight."""
        return all(c.ending.state != "in-flight" for c in self.consumers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "eventId": self.event_id,
            "stack": self.stack,
            "since": iso(self.since),
            "until": iso(self.until),
            "state": self.state,
            "summary": self.summary,
            "event": self.event,
            "eventFrom": self.event_from,
            "consumers": [c.to_dict() for c in self.consumers],
            "query": self.query.to_dict(),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class RecentEvent:
    """An event's latest outcome line in one consumer."""

    event_id: str | None
    message_id: str | None
    consumer: str
    time: datetime
    outcome: str
    error_type: str | None = None
    error_message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "eventId": self.event_id,
            "messageId": self.message_id,
            "consumer": self.consumer,
            "time": iso(self.time),
            "outcome": self.outcome,
            "errorType": self.error_type,
            "errorMessage": self.error_message,
        }


@dataclass(frozen=True)
class RecentEvents:
    """The newest events the consumers' logs name, newest first."""

    events: list[RecentEvent]
    query: QueryRun

    def to_dict(self) -> dict[str, Any]:
        return {"events": [e.to_dict() for e in self.events], "query": self.query.to_dict()}
