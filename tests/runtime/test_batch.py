"""BatchRunner details the failure-table tests do not reach: SQS call shapes and input
checks, each one a change to the runtime a mutation run found no other test caught
(benchmarks/README.md, "Mutation testing")."""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe.runtime import handler
from eventpipe.runtime.batch import SQS_MAX_BATCH_ENTRIES, queue_url_from_arn
from eventpipe.testing import eventbridge_event, lambda_context, sqs_event, sqs_record
from tests.runtime import handlers
from tests.runtime.fakes import RecordingMetrics, StepRng, make_runner

BY_ID = "tests.runtime.handlers:by_order_id"


def order(order_id: str) -> dict[str, Any]:
    return eventbridge_event("Order Created", "ecommerce.orders", {"orderId": order_id})


@pytest.mark.parametrize("failures", [10, 11, 23])
def test_visibility_changes_go_in_chunks_of_at_most_ten(failures: int) -> None:
    runner, sqs, _ = make_runner(BY_ID)
    records = [sqs_record(order(f"retry-{i}")) for i in range(failures)]
    runner.run(sqs_event(records), None)
    sizes = [len(call["Entries"]) for call in sqs.visibility_calls]
    assert SQS_MAX_BATCH_ENTRIES == 10
    assert all(size <= 10 for size in sizes)
    assert sum(sizes) == failures
    assert len(sizes) == -(-failures // 10)
    assert set(sqs.visibility()) == {r["receiptHandle"] for r in records}
    for call in sqs.visibility_calls:
        ids = [e["Id"] for e in call["Entries"]]
        assert len(set(ids)) == len(ids)  # Ids unique within a request, as SQS requires
        assert (
            call["QueueUrl"]
            == "https://sqs.us-east-1.amazonaws.com/123456789012/eventpipe-test-queue"
        )


def test_records_of_two_queues_get_one_call_each() -> None:
    runner, sqs, _ = make_runner(BY_ID)
    other = "arn:aws:sqs:eu-west-1:210987654321:other"
    records = [sqs_record(order("retry-1")), sqs_record(order("retry-2"), queue_arn=other)]
    runner.run(sqs_event(records), None)
    urls = sorted(call["QueueUrl"] for call in sqs.visibility_calls)
    assert urls == [
        "https://sqs.eu-west-1.amazonaws.com/210987654321/other",
        "https://sqs.us-east-1.amazonaws.com/123456789012/eventpipe-test-queue",
    ]


def test_successes_get_no_visibility_call() -> None:
    runner, sqs, _ = make_runner(BY_ID)
    runner.run(sqs_event([sqs_record(order("ok-1"))]), None)
    assert sqs.visibility_calls == []


def test_visibility_failure_is_logged_and_not_fatal() -> None:
    runner, sqs, logger = make_runner(BY_ID)
    sqs.visibility_error = RuntimeError("throttled")
    record = sqs_record(order("retry-1"))
    response = runner.run(sqs_event([record]), None)
    assert response["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]
    [line] = [x for x in logger.lines if x[1].startswith("ChangeMessageVisibility failed")]
    assert "throttled" in line[2]["error"]


@pytest.mark.parametrize(
    ("arn", "url"),
    [
        (
            "arn:aws:sqs:us-east-1:123456789012:q",
            "https://sqs.us-east-1.amazonaws.com/123456789012/q",
        ),
        (
            "arn:aws-cn:sqs:cn-north-1:123456789012:q.fifo",
            "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q.fifo",
        ),
        (
            "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q",
            "https://sqs.us-gov-west-1.amazonaws.com/123456789012/q",
        ),
    ],
)
def test_queue_url_from_arn(arn: str, url: str) -> None:
    assert queue_url_from_arn(arn) == url


@pytest.mark.parametrize(
    "arn", ["", "arn:aws:sns:us-east-1:123456789012:t", "arn:aws:sqs:us-east-1:123456789012"]
)
def test_queue_url_from_arn_refuses_other_arns(arn: str) -> None:
    with pytest.raises(ValueError, match="not an SQS queue ARN"):
        queue_url_from_arn(arn)


@pytest.mark.parametrize("records", [None, {}, "x", {"0": {}}, 3])
def test_an_event_without_a_records_list_is_refused(
    records: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, _, _ = make_runner(BY_ID)
    event: dict[str, Any] = {} if records is None else {"Records": records}
    with pytest.raises(ValueError, match="expects an SQS event"):
        runner.run(event, None)


def test_the_idempotency_context_is_registered_on_every_invocation() -> None:
    class Guard:
        def __init__(self) -> None:
            self.contexts: list[Any] = []

        def register_context(self, context: Any) -> None:
            self.contexts.append(context)

        def run(self, key: str, thunk: Any) -> bool:
            thunk()
            return True

    guard = Guard()
    runner, _, _ = make_runner(
        BY_ID, idempotency=guard, idempotency_key=lambda event_id, info: event_id or info.message_id
    )
    first, second = lambda_context("a"), lambda_context("b")
    runner.run(sqs_event([sqs_record(order("ok-1"))]), first)
    runner.run(sqs_event([sqs_record(order("ok-2"))]), second)
    assert guard.contexts == [first, second]


def test_entry_point_returns_partial_batch_response(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTPIPE_HANDLER", BY_ID)
    monkeypatch.setenv("EVENTPIPE_DLQ_URL", "")
    record = sqs_record(order("ok-1"))
    assert handler(sqs_event([record]), lambda_context()) == {"batchItemFailures": []}


def test_failure_logs_say_what_happens_next() -> None:
    runner, _, logger = make_runner(BY_ID, max_receive_count=5)
    early = sqs_record(order("retry-1"), receive_count=2)
    runner.run(sqs_event([early]), None)
    [(level, message, extra)] = logger.about(early["messageId"])
    assert (level, message) == ("warning", "record failed; SQS delivers it again after the backoff")
    assert extra["max_receive_count"] == 5 and extra["receive_count"] == 2
    assert extra["error_type"] == "RetryableError"
    assert extra["error"] == "dependency busy for retry-1"
    assert isinstance(extra["_exc_info"], Exception)  # the traceback is logged


def test_a_failed_copy_on_the_last_receive_says_sqs_redrive_moves_it() -> None:
    runner, _, logger = make_runner(BY_ID, max_receive_count=2, dlq_url="")
    last = sqs_record(order("retry-1"), receive_count=2)
    runner.run(sqs_event([last]), None)
    [(_level, message, extra)] = logger.about(last["messageId"])
    assert message == "record failed on its last attempt; SQS's redrive moves it to the DLQ"
    assert extra["error_type"] == "DeadLetterError"


def test_only_failed_records_get_a_visibility_change_wherever_they_are() -> None:
    runner, sqs, _ = make_runner(BY_ID)
    records = [sqs_record(order(i)) for i in ("ok-0", "retry-1", "ok-2", "retry-3")]
    runner.run(sqs_event(records), None)
    assert set(sqs.visibility()) == {records[1]["receiptHandle"], records[3]["receiptHandle"]}


def test_a_record_failing_before_the_handler_gets_the_first_backoff() -> None:
    runner, sqs, _ = make_runner(BY_ID, rng=StepRng())
    record = sqs_record(order("ok-1"))
    record["attributes"]["ApproximateReceiveCount"] = "not a number"
    response = runner.run(sqs_event([record]), None)
    assert response["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]
    assert sqs.visibility() == {record["receiptHandle"]: round(0.9 * 4)}  # base 4, receive 1


def test_a_held_record_reports_why_it_did_not_run() -> None:
    runner, _, _ = make_runner(BY_ID, fifo=True)
    records = [
        sqs_record(order("retry-0"), fifo=True, group_id="G"),
        sqs_record(order("g-1"), fifo=True, group_id="G"),
    ]
    runner.run(sqs_event(records), None)
    reasons = [str(exc[1]) for exc in runner.processor.exceptions]
    assert reasons[1] == (
        f"held behind message {records[0]['messageId']} of FIFO message group 'G', "
        "which failed in this batch; retried after it to keep the group's order"
    )


def test_entries_sqs_could_not_change_are_logged() -> None:
    runner, sqs, logger = make_runner(BY_ID)
    sqs.visibility_failed = [{"Id": "0", "Code": "ReceiptHandleIsInvalid", "SenderFault": True}]
    runner.run(sqs_event([sqs_record(order("retry-1"))]), None)
    [line] = [x for x in logger.lines if x[1].startswith("could not set the backoff")]
    assert line[1] == (
        "could not set the backoff of some records; they return after the queue's "
        "visibility timeout"
    )
    assert line[2]["failed"] == sqs.visibility_failed


def test_event_age_of_a_direct_queue_record_counts_from_its_sent_time() -> None:
    import time

    metrics = RecordingMetrics()
    runner, _, _ = make_runner("tests.runtime.handlers:body_any", source="queue", metrics=metrics)
    sent = int(time.time() * 1000) - 5000
    runner.run(sqs_event([sqs_record({"a": 1}, sent_timestamp=sent)]), None)
    [age] = metrics.last.ages
    assert 5000 <= age < 120_000


def test_idempotency_keys_are_event_ids() -> None:
    keys: list[str] = []

    class Guard:
        def register_context(self, context: Any) -> None:
            return None

        def run(self, key: str, thunk: Any) -> bool:
            keys.append(key)
            thunk()
            return True

    # The key function is the default the runner picks with a guard: the real one.
    runner, _, _ = make_runner("tests.runtime.handlers:typed_with_record", idempotency=Guard())
    event = eventbridge_event("Order Created", "shop", {"orderId": "o", "amount": 1})
    runner.run(sqs_event([sqs_record(event)]), None)
    assert keys == [event["id"]]
    [(_, record)] = handlers.CALLS
    assert record.message_id  # the record reached the handler through the guard
