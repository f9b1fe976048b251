"""Idempotent consumers: a duplicate delivery does not run the handler again."""

from __future__ import annotations

import boto3

from eventpipe.testing import ConsumerInvoker, eventbridge_event
from eventpipe.testing.invoke import IDEMPOTENCY_TABLE
from tests.runtime import handlers

BY_ID = "tests.runtime.handlers:by_order_id"


def test_duplicate_event_is_skipped(invoke_consumer: ConsumerInvoker) -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "ok-1"})
    first = invoke_consumer(BY_ID, [event], idempotent=True)
    second = invoke_consumer(BY_ID, [event], idempotent=True)  # redelivered, same event id
    assert first.outcomes == second.outcomes == ["succeeded"]
    assert first.message_ids != second.message_ids
    assert handlers.CALLS == ["ok-1"]  # ran once


def test_duplicate_inside_one_batch_is_skipped(invoke_consumer: ConsumerInvoker) -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "ok-2"})
    result = invoke_consumer(BY_ID, [event, event], idempotent=True)
    assert result.outcomes == ["succeeded", "succeeded"]
    assert handlers.CALLS == ["ok-2"]


def test_distinct_events_with_same_detail_both_run(invoke_consumer: ConsumerInvoker) -> None:
    a = eventbridge_event("Order Created", "shop", {"orderId": "ok-3"})
    b = eventbridge_event("Order Created", "shop", {"orderId": "ok-3"})
    invoke_consumer(BY_ID, [a, b], idempotent=True)
    assert handlers.CALLS == ["ok-3", "ok-3"]


def test_failed_attempt_is_not_remembered(invoke_consumer: ConsumerInvoker) -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "f-1"})
    first = invoke_consumer("tests.runtime.handlers:flaky_once", [event], idempotent=True)
    second = invoke_consumer("tests.runtime.handlers:flaky_once", [event], idempotent=True)
    assert first.outcomes == ["will-retry"]
    assert second.outcomes == ["succeeded"]
    assert handlers.CALLS == ["f-1", "f-1"]


def test_consumers_sharing_the_table_do_not_collide(invoke_consumer: ConsumerInvoker) -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "ok-4"})
    invoke_consumer(BY_ID, [event], idempotent=True, name="consumer-a")
    invoke_consumer(BY_ID, [event], idempotent=True, name="consumer-b")
    assert handlers.CALLS == ["ok-4", "ok-4"]
    items = boto3.client("dynamodb").scan(TableName=IDEMPOTENCY_TABLE)["Items"]
    keys = sorted(item["id"]["S"] for item in items)
    assert len(keys) == 2
    assert keys[0].startswith("eventpipe#consumer-a#") and keys[1].startswith(
        "eventpipe#consumer-b#"
    )
    assert all(item["status"]["S"] == "COMPLETED" and "expiration" in item for item in items)


def test_direct_queue_duplicates_keyed_by_body(invoke_consumer: ConsumerInvoker) -> None:
    body = {"orderId": "q-1", "amount": 1}
    invoke_consumer("tests.runtime.handlers:body_any", [body], source="queue", idempotent=True)
    invoke_consumer("tests.runtime.handlers:body_any", [body], source="queue", idempotent=True)
    invoke_consumer(
        "tests.runtime.handlers:body_any", [{**body, "amount": 2}], source="queue", idempotent=True
    )
    assert [body, {**body, "amount": 2}] == handlers.CALLS


def test_non_idempotent_consumer_runs_duplicates(invoke_consumer: ConsumerInvoker) -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "ok-5"})
    invoke_consumer(BY_ID, [event, event])
    assert handlers.CALLS == ["ok-5", "ok-5"]


def test_permanent_failure_of_idempotent_consumer_is_dead_lettered_not_remembered(
    invoke_consumer: ConsumerInvoker,
) -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "perm-1"})
    first = invoke_consumer(BY_ID, [event], idempotent=True)
    assert first.outcomes == ["dead-lettered"]
    # Redriven from the DLQ later: it runs again (a failed attempt is not a result).
    second = invoke_consumer(BY_ID, [event], idempotent=True)
    assert second.outcomes == ["dead-lettered"]
    assert handlers.CALLS == ["perm-1", "perm-1"]
    assert boto3.client("dynamodb").scan(TableName=IDEMPOTENCY_TABLE)["Items"] == []
