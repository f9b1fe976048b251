"""What the runtime logs about each record: one outcome line per attempt, with its own ids.

Every line about a record names that record and no other: its SQS ``message_id``, its
``event_id`` (the EventBridge event id; for a topic-fed record the SNS ``MessageId``;
none for a direct-queue body), its ``receive_count`` and, on a FIFO queue, its
``message_group``. The ids are reset when a record begins, so a warm runner never lends a
previous record's id to a record whose body fails to decode: such a record's lines carry
its message id, and the event id its body names when it has one
(:func:`~eventpipe.runtime.decoding.event_id_of`). The logger's ``correlation_id`` (the
Powertools key a plugin's own ``Logger`` with the same service shares) follows the same
rule, and is cleared at the end of a batch.

Each attempt ends in exactly one line with an ``outcome``:

=================  =======  ========================================================
outcome            level    extra keys
=================  =======  ========================================================
``processed``      INFO     ``duration_ms``
``duplicate``      INFO     ``idempotency_key`` (an idempotent consumer skipped it)
``retry``          WARNING  ``duration_ms`` (when the handler ran), ``error_type``,
                            ``error``, ``max_receive_count``, ``retry_in_seconds``, and
                            the traceback (``exception``)
``held``           INFO     ``held_behind``, ``retry_in_seconds`` (FIFO: not run, behind
                            a failed record of its group)
``dead-lettered``  ERROR    ``duration_ms``, ``error_type``, ``error``,
                            ``max_receive_count``, ``dlq_message_id`` (the copy's id in
                            the DLQ), ``held_behind`` for a held record
=================  =======  ========================================================

``eventpipe trace`` reads these lines through CloudWatch Logs Insights (docs/operations.md,
"Find an event"); Powertools writes them as JSON, leaving out keys whose value is None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventpipe import contract
from eventpipe.runtime.dead_letters import Reason
from eventpipe.runtime.decoding import event_id_of
from eventpipe.runtime.models import RecordInfo

OUTCOMES = ("processed", "duplicate", "retry", "held", "dead-lettered")
"""The values of the ``outcome`` key, one per attempt."""


class RecordLog:
    """The per-record log lines of one runner (one record at a time, as the runner runs).

    ``logger`` is the runner's (Powertools' ``Logger``, or a test's stand-in with the same
    ``info``/``warning``/``error``/``set_correlation_id``); ``timer`` is the runner's
    monotonic clock in seconds, which times the handler.
    """

    __slots__ = ("_source", "_started", "_timer", "event_id", "logger")

    def __init__(self, logger: Any, source: str, timer: Callable[[], float]) -> None:
        self.logger = logger
        self._source = source
        self._timer = timer
        self.event_id: str | None = None
        """The event id of the record being processed, once known."""
        self._started: float | None = None

    # --- the record's identity ---------------------------------------------------------
    def begin(self) -> None:
        """A new record: forget the previous one's event id and start time."""
        self.event_id = None
        self._started = None
        self.logger.set_correlation_id(None)

    def decoded(self, event_id: str | None, info: RecordInfo) -> None:
        """The record decoded: its event id is the event's, or what its body names."""
        if event_id is None and self._source == contract.SOURCE_TOPIC:
            event_id = event_id_of(info.body, self._source)
        self.event_id = event_id
        self.logger.set_correlation_id(event_id)

    def failed(self, info: RecordInfo) -> None:
        """The record failed; if it never decoded, name the event its body names."""
        if self.event_id is None:
            self.event_id = event_id_of(info.body, self._source)
            if self.event_id is not None:
                self.logger.set_correlation_id(self.event_id)

    def handler_started(self, at: float) -> None:
        """The handler starts now (``timer()`` value): a failure's duration counts from it."""
        self._started = at

    def end_batch(self) -> None:
        """Lines after the batch (backoff problems) are about no record."""
        self.logger.set_correlation_id(None)

    def about(self, info: RecordInfo) -> dict[str, Any]:
        """The keys every line about ``info`` carries."""
        return {
            "message_id": info.message_id,
            "event_id": self.event_id,
            "receive_count": info.receive_count,
            "message_group": info.group_id,
        }

    def _duration_ms(self) -> float | None:
        if self._started is None:
            return None
        return round((self._timer() - self._started) * 1000.0, 3)

    # --- one line per attempt ----------------------------------------------------------
    def processed(self, info: RecordInfo, duration_ms: float) -> None:
        self.logger.info(
            "record processed",
            extra={
                **self.about(info),
                "outcome": "processed",
                "duration_ms": round(duration_ms, 3),
            },
        )

    def duplicate(self, info: RecordInfo, key: str) -> None:
        self.logger.info(
            "duplicate delivery skipped",
            extra={**self.about(info), "outcome": "duplicate", "idempotency_key": key},
        )

    def retry(self, info: RecordInfo, exc: BaseException, delay: int) -> None:
        self.logger.warning(
            "record failed on its last attempt; SQS's redrive moves it to the DLQ"
            if info.last_attempt
            else "record failed; SQS delivers it again after the backoff",
            extra={
                **self.about(info),
                "outcome": "retry",
                "duration_ms": self._duration_ms(),
                "error_type": type(exc).__name__,
                "error": str(exc),
                "max_receive_count": info.max_receive_count,
                "retry_in_seconds": delay,
            },
            exc_info=exc,
        )

    def held(self, info: RecordInfo, behind: str, delay: int) -> None:
        self.failed(info)
        self.logger.info(
            "record held behind a failed record of its message group; retried after it",
            extra={
                **self.about(info),
                "outcome": "held",
                "held_behind": behind,
                "retry_in_seconds": delay,
            },
        )

    def dead_lettered(self, info: RecordInfo, reason: Reason, dlq_message_id: str | None) -> None:
        extra: dict[str, Any] = {
            **self.about(info),
            "outcome": "dead-lettered",
            "duration_ms": self._duration_ms(),
            "error_type": reason.error_type,
            "error": reason.error_message,
            "max_receive_count": info.max_receive_count,
            "dlq_message_id": dlq_message_id,
        }
        if reason.held_behind:
            extra["held_behind"] = reason.held_behind
        self.logger.error("record sent to the DLQ", extra=extra)

    def warning(self, message: str, extra: dict[str, Any]) -> None:
        """Another line about the record being processed (a DLQ copy SQS rejected)."""
        self.logger.warning(message, extra={"event_id": self.event_id, **extra})
