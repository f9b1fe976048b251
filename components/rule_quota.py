"""EventBridge's rules-per-bus quota, checked against the rules a stack declares.

Every rule-fed consumer adds a rule to the bus (a per-key FIFO consumer may add two), so
the rule count grows with the consumers and meets an adjustable quota: the stack warns
before ``pulumi up`` fails at the first rule past it.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventpipe.consumer import Consumer

RULES_PER_BUS = 300
"""EventBridge's default quota of rules per event bus (adjustable): "Amazon EventBridge
quotas", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html."""


def rule_quota_warning(rules: int, bus: str) -> str | None:
    """What to tell the operator when the stack declares more rules than the default quota.

    A warning rather than an error: the quota is adjustable, and an account that raised it
    deploys fine. Without the raise, ``pulumi up`` fails at the 301st rule.
    """
    if rules <= RULES_PER_BUS:
        return None
    return (
        f"this stack declares {rules} EventBridge rules on bus {bus!r}; EventBridge allows "
        f"{RULES_PER_BUS} rules per event bus by default (Amazon EventBridge quotas, "
        "'Rules per event bus'), so rules past the quota fail to create unless the account's "
        "quota was raised. Request an increase in the Service Quotas console (service "
        "'Amazon EventBridge (CloudWatch Events)', quota 'Rules per event bus') before "
        "`pulumi up`, or split the consumers across stacks or buses (eventpipe:busName)."
    )


def rule_count(consumers: Sequence[Consumer]) -> int:
    """Rules the pipelines declare: one per rule-fed consumer, plus the missing-field rule
    of a per-key FIFO consumer whose pattern does not already require the group field."""
    from eventpipe import group_split, pipes_paths

    count = 0
    for consumer in consumers:
        if consumer.pattern is None:
            continue
        count += 1
        path = consumer.message_group
        if consumer.fifo and path and pipes_paths.is_json_path(path):
            count += not group_split.field_required(consumer.pattern, path)
    return count
