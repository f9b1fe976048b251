"""The orders plugin's declaration, samples and Pulumi resources (mocks, no AWS)."""

from __future__ import annotations

from orders import plugin

import eventpipe
from eventpipe.patterns import matches
from eventpipe.testing import assert_lambda_side_clean, check_plugin, run_resources, sample_envelope

[DECLARED] = plugin.eventpipe_consumers()
"""The declaration as the plugin returns it (frozen, so tests can share it)."""


def test_declares_order_processing_fifo_per_customer() -> None:
    consumer = DECLARED
    assert consumer.name == "order-processing"
    assert consumer.fifo and consumer.message_group == "$.detail.customerId"
    assert consumer.idempotent
    assert consumer.effective_visibility_timeout >= 6 * consumer.timeout


def test_declaration_and_samples_pass_every_check() -> None:
    [checked] = check_plugin(plugin, name="orders")
    assert checked.consumer.name == plugin.CONSUMER
    assert callable(checked.handler_func)


def test_samples_cover_success_poison_and_transient() -> None:
    outcomes = [s.expect.get(plugin.CONSUMER) for s in plugin.eventpipe_sample_events()]
    assert {"succeeded", "dead-lettered", "retried"} <= set(outcomes)


def test_pattern_ignores_other_sources_and_types() -> None:
    consumer = DECLARED
    other = eventpipe.SampleEvent(
        source="ecommerce.payments", detail_type="Order Created", detail={}
    )
    cancelled = eventpipe.SampleEvent(
        source="ecommerce.orders", detail_type="Order Cancelled", detail={}
    )
    assert consumer.pattern is not None
    assert not matches(consumer.pattern, sample_envelope(other))
    assert not matches(consumer.pattern, sample_envelope(cancelled))


def test_handler_side_imports_neither_pulumi_nor_pluggy() -> None:
    """The handler ships in the Lambda function, where pulumi and pluggy are not."""
    assert_lambda_side_clean("orders.handler", "orders.models")


def test_table_environment_and_least_privilege() -> None:
    run = run_resources(DECLARED, stack="dev", tags={"team": "shop"})
    table = run.one("aws:dynamodb/table:Table")
    assert table.name == "eventpipe-dev-order-processing-table"
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert table.inputs["hashKey"] == "pk"
    assert table.inputs["attributes"] == [{"name": "pk", "type": "S"}]
    assert table.inputs["tags"] == {"team": "shop"}
    table_name = run.returned.environment["ORDERS_TABLE"]
    assert table_name == table.outputs["name"]
    assert table_name.startswith("eventpipe-dev-order-processing-table")
    [statement] = run.returned.statements
    assert sorted(statement["Action"]) == ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert statement["Resource"] == [table.outputs["arn"]]
    assert table.outputs["arn"] == f"arn:aws:dynamodb:us-east-1:123456789012:table/{table_name}"
    assert "*" not in str(statement)
    assert run.returned.outputs == {"ordersTable": table_name}
