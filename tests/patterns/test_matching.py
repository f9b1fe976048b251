"""Per-operator tables of match / no-match cases for our matcher (eventpipe.patterns.matching).

Sources: "docs" = the EventBridge user guide's content-filtering, arrays and null-value
pages (their examples and rules: numeric matching is limited to -5.0e9..5.0e9 with six
digits after the decimal point, which wins over event-ruler's newer any-double
``ComparableNumber``); "ruler" = aws/event-ruler (CIDR, ByteMachine, Event flattening).
event-ruler's own test cases are in test_ruler_corpus.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe.patterns import matches, pattern_problems
from eventpipe.patterns.complexity import TOO_COMPLEX


def ev(**detail: Any) -> dict[str, Any]:
    return {
        "id": "1",
        "source": "aws.ec2",
        "detail-type": "EC2 Instance State-change Notification",
        "account": "123456789012",
        "region": "us-east-1",
        "time": "2017-10-02T18:43:48Z",
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"],
        "detail": detail,
    }


CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], bool]] = [
    # (operator, source, pattern, event, expected)
    ("prefix", "docs", {"time": [{"prefix": "2017-10-02"}]}, ev(), True),
    ("prefix", "docs", {"time": [{"prefix": "2017-10-03"}]}, ev(), False),
    (
        "prefix",
        "docs",
        {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}},
        ev(service="EVENTBRIDGE"),
        True,
    ),
    (
        "prefix",
        "docs",
        {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}},
        ev(service="Lambda"),
        False,
    ),
    ("suffix", "docs", {"detail": {"FileName": [{"suffix": ".png"}]}}, ev(FileName="a.png"), True),
    ("suffix", "docs", {"detail": {"FileName": [{"suffix": ".png"}]}}, ev(FileName="a.PNG"), False),
    (
        "suffix",
        "docs",
        {"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}},
        ev(FileName="a.PNG"),
        True,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"state": [{"anything-but": "initializing"}]}},
        ev(state="running"),
        True,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"state": [{"anything-but": "initializing"}]}},
        ev(state="initializing"),
        False,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"state": [{"anything-but": "initializing"}]}},
        ev(),
        False,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}},
        ev(**{"x-limit": 200.0}),
        False,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}},
        ev(**{"x-limit": 201}),
        True,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
        ev(state="initializing"),
        False,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"state": [{"anything-but": {"prefix": ["init", "stop"]}}]}},
        ev(state="stopped"),
        False,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"state": [{"anything-but": {"prefix": ["init", "stop"]}}]}},
        ev(state="running"),
        True,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"f": [{"anything-but": {"suffix": [".txt", ".md"]}}]}},
        ev(f="a.md"),
        False,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["A", "B"]}}]}},
        ev(state="b"),
        False,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"p": [{"anything-but": {"wildcard": "*/lib/*"}}]}},
        ev(p="/usr/lib/x"),
        False,
    ),
    (
        "anything-but",
        "docs",
        {"detail": {"p": [{"anything-but": {"wildcard": "*/lib/*"}}]}},
        ev(p="/usr/bin/x"),
        True,
    ),
    ("numeric", "docs", {"detail": {"c": [{"numeric": [">", 0, "<=", 5]}]}}, ev(c=5), True),
    ("numeric", "docs", {"detail": {"c": [{"numeric": [">", 0, "<=", 5]}]}}, ev(c=0), False),
    ("numeric", "docs", {"detail": {"x": [{"numeric": ["=", 3.018e2]}]}}, ev(x=301.8), True),
    ("numeric", "ruler", {"detail": {"x": [{"numeric": ["=", 5]}]}}, ev(x=5e0), True),
    ("numeric", "ruler", {"detail": {"x": [{"numeric": ["=", 0]}]}}, ev(x=-0.0), True),
    ("numeric", "docs", {"detail": {"x": [{"numeric": ["=", 0]}]}}, ev(x=1e-7), True),
    ("numeric", "docs", {"detail": {"x": [{"numeric": ["=", 0]}]}}, ev(x=1e-6), False),
    ("numeric", "ruler", {"detail": {"x": [{"numeric": [">", 1e9]}]}}, ev(x=1000000001), True),
    ("numeric", "docs", {"detail": {"x": [{"numeric": ["<", 5e9]}]}}, ev(x=6e9), False),
    ("numeric", "docs", {"detail": {"x": [{"numeric": [">", 1]}]}}, ev(x="5"), False),
    ("equals", "ruler", {"detail": {"x": [5]}}, ev(x=5e0), True),
    ("equals", "ruler", {"detail": {"x": [5]}}, ev(x="5"), False),
    ("equals", "docs", {"detail": {"eventVersion": [""]}}, ev(eventVersion=""), True),
    ("equals", "docs", {"detail": {"eventVersion": [""]}}, ev(eventVersion=None), False),
    ("equals", "docs", {"detail": {"responseElements": [None]}}, ev(responseElements=None), True),
    ("equals", "ruler", {"detail": {"on": [True]}}, ev(on=1), False),
    ("cidr", "docs", {"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, ev(ip="10.0.0.255"), True),
    ("cidr", "docs", {"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, ev(ip="10.0.1.0"), False),
    ("cidr", "docs", {"detail": {"ip": [{"cidr": "2001:db8::/64"}]}}, ev(ip="2001:db8::1"), True),
    ("cidr", "docs", {"detail": {"ip": [{"cidr": "2001:db8::/64"}]}}, ev(ip="2001:db9::1"), False),
    ("cidr", "ruler", {"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}, ev(ip="not-an-ip"), False),
    ("exists", "docs", {"detail": {"c": [{"exists": False}]}}, ev(), True),
    ("exists", "docs", {"detail": {"c": [{"exists": False}]}}, ev(c=1), False),
    ("exists", "docs", {"detail": {"c": [{"exists": True}]}}, ev(c=None), True),
    ("exists", "ruler", {"detail": {"c": [{"exists": True}]}}, ev(c=[]), False),
    ("exists", "ruler", {"detail": {"c": [{"exists": False}]}}, ev(c=[]), True),
    ("exists", "docs", {"detail": {"c": [{"exists": True}]}}, ev(c={"a": 1}), False),
    (
        "equals-ignore-case",
        "docs",
        {"detail": {"n": [{"equals-ignore-case": "alice"}]}},
        ev(n="ALICE"),
        True,
    ),
    (
        "equals-ignore-case",
        "ruler",
        {"detail": {"n": [{"equals-ignore-case": "éLAN"}]}},
        ev(n="Élan"),
        True,
    ),
    (
        "equals-ignore-case",
        "ruler",
        {"detail": {"n": [{"equals-ignore-case": "σοφία"}]}},
        ev(n="ΣΟΦΊΑ"),
        True,
    ),
    (
        "equals-ignore-case",
        "ruler",
        {"detail": {"n": [{"equals-ignore-case": "straße"}]}},
        ev(n="STRASSE"),
        False,
    ),
    ("wildcard", "docs", {"resources": [{"wildcard": "arn:aws:ec2:*:instance/*"}]}, ev(), True),
    ("wildcard", "docs", {"detail": {"p": [{"wildcard": "dir/*.png"}]}}, ev(p="dir/a.jpg"), False),
    ("wildcard", "docs", {"detail": {"p": [{"wildcard": "a\\*b"}]}}, ev(p="a*b"), True),
    ("wildcard", "docs", {"detail": {"p": [{"wildcard": "a\\*b"}]}}, ev(p="axb"), False),
    (
        "arrays",
        "docs",
        {"resources": ["x", "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]},
        ev(),
        True,
    ),
    ("arrays", "docs", {"detail": {"tags": ["b"]}}, ev(tags=["a", "b"]), True),
    (
        "arrays",
        "ruler",
        {"detail": {"items": {"sku": ["book"]}}},
        ev(items=[{"sku": "pen"}, {"sku": "book"}]),
        True,
    ),
    (
        "arrays",
        "ruler",
        {"detail": {"items": {"sku": ["book"], "qty": [2]}}},
        ev(items=[{"sku": "book", "qty": 1}, {"sku": "pen", "qty": 2}]),
        False,
    ),
    (
        "arrays",
        "ruler",
        {"detail": {"items": {"sku": ["book"], "qty": [2]}}},
        ev(items=[{"sku": "book", "qty": 2}]),
        True,
    ),
    ("$or", "docs", {"detail": {"$or": [{"c": [1]}, {"d": [2]}]}}, ev(d=2), True),
    ("$or", "docs", {"detail": {"$or": [{"c": [1]}, {"d": [2]}]}}, ev(d=3), False),
    (
        "envelope",
        "docs",
        {
            "source": ["aws.ec2"],
            "account": ["123456789012"],
            "region": ["us-east-1"],
            "id": ["1"],
            "detail-type": ["EC2 Instance State-change Notification"],
        },
        ev(),
        True,
    ),
    ("envelope", "docs", {"region": ["eu-west-1"]}, ev(), False),
]


@pytest.mark.parametrize(
    ("operator", "source", "pattern", "event", "expected"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_operator_table(
    operator: str, source: str, pattern: dict[str, Any], event: dict[str, Any], expected: bool
) -> None:
    assert pattern_problems(pattern) == []
    assert matches(pattern, event) is expected


def test_every_operator_has_match_and_no_match_cases() -> None:
    for operator in {c[0] for c in CASES}:
        outcomes = {c[4] for c in CASES if c[0] == operator}
        assert outcomes == {True, False}, operator


def test_wildcard_complexity_limit_is_refused() -> None:
    (problem,) = pattern_problems({"f": [{"wildcard": "*a*a*a*a*a*a*a*a*a*a*a*a"}]})
    assert problem.startswith("`f` wildcards are too complex")
    assert TOO_COMPLEX in problem
    assert pattern_problems({"f": [{"wildcard": "*a*a*a"}]}) == []


def test_the_guides_too_complex_wildcard_example_is_refused_and_its_fix_is_not() -> None:
    """docs: eb-create-pattern-operators.html, "Wildcard matching" (see complexity.py)."""
    (problem,) = pattern_problems({"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]})
    assert problem.startswith("`EventBusArn` wildcards are too complex")
    fixed = {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}
    assert pattern_problems(fixed) == []


def test_anything_but_lists_of_prefixes_are_valid_and_empty_ones_are_not() -> None:
    assert pattern_problems({"f": [{"anything-but": {"suffix": [".a", ".b"]}}]}) == []
    (problem,) = pattern_problems({"f": [{"anything-but": {"prefix": ["a", ""]}}]})
    assert problem.startswith("`f[0].anything-but.prefix[1]` is empty")
