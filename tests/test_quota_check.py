"""The preview's quota check: what a stack draws on each quota, and each refusal.

Each refusal names the quota, what the stacks need, what AWS allows and the fix; the
figures are AWS's quota pages' (``eventpipe.quotas``, each with its page).
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from eventpipe.config import parse_settings
from eventpipe.consumer import CircuitBreaker, Consumer
from eventpipe.exceptions import ConfigurationError, Problem
from eventpipe.quota_check import (
    StackUsage,
    check_quotas,
    consumer_rules,
    stack_usage,
    uses_wildcard,
)
from eventpipe.quotas import QUOTAS, QuotaLimits
from eventpipe.runtime import Event
from eventpipe.stack_settings import StackSettings

HANDLER = "ep_fixture.handlers:direct"


def settings(**values: Any) -> StackSettings:
    parsed, problems = parse_settings(values, stack="shop", region=values.pop("region", None))
    assert problems == []
    return parsed


def rule_fed(count: int, **fields: Any) -> list[Consumer]:
    return [
        Consumer(name=f"c-{i:04d}", handler=HANDLER, pattern={"source": [f"s{i}"]}, **fields)
        for i in range(count)
    ]


def direct(count: int) -> list[Consumer]:
    """Consumers fed by producers straight to their queue: no rule on any bus."""
    return [Consumer(name=f"d-{i:04d}", handler=HANDLER) for i in range(count)]


def one(problems: list[Problem], key: str) -> Problem:
    found = [p for p in problems if p.field == f"eventpipe:quotas.{key}"]
    assert len(found) == 1, problems
    return found[0]


# -- counting ------------------------------------------------------------------------------
def test_rule_count_includes_missing_field_rules() -> None:
    pattern = {"source": ["shop"]}
    consumers = [
        Consumer(name="plain", handler=HANDLER, pattern=pattern),
        Consumer(name="direct", handler=HANDLER),
        Consumer(name="fixed", handler=HANDLER, pattern=pattern, fifo=True, message_group="g"),
        Consumer(
            name="keyed", handler=HANDLER, pattern=pattern, fifo=True,
            message_group="$.detail.customerId",
        ),
        Consumer(
            name="required", handler=HANDLER, fifo=True, message_group="$.detail.customerId",
            pattern={"detail": {"customerId": [{"prefix": "c"}]}},
        ),
    ]  # fmt: skip
    assert [consumer_rules(c) for c in consumers] == [1, 0, 1, 2, 1]
    usage = stack_usage(settings(), consumers)
    assert usage.rules == {"eventpipe-shop-bus": 5}
    assert usage.pipes == 2 and usage.iam_roles == 5 + 2  # a role per function, per pipe


def test_wildcards_are_found_anywhere_in_a_pattern() -> None:
    assert uses_wildcard({"detail": {"id": [{"wildcard": "a*"}]}})
    assert uses_wildcard({"$or": [{"a": ["x"]}, {"b": [{"anything-but": {"wildcard": "x*"}}]}]})
    assert not uses_wildcard({"detail": {"id": [{"prefix": "a"}], "wildcard": ["x"]}})
    assert not uses_wildcard({"detail": {"id": [{"prefix": "a"}]}})


def test_the_breaker_puts_one_rule_on_the_default_bus_and_two_roles() -> None:
    breaker = CircuitBreaker(failed_records=5, period=60, cooldown=300)
    usage = stack_usage(settings(), rule_fed(3, circuit_breaker=breaker))
    assert usage.rules == {"eventpipe-shop-bus": 3, "default": 1}
    assert usage.wildcard_rules == {}  # the breaker's rule matches without a wildcard
    assert usage.iam_roles == 3 + 2


def test_usage_round_trips_through_its_export() -> None:
    usage = stack_usage(settings(), rule_fed(4, reserved_concurrency=10))
    again = StackUsage.from_json(usage.to_json())
    assert again.to_json() == usage.to_json()
    assert again.reserved_concurrency == 40 and again.event_buses == 1


# -- refusals ------------------------------------------------------------------------------
def test_reserved_concurrency_leaves_100_of_the_account_unreserved() -> None:
    stack = settings()
    fits = stack_usage(stack, rule_fed(9, reserved_concurrency=100))  # 900 = 1,000 - 100
    assert check_quotas(stack, fits) == []
    usage = stack_usage(stack, rule_fed(16, reserved_concurrency=100))
    problem = one(check_quotas(stack, usage), "concurrentExecutions")
    text = str(problem)
    assert "'Concurrent executions'" in text and "needs 1600" in text
    assert "AWS allows 900" in text and "minus the 100 Lambda keeps unreserved" in text
    assert "L-B99A9384" in text and "eventpipe:quotas: {concurrentExecutions: N}" in text
    assert "c-0000 100" in text  # the largest reservations, to lower instead
    raised = settings(quotas={"concurrentExecutions": 5000})
    assert check_quotas(raised, stack_usage(raised, rule_fed(16, reserved_concurrency=100))) == []


def test_rules_per_bus_default_is_300_and_100_in_two_regions() -> None:
    stack = settings()
    assert check_quotas(stack, stack_usage(stack, rule_fed(300))) == []
    problem = one(check_quotas(stack, stack_usage(stack, rule_fed(301))), "rulesPerBus")
    assert "needs 301" in problem.message and "AWS allows 300" in problem.message
    assert "'eventpipe-shop-bus'" in problem.message and "L-244521F2" in problem.fix
    for region in ("af-south-1", "eu-south-1"):
        there = settings(region=region)
        problem = one(check_quotas(there, stack_usage(there, rule_fed(101))), "rulesPerBus")
        assert "AWS allows 100" in problem.message and region in problem.message
    raised = settings(quotas={"rulesPerBus": 2000, "iamRoles": 2000})
    assert check_quotas(raised, stack_usage(raised, rule_fed(1500))) == []


def test_rules_per_bus_counts_the_per_key_fifo_second_rule() -> None:
    stack = settings(quotas={"pipes": 5000})
    keyed = rule_fed(151, fifo=True, message_group="$.detail.key")  # 2 rules each
    problem = one(check_quotas(stack, stack_usage(stack, keyed)), "rulesPerBus")
    assert "needs 302" in problem.message


def test_rules_per_bus_adds_other_stacks_and_declared_rules_on_the_same_bus() -> None:
    stack = settings(busName="shared", createBus=False, sharedQuotas={"rules": 40})
    own = stack_usage(stack, rule_fed(200))
    assert check_quotas(stack, own) == []  # 240
    sibling = StackUsage.from_json(
        {"stack": "b", "region": "us-east-1", "rules": {"shared": 61, "other": 250}}
    )
    problem = one(check_quotas(stack, own, [sibling]), "rulesPerBus")
    assert "needs 301" in problem.message
    assert "this stack 200" in problem.message and "sharedQuotas.stacks 61" in problem.message
    assert "sharedQuotas 40" in problem.message
    elsewhere = StackUsage.from_json({"stack": "c", "region": "eu-west-1", "rules": {"shared": 99}})
    assert check_quotas(stack, own, [elsewhere]) == []  # another Region's bus of that name


def test_wildcard_rules_are_30_per_bus_and_cannot_be_raised() -> None:
    stack = settings()
    wild = [
        Consumer(
            name=f"w-{i}", handler=HANDLER, pattern={"detail": {"id": [{"wildcard": f"{i}*"}]}}
        )
        for i in range(31)
    ]
    problem = one(check_quotas(stack, stack_usage(stack, wild)), "wildcardRulesPerBus")
    assert "needs 31" in problem.message and "AWS allows 30" in problem.message
    assert "fixed: no request can raise it" in problem.message
    assert "Service Quotas" not in problem.fix and "w-0" in problem.fix
    _, problems = parse_settings({"quotas": {"wildcardRulesPerBus": 60}}, stack="s")
    assert [p.field for p in problems] == ["eventpipe:quotas.wildcardRulesPerBus"]


def test_iam_roles_are_counted_across_every_region() -> None:
    stack = settings(sharedQuotas={"iamRoles": 400})
    own = stack_usage(stack, direct(500))
    assert check_quotas(stack, own) == []  # 900
    other_region = StackUsage.from_json({"stack": "b", "region": "eu-west-1", "iamRoles": 101})
    problem = one(check_quotas(stack, own, [other_region]), "iamRoles")
    assert "needs 1001" in problem.message and "AWS allows 1000" in problem.message
    assert "L-FE177D64" in problem.fix


def test_pipes_per_account() -> None:
    stack = settings(sharedQuotas={"pipes": 999})
    keyed = rule_fed(2, fifo=True, message_group="$.detail.key")
    problem = one(check_quotas(stack, stack_usage(stack, keyed)), "pipes")
    assert "needs 1001" in problem.message and "contact support" in problem.fix


class Shipped(BaseModel):
    order_id: str


def handler_with_model(event: Event[Shipped]) -> None:
    """A handler whose detail model the registry publishes."""


def test_schemas_per_registry() -> None:
    stack = settings()
    consumers = rule_fed(101)
    handlers = {c.name: handler_with_model for c in consumers}
    problem = one(
        check_quotas(stack, stack_usage(stack, consumers, handlers)), "schemasPerRegistry"
    )
    assert "needs 101" in problem.message and "L-EE9E5FA9" in problem.fix
    assert "publishSchemas: false" in problem.fix
    off = settings(publishSchemas=False)
    assert check_quotas(off, stack_usage(off, consumers, handlers)) == []


def test_targets_per_rule() -> None:
    stack = settings()
    usage = StackUsage.from_json({"stack": "shop", "region": "us-east-1", "targetsPerRule": 6})
    problem = one(check_quotas(stack, usage), "targetsPerRule")
    assert "needs 6" in problem.message and "AWS allows 5" in problem.message
    assert stack_usage(stack, rule_fed(3)).targets_per_rule == 1  # the stack's own rules


def test_event_buses_per_region() -> None:
    stack = settings(sharedQuotas={"eventBuses": 100})
    problem = one(check_quotas(stack, stack_usage(stack, rule_fed(1))), "eventBuses")
    assert "needs 101" in problem.message
    shared = settings(createBus=False, busName="b", sharedQuotas={"eventBuses": 100})
    assert check_quotas(shared, stack_usage(shared, rule_fed(1))) == []


def test_every_problem_is_listed_together() -> None:
    stack = settings(region="eu-south-1")
    consumers = rule_fed(1001, reserved_concurrency=1)
    problems = check_quotas(stack, stack_usage(stack, consumers))
    keys = sorted(p.field.rsplit(".", 1)[1] for p in problems)
    assert keys == ["concurrentExecutions", "iamRoles", "rulesPerBus"]
    text = str(ConfigurationError(problems))
    assert text.startswith("eventpipe found 3 problem(s):")


def test_only_adjustable_quotas_can_be_declared() -> None:
    declared = set(QuotaLimits.model_json_schema(by_alias=True)["properties"])
    assert declared == {q.key for q in QUOTAS.values() if q.adjustable}


@pytest.mark.parametrize("value", [0, -5, "many"])
def test_a_declared_quota_must_be_a_positive_number(value: object) -> None:
    _, problems = parse_settings({"quotas": {"rulesPerBus": value}}, stack="s")
    assert [p.field for p in problems] == ["eventpipe:quotas.rulesPerBus"]


def test_every_quota_is_documented_with_its_page() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "components.md").read_text()
    for quota in QUOTAS.values():
        assert quota.page in docs, quota.key
        if quota.adjustable:
            assert f"(`{quota.key}`)" in docs, quota.key
        if quota.code:
            assert quota.code in docs, quota.key
