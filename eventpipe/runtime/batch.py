"""Run one SQS batch through the plugin handler with partial-failure reporting.

Per record (see the failure table in ``docs/runtime.md``):

* the handler returns -> success (the event source mapping deletes it);
* ``RetryableError`` / any other exception -> reported in ``batchItemFailures`` and its
  visibility set to a jittered exponential backoff (SQS redrive moves it to the DLQ
  after maxReceiveCount);
* ``PermanentError`` or a body/detail that does not decode -> copied to the DLQ with the
  reason, then reported handled; if the copy fails, reported failed instead;
* FIFO: after the first failure, later records are not run and are reported failed
  (Powertools' ``SqsFifoPartialProcessor`` for retries; a dead-lettered record halts the
  batch the same way, since its successors were ordered after it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, SqsFifoPartialProcessor

from eventpipe.runtime.backoff import Backoff
from eventpipe.runtime.dead_letters import send_to_dlq
from eventpipe.runtime.decoding import make_decoder, record_info
from eventpipe.runtime.exceptions import BatchHaltedError, DeadLetterError, PermanentError
from eventpipe.runtime.introspect import shape_of
from eventpipe.runtime.models import Event, RecordInfo
from eventpipe.runtime.observability import BatchStats, Observability
from eventpipe.runtime.powertools_version import check_powertools_version
from eventpipe.runtime.settings import Settings

_perf = time.perf_counter
_now = time.time


def queue_url_from_arn(arn: str) -> str:
    """``arn:aws:sqs:REGION:ACCOUNT:NAME`` -> the queue URL SQS accepts for it."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        raise ValueError(f"not an SQS queue ARN: {arn!r}")
    _, partition, _, region, account, name = parts
    domain = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"https://sqs.{region}.{domain}/{account}/{name}"


class BatchRunner:
    """Everything built once per container for one consumer; ``run`` per invocation."""

    def __init__(self, settings: Settings, func: Callable[..., Any]) -> None:
        self.settings = settings
        self.func = func
        self.shape = shape_of(func, settings.source)
        self.decode = make_decoder(self.shape)
        self.obs = Observability(settings.consumer)
        self.logger = self.obs.logger
        check_powertools_version(self.obs)
        self.backoff = Backoff(settings.backoff_base, settings.backoff_max, settings.time_scale)
        self.idempotency: Any = None
        if settings.idempotency_table:
            from eventpipe.runtime.idempotency import IdempotencyGuard, idempotency_key

            self.idempotency = IdempotencyGuard(
                settings.idempotency_table, settings.idempotency_ttl, settings.consumer
            )
            self._idempotency_key = idempotency_key
        processor: BatchProcessor
        processor = SqsFifoPartialProcessor() if settings.fifo else BatchProcessor(EventType.SQS)
        # Report an all-failed batch as failures instead of raising: the records then
        # get their backoff instead of all coming back after the full visibility timeout.
        processor.raise_on_entire_batch_failure = False
        self.processor = processor
        self._sqs: Any = None
        self._lock = threading.Lock()
        self._pass_record = self.shape.wants_record
        self._tracing = self.obs.tracer is not None
        self._span = f"## {settings.consumer}"
        # Per-invocation state, reset by run().
        self._stats = BatchStats()
        self._delays: dict[str, int] = {}
        self._halt_delay: int | None = None

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
            self._halt_delay = None
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
            self.obs.publish(stats)
            return response

    def _handle_record(self, record: Any) -> None:
        raw: dict[str, Any] = record.raw_event
        stats = self._stats
        if self._halt_delay is not None:
            self._delays[raw["messageId"]] = self._halt_delay
            raise BatchHaltedError(
                "an earlier record of this FIFO batch failed; retried after it to keep order"
            )
        info = record_info(raw, self.settings.max_receive_count)
        try:
            if self._tracing:
                with self.obs.subsegment(self._span):
                    self._process(raw, info, stats)
            else:
                self._process(raw, info, stats)
        except PermanentError as exc:
            try:
                send_to_dlq(self.sqs, self.settings.dlq_url, info, exc, self.settings.consumer)
            except DeadLetterError as dlq_exc:
                self._retry(info, dlq_exc)
                raise dlq_exc from exc
            stats.dead_lettered += 1
            self.logger.error(
                "record sent to the DLQ",
                extra={
                    "message_id": info.message_id,
                    "error_type": type(exc).__name__,
                    "error": str(exc),
                    "receive_count": info.receive_count,
                },
            )
            if self.settings.fifo:
                self._halt_delay = 0  # successors may go right away: the blocker is gone
        except Exception as exc:
            self._retry(info, exc)
            raise

    def _process(self, raw: dict[str, Any], info: RecordInfo, stats: BatchStats) -> None:
        arg, event = self.decode(raw, info)
        if event is not None:
            self.logger.set_correlation_id(event.id)
            event_time = event.time.timestamp()
        else:
            event_time = info.sent_timestamp_ms / 1000.0
        stats.ages.append(max(0.0, (_now() - event_time) * 1000.0))
        func = self.func
        start = _perf()
        if self.idempotency is not None:
            key = self._idempotency_key(event.id if isinstance(event, Event) else None, info)
            if self._pass_record:
                ran = self.idempotency.run(key, lambda: func(arg, info))
            else:
                ran = self.idempotency.run(key, lambda: func(arg))
            if not ran:
                stats.duplicates += 1
                self.logger.info(
                    "duplicate delivery skipped",
                    extra={"message_id": info.message_id, "idempotency_key": key},
                )
        elif self._pass_record:
            func(arg, info)
        else:
            func(arg)
        stats.durations.append((_perf() - start) * 1000.0)
        stats.succeeded += 1

    def _retry(self, info: RecordInfo, exc: BaseException) -> None:
        delay = self.backoff.delay(info.receive_count)
        self._delays[info.message_id] = delay
        if self.settings.fifo:
            self._halt_delay = delay  # successors wait as long as the record before them
        self.logger.warning(
            "record failed on its last attempt; SQS moves it to the DLQ"
            if info.last_attempt
            else "record failed; SQS delivers it again after the backoff",
            extra={
                "message_id": info.message_id,
                "error_type": type(exc).__name__,
                "error": str(exc),
                "receive_count": info.receive_count,
                "max_receive_count": info.max_receive_count,
                "retry_in_seconds": delay,
            },
            exc_info=exc,
        )

    def _apply_backoff(self, records: list[dict[str, Any]], failures: list[dict[str, Any]]) -> None:
        """Set each failed record's visibility to its backoff (one batch call per queue)."""
        failed = {f["itemIdentifier"] for f in failures}
        default = self._halt_delay
        by_queue: dict[str, list[dict[str, Any]]] = {}
        for raw in records:
            mid = raw.get("messageId", "")
            if mid not in failed:
                continue
            delay: int | None = self._delays.get(mid, default)
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
                for i in range(0, len(entries), 10):
                    chunk = entries[i : i + 10]
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
