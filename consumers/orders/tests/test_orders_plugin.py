"""The orders plugin's declaration, samples and Pulumi resources (mocks, no AWS)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pulumi
import pytest
from orders import plugin

import eventpipe
from eventpipe.config import StackSettings
from eventpipe.patterns import matches, pattern_problems
from eventpipe.validation import check_consumer

ACCOUNT = "123456789012"


def envelope(sample: eventpipe.SampleEvent) -> dict[str, Any]:
    """The event EventBridge would match the sample as."""
    return {
        "version": "0",
        "id": "11111111-2222-3333-4444-555555555555",
        "source": sample.source,
        "detail-type": sample.detail_type,
        "account": ACCOUNT,
        "region": "us-east-1",
        "time": "2026-01-01T10:00:00Z",
        "resources": [],
        "detail": sample.detail,
    }


def test_declares_order_processing_fifo_per_customer() -> None:
    [consumer] = plugin.eventpipe_consumers()
    assert consumer.name == "order-processing"
    assert consumer.fifo and consumer.message_group == "$.detail.customerId"
    assert consumer.idempotent
    assert consumer.effective_visibility_timeout >= 6 * consumer.timeout


def test_declaration_passes_every_check() -> None:
    [consumer] = plugin.eventpipe_consumers()
    assert pattern_problems(consumer.pattern) == []
    problems, handler = check_consumer("orders", consumer, StackSettings())
    assert problems == []
    assert callable(handler)


def test_samples_cover_success_poison_and_transient() -> None:
    outcomes = [s.expect.get(plugin.CONSUMER) for s in plugin.eventpipe_sample_events()]
    assert {"succeeded", "dead-lettered", "retried"} <= set(outcomes)


def test_samples_for_this_consumer_match_its_pattern() -> None:
    [consumer] = plugin.eventpipe_consumers()
    for sample in plugin.eventpipe_sample_events():
        if plugin.CONSUMER in sample.expect:
            assert matches(consumer.pattern, envelope(sample)), sample.description


def test_pattern_ignores_other_sources_and_types() -> None:
    [consumer] = plugin.eventpipe_consumers()
    other = eventpipe.SampleEvent(
        source="ecommerce.payments", detail_type="Order Created", detail={}
    )
    cancelled = eventpipe.SampleEvent(
        source="ecommerce.orders", detail_type="Order Cancelled", detail={}
    )
    assert not matches(consumer.pattern, envelope(other))
    assert not matches(consumer.pattern, envelope(cancelled))


def test_handler_side_imports_neither_pulumi_nor_pluggy() -> None:
    """The handler ships in the Lambda function, where pulumi and pluggy are not."""
    code = (
        "import sys, orders.handler, orders.models; "
        "print(sorted({'pulumi', 'pulumi_aws', 'pluggy'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class Mocks(pulumi.runtime.Mocks):
    """Records every declared resource; ARNs derived from the logical name."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(args)
        outputs = {"name": f"{args.name}-physical", **args.inputs}
        outputs["arn"] = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{outputs['name']}"
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


@pytest.fixture
def mocks() -> Mocks:
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    return mocks


@pulumi.runtime.test
def test_table_environment_and_least_privilege(mocks: Mocks) -> Any:
    from orders.infra import orders_table

    [consumer] = plugin.eventpipe_consumers()
    parent = pulumi.ComponentResource("test:index:Pipeline", "pipeline")
    ctx = eventpipe.ResourceContext(
        consumer=consumer,
        stack="dev",
        name_prefix="eventpipe-dev-",
        tags={"team": "shop"},
        parent=parent,
    )
    resources = orders_table(ctx)

    def check(values: list[Any]) -> None:
        table_name, statements = values
        [table] = [r for r in mocks.resources if r.typ == "aws:dynamodb/table:Table"]
        assert table.name == "eventpipe-dev-order-processing-table"
        assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
        assert table.inputs["hashKey"] == "pk"
        assert table.inputs["attributes"] == [{"name": "pk", "type": "S"}]
        assert table.inputs["tags"] == {"team": "shop"}
        assert table_name == "eventpipe-dev-order-processing-table-physical"
        [statement] = statements
        assert sorted(statement["Action"]) == [
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ]
        assert statement["Resource"] == [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table_name}"]
        assert "*" not in str(statement)

    return pulumi.Output.all(resources.environment["ORDERS_TABLE"], resources.statements).apply(
        check
    )
