"""Edge cases the mutation run showed no test noticed (benchmarks/README.md, "Mutation
testing"): exact operator-facing log lines and DLQ copy details."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from eventpipe import contract
from eventpipe.runtime import PermanentError, RetryableError
from eventpipe.runtime.dead_letters import (
    DLQ_ATTR_ORIGINAL_ATTRIBUTES,
    MIN_ERROR_BYTES,
    TRUNCATED,
    CopyDoesNotFitError,
    Reason,
    build_message,
    message_size,
    send_to_dlq,
)
from eventpipe.runtime.decoding import make_decoder, record_info
from eventpipe.runtime.exceptions import DeadLetterError, InvalidEventError
from eventpipe.runtime.introspect import shape_of
from eventpipe.runtime.models import RecordInfo
from eventpipe.testing import eventbridge_event, sqs_event, sqs_record
from tests.runtime import handlers
from tests.runtime.fakes import FakeSqs, RecordingMetrics, StepRng, make_runner

BY_ID = "tests.runtime.handlers:by_order_id"


def order(order_id: str) -> dict[str, Any]:
    return eventbridge_event("Order Created", "ecommerce.orders", {"orderId": order_id})


def test_a_failed_visibility_call_logs_the_queue_and_the_error_type() -> None:
    runner, sqs, logger = make_runner(BY_ID)
    sqs.visibility_error = PermissionError("AccessDenied on ChangeMessageVisibilityBatch")
    record = sqs_record(order("retry-1"))
    runner.run(sqs_event([record]), None)
    [line] = [x for x in logger.lines if x[1].startswith("ChangeMessageVisibility")]
    assert line == (
        "warning",
        "ChangeMessageVisibility failed; records return after the queue's visibility timeout",
        {
            "queue_arn": record["eventSourceARN"],
            "error": "PermissionError: AccessDenied on ChangeMessageVisibilityBatch",
        },
    )


def test_a_previous_spill_in_send_message_shape_is_kept() -> None:
    """An earlier copy's JSON attribute given as SendMessage spells it (``StringValue``)
    is read as well as the Lambda event's ``stringValue``."""
    earlier = {"old": {"dataType": "String", "stringValue": "kept"}}
    raw = sqs_record("b")
    raw["messageAttributes"] = {
        DLQ_ATTR_ORIGINAL_ATTRIBUTES: {"DataType": "String", "StringValue": json.dumps(earlier)}
    }
    params = build_message(record_info(raw, 5), RuntimeError("e"), "c", fifo_dlq=False)
    spill = json.loads(params["MessageAttributes"][DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])
    assert spill == earlier


def _info(body: str = "b") -> Any:
    return record_info(sqs_record(body), 5)


def test_failed_at_is_utc_with_its_offset() -> None:
    params = build_message(_info(), RuntimeError("e"), "c", fifo_dlq=False)
    stamp = params["MessageAttributes"][contract.DLQ_ATTR_FAILED_AT]["StringValue"]
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset() == timedelta(0)
    assert stamp.endswith("+00:00")


def test_a_held_record_without_a_group_names_none() -> None:
    reason = Reason("BatchHaltedError", "held", held_behind="m-1", group=None)
    params = build_message(_info(), reason, "c", fifo_dlq=False)
    attrs = params["MessageAttributes"]
    assert attrs[contract.DLQ_ATTR_HELD_BEHIND]["StringValue"] == "m-1"
    assert attrs[contract.DLQ_ATTR_MESSAGE_GROUP]["StringValue"] == "(none)"


def test_attribute_values_json_cannot_hold_are_spilled_as_text() -> None:
    """A record handed over with Python values (a local engine's decoder) still copies."""
    info = record_info(sqs_record("b"), 5)
    odd = {"dataType": "Number", "stringValue": Decimal("1.5"), "when": date(2026, 1, 2)}
    info = replace(info, message_attributes={"odd": odd})
    params = build_message(info, RuntimeError("e"), "c", fifo_dlq=False)
    spill = json.loads(params["MessageAttributes"][DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])
    assert spill == {"odd": {"dataType": "Number", "stringValue": "1.5", "when": "2026-01-02"}}


def _fixed_bytes(info: Any, error_type: str = "E") -> int:
    """Bytes of the copy without the error message's value (what build_message counts)."""
    params = build_message(info, Reason(error_type, "x"), "c", fifo_dlq=False)
    attrs = dict(params["MessageAttributes"])
    del attrs[contract.DLQ_ATTR_ERROR_MESSAGE]
    name = contract.DLQ_ATTR_ERROR_MESSAGE
    return message_size(info.body, attrs) + len(name.encode()) + len(b"String")


def test_the_copy_is_sent_when_exactly_the_minimum_reason_fits() -> None:
    info = _info("q" * 500)
    fixed = _fixed_bytes(info)
    params = build_message(
        info, Reason("E", "m" * 100), "c", fifo_dlq=False, limit=fixed + MIN_ERROR_BYTES
    )
    text = params["MessageAttributes"][contract.DLQ_ATTR_ERROR_MESSAGE]["StringValue"]
    assert len(text.encode()) == MIN_ERROR_BYTES
    assert text.endswith(TRUNCATED)
    assert message_size(params["MessageBody"], params["MessageAttributes"]) == (
        fixed + MIN_ERROR_BYTES
    )
    with pytest.raises(CopyDoesNotFitError):
        build_message(
            info, Reason("E", "m" * 100), "c", fifo_dlq=False, limit=fixed + MIN_ERROR_BYTES - 1
        )


def test_a_copy_that_cannot_fit_says_why_with_the_reason_cut_to_300() -> None:
    info = _info("q" * 500)
    with pytest.raises(CopyDoesNotFitError) as caught:
        build_message(info, Reason("BigError", "r" * 400), "c", fifo_dlq=False, limit=600)
    fixed = _fixed_bytes(info, "BigError")
    assert str(caught.value) == (
        f"message {info.message_id} cannot be copied to the DLQ with its reason: the "
        f"body and attributes take {fixed} bytes of SQS's 600; it is left for SQS's "
        f"redrive (reason: BigError: {'r' * (300 - len(TRUNCATED))}{TRUNCATED})"
    )


class _Guard:
    """An idempotency guard that has seen the keys in ``seen`` (stands in for
    IdempotencyGuard and its DynamoDB table)."""

    def __init__(self, seen: set[str]) -> None:
        self.seen = seen

    def register_context(self, context: Any) -> None:
        return None

    def run(self, key: str, thunk: Any) -> bool:
        if key in self.seen:
            return False
        thunk()
        self.seen.add(key)
        return True


def _with_guard(handler: str, seen: set[str]) -> tuple[Any, Any, list[Any]]:
    """A runner with a guard (the real key function, its default) and a metrics sink."""
    metrics = RecordingMetrics()
    runner, _, logger = make_runner(handler, idempotency=_Guard(seen), metrics=metrics)
    return runner, logger, metrics.published


def test_duplicates_are_counted_logged_and_not_run() -> None:
    first = eventbridge_event("Order Created", "shop", {"orderId": "o-1", "amount": 1})
    second = eventbridge_event("Order Created", "shop", {"orderId": "o-2", "amount": 2})
    fresh = eventbridge_event("Order Created", "shop", {"orderId": "o-3", "amount": 3})
    runner, logger, published = _with_guard(
        "tests.runtime.handlers:typed", {first["id"], second["id"]}
    )
    records = [sqs_record(first), sqs_record(second), sqs_record(fresh)]
    assert runner.run(sqs_event(records), None) == {"batchItemFailures": []}
    [stats] = published
    assert stats.duplicates == 2
    assert stats.succeeded == 3
    assert [e.detail.order_id for e in handlers.CALLS] == ["o-3"]
    skipped = [line for line in logger.lines if line[1] == "duplicate delivery skipped"]
    assert skipped == [
        (
            "info",
            "duplicate delivery skipped",
            {
                "message_id": r["messageId"],
                "event_id": e["id"],
                "receive_count": 1,
                "outcome": "duplicate",
                "idempotency_key": e["id"],
            },
        )
        for r, e in zip(records[:2], (first, second), strict=True)
    ]


def test_no_duplicate_is_counted_when_every_record_is_new() -> None:
    runner, logger, published = _with_guard("tests.runtime.handlers:typed", set())
    event = eventbridge_event("Order Created", "shop", {"orderId": "o-1", "amount": 1})
    runner.run(sqs_event([sqs_record(event)]), None)
    [stats] = published
    assert stats.duplicates == 0
    assert not [line for line in logger.lines if line[1] == "duplicate delivery skipped"]


def test_a_guarded_handler_taking_the_record_gets_the_event_and_the_record() -> None:
    runner, _, _ = _with_guard("tests.runtime.handlers:typed_with_record", set())
    event = eventbridge_event("Order Created", "shop", {"orderId": "o-9", "amount": 9})
    record = sqs_record(event)
    runner.run(sqs_event([record]), None)
    [(got, info)] = handlers.CALLS
    assert got.id == event["id"] and got.detail.order_id == "o-9"
    assert info.message_id == record["messageId"]


def test_event_age_is_measured_in_milliseconds_and_never_negative() -> None:
    metrics = RecordingMetrics()
    runner, _, _ = make_runner(
        "tests.runtime.handlers:body_any", source="queue", clock=lambda: 1_000.0, metrics=metrics
    )
    records = [
        sqs_record({"a": 1}, sent_timestamp=995_000),  # sent 5 s ago
        sqs_record({"a": 2}, sent_timestamp=1_002_000),  # clock skew: "sent" in 2 s
    ]
    assert runner.run(sqs_event(records), None) == {"batchItemFailures": []}
    assert metrics.last.ages == [5000.0, 0.0]


def test_a_union_detail_that_fails_is_dead_lettered_naming_both_models() -> None:
    runner, sqs, _ = make_runner("tests.runtime.handlers:union")
    event = eventbridge_event("Order Created", "shop", {"orderId": 1})
    runner.run(sqs_event([sqs_record(event)]), None)
    [sent] = sqs.sent
    text = sent["MessageAttributes"][contract.DLQ_ATTR_ERROR_MESSAGE]["StringValue"]
    assert text.splitlines()[0] == (
        "EventBridge event (detail as tests.runtime.handlers.OrderCreated | "
        "tests.runtime.handlers.OrderCancelled) failed validation (4 error(s)):"
    )


def test_handler_duration_is_measured_in_milliseconds() -> None:
    ticks = iter([100.0, 100.25, 200.0, 200.5])
    metrics = RecordingMetrics()
    runner, _, _ = make_runner(
        "tests.runtime.handlers:body_any",
        source="queue",
        timer=lambda: next(ticks),
        metrics=metrics,
    )
    runner.run(sqs_event([sqs_record({"a": 1}), sqs_record({"a": 2})]), None)
    assert metrics.last.durations == [250.0, 500.0]


def test_the_time_scale_shortens_the_backoff() -> None:
    runner, sqs, _ = make_runner(BY_ID, env={contract.ENV_TIME_SCALE: "0.5"}, rng=StepRng())
    record = sqs_record(order("retry-1"))
    runner.run(sqs_event([record]), None)
    # ceiling min(900, 4 * 2**0) = 4; drawn 0.9 of it = 3.6 s; scaled by 0.5 -> 2 s.
    assert sqs.visibility() == {record["receiptHandle"]: 2}


@pytest.mark.parametrize(
    ("order_id", "receive_count", "cause"),
    [("perm-1", 1, PermanentError), ("retry-1", 5, RetryableError)],
)
def test_a_failed_dlq_copy_is_logged_with_the_handler_error_as_its_cause(
    order_id: str, receive_count: int, cause: type[Exception]
) -> None:
    runner, _, logger = make_runner(BY_ID, sqs=FakeSqs(reject=lambda p: RuntimeError("denied")))
    record = sqs_record(order(order_id), receive_count=receive_count)
    response = runner.run(sqs_event([record]), None)
    assert response == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    [failed] = [line for line in logger.about(record["messageId"]) if "_exc_info" in line[2]]
    error = failed[2]["_exc_info"]
    assert isinstance(error, DeadLetterError)
    assert isinstance(error.__cause__, cause)
    assert order_id in str(error.__cause__)


def test_with_tracing_each_record_runs_in_its_own_subsegment() -> None:
    spans: list[str] = []

    @contextmanager
    def subsegment(name: str) -> Iterator[None]:
        spans.append(name)
        yield

    runner, _, _ = make_runner("tests.runtime.handlers:typed_with_record", subsegment=subsegment)
    events = [
        eventbridge_event("Order Created", "shop", {"orderId": f"o-{i}", "amount": 1})
        for i in range(2)
    ]
    records = [sqs_record(e) for e in events]
    assert runner.run(sqs_event(records), None) == {"batchItemFailures": []}
    assert spans == ["## test-consumer", "## test-consumer"]
    assert [(e.detail.order_id, r.message_id) for e, r in handlers.CALLS] == [
        ("o-0", records[0]["messageId"]),
        ("o-1", records[1]["messageId"]),
    ]


def test_an_event_that_is_not_an_sqs_batch_is_refused_with_the_expected_shape() -> None:
    runner, _, _ = make_runner(BY_ID)
    with pytest.raises(ValueError) as caught:
        runner.run({"Records": {"body": "x"}}, None)
    assert str(caught.value) == (
        "eventpipe.runtime.handler expects an SQS event ({'Records': [...]})"
    )


def test_record_info_reads_every_field_of_a_fifo_record() -> None:
    raw = {
        "messageId": "m-1",
        "receiptHandle": "rh-1",
        "body": "hello",
        "attributes": {
            "ApproximateReceiveCount": "3",
            "SentTimestamp": "1700000000123",
            "MessageGroupId": "g-1",
            "SequenceNumber": "18849",
            "MessageDeduplicationId": "d-1",
        },
        "messageAttributes": {"a": {"dataType": "String", "stringValue": "1"}},
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q.fifo",
    }
    info = record_info(raw, 4)
    assert info == RecordInfo(
        "m-1",
        "rh-1",
        3,
        1700000000123,
        "arn:aws:sqs:us-east-1:123456789012:q.fifo",
        "hello",
        "g-1",
        "18849",
        "d-1",
        raw["attributes"],
        raw["messageAttributes"],
        4,
    )
    assert isinstance(info.receive_count, int) and isinstance(info.sent_timestamp_ms, int)


@pytest.mark.parametrize("empty", [None, {}])
def test_record_info_defaults_of_a_bare_record(empty: Any) -> None:
    """Only ``messageId`` is required; a record missing the rest (a hand-made test
    event, a local engine) reads as a first delivery of an empty body."""
    raw: dict[str, Any] = {"messageId": "m-2", "attributes": empty, "messageAttributes": empty}
    info = record_info(raw, None)
    assert info == RecordInfo("m-2", "", 1, 0, "", "", None, None, None, {}, {}, None)
    assert info.receive_count == 1 and not info.last_attempt
    with pytest.raises(KeyError):
        record_info({"body": "x"}, None)


def text_body(body: str) -> None:
    """A direct-queue handler that wants the body as text, JSON or not."""


def _decode_with(func: Any, body: str, source: str = "rule") -> tuple[Any, Any, Any]:
    decode = make_decoder(shape_of(func, source), source)  # type: ignore[arg-type]
    raw = sqs_record(body)
    info = record_info(raw, None)
    arg, event = decode(raw, info)
    return arg, event, info


def test_an_untyped_event_handler_failing_envelope_names_dict() -> None:
    with pytest.raises(InvalidEventError) as caught:
        _decode_with(handlers.untyped, json.dumps({"id": "x"}))
    assert (
        str(caught.value)
        .splitlines()[0]
        .startswith("EventBridge event (detail as dict) failed validation (")
    )


def test_a_typed_detail_failing_names_its_model() -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "o"})
    with pytest.raises(InvalidEventError) as caught:
        _decode_with(handlers.detail_only, json.dumps(event))
    assert str(caught.value).splitlines() == [
        "EventBridge event (detail as OrderCreated) failed validation (1 error(s)):",
        "  detail.amount: Field required",
    ]


@pytest.mark.parametrize("func", [handlers.typed, handlers.untyped, handlers.bare_event])
def test_an_event_handler_gets_the_event_with_its_record(func: Any) -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "o", "amount": 2})
    arg, decoded, info = _decode_with(func, json.dumps(event))
    assert arg is decoded
    assert decoded.id == event["id"]
    assert decoded.record is info


def test_a_detail_handler_gets_the_typed_detail() -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "o", "amount": 2})
    arg, decoded, info = _decode_with(handlers.detail_only, json.dumps(event))
    assert isinstance(arg, handlers.OrderCreated) and arg.order_id == "o"
    assert decoded.id == event["id"] and decoded.record is info


def test_body_handlers_get_json_parsed_text_as_is_or_their_model() -> None:
    assert _decode_with(handlers.body_any, '{"a": [1, 2]}', "queue")[:2] == ({"a": [1, 2]}, None)
    assert _decode_with(handlers.body_any, "plain {text", "queue")[:2] == ("plain {text", None)
    assert _decode_with(text_body, '{"a": 1}', "queue")[:2] == ('{"a": 1}', None)
    arg, event, _ = _decode_with(handlers.body_model, '{"orderId": "o", "amount": 3}', "queue")
    assert event is None and arg == handlers.OrderCreated(orderId="o", amount=3)
    with pytest.raises(InvalidEventError) as caught:
        _decode_with(handlers.body_model, '{"orderId": "o"}', "queue")
    assert str(caught.value).splitlines() == [
        "message body (as OrderCreated) failed validation (1 error(s)):",
        "  amount: Field required",
    ]


def test_a_topic_fed_event_handler_gets_its_record_attached() -> None:
    """An EventBridge event published to a topic: unwrapped, decoded, its record kept."""
    event = eventbridge_event("Order Created", "shop", {"orderId": "o", "amount": 2})
    envelope = json.dumps(
        {
            "Type": "Notification",
            "MessageId": "dc1e94d9-56c5-5e96-808d-cc7f68faa162",
            "TopicArn": "arn:aws:sns:us-east-2:111122223333:ExampleTopic1",
            "Message": json.dumps(event),
        }
    )
    arg, decoded, info = _decode_with(handlers.typed, envelope, "topic")
    assert arg is decoded and decoded.id == event["id"]
    assert decoded.record is info
    assert info.body == envelope  # the record is what SQS delivered


def test_a_missing_dlq_url_is_refused_saying_what_happens_instead() -> None:
    info = _info()
    sqs = FakeSqs()
    with pytest.raises(DeadLetterError) as caught:
        send_to_dlq(sqs, None, info, RuntimeError("e"), "c")
    assert str(caught.value) == (
        f"cannot dead-letter message {info.message_id}: {contract.ENV_DLQ_URL} is not set; "
        "it is retried instead (SQS redrive moves it after maxReceiveCount)"
    )
    assert sqs.attempts == []
