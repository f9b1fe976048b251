"""Every validation rule at its boundary: the value AWS takes passes, the next one fails.

Each case here fails when its rule is removed or its bound moved (they were chosen by
mutation testing: deleting a check, moving a bound by one).
"""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe.config import LOG_RETENTION_DAYS, parse_settings
from eventpipe.exceptions import ConfigurationError
from eventpipe.plugin_resources import lint_statements
from tests.plugins.declared import consumer, plugin
from tests.test_resolve import problems, run


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({"batch_size": 10}, True),  # a standard queue without a window: up to 10
        ({"batch_size": 11}, False),
        ({"batch_size": 11, "batching_window": 1}, True),
        ({"fifo": True, "batch_size": 10}, True),
        ({"fifo": True, "batch_size": 11}, False),
        ({"fifo": True, "message_group": "g" * 100}, True),  # SqsParameters: at most 100
        ({"fifo": True, "message_group": "g" * 101}, False),
        ({"fifo": True, "message_group": "has space"}, False),
        ({"fifo": True, "message_group": "$.detail.customerId"}, True),
        ({"fifo": True, "message_group": "$.detail.customer id"}, False),
        # Pipes paths (eventpipe.pipes_paths): "$.body" + path fits MessageGroupId's 100
        ({"fifo": True, "message_group": "$." + "a" * 93}, True),
        ({"fifo": True, "message_group": "$." + "a" * 94}, False),
        ({"fifo": True, "message_group": "$.detail.items[*]"}, False),
        ({"fifo": True, "message_group": "$.detail.items[0]"}, False),
        ({"fifo": True, "message_group": "$"}, False),
        ({"fifo": True, "message_group": "$.detail-type"}, True),
        ({"fifo": True, "pattern": None, "message_group": "orders"}, False),
        ({"message_group": "orders"}, False),  # a standard queue has no groups
        ({"environment": {"GOOD_NAME_1": "x"}}, True),
        ({"environment": {"1BAD": "x"}}, False),
        ({"environment": {"my-var": "x"}}, False),
        ({"environment": {"EVENTPIPE_HANDLER": "x"}}, False),
        ({"environment": {"AWS_REGION": "x"}}, False),
    ],
)
def test_consumer_rules_at_their_boundaries(fields: dict[str, Any], ok: bool) -> None:
    plugins = {"shop": plugin(consumer("orders", **fields))}
    if ok:
        assert [c.consumer.name for c in run(plugins).enabled] == ["orders"]
    else:
        found = problems(plugins)
        assert found and all("consumer 'orders'" in f and "Fix:" in f for f in found), found


@pytest.mark.parametrize("days", [0, *LOG_RETENTION_DAYS])
def test_every_log_retention_cloudwatch_accepts_is_accepted(days: int) -> None:
    settings, found = parse_settings({"logRetentionDays": days}, stack="dev")
    assert found == [] and settings.log_retention_days == days


@pytest.mark.parametrize("days", [2, 4, 15, 31, 366, 3654, -1])
def test_other_log_retentions_are_refused_with_the_allowed_values(days: int) -> None:
    _, [problem] = parse_settings({"logRetentionDays": days}, stack="dev")
    assert problem.field == "eventpipe:logRetentionDays"
    assert "1, 3, 5, 7, 14" in problem.message and "3653" in problem.message
    assert "0 to keep logs forever" in problem.fix


@pytest.mark.parametrize(
    ("prefix", "ok"),
    [("shop-prod-", True), ("shop_prod_1-", True), ("shop.prod-", False), ("shop/prod", False),
     ("shop prod", False), ("shöp-", False), ("", True)],
)  # fmt: skip
def test_name_prefix_takes_what_every_aws_name_takes(prefix: str, ok: bool) -> None:
    _, found = parse_settings({"namePrefix": prefix}, stack="dev")
    if ok:
        assert found == []
    else:
        [problem] = found
        assert problem.field == "eventpipe:namePrefix" and "letters, digits" in problem.fix


def test_stack_problems_are_reported_together() -> None:
    _, found = parse_settings({"logRetentionDays": 15, "namePrefix": "a.b"}, stack="dev")
    assert {p.field for p in found} == {"eventpipe:logRetentionDays", "eventpipe:namePrefix"}


@pytest.mark.parametrize(
    ("action", "ok"),
    [("s3:GetObject", True), ("s3:Get*", False), ("s3:*", False), ("*", False),
     ("s3:?etObject", False), ("dynamodb:*Item", False)],
)  # fmt: skip
def test_any_wildcard_in_a_plugin_action_is_refused(action: str, ok: bool) -> None:
    statement = {"Effect": "Allow", "Action": [action], "Resource": ["arn:aws:s3:::b/*"]}
    if ok:
        lint_statements([statement], plugin="p", consumer="c")
    else:
        with pytest.raises(ConfigurationError, match="wildcard action"):
            lint_statements([statement], plugin="p", consumer="c")


def test_a_bad_group_path_names_plugin_field_and_fix() -> None:
    plugins = {"shop": plugin(consumer("orders", fifo=True, message_group="$.detail.items[*]"))}
    [found] = problems(plugins)
    assert "'shop'" in found and "consumer 'orders'" in found and "message_group" in found
    assert "wildcard" in found and "$.detail.customerId" in found, found


def test_a_pattern_letting_the_group_field_be_absent_is_refused() -> None:
    pattern = {"source": ["shop"], "detail": {"customerId": [{"exists": False}, "a"]}}
    plugins = {
        "shop": plugin(
            consumer("orders", fifo=True, message_group="$.detail.customerId", pattern=pattern)
        )
    }
    [found] = problems(plugins)
    assert "pattern" in found and "$.detail.customerId" in found and "Fix:" in found, found
