"""Run one SQS batch through the plugin handler with partial-failure reporting.

Per record (see the failure table in ``docs/runtime.md``):

* the handler returns -> success (the event source mapping deletes it);
* ``RetryableError`` / any other exception -> reported in ``batchItemFailures`` and its
  visibility set to a jittered exponential backoff;
* ``PermanentError`` or a body/detail that does not decode -> copied to the DLQ with the
  reason, then reported handled; if the copy fails, reported failed instead;
* a failure on the record's last allowed receive (``ApproximateReceiveCount`` >= the
  queue's maxReceiveCount) -> copied to the DLQ with its reason and reported handled,
  so no dead letter goes without one; SQS's redrive stays the safety net for crashes,
  timeouts and copies that fail;
* FIFO: a failure counts one of the record's own attempts (:mod:`.attempts`), and it is
  copied to the DLQ when they reach ``max_attempts``; receives held behind another record
  of its group count nothing (the queue's higher maxReceiveCount is a safety net);
* FIFO: a failure halts only its own message group. Later records of that group in the
  batch are not run, are reported failed, and get the visibility delay of the record
  they wait behind; records of other groups run. This is Powertools'
  ``SqsFifoPartialProcessor(skip_group_on_error=True)`` behaviour ("Processing messages
  from SQS FIFO", https://docs.powertools.aws.dev/lambda/python/latest/utilities/batch/),
  done here so a record the runtime dead-lettered (handled) does not halt its
  successors, and so a held record on its last receive is dead-lettered with the record
  and group it waited behind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

from eventpipe.runtime.attempts import AttemptCounter, DynamoAttemptCounter, count_failure
from eventpipe.runtime.backoff import Backoff
from eventpipe.runtime.dead_letters import Reason, send_to_dlq
from eventpipe.runtime.decoding import make_decoder, record_info
from eventpipe.runtime.exceptions import BatchHaltedError, DeadLetterError, PermanentError
from eventpipe.runtime.introspect import shape_of
from eventpipe.runtime.models import Event, RecordInfo
from eventpipe.runtime.observability import BatchStats, Observability
from eventpipe.runtime.powertools_version import check_powertools_version
from eventpipe.runtime.record_log import RecordLog
from eventpipe.runtime.settings import Settings

SQS_MAX_BATCH_ENTRIES = 10
"""ChangeMessageVisibilityBatch takes at most 10 entries per call (SQS API reference,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibilityBatch.html;
"Amazon SQS message quotas": a batch request holds at most 10 messages)."""


@dataclass(frozen=True)
class Blocker:
    """The first record of a FIFO message group that failed in this batch."""

    message_id: str
    delay: int
    reason: Reason


def queue_url_from_arn(arn: str) -> str:
    """``arn:aws:sqs:REGION:ACCOUNT:NAME`` -> the queue URL SQS accepts for it."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        raise ValueError(f"not an SQS queue ARN: {arn!r}")
    _, partition, _, region, account, name = parts
    domain = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"https://sqs.{region}.{domain}/{account}/{name}"


class MetricsSink(Protocol):
    """Where a runner emits each invocation's counts (:class:`Observability` writes EMF)."""

    def publish(self, stats: BatchStats) -> None: ...


class Guard(Protocol):
    """Runs a record's handler at most once per key (:class:`IdempotencyGuard`)."""

    def register_context(self, context: Any) -> None: ...

    def run(self, key: str, thunk: Callable[[], Any]) -> bool: ...


class BatchRunner:
    """Everything built once per container for one consumer; ``run`` per invocation.

    Collaborators are arguments, each defaulting to what Lambda uses, so a test gives
    its own and asserts on what ``run`` returns and what reaches them:

    * ``sqs``: the SQS client for DLQ copies and backoffs (default: a boto3 client,
      created on first need, never on the success path);
    * ``idempotency`` and ``idempotency_key``: the guard that skips duplicates and the
      key it is given per record (default: Powertools' DynamoDB guard on the settings'
      table and :func:`~eventpipe.runtime.idempotency.idempotency_key`, only when the
      consumer is idempotent);
    * ``observability``: logger, metrics and tracer (default: built for the consumer);
      ``logger``, ``metrics`` (a :class:`MetricsSink`) and ``subsegment`` (a context
      manager around each record; default: the tracer's, when tracing is on) replace
      one part of it;
    * ``backoff``: retry delays (default: from the settings);
    * ``attempts``: FIFO only, where a record's own failed attempts are counted (default:
      the settings' table, when they name one);
    * ``clock`` (wall time, for event ages) and ``timer`` (monotonic, for handler
      durations), both in seconds.
    """

    def __init__(
        self,
        settings: Settings,
        func: Callable[..., Any],
        *,
        sqs: Any = None,
        idempotency: Guard | None = None,
        idempotency_key: Callable[[str | None, RecordInfo], str] | None = None,
        observability: Observability | None = None,
        logger: Any = None,
        metrics: MetricsSink | None = None,
        subsegment: Callable[[str], AbstractContextManager[Any]] | None = None,
        backoff: Backoff | None = None,
        attempts: AttemptCounter | None = None,
        clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.settings = settings
        self.func = func
        self.shape = shape_of(func, settings.source)
        self.decode = make_decoder(self.shape, settings.source)
        self.obs = observability or Observability(settings.consumer)
        self.logger = logger if logger is not None else self.obs.logger
        self.record_log = RecordLog(self.logger, settings.source, timer)
        self.metrics: MetricsSink = metrics if metrics is not None else self.obs
        check_powertools_version(self.obs)
        self.backoff = backoff or Backoff(
            settings.backoff_base, settings.backoff_max, settings.time_scale
        )
        self.idempotency = idempotency
        if idempotency is None and settings.idempotency_table:
            from eventpipe.runtime.idempotency import IdempotencyGuard

            self.idempotency = IdempotencyGuard(
                settings.idempotency_table, settings.idempotency_ttl, settings.consumer
            )
        if self.idempotency is not None and idempotency_key is None:
            from eventpipe.runtime.idempotency import idempotency_key as default_key

            idempotency_key = default_key
        self._idempotency_key = idempotency_key
        if attempts is None and settings.fifo and settings.attempts_table:
            attempts = DynamoAttemptCounter(settings.attempts_table, settings.consumer)
        self.attempts = attempts if settings.fifo else None
        # FIFO group semantics live in _handle_record (module docstring), so one processor.
        processor = BatchProcessor(EventType.SQS)
        # Report an all-failed batch as failures instead of raising: the records then
        # get their backoff instead of all coming back after the full visibility timeout.
        processor.raise_on_entire_batch_failure = False
        self.processor = processor
        self._sqs = sqs
        self._clock = clock
        self._timer = timer
        self._lock = threading.Lock()
        self._pass_record = self.shape.wants_record
        if subsegment is None and self.obs.tracer is not None:
            subsegment = self.obs.subsegment  # Lambda with tracing on
        self._subsegment = subsegment
        self._span = f"## {settings.consumer}"
        # Per-invocation state, reset by run().
        self._stats = BatchStats()
        self._delays: dict[str, int] = {}
        self._blocked: dict[str, Blocker] = {}

    # --- clients -----------------------------------------------------------------------
    @property
    def sqs(self) -> Any:
        """SQS client, created on first need (never on the success path)."""
        if self._sqs is None:
            import boto3

            self._sqs = boto3.client("sqs")
        return self._sqs

    # --- invocation --------------------------------------------------------------------
    def run(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Process the batch; return ``{"batchItemFailures": [...]}``."""
        records = event.get("Records")
        if not isinstance(records, list):
            raise ValueError("eventpipe.runtime.handler expects an SQS event ({'Records': [...]})")
        # One invocation at a time, as in Lambda: the processor and the per-batch state
        # below belong to the runner. A local engine calling from threads is serialised.
        with self._lock:
            self._stats = stats = BatchStats()
            self._delays = {}
            self._blocked = {}
            if self.idempotency is not None:
                self.idempotency.register_context(context)
            processor = self.processor
            with processor(records, self._handle_record, context):
                processor.process()
            response: dict[str, Any] = dict(processor.response())
            failures: list[Any] = response["batchItemFailures"]
            if failures:
                # Every failure counts, including FIFO records halted behind one.
                stats.retried = len(failures)
                self._apply_backoff(records, failures)
            self.record_log.end_batch()
            self.metrics.publish(stats)
            return response

    def _handle_record(self, record: Any) -> None:
        raw: dict[str, Any] = record.raw_event
        info = record_info(raw, self.settings.max_receive_count)
        self.record_log.begin()
        if self.settings.fifo:
            blocker = self._blocked.get(info.group_id or "")
            if blocker is not None:
                self._hold(info, blocker)
                return
        stats = self._stats
        try:
            if self._subsegment is not None:
                with self._subsegment(self._span):
                    self._process(raw, info, stats)
            else:
                self._process(raw, info, stats)
        except PermanentError as exc:
            self.record_log.failed(info)
            self._dead_letter(info, Reason.of(exc), exc)
        except Exception as exc:
            self.record_log.failed(info)
            attempt = count_failure(self.attempts, info, self.record_log.warning)
            limit = self.settings.max_attempts
            if attempt is not None and limit is not None and attempt >= limit:
                note = f" (own attempt {attempt} of {limit}, receive {info.receive_count})"
                self._dead_letter(info, Reason(type(exc).__name__, f"{exc}{note}"), exc)
            elif info.last_attempt:
                # SQS would move it without a reason: copy it with one instead.
                self._dead_letter(info, Reason.of(exc), exc)
            else:
                self._retry(info, exc, attempt)
                raise

    def _dead_letter(self, info: RecordInfo, reason: Reason, exc: BaseException) -> None:
        """Copy the record to the DLQ and count it handled; if the copy fails, retry it."""
        try:
            self._copy_to_dlq(info, reason)
        except DeadLetterError as dlq_exc:
            self._retry(info, dlq_exc)
            raise dlq_exc from exc

    def _hold(self, info: RecordInfo, blocker: Blocker) -> None:
        """A FIFO record behind a failed one of its group: not run, retried after it.

        On its last receive it is dead-lettered instead, naming the record and group it
        waited behind; if that copy fails it is retried after the blocker all the same.
        """
        group = info.group_id or ""
        self._delays[info.message_id] = blocker.delay
        if not info.last_attempt:
            self.record_log.held(info, blocker.message_id, blocker.delay)
            raise BatchHaltedError(
                f"held behind message {blocker.message_id} of FIFO message group {group!r}, "
                "which failed in this batch; retried after it to keep the group's order"
            )
        reason = Reason(
            "BatchHaltedError",
            f"never ran on its last receive ({info.receive_count} of "
            f"{info.max_receive_count}): held behind message {blocker.message_id} of "
            f"message group {group!r}, which failed "
            f"({blocker.reason.error_type}: {blocker.reason.error_message})",
            held_behind=blocker.message_id,
            group=group,
        )
        try:
            self._copy_to_dlq(info, reason)
        except DeadLetterError as dlq_exc:
            self.record_log.retry(info, dlq_exc, blocker.delay)
            raise
        del self._delays[info.message_id]

    def _copy_to_dlq(self, info: RecordInfo, reason: Reason) -> None:
        """Send the DLQ copy (raising :class:`DeadLetterError`), then count and log it."""
        dlq_message_id = send_to_dlq(
            self.sqs,
            self.settings.dlq_url,
            info,
            reason,
            self.settings.consumer,
            log=self.record_log.warning,
        )
        self._stats.dead_lettered += 1
        self.record_log.dead_lettered(info, reason, dlq_message_id)

    def _process(self, raw: dict[str, Any], info: RecordInfo, stats: BatchStats) -> None:
        arg, event = self.decode(raw, info)
        self.record_log.decoded(event.id if event is not None else None, info)
        if event is not None:
            event_time = event.time.timestamp()
        else:
            event_time = info.sent_timestamp_ms / 1000.0
        stats.ages.append(max(0.0, (self._clock() - event_time) * 1000.0))
        func = self.func
        timer = self._timer
        start = timer()
        self.record_log.handler_started(start)
        ran = True
        if self.idempotency is not None:
            assert self._idempotency_key is not None  # set with the guard in __init__
            key = self._idempotency_key(event.id if isinstance(event, Event) else None, info)
            if self._pass_record:
                ran = self.idempotency.run(key, lambda: func(arg, info))
            else:
                ran = self.idempotency.run(key, lambda: func(arg))
            if not ran:
                stats.duplicates += 1
                self.record_log.duplicate(info, key)
        elif self._pass_record:
            func(arg, info)
        else:
            func(arg)
        duration = (timer() - start) * 1000.0
        stats.durations.append(duration)
        stats.succeeded += 1
        if ran:
            self.record_log.processed(info, duration)

    def _retry(self, info: RecordInfo, exc: BaseException, attempt: int | None = None) -> None:
        # Backoff grows with the record's own attempts where counted, else its receives.
        delay = self.backoff.delay(attempt or info.receive_count)
        self._delays[info.message_id] = delay
        if self.settings.fifo:
            # The group's later records in this batch wait as long as this one.
            self._blocked.setdefault(
                info.group_id or "", Blocker(info.message_id, delay, Reason.of(exc))
            )
        self.record_log.retry(info, exc, delay)

    def _apply_backoff(self, records: list[dict[str, Any]], failures: list[dict[str, Any]]) -> None:
        """Set each failed record's visibility to its backoff (one batch call per queue)."""
        failed = {f["itemIdentifier"] for f in failures}
        by_queue: dict[str, list[dict[str, Any]]] = {}
        for raw in records:
            mid = raw.get("messageId", "")
            if mid not in failed:
                continue
            delay = self._delays.get(mid)
            if delay is None:  # failed before reaching the handler (malformed record)
                delay = self.backoff.delay(1)
            entry = {
                "Id": str(len(by_queue.get(raw.get("eventSourceARN", ""), []))),
                "ReceiptHandle": raw.get("receiptHandle", ""),
                "VisibilityTimeout": delay,
            }
            by_queue.setdefault(raw.get("eventSourceARN", ""), []).append(entry)
        for arn, entries in by_queue.items():
            try:
                url = queue_url_from_arn(arn)
                for i in range(0, len(entries), SQS_MAX_BATCH_ENTRIES):
                    chunk = entries[i : i + SQS_MAX_BATCH_ENTRIES]
                    result = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=chunk)
                    if result.get("Failed"):
                        self.logger.warning(
                            "could not set the backoff of some records; they return after "
                            "the queue's visibility timeout",
                            extra={"failed": result["Failed"]},
                        )
            except Exception as exc:
                # Not fatal: the records are still reported failed and come back after
                # the queue's visibility timeout instead of their backoff.
                self.logger.warning(
                    "ChangeMessageVisibility failed; records return after the queue's "
                    "visibility timeout",
                    extra={"queue_arn": arn, "error": f"{type(exc).__name__}: {exc}"},
                )
