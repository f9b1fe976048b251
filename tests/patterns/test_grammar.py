"""Tests of eventpipe.patterns: EventBridge pattern validation and local matching.

Sources of each case, marked in the tables:
  docs   - recorded AWS behaviour: an example or rule in the EventBridge user guide
           (content filtering / comparison operators / quotas pages).
  ruler  - aws/event-ruler source (JsonRuleCompiler, CIDR, WildcardParser), the engine
           EventBridge matches with, where the guide is silent.
  seed   - patterns the project's consumers use.
"""

from __future__ import annotations

import json
import random
from typing import Any, cast

import pytest
from moto.events.models import EventPattern

from eventpipe.exceptions import EventpipeError
from eventpipe.patterns import (
    MAX_PATTERN_CHARS,
    InvalidPatternError,
    matches,
    pattern_problems,
    to_json,
    validate_pattern,
)

VALID: list[tuple[str, dict[str, Any]]] = [
    ("seed", {"detail-type": ["order_placed"]}),
    ("seed", {"source": ["ecommerce.orders"], "detail-type": ["Order Created"]}),
    ("seed", {"detail": {"amount": [{"numeric": [">", 1000]}]}}),
    (
        "docs",
        {
            "source": ["aws.ec2"],
            "detail-type": ["EC2 Instance State-change Notification"],
            "detail": {"state": ["terminated"]},
        },
    ),
    ("docs", {"time": [{"prefix": "2017-10-02"}]}),
    ("docs", {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
    ("docs", {"FileName": [{"suffix": ".png"}]}),
    ("docs", {"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
    ("docs", {"detail": {"state": [{"anything-but": "initializing"}]}}),
    ("docs", {"detail": {"x-limit": [{"anything-but": 123}]}}),
    ("docs", {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
    ("docs", {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}),
    ("docs", {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
    ("docs", {"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}),
    ("docs", {"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}}),
    ("docs", {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["a", "b"]}}]}}),
    ("docs", {"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}),
    ("docs", {"detail": {"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}}),
    (
        "docs",
        {
            "detail": {
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"numeric": ["=", 3.018e2]}],
            }
        },
    ),
    ("docs", {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}),
    ("docs", {"detail": {"sourceIPAddress": [{"cidr": "2001:db8::/64"}]}}),
    ("docs", {"detail": {"c-count": [{"exists": False}]}}),
    ("docs", {"detail": {"description": [{"exists": True}]}}),
    ("docs", {"Name": [{"equals-ignore-case": "alice"}]}),
    ("docs", {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}),
    (
        "docs",
        {
            "detail": {
                "$or": [
                    {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                    {"d-count": [{"numeric": ["<", 10]}]},
                    {"x-limit": [{"numeric": ["=", 3.018e2]}]},
                ]
            }
        },
    ),
    (
        "docs",
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization", "ReadLatency"]},
                {"namespace": ["AWS/EC2", "AWS/ES"]},
            ],
        },
    ),
    ("docs", {"LastName": [""]}),
    ("docs", {"detail": {"responseElements": [None]}}),
    ("docs", {"detail": {"path": [{"wildcard": "dir/\\*literal\\\\"}]}}),
    ("docs", {"detail": {"amount": [{"numeric": [">=", -5.0e9, "<", 5.0e9]}]}}),
    ("ruler", {"detail": {"enabled": [True, False]}}),
    ("ruler", {"detail": {"count": [1, 2.5, -3]}}),
    ("ruler", {"time": [{"prefix": ""}]}),
    ("ruler", {"detail": {"account": [123456789012345]}}),
    ("ruler", {"detail": {"prefix": ["a field named prefix is fine outside $or"]}}),
    ("ruler", {"detail": {"ip": [{"cidr": "10.0.0.5/24"}]}}),
    ("ruler", {"detail": {"ip": [{"cidr": "0.0.0.0/0"}]}}),
    ("ruler", {"detail": {"ip": [{"cidr": "10.0.0.0/31"}]}}),
    ("ruler", {"detail": {"ip": ["10.0.0.1"]}}),
    ("ruler", {"detail": {"$or": [{"a": ["x"]}, {"$or": [{"b": ["y"]}, {"c": ["z"]}]}]}}),
    ("docs", {"detail": {"state": ["running", {"prefix": "stop"}, {"anything-but": "x"}]}}),
    ("docs", {"detail": {"amount": [{"numeric": ["=", 0]}]}}),
    ("docs", {"detail": {"amount": [{"numeric": ["<=", 0]}]}}),
    ("docs", {"resources": [{"suffix": "instance/i-1"}], "detail": {"a": {"b": {"c": ["deep"]}}}}),
    ("docs", {"detail": {"state": [{"anything-but": {"wildcard": "stop*"}}]}}),
    ("docs", {"x": [{"wildcard": "*"}]}),
]

INVALID: list[tuple[str, object, str]] = [
    # (source, pattern, where the problem must be reported)
    ("ruler", [], "the pattern"),
    ("ruler", "source", "the pattern"),
    ("ruler", None, "the pattern"),
    ("ruler", {}, "the pattern"),
    ("docs", {"source": "x"}, "`source`"),
    ("docs", {"source": 5}, "`source`"),
    ("docs", {"source": None}, "`source`"),
    ("docs", {"source": []}, "`source`"),
    ("ruler", {"detail": {}}, "`detail`"),
    ("docs", {"detail": {"amount": []}}, "`detail.amount`"),
    ("ruler", {"source": [["a"]]}, "`source[0]`"),
    ("ruler", {"source": [{}]}, "`source[0]`"),
    ("ruler", {"source": [{"prefix": "a", "suffix": "b"}]}, "`source[0]`"),
    ("ruler", {"source": [{"prefixx": "a"}]}, "`source[0]`"),
    ("ruler", {"source": [{"contains": "a"}]}, "`source[0]`"),
    ("docs", {"source": [{"prefix": 5}]}, "`source[0].prefix`"),
    ("docs", {"source": [{"prefix": ["a"]}]}, "`source[0].prefix`"),
    ("docs", {"s": [{"prefix": {"equals-ignore-case": 1}}]}, "`s[0].prefix.equals-ignore-case`"),
    ("ruler", {"source": [{"prefix": {"other": "a"}}]}, "`source[0].prefix`"),
    ("docs", {"f": [{"suffix": None}]}, "`f[0].suffix`"),
    ("docs", {"f": [{"equals-ignore-case": ["a"]}]}, "`f[0].equals-ignore-case`"),
    ("docs", {"f": [{"exists": "true"}]}, "`f[0].exists`"),
    ("docs", {"f": [{"exists": 1}]}, "`f[0].exists`"),
    ("ruler", {"f": [{"cidr": "10.0.0.0"}]}, "`f[0].cidr`"),
    ("ruler", {"f": [{"cidr": "10.0.0.256/24"}]}, "`f[0].cidr`"),
    ("ruler", {"f": [{"cidr": "10.0.0.0/33"}]}, "`f[0].cidr`"),
    ("ruler", {"f": [{"cidr": "10.0.0.1/32"}]}, "`f[0].cidr`"),
    ("ruler", {"f": [{"cidr": "2001:db8::1/128"}]}, "`f[0].cidr`"),
    ("ruler", {"f": [{"cidr": 10}]}, "`f[0].cidr`"),
    ("ruler", {"f": [{"cidr": "10.0.0.0/x"}]}, "`f[0].cidr`"),
    ("docs", {"f": [{"wildcard": "a**b"}]}, "`f[0].wildcard`"),
    ("docs", {"f": [{"wildcard": "a\\b"}]}, "`f[0].wildcard`"),
    ("docs", {"f": [{"wildcard": "trailing\\"}]}, "`f[0].wildcard`"),
    ("docs", {"f": [{"wildcard": 3}]}, "`f[0].wildcard`"),
    ("ruler", {"f": [{"numeric": ">"}]}, "`f[0].numeric`"),
    ("ruler", {"f": [{"numeric": []}]}, "`f[0].numeric`"),
    ("docs", {"detail": {"amount": [{"numeric": [">", "1000"]}]}}, "`detail.amount[0].numeric[1]`"),
    ("ruler", {"f": [{"numeric": ["!=", 5]}]}, "`f[0].numeric[0]`"),
    ("ruler", {"f": [{"numeric": [">", 5, "<"]}]}, "`f[0].numeric`"),
    ("ruler", {"f": [{"numeric": ["<", 5, ">", 1]}]}, "`f[0].numeric`"),
    ("ruler", {"f": [{"numeric": [">", 5, "<", 5]}]}, "`f[0].numeric`"),
    ("ruler", {"f": [{"numeric": ["=", 5, "<", 9]}]}, "`f[0].numeric`"),
    ("ruler", {"f": [{"numeric": [">", 0, "<", 5, "<", 6]}]}, "`f[0].numeric`"),
    ("docs", {"f": [{"numeric": [">", 6e9]}]}, "`f[0].numeric[1]`"),
    ("docs", {"f": [{"numeric": ["<", -5.000001e9]}]}, "`f[0].numeric[1]`"),
    ("docs", {"f": [{"numeric": [">", True]}]}, "`f[0].numeric[1]`"),
    ("ruler", {"f": [{"anything-but": []}]}, "`f[0].anything-but`"),
    ("docs", {"f": [{"anything-but": ["a", 1]}]}, "`f[0].anything-but`"),
    ("docs", {"f": [{"anything-but": None}]}, "`f[0].anything-but`"),
    ("docs", {"f": [{"anything-but": True}]}, "`f[0].anything-but`"),
    ("ruler", {"f": [{"anything-but": [None]}]}, "`f[0].anything-but[0]`"),
    ("ruler", {"f": [{"anything-but": {"prefix": ""}}]}, "`f[0].anything-but.prefix`"),
    ("docs", {"f": [{"anything-but": {"numeric": [">", 1]}}]}, "`f[0].anything-but`"),
    ("docs", {"f": [{"anything-but": {"exists": True}}]}, "`f[0].anything-but`"),
    ("ruler", {"f": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}, "`f[0].anything-but`"),
    ("ruler", {"f": [{"anything-but": {"equals-ignore-case": 5}}]}, "`f[0].anything-but.eq"),
    ("docs", {"f": [{"anything-but": {"wildcard": ["a**"]}}]}, "`f[0].anything-but.wildcard[0]`"),
    ("docs", {"f": [{"anything-but": 6e9}]}, "`f[0].anything-but`"),
    ("ruler", {"$or": [{"a": ["x"]}]}, "`$or`"),
    ("ruler", {"$or": {"a": ["x"]}}, "`$or`"),
    ("ruler", {"$or": [{"a": ["x"]}, "b"]}, "`$or[1]`"),
    ("ruler", {"$or": [{"a": ["x"]}, {}]}, "`$or[1]`"),
    (
        "ruler",
        {"$or": [{"a": ["x"]}, {"b": [{"numeric": [">", "1"]}]}]},
        "`$or[1].b[0].numeric[1]`",
    ),
    ("ruler", {"$or": [{"numeric": ["x"]}, {"b": ["y"]}]}, "`$or[0].numeric`"),
    ("docs", {"detail": {"state": {"prefix": "x"}}}, "`detail.state.prefix`"),
    ("docs", {"source": ["x" * MAX_PATTERN_CHARS]}, "the pattern"),
    ("ruler", {"f": [{"numeric": [">", float("nan")]}]}, "`f[0].numeric[1]`"),
    ("ruler", {"f": [float("inf")]}, "`f[0]`"),
    ("ruler", {1: ["a"]}, "the pattern"),
]

SAMPLE_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "Order Created",
    "source": "ecommerce.orders",
    "account": "123456789012",
    "time": "2026-11-23T10:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"],
    "detail": {
        "orderId": "o-1001",
        "amount": 1500,
        "priority": "high",
        "status": "PLACED",
        "clientIp": "10.0.0.7",
        "customer": {"id": "c-42", "tier": "gold"},
    },
}


def with_detail(**changes: Any) -> dict[str, Any]:
    return {**SAMPLE_EVENT, "detail": {**SAMPLE_EVENT["detail"], **changes}}


# --- the tables ------------------------------------------------------------------------


def test_tables_are_large_enough() -> None:
    assert len(VALID) >= 40
    assert len(INVALID) >= 40


@pytest.mark.parametrize(("source", "pattern"), VALID, ids=lambda v: json.dumps(v)[:60])
def test_valid_patterns_have_no_problems(source: str, pattern: dict[str, Any]) -> None:
    assert pattern_problems(pattern) == []
    validate_pattern(pattern)  # does not raise


@pytest.mark.parametrize(("source", "pattern", "where"), INVALID, ids=lambda v: str(v)[:60])
def test_invalid_patterns_name_the_path(source: str, pattern: object, where: str) -> None:
    problems = pattern_problems(pattern)
    assert problems, f"{source}: AWS rejects this pattern but no problem was found"
    assert any(p.startswith(where) for p in problems), problems
    for problem in problems:  # "<where> <what is wrong>: <how to fix it>"
        assert problem.startswith(("`", "the pattern ")), problem
        assert ": " in problem, problem


def test_invalid_pattern_error_carries_every_problem() -> None:
    pattern = {"source": "x", "detail": {"amount": [{"numeric": [">", "1"]}]}}
    with pytest.raises(InvalidPatternError) as caught:
        validate_pattern(pattern)
    assert isinstance(caught.value, EventpipeError)
    assert len(caught.value.problems) == 2
    assert "`source`" in str(caught.value)
    assert "`detail.amount[0].numeric[1]`" in str(caught.value)


# --- messages say how to fix -----------------------------------------------------------


def test_non_list_value_suggests_the_list() -> None:
    assert pattern_problems({"source": "ecommerce.orders"}) == [
        '`source` must be a list of values, not a string: write ["ecommerce.orders"]'
    ]


def test_operator_outside_a_list_suggests_wrapping_it() -> None:
    (problem,) = pattern_problems({"source": {"prefix": "aws."}})
    assert '"source": [{"prefix": "aws."}]' in problem


def test_misspelt_operator_suggests_the_right_one() -> None:
    (problem,) = pattern_problems({"source": [{"prefixx": "a"}]})
    assert 'did you mean "prefix"' in problem


def test_quoted_number_suggests_dropping_the_quotes() -> None:
    (problem,) = pattern_problems({"detail": {"amount": [{"numeric": [">", "1000"]}]}})
    assert "write 1000 without quotes" in problem


def test_single_address_cidr_suggests_a_plain_value() -> None:
    (problem,) = pattern_problems({"ip": [{"cidr": "10.0.0.1/32"}]})
    assert '["10.0.0.1"]' in problem


def test_all_problems_are_reported_together() -> None:
    pattern = {"a": "x", "b": [], "c": [{"exists": 1}], "d": {"e": [{"nope": 1}]}}
    problems = pattern_problems(pattern)
    assert [p.split(" ", 1)[0] for p in problems] == ["`a`", "`b`", "`c[0].exists`", "`d.e[0]`"]


# --- size limit (docs: quotas, "Event pattern: 2048 characters maximum") --------------


def test_size_limit_is_counted_on_compact_json() -> None:
    filler = len(to_json({"source": [""]}))
    at_limit = {"source": ["x" * (MAX_PATTERN_CHARS - filler)]}
    assert len(to_json(at_limit)) == MAX_PATTERN_CHARS
    assert pattern_problems(at_limit) == []
    over = {"source": ["x" * (MAX_PATTERN_CHARS - filler + 1)]}
    (problem,) = pattern_problems(over)
    assert f"is {MAX_PATTERN_CHARS + 1} characters long" in problem


def test_to_json_is_compact_sorted_and_keeps_unicode() -> None:
    assert to_json({"source": ["café"], "n": [1]}) == '{"n":[1],"source":["café"]}'


# --- never raises ----------------------------------------------------------------------


class _Weird:
    def __repr__(self) -> str:
        raise RuntimeError("repr must not be called")


_OPERATOR_NAMES = ["prefix", "suffix", "anything-but", "numeric", "exists", "cidr"]
_OPERATOR_NAMES += ["equals-ignore-case", "wildcard", "$or", "prefixx", "="]


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    """JSON-ish values, biased towards pattern shapes, plus things JSON cannot hold."""
    leaves: list[Any] = [
        "x",
        "",
        "**",
        "a\\",
        "10.0.0.0/24",
        "1.2.3.4/32",
        ">",
        "<=",
        "=",
        0,
        -1,
        2.5,
        6e9,
        10**400,
        float("nan"),
        float("inf"),
        True,
        False,
        None,
        b"bytes",
        {1, 2},
        (1, 2),
        _Weird(),
    ]
    if depth > 4 or rng.random() < 0.35:
        return rng.choice(leaves)
    kind = rng.random()
    size = rng.randint(0, 4)
    if kind < 0.4:
        return [_random_value(rng, depth + 1) for _ in range(size)]
    keys = [rng.choice([*_OPERATOR_NAMES, "source", "detail", "a", 1, None]) for _ in range(size)]
    return {key: _random_value(rng, depth + 1) for key in keys}


def _mutate(rng: random.Random, value: Any) -> Any:
    """A deep copy of ``value`` with one random node replaced (or none, sometimes)."""
    if rng.random() < 0.2:
        return _random_value(rng, depth=3)
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        return {**value, key: _mutate(rng, value[key])}
    if isinstance(value, list) and value:
        i = rng.randrange(len(value))
        return [*value[:i], _mutate(rng, value[i]), *value[i + 1 :]]
    return _random_value(rng, depth=4)


def test_fuzz_never_raises_and_valid_results_match_with_moto() -> None:
    rng = random.Random(20261123)
    valid = 0
    for n in range(4000):
        pattern = _random_value(rng) if n % 2 else _mutate(rng, rng.choice(VALID)[1])
        problems = pattern_problems(pattern)
        assert isinstance(problems, list)
        assert all(isinstance(p, str) and p for p in problems)
        if not problems:
            valid += 1
            assert isinstance(matches(pattern, SAMPLE_EVENT), bool)
    assert valid > 100  # both branches of the checker are exercised


def test_self_referencing_pattern_is_reported_not_raised() -> None:
    loop: dict[str, Any] = {}
    loop["a"] = loop
    assert pattern_problems(loop)


def test_shared_and_cyclic_structures_finish() -> None:
    shared: dict[str, Any] = {"a": ["x"]}
    for _ in range(60):
        shared = {"$or": [shared, shared]}  # 2**60 branches if walked naively
    (problem,) = pattern_problems(shared)
    assert problem.startswith("the pattern holds more than")
    cyclic: dict[str, Any] = {}
    cyclic["$or"] = [cyclic, cyclic]
    assert pattern_problems(cyclic)


def test_values_json_cannot_print_are_reported() -> None:
    (huge,) = pattern_problems({"a": 10**5000})  # beyond Python's int-to-str limit
    assert huge.startswith("`a` must be a list of values")
    (odd,) = pattern_problems({"a": [_Weird()]})
    assert odd == (
        "`a[0]` is a Python _Weird (not JSON): "
        "use a string, number, true, false, null or an operator object"
    )


def test_deep_nesting_within_the_size_limit_is_valid() -> None:
    pattern: dict[str, Any] = {"a": ["x"]}
    for _ in range(300):
        pattern = {"a": pattern}
    assert len(to_json(pattern)) <= MAX_PATTERN_CHARS
    assert pattern_problems(pattern) == []


# --- matching real-shaped events -------------------------------------------------------

PRIORITY_ORDERS = {
    "source": ["ecommerce.orders"],
    "detail-type": ["Order Created"],
    "detail": {"amount": [{"numeric": [">", 1000]}]},
}


def test_priority_order_over_1000_matches() -> None:
    assert matches(PRIORITY_ORDERS, SAMPLE_EVENT)


def test_priority_order_of_500_does_not_match() -> None:
    assert not matches(PRIORITY_ORDERS, with_detail(amount=500))


def test_numeric_range_bounds() -> None:
    pattern = {"detail": {"amount": [{"numeric": [">", 1000, "<=", 1500]}]}}
    assert matches(pattern, SAMPLE_EVENT)
    assert not matches(pattern, with_detail(amount=1500.01))
    assert not matches(pattern, with_detail(amount="1500"))  # numeric needs a JSON number


def test_prefix() -> None:
    assert matches({"source": [{"prefix": "ecommerce."}]}, SAMPLE_EVENT)
    assert not matches({"source": [{"prefix": "aws."}]}, SAMPLE_EVENT)
    assert matches({"detail-type": [{"prefix": {"equals-ignore-case": "ORDER"}}]}, SAMPLE_EVENT)


def test_anything_but() -> None:
    assert matches({"detail": {"status": [{"anything-but": ["CANCELLED"]}]}}, SAMPLE_EVENT)
    assert not matches({"detail": {"status": [{"anything-but": "PLACED"}]}}, SAMPLE_EVENT)
    assert not matches({"source": [{"anything-but": {"prefix": "ecommerce."}}]}, SAMPLE_EVENT)


def test_exists_false_matches_only_when_the_field_is_absent() -> None:
    pattern = {"detail": {"coupon": [{"exists": False}]}}
    assert matches(pattern, SAMPLE_EVENT)
    assert not matches(pattern, with_detail(coupon="WELCOME10"))


def test_or_matches_either_branch() -> None:
    pattern = {
        "source": ["ecommerce.orders"],
        "$or": [
            {"detail": {"priority": ["urgent"]}},
            {"detail": {"amount": [{"numeric": [">=", 1000]}]}},
        ],
    }
    assert matches(pattern, SAMPLE_EVENT)
    assert not matches(pattern, with_detail(amount=10))
    assert matches(pattern, with_detail(amount=10, priority="urgent"))


def test_nested_fields_cidr_wildcard_and_ignore_case() -> None:
    assert matches({"detail": {"customer": {"tier": ["gold"]}}}, SAMPLE_EVENT)
    assert matches({"detail": {"clientIp": [{"cidr": "10.0.0.0/24"}]}}, SAMPLE_EVENT)
    assert not matches({"detail": {"clientIp": [{"cidr": "10.1.0.0/24"}]}}, SAMPLE_EVENT)
    assert matches({"resources": [{"wildcard": "arn:aws:dynamodb:*:table/orders"}]}, SAMPLE_EVENT)
    assert matches({"detail-type": [{"equals-ignore-case": "order created"}]}, SAMPLE_EVENT)


def test_matches_refuses_an_invalid_pattern_that_moto_would_match() -> None:
    unknown_operator = {"source": [{"prefixx": "nothing-like-it"}]}
    # Why matches() validates first: moto treats an unknown operator as a match. (moto's own
    # method: the local engine's shim answers only inside its embedded server.)
    moto_matches = EventPattern.matches_event
    assert moto_matches(EventPattern.load(json.dumps(unknown_operator)), cast(Any, SAMPLE_EVENT))
    with pytest.raises(InvalidPatternError):
        matches(unknown_operator, SAMPLE_EVENT)
