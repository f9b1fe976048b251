"""Composite alarm rules on their children's states (PutCompositeAlarm ``AlarmRule``:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html)."""

from __future__ import annotations

import pytest

from eventpipe.local.watch.composite_rules import RuleError, named_alarms, rule_is_true

STATES = {"a": "ALARM", "b": "OK", "c": "INSUFFICIENT_DATA"}


@pytest.mark.parametrize(
    ("rule", "holds"),
    [
        ('ALARM("a")', True),
        ('ALARM("b")', False),
        ('ALARM("a") AND OK("b")', True),
        ('ALARM("b") OR INSUFFICIENT_DATA("c")', True),
        ('NOT ALARM("a")', False),
        ('(ALARM("b") OR ALARM("a")) AND NOT OK("c")', True),
        ('ALARM("missing")', False),
        ("TRUE", True),
        ('FALSE OR ALARM("b")', False),
    ],
)
def test_rules(rule: str, holds: bool) -> None:
    assert rule_is_true(rule, STATES) is holds


def test_named_alarms_in_order() -> None:
    assert named_alarms('ALARM("x") OR (OK("y") AND NOT ALARM("z"))') == ["x", "y", "z"]


@pytest.mark.parametrize("rule", ['ALARM("a"', 'ALARM("a") OR', "MAYBE(a)"])
def test_a_rule_it_cannot_read_is_an_error(rule: str) -> None:
    with pytest.raises(RuleError):
        rule_is_true(rule, STATES)
