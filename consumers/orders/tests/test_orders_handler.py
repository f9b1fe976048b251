"""order-processing's handler through the real eventpipe runtime, against moto."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws
from orders import handler, plugin

from eventpipe.testing import ConsumerInvoker, assert_samples_end_as_declared, eventbridge_event

TABLE = "orders-test"
ENV = {"ORDERS_TABLE": TABLE}
[CONSUMER] = plugin.eventpipe_consumers()


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The orders table, as orders.infra declares it (on-demand, key ``pk``)."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    handler._table.cache_clear()
    with mock_aws():
        ddb = boto3.resource("dynamodb")
        created = ddb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield created
    handler._table.cache_clear()


def created(
    order_id: str = "order-123", customer: str = "customer-456", **extra: Any
) -> dict[str, Any]:
    detail = {"orderId": order_id, "customerId": customer, "amount": 99.99, **extra}
    return eventbridge_event("Order Created", "ecommerce.orders", detail)


def updated(
    order_id: str = "order-123", customer: str = "customer-456", status: str = "confirmed"
) -> dict[str, Any]:
    detail = {"orderId": order_id, "customerId": customer, "status": status}
    return eventbridge_event("Order Updated", "ecommerce.orders", detail)


def redelivery(n: int) -> str:
    """A fresh FIFO message group for a later invocation of the same test.

    The invoker deletes what an invocation acknowledged, as the event source mapping
    does, so after a batch that fully succeeded its group is free again. A record
    reported failed stays in flight for its backoff (the runtime sets it as the
    message's visibility timeout), and SQS returns no later message of that group until
    it is deleted or visible again (SQS developer guide, "FIFO queue delivery logic":
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html).
    Every later invocation here gets a group of its own, so none depends on how an
    earlier one ended.
    """
    return f"redelivery-{n}"


def item(table: Any, order_id: str) -> dict[str, Any] | None:
    return table.get_item(Key={"pk": f"ORDER#{order_id}"}).get("Item")


def test_order_created_is_stored(table: Any, invoke_consumer: ConsumerInvoker) -> None:
    event = created(items=[{"sku": "SKU-RED-MUG", "quantity": 2}], timestamp="2026-01-01T10:00:00Z")
    result = invoke_consumer(CONSUMER, [event], env=ENV)
    assert result.dead_lettered == [] and result.will_retry == []
    assert len(result.succeeded) == 1
    stored = item(table, "order-123")
    assert stored is not None
    assert stored["amount"] == Decimal("99.99")
    assert stored["customerId"] == "customer-456"
    assert stored["status"] == "created"
    assert stored["items"] == [{"sku": "SKU-RED-MUG", "quantity": 2}]
    assert stored["createdAt"].startswith("2026-01-01T10:00:00")
    assert stored["lastEventId"] == event["id"]


def test_create_then_update_in_one_fifo_batch(table: Any, invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(CONSUMER, [created(), updated(status="shipped")], env=ENV)
    assert len(result.succeeded) == 2
    assert all(r["attributes"]["MessageGroupId"] == "customer-456" for r in result.records)
    stored = item(table, "order-123")
    assert stored is not None and stored["status"] == "shipped" and "updatedAt" in stored


def test_second_create_of_the_same_order_is_treated_as_done(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    first = created()
    assert len(invoke_consumer(CONSUMER, [first], env=ENV).succeeded) == 1
    again = created()  # a new event id: not caught by idempotency, caught by the condition
    again["detail"]["amount"] = 1.0
    result = invoke_consumer(CONSUMER, [again], env=ENV, group_id=redelivery(1))
    assert len(result.succeeded) == 1
    stored = item(table, "order-123")
    assert stored is not None
    assert stored["amount"] == Decimal("99.99") and stored["lastEventId"] == first["id"]


def test_duplicate_delivery_is_skipped_by_idempotency(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    event = created()
    table.delete_item(Key={"pk": "ORDER#order-123"})
    first = invoke_consumer(CONSUMER, [event], env=ENV)
    table.delete_item(Key={"pk": "ORDER#order-123"})
    second = invoke_consumer(CONSUMER, [event], env=ENV, group_id=redelivery(1))  # same id
    assert len(first.succeeded) == len(second.succeeded) == 1
    assert item(table, "order-123") is None  # the handler did not run the second time


def test_update_of_unknown_order_is_dead_lettered_with_reason(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    result = invoke_consumer(CONSUMER, [updated(order_id="order-missing")], env=ENV)
    [dead] = result.dead_lettered
    assert "order order-missing of customer customer-456 does not exist" in dead.error_message
    assert dead.consumer == "order-processing"
    assert item(table, "order-missing") is None


def test_update_by_another_customer_is_refused(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    invoke_consumer(CONSUMER, [created()], env=ENV)
    result = invoke_consumer(
        CONSUMER,
        [updated(customer="customer-evil", status="cancelled")],
        env=ENV,
        group_id=redelivery(1),
    )
    assert len(result.dead_lettered) == 1
    stored = item(table, "order-123")
    assert stored is not None and stored["status"] == "created"


def test_invalid_detail_is_dead_lettered_by_the_runtime(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    poison = created(order_id="order-poison", amount=-5)
    result = invoke_consumer(CONSUMER, [poison], env=ENV)
    [dead] = result.dead_lettered
    assert "amount" in dead.error_message
    assert dead.json()["detail"]["orderId"] == "order-poison"  # original body kept
    assert item(table, "order-poison") is None


def test_update_that_only_fits_the_create_model_is_refused(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    wrong = eventbridge_event(
        "Order Updated",
        "ecommerce.orders",
        {"orderId": "order-123", "customerId": "customer-456", "amount": 10},
    )
    result = invoke_consumer(CONSUMER, [wrong], env=ENV)
    [dead] = result.dead_lettered
    assert "invalid 'Order Updated' detail" in dead.error_message and "status" in dead.error_message
    assert item(table, "order-123") is None


def test_transient_failure_is_retried_then_succeeds(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    event = created(order_id="order-flaky", simulateTransientFailure=True)
    first = invoke_consumer(CONSUMER, [event], env=ENV)
    assert first.will_retry == [first.records[0]["messageId"]] and first.dead_lettered == []
    assert item(table, "order-flaky") is None
    second = invoke_consumer(CONSUMER, [event], env=ENV, receive_count=2, group_id=redelivery(1))
    assert len(second.succeeded) == 1
    assert item(table, "order-flaky") is not None


def test_missing_table_variable_is_a_permanent_error(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    result = invoke_consumer(CONSUMER, [created()], env={})
    [dead] = result.dead_lettered
    assert "ORDERS_TABLE is not set" in dead.error_message


def test_throttling_is_retryable() -> None:
    from botocore.exceptions import ClientError

    from eventpipe.runtime import PermanentError, RetryableError

    def error(code: str) -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": "x"}}, "PutItem")

    assert isinstance(
        handler._classify(error("ProvisionedThroughputExceededException"), "put"), RetryableError
    )
    assert isinstance(handler._classify(error("ResourceNotFoundException"), "put"), PermanentError)


def test_samples_end_as_declared(table: Any, invoke_consumer: ConsumerInvoker) -> None:
    """Every sample the plugin offers to `eventpipe demo`, in order, ends as it says."""
    samples = plugin.eventpipe_sample_events()
    assert_samples_end_as_declared(invoke_consumer, CONSUMER, samples, env=ENV)
