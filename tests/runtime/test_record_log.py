"""Every line about a record carries that record's own ids, through the real Powertools
logger, in a warm runner (one runner, one logger, several invocations)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from eventpipe import contract
from eventpipe.runtime.batch import BatchRunner
from eventpipe.runtime.loading import load_handler
from eventpipe.runtime.record_log import OUTCOMES
from eventpipe.runtime.settings import Settings
from eventpipe.testing import eventbridge_event, sqs_event, sqs_record
from tests.runtime.fakes import DLQ_URL, FIFO_DLQ_URL, FakeSqs


def warm_runner(
    handler: str, *, source: str = "rule", fifo: bool = False, max_receive_count: int = 5
) -> tuple[BatchRunner, FakeSqs, str]:
    """A runner with Powertools' own logger (a service name of its own, so the lines of
    one test are told apart) and a recording SQS client."""
    service = f"warm-{uuid.uuid4().hex[:8]}"
    settings = Settings.from_env(
        {
            contract.ENV_HANDLER: handler,
            contract.ENV_CONSUMER: service,
            contract.ENV_FIFO: "true" if fifo else "false",
            contract.ENV_SOURCE: source,
            contract.ENV_DLQ_URL: FIFO_DLQ_URL if fifo else DLQ_URL,
            contract.ENV_MAX_RECEIVE_COUNT: str(max_receive_count),
        }
    )
    sqs = FakeSqs()
    return BatchRunner(settings, load_handler(handler), sqs=sqs), sqs, service


def lines(out: str, service: str) -> list[dict[str, Any]]:
    """The JSON lines ``service`` logged about records (those with a message id)."""
    found = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [d for d in found if d.get("service") == service and "message_id" in d]


def test_a_bad_body_after_a_good_record_never_carries_the_good_records_event_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runner, _, service = warm_runner("tests.runtime.handlers:typed")
    good = eventbridge_event("Order Created", "shop", {"orderId": "o-1", "amount": 5})
    good_record = sqs_record(good)
    assert runner.run(sqs_event([good_record]), None) == {"batchItemFailures": []}
    bad_record = sqs_record("this is not JSON")
    assert runner.run(sqs_event([bad_record]), None) == {"batchItemFailures": []}
    first, second = lines(capsys.readouterr().out, service)
    assert first["outcome"] == "processed"
    assert first["message_id"] == good_record["messageId"]
    assert first["event_id"] == first["correlation_id"] == good["id"]
    assert second["outcome"] == "dead-lettered"
    assert second["error_type"] == "InvalidEventError"
    assert second["message_id"] == bad_record["messageId"]
    # The body names no event: no event id at all, never the previous record's.
    assert "event_id" not in second and "correlation_id" not in second


def test_a_detail_that_fails_validation_names_its_own_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runner, _, service = warm_runner("tests.runtime.handlers:typed")
    good = eventbridge_event("Order Created", "shop", {"orderId": "o-1", "amount": 5})
    bad = eventbridge_event("Order Created", "shop", {"orderId": "o-2", "amount": -1})
    records = [sqs_record(good), sqs_record(bad)]
    runner.run(sqs_event(records[:1]), None)
    runner.run(sqs_event(records[1:]), None)
    first, second = lines(capsys.readouterr().out, service)
    assert (first["event_id"], first["message_id"]) == (good["id"], records[0]["messageId"])
    assert second["outcome"] == "dead-lettered"
    assert (second["event_id"], second["message_id"]) == (bad["id"], records[1]["messageId"])
    assert second["correlation_id"] == bad["id"]


def test_in_one_batch_each_line_names_its_own_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runner, sqs, service = warm_runner("tests.runtime.handlers:by_order_id")
    events = [
        eventbridge_event("T", "s", {"orderId": "ok-1"}),
        eventbridge_event("T", "s", {"orderId": "retry-2"}),
        eventbridge_event("T", "s", {"orderId": "perm-3"}),
    ]
    records = [sqs_record(e) for e in events]
    bad_body = sqs_record('{"id": "not-an-event", "detail": 1}')
    runner.run(sqs_event([*records, bad_body]), None)
    found = lines(capsys.readouterr().out, service)
    by_message = {d["message_id"]: d for d in found}
    assert len(found) == len(by_message) == 4  # one outcome line per record
    for event, record, outcome in zip(
        events, records, ["processed", "retry", "dead-lettered"], strict=True
    ):
        line = by_message[record["messageId"]]
        assert (line["event_id"], line["outcome"], line["receive_count"]) == (
            event["id"],
            outcome,
            1,
        )
        assert line["correlation_id"] == event["id"]
    assert by_message[bad_body["messageId"]]["event_id"] == "not-an-event"
    # Durations: the handler ran for the first three, never for the undecodable body.
    assert all(by_message[r["messageId"]]["duration_ms"] >= 0 for r in records)
    assert "duration_ms" not in by_message[bad_body["messageId"]]
    retry = by_message[records[1]["messageId"]]
    assert retry["error_type"] == "RetryableError" and retry["retry_in_seconds"] >= 0
    dead = by_message[records[2]["messageId"]]
    assert dead["dlq_message_id"] == "dlq-1"  # what SendMessage answered (FakeSqs)
    assert len(sqs.sent) == 2
    assert {d["outcome"] for d in found} <= set(OUTCOMES)


def test_lines_after_the_batch_carry_no_records_id(capsys: pytest.CaptureFixture[str]) -> None:
    runner, _, service = warm_runner("tests.runtime.handlers:typed")
    runner.run(
        sqs_event([sqs_record(eventbridge_event("T", "s", {"orderId": "o", "amount": 1}))]),
        None,
    )
    runner.logger.info("after the batch")
    after = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("{") and "after the batch" in line
    ]
    assert [line["service"] for line in after] == [service]
    assert "correlation_id" not in after[0] and "event_id" not in after[0]


def test_a_plugin_logger_of_the_same_service_shares_the_records_correlation_id(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, _, service = warm_runner("tests.runtime.handlers:log_with_powertools")
    monkeypatch.setenv("EVENTPIPE_TEST_SERVICE", service)
    event = eventbridge_event("T", "s", {"orderId": "o-9"})
    runner.run(sqs_event([sqs_record(event)]), None)
    [plugin_line] = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("{") and "the plugin's own line" in line
    ]
    assert plugin_line["service"] == service
    assert plugin_line["correlation_id"] == event["id"]


def test_a_topic_fed_record_names_the_sns_message_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runner, _, service = warm_runner("tests.runtime.handlers:body_any", source="topic")
    notification = {
        "Type": "Notification",
        "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:payments",
        "Message": '{"refundId": "r-1"}',
        "Timestamp": "2026-12-02T00:00:00.000Z",
    }
    raw = sqs_record("plain text, a raw delivery")
    runner.run(sqs_event([sqs_record(notification), raw]), None)
    first, second = lines(capsys.readouterr().out, service)
    assert first["event_id"] == notification["MessageId"]
    assert first["outcome"] == "processed"
    assert "event_id" not in second and second["message_id"] == raw["messageId"]


def test_a_held_fifo_record_logs_what_it_waits_behind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runner, _, service = warm_runner("tests.runtime.handlers:by_order_id", fifo=True)
    events = [
        eventbridge_event("T", "s", {"orderId": "retry-1"}),
        eventbridge_event("T", "s", {"orderId": "ok-2"}),
    ]
    records = [sqs_record(e, fifo=True, group_id="g-1") for e in events]
    runner.run(sqs_event(records), None)
    failed, held = lines(capsys.readouterr().out, service)
    assert (failed["outcome"], failed["message_group"]) == ("retry", "g-1")
    assert held["outcome"] == "held"
    assert held["event_id"] == events[1]["id"]
    assert held["held_behind"] == records[0]["messageId"]
    assert held["retry_in_seconds"] == failed["retry_in_seconds"]
