"""The rules-per-bus quota: the warning, and the rules a stack is counted to declare."""

from __future__ import annotations

import pulumi

from components import EventBus, EventBusArgs
from components.rule_quota import RULES_PER_BUS, rule_count, rule_quota_warning
from eventpipe.consumer import Consumer
from tests.components.helpers import settings


def generated(count: int) -> list[Consumer]:
    return [
        Consumer(name=f"consumer-{i:04d}", handler="pkg.handler:run", pattern={"source": [f"s{i}"]})
        for i in range(count)
    ]


def test_no_warning_up_to_the_rules_quota():
    assert rule_quota_warning(RULES_PER_BUS, "b") is None


def test_the_warning_names_the_quota_and_how_to_raise_it():
    warning = rule_quota_warning(RULES_PER_BUS + 1, "commerce")
    assert warning is not None
    assert "301" in warning and "300 rules per event bus" in warning
    assert "Service Quotas" in warning and "'commerce'" in warning


def test_the_bus_warns_when_the_stack_declares_more_rules_than_the_quota(
    mocks, build_dir, monkeypatch
):
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *a, **k: warned.append(message))
    consumers = generated(RULES_PER_BUS + 1)

    @pulumi.runtime.test
    def run():
        bus = EventBus(
            "eventpipe",
            EventBusArgs(settings(dashboard=False), consumers=consumers, build_dir=build_dir),
        )
        return bus.bus_name

    run()
    assert len(warned) == 1 and "301 EventBridge rules" in warned[0]


def test_rule_count_includes_missing_field_rules() -> None:
    handler = "ep_fixture.handlers:direct"
    pattern = {"source": ["shop"]}
    consumers = [
        Consumer(name="plain", handler=handler, pattern=pattern),
        Consumer(name="direct", handler=handler),
        Consumer(name="fixed", handler=handler, pattern=pattern, fifo=True, message_group="g"),
        Consumer(
            name="keyed", handler=handler, pattern=pattern, fifo=True,
            message_group="$.detail.customerId",
        ),
        Consumer(
            name="required", handler=handler, fifo=True, message_group="$.detail.customerId",
            pattern={"detail": {"customerId": [{"prefix": "c"}]}},
        ),
    ]  # fmt: skip
    assert rule_count(consumers) == 5  # 4 rule-fed + 1 missing-field rule
