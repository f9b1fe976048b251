"""The priority-orders plugin's declaration, samples and Pulumi resources (mocks, no AWS)."""

from __future__ import annotations

from typing import Any

from priority_orders import plugin

import eventpipe
from eventpipe.patterns import matches
from eventpipe.testing import assert_lambda_side_clean, check_plugin, run_resources, sample_envelope

[DECLARED] = plugin.eventpipe_consumers()
"""The declaration as the plugin returns it (frozen, so tests can share it)."""


def test_numeric_pattern_routes_only_amounts_above_1000() -> None:
    pattern = DECLARED.pattern
    assert pattern is not None

    def event(
        amount: object, detail_type: str = "Order Created", source: str = "ecommerce.orders"
    ) -> dict[str, Any]:
        return sample_envelope(
            eventpipe.SampleEvent(
                source=source, detail_type=detail_type, detail={"orderId": "o", "amount": amount}
            )
        )

    assert matches(pattern, event(1000.01))
    assert matches(pattern, event(2500, "order_placed", "my.app"))
    assert not matches(pattern, event(1000))
    assert not matches(
        pattern, event(50, "order_placed", "my.app")
    )  # my.app's order as it sends it
    assert not matches(pattern, event("5000"))  # numeric matching needs a number
    assert not matches(pattern, event(5000, "Order Updated"))


def test_samples_cover_both_producers_and_a_poison() -> None:
    samples = [s for s in plugin.eventpipe_sample_events() if plugin.CONSUMER in s.expect]
    assert {s.source for s in samples} == {"my.app", "ecommerce.orders"}
    assert "dead-lettered" in {s.expect[plugin.CONSUMER] for s in samples}


def test_declaration_and_samples_pass_every_check() -> None:
    [checked] = check_plugin(plugin, name="priority-orders")
    assert checked.consumer.name == plugin.CONSUMER
    assert callable(checked.handler_func)


def test_handler_side_imports_neither_pulumi_nor_pluggy() -> None:
    """The handler ships in the Lambda function, where pulumi and pluggy are not."""
    assert_lambda_side_clean("priority_orders.handler", "priority_orders.models")


def test_topic_and_publish_only_to_it() -> None:
    run = run_resources(DECLARED, stack="dev")
    topic = run.one("aws:sns/topic:Topic")
    assert topic.name == "eventpipe-dev-priority-orders-topic"
    topic_arn = run.returned.environment["PRIORITY_TOPIC_ARN"]
    assert topic_arn == topic.outputs["arn"]
    assert run.returned.statements == [
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [topic_arn]}
    ]
