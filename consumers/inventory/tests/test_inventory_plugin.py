"""The inventory plugin's declaration, samples and Pulumi resources (mocks, no AWS)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pulumi
import pytest
from inventory import plugin

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


def test_declares_inventory_reservation_on_order_created() -> None:
    [consumer] = plugin.eventpipe_consumers()
    assert consumer.name == "inventory-reservation"
    assert consumer.pattern == {"source": ["ecommerce.orders"], "detail-type": ["Order Created"]}
    assert not consumer.fifo


def test_samples_reserve_and_refuse() -> None:
    outcomes = {s.expect[plugin.CONSUMER] for s in plugin.eventpipe_sample_events()}
    assert outcomes == {"succeeded", "dead-lettered"}


def test_pattern_ignores_updates() -> None:
    [consumer] = plugin.eventpipe_consumers()
    update = eventpipe.SampleEvent(
        source="ecommerce.orders", detail_type="Order Updated", detail={}
    )
    assert not matches(consumer.pattern, envelope(update))


def test_declaration_passes_every_check() -> None:
    [consumer] = plugin.eventpipe_consumers()
    assert pattern_problems(consumer.pattern) == []
    problems, handler = check_consumer("inventory", consumer, StackSettings())
    assert problems == []
    assert callable(handler)


def test_samples_for_this_consumer_match_its_pattern() -> None:
    [consumer] = plugin.eventpipe_consumers()
    for sample in plugin.eventpipe_sample_events():
        if plugin.CONSUMER in sample.expect:
            assert matches(consumer.pattern, envelope(sample)), sample.description


def test_handler_side_imports_neither_pulumi_nor_pluggy() -> None:
    """The handler ships in the Lambda function, where pulumi and pluggy are not."""
    code = (
        "import sys, inventory.handler, inventory.models; "
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


@pytest.fixture
def ctx() -> eventpipe.ResourceContext:
    [consumer] = plugin.eventpipe_consumers()
    parent = pulumi.ComponentResource("test:index:Pipeline", "pipeline")
    return eventpipe.ResourceContext(
        consumer=consumer, stack="dev", name_prefix="eventpipe-dev-", tags={}, parent=parent
    )


def declare(ctx: eventpipe.ResourceContext) -> dict[str, Any]:
    """Run the resources hook under mocks; return its resolved environment and statements.

    Assertions on the recorded resources come after ``run()`` returns: only then has
    Pulumi finished registering every resource (the demo stock items resolve no output
    the hook returns, so an ``apply`` could run before they are recorded).
    """
    from inventory.infra import inventory_table

    resolved: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> Any:
        resources = inventory_table(ctx)
        return pulumi.Output.all(
            resources.environment["INVENTORY_TABLE"], resources.statements
        ).apply(lambda values: resolved.update(table=values[0], statements=values[1]))

    run()
    return resolved


def test_table_statements_and_demo_stock(mocks: Mocks, ctx: eventpipe.ResourceContext) -> None:
    from inventory.infra import DEMO_STOCK

    resolved = declare(ctx)
    table_name = resolved["table"]
    [table] = [r for r in mocks.resources if r.typ == "aws:dynamodb/table:Table"]
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert table.inputs["hashKey"] == "pk"
    items = [r for r in mocks.resources if r.typ == "aws:dynamodb/tableItem:TableItem"]
    assert len(items) == len(DEMO_STOCK)
    assert all(item.inputs["tableName"] == table_name for item in items)
    stocked = {json.loads(item.inputs["item"])["pk"]["S"] for item in items}
    assert stocked == {f"SKU#{sku}" for sku in DEMO_STOCK}
    [statement] = resolved["statements"]
    assert sorted(statement["Action"]) == ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert statement["Resource"] == [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table_name}"]


def test_no_demo_stock_outside_demo_stacks(mocks: Mocks, ctx: eventpipe.ResourceContext) -> None:
    ctx.stack = "prod"
    declare(ctx)
    types = [r.typ for r in mocks.resources if r.typ.startswith("aws:")]
    assert types == ["aws:dynamodb/table:Table"]
