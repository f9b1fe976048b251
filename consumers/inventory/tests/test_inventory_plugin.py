"""The inventory plugin's declaration, samples and Pulumi resources (mocks, no AWS)."""

from __future__ import annotations

import json

from inventory import plugin
from inventory.infra import DEMO_STOCK

import eventpipe
from eventpipe.patterns import matches
from eventpipe.testing import assert_lambda_side_clean, check_plugin, run_resources, sample_envelope

TABLE = "aws:dynamodb/table:Table"


[DECLARED] = plugin.eventpipe_consumers()
"""The declaration as the plugin returns it (frozen, so tests can share it)."""


def test_declares_inventory_reservation_on_order_created() -> None:
    consumer = DECLARED
    assert consumer.name == "inventory-reservation"
    assert consumer.pattern == {"source": ["ecommerce.orders"], "detail-type": ["Order Created"]}
    assert not consumer.fifo


def test_samples_reserve_and_refuse() -> None:
    outcomes = {s.expect[plugin.CONSUMER] for s in plugin.eventpipe_sample_events()}
    assert outcomes == {"succeeded", "dead-lettered"}


def test_pattern_ignores_updates() -> None:
    pattern = DECLARED.pattern
    update = eventpipe.SampleEvent(
        source="ecommerce.orders", detail_type="Order Updated", detail={}
    )
    assert pattern is not None
    assert not matches(pattern, sample_envelope(update))


def test_declaration_and_samples_pass_every_check() -> None:
    [checked] = check_plugin(plugin, name="inventory")
    assert checked.consumer.name == plugin.CONSUMER
    assert callable(checked.handler_func)


def test_handler_side_imports_neither_pulumi_nor_pluggy() -> None:
    """The handler ships in the Lambda function, where pulumi and pluggy are not."""
    assert_lambda_side_clean("inventory.handler", "inventory.models")


def test_table_statements_and_demo_stock() -> None:
    run = run_resources(DECLARED, stack="dev")
    table = run.one(TABLE)
    table_name = run.returned.environment["INVENTORY_TABLE"]
    assert table_name == table.outputs["name"]
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert table.inputs["hashKey"] == "pk"
    items = run.of_type("aws:dynamodb/tableItem:TableItem")
    assert len(items) == len(DEMO_STOCK)
    assert all(item.inputs["tableName"] == table_name for item in items)
    stocked = {json.loads(item.inputs["item"])["pk"]["S"] for item in items}
    assert stocked == {f"SKU#{sku}" for sku in DEMO_STOCK}
    [statement] = run.returned.statements
    assert sorted(statement["Action"]) == ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert statement["Resource"] == [f"arn:aws:dynamodb:us-east-1:123456789012:table/{table_name}"]


def test_no_demo_stock_outside_demo_stacks() -> None:
    run = run_resources(DECLARED, stack="prod")
    types = [r.typ for r in run.declared if r.typ.startswith("aws:")]
    assert types == [TABLE]
