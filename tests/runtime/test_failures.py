"""Every row of the failure table, through the real entry point against moto."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from eventpipe import contract
from eventpipe.runtime.dead_letters import DLQ_ATTR_ORIGINAL_ATTRIBUTES
from eventpipe.testing import ConsumerInvoker, eventbridge_event
from tests.runtime import handlers

BY_ID = "tests.runtime.handlers:by_order_id"


def order(order_id: str, **detail: Any) -> dict[str, Any]:
    return eventbridge_event("Order Created", "ecommerce.orders", {"orderId": order_id, **detail})


def test_return_is_success(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(BY_ID, [order("ok-1")])
    assert result.response == {"batchItemFailures": []}
    assert result.succeeded == result.message_ids
    assert handlers.CALLS == ["ok-1"]


def test_mixed_batch_of_ten_reports_exact_failures(invoke_consumer: ConsumerInvoker) -> None:
    ids = [
        "ok-0",
        "retry-1",
        "ok-2",
        "perm-3",
        "boom-4",
        "ok-5",
        "retry-6",
        "perm-7",
        "ok-8",
        "boom-9",
    ]
    result = invoke_consumer(BY_ID, [order(i) for i in ids])
    mids = result.message_ids
    expected_failed = [mids[i] for i in (1, 4, 6, 9)]
    assert result.response == {
        "batchItemFailures": [{"itemIdentifier": m} for m in expected_failed]
    }
    assert result.will_retry == expected_failed
    assert result.dead_lettered_ids == [mids[3], mids[7]]
    assert result.succeeded == [mids[i] for i in (0, 2, 5, 8)]
    assert ids == handlers.CALLS  # standard queue: every record is attempted


def test_any_exception_is_retried(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(BY_ID, [order("boom-1")])
    assert result.outcomes == ["will-retry"]
    assert result.dead_lettered == []


def test_permanent_error_goes_to_dlq_with_reason_and_original(
    invoke_consumer: ConsumerInvoker,
) -> None:
    event = order("perm-1", amount=3)
    result = invoke_consumer(
        BY_ID,
        [event],
        receive_count=2,
        message_attributes={"traceparent": "00-abc-01", "priority": 7},
    )
    assert result.response == {"batchItemFailures": []}  # handled: deleted from the source
    [dead] = result.dead_lettered
    assert dead.message_id == result.message_ids[0]
    assert json.loads(dead.body) == event
    assert dead.error_type == "PermanentError"
    assert dead.error_message == "order perm-1 can never be processed"
    assert dead.consumer == "test-consumer"
    assert dead.receive_count == 2
    assert dead.failed_at.startswith("20")
    assert dead.attributes["traceparent"] == "00-abc-01"  # original attributes kept
    assert dead.attributes["priority"] == "7"


def test_undecodable_body_goes_to_dlq(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(BY_ID, ["this is not json"])
    [dead] = result.dead_lettered
    assert dead.error_type == "InvalidEventError"
    assert "not JSON" in dead.error_message
    assert dead.body == "this is not json"
    assert handlers.CALLS == []


def test_body_that_is_not_an_envelope_goes_to_dlq(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(BY_ID, [{"orderId": "x"}])
    [dead] = result.dead_lettered
    assert dead.error_type == "InvalidEventError"
    assert "detail-type" in dead.error_message


def test_detail_failing_its_model_goes_to_dlq(invoke_consumer: ConsumerInvoker) -> None:
    good = order("o-1", amount=5)
    bad = order("o-2", amount=-1)
    result = invoke_consumer("tests.runtime.handlers:typed", [good, bad])
    assert result.outcomes == ["succeeded", "dead-lettered"]
    [dead] = result.dead_lettered
    assert dead.error_type == "InvalidEventError"
    assert "detail.amount" in dead.error_message
    assert "greater than 0" in dead.error_message
    assert len(handlers.CALLS) == 1


def test_long_error_message_is_truncated(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer("tests.runtime.handlers:typed", [order("x" * 3000, amount=-1)])
    [dead] = result.dead_lettered
    assert len(dead.error_message) <= 1000


def test_original_attributes_beyond_sqs_limit_are_kept_as_json(
    invoke_consumer: ConsumerInvoker,
) -> None:
    attrs = {f"a{i}": f"v{i}" for i in range(8)}
    result = invoke_consumer(BY_ID, [order("perm-1")], message_attributes=attrs)
    [dead] = result.dead_lettered
    assert len(dead.attributes) == 10
    spilled = json.loads(dead.attributes[DLQ_ATTR_ORIGINAL_ATTRIBUTES])
    kept = {k: v for k, v in dead.attributes.items() if k.startswith("a")}
    assert set(kept) | set(spilled) == set(attrs)
    assert all(spilled[k]["stringValue"] == attrs[k] for k in spilled)


def test_dlq_send_failure_reports_the_record_failed(
    invoke_consumer: ConsumerInvoker, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke_consumer(
        BY_ID,
        [order("perm-1")],
        runtime_env={
            contract.ENV_DLQ_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/missing"
        },
    )
    assert result.outcomes == ["will-retry"]  # never acknowledged without being in a DLQ


def test_missing_dlq_url_reports_the_record_failed(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(BY_ID, [order("perm-1")], runtime_env={contract.ENV_DLQ_URL: ""})
    assert result.outcomes == ["will-retry"]


def test_fifo_stops_at_first_failure(invoke_consumer: ConsumerInvoker) -> None:
    ids = ["ok-0", "ok-1", "retry-2", "ok-3", "ok-4"]
    result = invoke_consumer(BY_ID, [order(i) for i in ids], fifo=True, group_id="g1")
    mids = result.message_ids
    assert result.succeeded == mids[:2]
    assert result.will_retry == mids[2:]
    assert handlers.CALLS == ["ok-0", "ok-1", "retry-2"]  # later records never ran


def test_fifo_dead_lettered_record_does_not_halt_the_rest(
    invoke_consumer: ConsumerInvoker,
) -> None:
    ids = ["ok-0", "perm-1", "ok-2", "ok-3"]
    result = invoke_consumer(BY_ID, [order(i) for i in ids], fifo=True, group_id="g1")
    mids = result.message_ids
    assert result.succeeded == [mids[0], mids[2], mids[3]]
    assert result.dead_lettered_ids == [mids[1]]
    assert result.will_retry == []
    assert ids == handlers.CALLS  # the blocker is gone: its successors ran, in order


def test_fifo_dlq_copy_keeps_group_and_uses_message_id_for_dedup(
    invoke_consumer: ConsumerInvoker,
) -> None:
    result = invoke_consumer(BY_ID, [order("perm-1")], fifo=True, group_id="customer-9")
    [dead] = result.dead_lettered
    assert dead.group_id == "customer-9"
    _, _, dlq_url = invoke_consumer.queues("test-consumer", fifo=True)
    assert dlq_url.endswith(".fifo")
    # Dead-lettering the same message again is deduplicated by SQS (dedup id = message id).
    sqs = boto3.client("sqs")
    from eventpipe.runtime.dead_letters import build_message
    from eventpipe.runtime.decoding import record_info

    info = record_info(result.records[0], None)
    params = build_message(info, RuntimeError("again"), "test-consumer", fifo_dlq=True)
    assert params["MessageDeduplicationId"] == result.message_ids[0]
    assert params["MessageGroupId"] == "customer-9"
    sqs.send_message(QueueUrl=dlq_url, **params)
    attrs = sqs.get_queue_attributes(
        QueueUrl=dlq_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    total = int(attrs["ApproximateNumberOfMessages"]) + int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )
    assert total == 1


def test_all_records_failing_still_returns_partial_response(
    invoke_consumer: ConsumerInvoker,
) -> None:
    result = invoke_consumer(BY_ID, [order("retry-1"), order("boom-2")])
    assert result.will_retry == result.message_ids
