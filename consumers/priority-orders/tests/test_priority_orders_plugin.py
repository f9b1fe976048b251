"""The priority-orders plugin's declaration, samples and Pulumi resources (mocks, no AWS)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pulumi
import pytest
from priority_orders import plugin

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


def test_numeric_pattern_routes_only_amounts_above_1000() -> None:
    [consumer] = plugin.eventpipe_consumers()

    def event(
        amount: object, detail_type: str = "Order Created", source: str = "ecommerce.orders"
    ) -> dict[str, Any]:
        return envelope(
            eventpipe.SampleEvent(
                source=source, detail_type=detail_type, detail={"orderId": "o", "amount": amount}
            )
        )

    assert matches(consumer.pattern, event(1000.01))
    assert matches(consumer.pattern, event(2500, "order_placed", "my.app"))
    assert not matches(consumer.pattern, event(1000))
    assert not matches(consumer.pattern, event(50, "order_placed", "my.app"))  # seed 000 as is
    assert not matches(consumer.pattern, event("5000"))  # numeric matching needs a number
    assert not matches(consumer.pattern, event(5000, "Order Updated"))


def test_samples_cover_both_producers_and_a_poison() -> None:
    samples = [s for s in plugin.eventpipe_sample_events() if plugin.CONSUMER in s.expect]
    assert {s.source for s in samples} == {"my.app", "ecommerce.orders"}
    assert "dead-lettered" in {s.expect[plugin.CONSUMER] for s in samples}


def test_declaration_passes_every_check() -> None:
    [consumer] = plugin.eventpipe_consumers()
    assert pattern_problems(consumer.pattern) == []
    problems, handler = check_consumer("priority-orders", consumer, StackSettings())
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
        "import sys, priority_orders.handler, priority_orders.models; "
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
def test_topic_and_publish_only_to_it(mocks: Mocks) -> Any:
    from priority_orders.infra import priority_topic

    [consumer] = plugin.eventpipe_consumers()
    parent = pulumi.ComponentResource("test:index:Pipeline", "pipeline")
    ctx = eventpipe.ResourceContext(
        consumer=consumer, stack="dev", name_prefix="eventpipe-dev-", tags={}, parent=parent
    )
    resources = priority_topic(ctx)

    def check(values: list[Any]) -> None:
        topic_arn, statements = values
        [topic] = [r for r in mocks.resources if r.typ == "aws:sns/topic:Topic"]
        assert topic.name == "eventpipe-dev-priority-orders-topic"
        assert statements == [
            {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [topic_arn]}
        ]

    return pulumi.Output.all(
        resources.environment["PRIORITY_TOPIC_ARN"], resources.statements
    ).apply(check)
