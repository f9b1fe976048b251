"""Metrics (EMF) and logs of an invocation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from eventpipe import contract
from eventpipe.runtime.observability import Observability
from eventpipe.testing import ConsumerInvoker, eventbridge_event


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_emf_metrics_per_invocation(
    invoke_consumer: ConsumerInvoker,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    old = datetime.now(UTC) - timedelta(minutes=2)
    events = [
        eventbridge_event("T", "s", {"orderId": i}, time=old)
        for i in ("ok-1", "ok-2", "retry-3", "perm-4")
    ]
    invoke_consumer("tests.runtime.handlers:by_order_id", events, name="metered")
    [emf] = [d for d in _lines(capsys.readouterr().out) if "_aws" in d]
    [directive] = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == contract.METRICS_NAMESPACE
    assert emf["service"] == "metered"
    units = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
    assert units["HandlerDuration"] == units["EventAge"] == "Milliseconds"
    counts = [emf[k] for k in ("RecordsSucceeded", "RecordsRetried", "RecordsDeadLettered")]
    assert counts == [[2.0], [1.0], [1.0]]
    durations = emf["HandlerDuration"]
    assert len(durations) == 2 and all(d >= 0 for d in durations)
    ages = emf["EventAge"]
    assert len(ages) == 4 and all(120_000 <= a < 180_000 for a in ages)


def test_logs_carry_consumer_and_event_id(
    invoke_consumer: ConsumerInvoker, capsys: pytest.CaptureFixture[str]
) -> None:
    event = eventbridge_event("T", "s", {"orderId": "retry-1"})
    result = invoke_consumer("tests.runtime.handlers:by_order_id", [event], name="logged")
    [warning] = [d for d in _lines(capsys.readouterr().out) if d.get("level") == "WARNING"]
    assert warning["service"] == "logged"
    assert warning["correlation_id"] == event["id"]
    assert warning["message_id"] == result.message_ids[0]
    assert warning["error_type"] == "RetryableError"
    assert warning["receive_count"] == 1 and "retry_in_seconds" in warning


class FakeTracer:
    """Stands in for Powertools' Tracer: the real one patches boto3 process-wide."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.subsegments: list[str] = []
        self.provider = self

    @contextmanager
    def in_subsegment(self, name: str) -> Iterator[None]:
        self.subsegments.append(name)
        yield


def test_tracing_off_outside_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    assert Observability("c").tracer is None  # no AWS_LAMBDA_FUNCTION_NAME: not in Lambda


def test_one_subsegment_per_record_in_lambda(
    invoke_consumer: ConsumerInvoker, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aws_lambda_powertools

    tracers: list[FakeTracer] = []

    def make(service: str) -> FakeTracer:
        tracers.append(FakeTracer(service))
        return tracers[-1]

    monkeypatch.setattr(aws_lambda_powertools, "Tracer", make)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "traced-fn")
    events = [eventbridge_event("T", "s", {"orderId": i}) for i in ("ok-1", "ok-2", "boom-3")]
    result = invoke_consumer(
        "tests.runtime.handlers:by_order_id",
        events,
        name="traced",
        env={"POWERTOOLS_TRACE_DISABLED": "false"},
    )
    assert result.outcomes == ["succeeded", "succeeded", "will-retry"]
    [tracer] = tracers
    assert tracer.service == "traced"
    assert tracer.subsegments == ["## traced"] * 3


def test_fifo_halted_records_count_as_retried(
    invoke_consumer: ConsumerInvoker,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    events = [
        eventbridge_event("T", "s", {"orderId": i}) for i in ("ok-1", "retry-2", "ok-3", "ok-4")
    ]
    invoke_consumer("tests.runtime.handlers:by_order_id", events, fifo=True, group_id="g")
    [emf] = [d for d in _lines(capsys.readouterr().out) if "_aws" in d]
    counts = [emf[k] for k in ("RecordsSucceeded", "RecordsRetried", "RecordsDeadLettered")]
    assert counts == [[1.0], [3.0], [0.0]]  # the failure and the two held behind it
