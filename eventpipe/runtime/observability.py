"""Logs, metrics and traces of the runtime, built once per container.

* Logger: Powertools JSON logs, ``service`` = consumer name, ``correlation_id`` = the
  event id of the record being processed (plugin code using a Powertools ``Logger`` with
  the same service shares it).
* Metrics: EMF under namespace ``eventpipe``, dimension ``service``; counts per batch
  (RecordsSucceeded, RecordsRetried, RecordsDeadLettered, DuplicatesSkipped) and, per
  record, HandlerDuration and EventAge in milliseconds. Collected in plain lists during
  the batch and handed to Powertools once at the end: one EMF line per invocation.
* Tracer: a subsegment per record, only when running in Lambda with tracing enabled
  (the X-Ray SDK is not even imported otherwise).

``POWERTOOLS_METRICS_DISABLED`` / ``POWERTOOLS_TRACE_DISABLED`` / ``POWERTOOLS_LOG_LEVEL``
make it quiet (the test helpers set them).
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from aws_lambda_powertools import Logger

from eventpipe import contract

_TRUE = ("1", "true", "yes", "on")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


class BatchStats:
    """Counters of one invocation; plain attributes because they sit on the hot path."""

    __slots__ = ("ages", "dead_lettered", "duplicates", "durations", "retried", "succeeded")

    def __init__(self) -> None:
        self.succeeded = 0
        self.retried = 0
        self.dead_lettered = 0
        self.duplicates = 0
        self.durations: list[float] = []
        self.ages: list[float] = []


class Observability:
    """The consumer's logger, metrics sink and optional tracer."""

    def __init__(self, consumer: str) -> None:
        self.consumer = consumer
        self.logger = Logger(service=consumer, use_rfc3339=True)
        self.metrics: Any = None
        if not _env_flag("POWERTOOLS_METRICS_DISABLED"):
            # The provider, not ``Metrics``: ``Metrics`` instances share one class-level
            # metric set, which would mix consumers served by one process (local engine).
            from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
                AmazonCloudWatchEMFProvider,
            )

            self.metrics = AmazonCloudWatchEMFProvider(
                namespace=contract.METRICS_NAMESPACE, service=consumer
            )
        self.tracer: Any = None
        in_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
        if in_lambda and not _env_flag("POWERTOOLS_TRACE_DISABLED"):
            from aws_lambda_powertools import Tracer

            self.tracer = Tracer(service=consumer)

    def subsegment(self, name: str) -> AbstractContextManager[Any]:
        """A trace subsegment for one record (a no-op context when tracing is off)."""
        if self.tracer is None:
            return nullcontext()
        return self.tracer.provider.in_subsegment(name)

    def publish(self, stats: BatchStats) -> None:
        """Emit the invocation's metrics as one EMF document."""
        metrics = self.metrics
        if metrics is None:
            return
        add = metrics.add_metric
        add(name="RecordsSucceeded", unit="Count", value=stats.succeeded)
        add(name="RecordsRetried", unit="Count", value=stats.retried)
        add(name="RecordsDeadLettered", unit="Count", value=stats.dead_lettered)
        if stats.duplicates:
            add(name="DuplicatesSkipped", unit="Count", value=stats.duplicates)
        _add_values(metrics, "HandlerDuration", stats.durations)
        _add_values(metrics, "EventAge", stats.ages)
        metrics.flush_metrics()


def _add_values(metrics: Any, name: str, values: list[float]) -> None:
    """Add many values of one metric (EMF keeps up to 100 per metric and document).

    ``add_metric`` re-validates name and unit on every call, which costs more than the
    rest of a no-op record; so it is called once and the other values join its list.
    """
    if not values:
        return
    metrics.add_metric(name=name, unit="Milliseconds", value=values[0])
    entry = metrics.metric_set.get(name)
    rest = values[1:100]
    if isinstance(entry, dict) and isinstance(entry.get("Value"), list):
        entry["Value"].extend(rest)
    else:  # pragma: no cover - a Powertools without metric_set: fall back
        for value in rest:
            metrics.add_metric(name=name, unit="Milliseconds", value=value)


def cold_start_failure(exc: BaseException) -> None:
    """Log why the runtime could not start (the invocation then raises)."""
    consumer = os.environ.get(contract.ENV_CONSUMER) or "eventpipe"
    Logger(service=consumer, use_rfc3339=True).exception(
        "eventpipe runtime failed at cold start; the whole batch returns to the queue",
        extra={"handler": os.environ.get(contract.ENV_HANDLER), "reason": str(exc)},
    )
