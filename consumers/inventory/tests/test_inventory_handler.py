"""inventory-reservation's handler through the real eventpipe runtime, against moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from inventory import handler, plugin
from inventory.infra import DEMO_STOCK
from moto import mock_aws

from eventpipe.testing import ConsumerInvoker, assert_samples_end_as_declared, eventbridge_event

TABLE = "inventory-test"
ENV = {"INVENTORY_TABLE": TABLE}
[CONSUMER] = plugin.eventpipe_consumers()
STOCK = DEMO_STOCK  # what demo stacks get, so the plugin's samples hold here too


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The stock table with the demo stock, as inventory.infra declares it."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    handler._client.cache_clear()
    with mock_aws():
        created = boto3.resource("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for sku, stock in STOCK.items():
            created.put_item(Item={"pk": f"SKU#{sku}", "stock": stock})
        yield created
    handler._client.cache_clear()


def order(order_id: str, *lines: tuple[str, int]) -> dict[str, Any]:
    detail = {
        "orderId": order_id,
        "customerId": "customer-321",
        "amount": 60,
        "items": [{"sku": sku, "quantity": qty} for sku, qty in lines],
    }
    return eventbridge_event("Order Created", "ecommerce.orders", detail)


def stock(table: Any, sku: str) -> int:
    return int(table.get_item(Key={"pk": f"SKU#{sku}"})["Item"]["stock"])


def test_reserves_every_line(table: Any, invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(
        CONSUMER, [order("o-1", ("SKU-RED-MUG", 2), ("SKU-BLUE-TEE", 1))], env=ENV
    )
    assert len(result.succeeded) == 1
    assert stock(table, "SKU-RED-MUG") == 23 and stock(table, "SKU-BLUE-TEE") == 9
    reservation = table.get_item(Key={"pk": "RESERVATION#o-1"})["Item"]
    assert reservation["lines"] == {"SKU-RED-MUG": 2, "SKU-BLUE-TEE": 1}


def test_repeated_sku_lines_are_merged(table: Any, invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(
        CONSUMER, [order("o-2", ("SKU-RED-MUG", 2), ("SKU-RED-MUG", 3))], env=ENV
    )
    assert len(result.succeeded) == 1
    assert stock(table, "SKU-RED-MUG") == 20


def test_insufficient_stock_is_dead_lettered_and_nothing_reserved(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    event = order("o-3", ("SKU-RED-MUG", 1), ("SKU-LIMITED-PRINT", 5))
    result = invoke_consumer(CONSUMER, [event], env=ENV)
    [dead] = result.dead_lettered
    assert dead.error_type == "PermanentError"
    assert "insufficient stock for order o-3" in dead.error_message
    assert "SKU-LIMITED-PRINT: requested 5, available 1" in dead.error_message
    # all or nothing: the mug line was not reserved either
    assert stock(table, "SKU-RED-MUG") == 25 and stock(table, "SKU-LIMITED-PRINT") == 1
    assert "Item" not in table.get_item(Key={"pk": "RESERVATION#o-3"})


def test_unknown_sku_is_named(table: Any, invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(CONSUMER, [order("o-4", ("SKU-NOPE", 1))], env=ENV)
    [dead] = result.dead_lettered
    assert "SKU-NOPE: unknown SKU" in dead.error_message


def test_redelivered_order_is_not_reserved_twice(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    lines = ("SKU-BLUE-TEE", 4)
    first = invoke_consumer(CONSUMER, [order("o-5", lines)], env=ENV)
    # A new event id for the same order (a producer retry): the marker item catches it.
    second = invoke_consumer(CONSUMER, [order("o-5", lines)], env=ENV)
    assert len(first.succeeded) == len(second.succeeded) == 1
    assert stock(table, "SKU-BLUE-TEE") == 6


def test_order_without_lines_needs_no_reservation(
    table: Any, invoke_consumer: ConsumerInvoker
) -> None:
    result = invoke_consumer(CONSUMER, [order("o-6")], env=ENV)  # an order without lines
    assert len(result.succeeded) == 1
    assert "Item" not in table.get_item(Key={"pk": "RESERVATION#o-6"})


def test_invalid_quantity_is_dead_lettered(table: Any, invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(CONSUMER, [order("o-7", ("SKU-RED-MUG", 0))], env=ENV)
    [dead] = result.dead_lettered
    assert "quantity" in dead.error_message
    assert stock(table, "SKU-RED-MUG") == 25


def test_missing_table_is_permanent(table: Any, invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(
        CONSUMER, [order("o-8", ("SKU-RED-MUG", 1))], env={"INVENTORY_TABLE": "nope"}
    )
    [dead] = result.dead_lettered
    assert "ResourceNotFoundException" in dead.error_message


def test_samples_end_as_declared(table: Any, invoke_consumer: ConsumerInvoker) -> None:
    """Every sample the plugin offers to `eventpipe demo`, in order, ends as it says."""
    samples = plugin.eventpipe_sample_events()
    assert_samples_end_as_declared(invoke_consumer, CONSUMER, samples, env=ENV)
