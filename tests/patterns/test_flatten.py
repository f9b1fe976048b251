"""Flattening in both directions, with arrays and objects mixed (eventpipe.patterns.flatten).

Sources: "docs" = the user guide's "Considerations when creating event patterns"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html: nested
keys are flattened into dot-joined names, in events and patterns alike); "ruler" =
aws/event-ruler ``Event`` (event side: arrays add no step, a value records its array
elements), ``JsonRuleCompiler.parseObject`` / ``writeRules`` (pattern side: ``Path``
joins steps with dots) and
``ArrayMembership.checkArrayConsistency``; RulerTest's ``JSON_FROM_README_WITH_FLAT_FORMAT``
is event-ruler's own dotted-event fixture.
"""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe.patterns import matches, pattern_problems
from eventpipe.patterns.flatten import Wanted, flatten_event, sub_rules

# (source, pattern, event, expected)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("docs", {"detail": {"state.status": ["on"]}}, {"detail": {"state": {"status": "on"}}}, True),
    ("docs", {"detail": {"state": {"status": ["on"]}}}, {"detail": {"state.status": "on"}}, True),
    ("docs", {"detail.state.status": ["on"]}, {"detail": {"state": {"status": "on"}}}, True),
    ("docs", {"detail": {"state": {"status": ["on"]}}}, {"detail.state.status": "on"}, True),
    ("docs", {"detail": {"state.status": ["on"]}}, {"detail": {"state": {"status": "off"}}}, False),
    ("ruler", {"a": {"b.c": ["x"]}}, {"a.b": {"c": "x"}}, True),
    ("ruler", {"a.b": {"c": ["x"]}}, {"a": {"b.c": "x"}}, True),
    ("ruler", {"a": {"b.c": ["x"]}}, {"a": [{"b": {"c": "x"}}]}, True),
    ("ruler", {"a": {"b.c": ["x"]}}, {"a": [{"b": [{"c": "y"}, {"c": "x"}]}]}, True),
    ("ruler", {"a": {"b.c": ["x"]}}, {"a": [{"b.c": "x"}]}, True),
    ("ruler", {"a": {"b": ["x"]}}, {"a": [[{"b": "x"}]]}, True),
    ("ruler", {"a": ["x"]}, {"a": [["y"], ["x"]]}, True),
    ("ruler", {"a": {"b": ["x"], "c": ["y"]}}, {"a": [{"b": "x", "c": "y"}]}, True),
    ("ruler", {"a": {"b": ["x"], "c": ["y"]}}, {"a": [{"b": "x"}, {"c": "y"}]}, False),
    ("ruler", {"a.b": ["x"], "a": {"c": ["y"]}}, {"a": [{"b": "x"}, {"c": "y"}]}, False),
    ("ruler", {"a.b": ["x"], "a": {"c": ["y"]}}, {"a": [{"c": "y", "b": "x"}]}, True),
    ("ruler", {"a": {"b": ["x"]}, "z": ["1"]}, {"a": [{"b": "x"}], "z": "1"}, True),
    ("ruler", {"a": {"b": ["x"]}, "c": {"d": ["y"]}}, {"a": [{"b": "x"}], "c": [{"d": "y"}]}, True),
    ("ruler", {"a": {"b": {"c": ["x"], "d": ["y"]}}}, {"a": [{"b": [{"c": "x", "d": "y"}]}]}, True),
    (
        "ruler",
        {"a": {"b": {"c": ["x"], "d": ["y"]}}},
        {"a": [{"b": [{"c": "x"}, {"d": "y"}]}]},
        False,
    ),
    (
        "ruler",
        {"a": {"b": {"c": ["x"], "d": ["y"]}}},
        {"a": [{"b": [{"c": "x"}]}, {"b": [{"d": "y"}]}]},
        False,
    ),
    ("ruler", {"a": {"b": ["x"], "c": ["y"]}}, {"a": {"b": ["x", "q"], "c": ["y"]}}, True),
    ("ruler", {"a": {"b": [{"exists": True}]}}, {"a": {"b": {"c": 1}}}, False),
    ("ruler", {"a": {"b": [{"exists": True}]}}, {"a": {"b": []}}, False),
    ("ruler", {"a": {"b": [{"exists": False}]}}, {"a": {"b": {}}}, True),
    ("ruler", {"a": {"b": [{"exists": False}]}}, {"a.b": "x"}, False),
    ("ruler", {"a": {"b": ["x"], "c": [{"exists": False}]}}, {"a": [{"b": "x"}, {"c": 1}]}, True),
    ("ruler", {"a": {"b": ["x"], "c": [{"exists": False}]}}, {"a": [{"b": "x", "c": 1}]}, False),
    ("ruler", {"$or": [{"a.b": ["x"]}, {"a": {"c": ["y"]}}]}, {"a": {"c": "y"}}, True),
    ("ruler", {"$or": [{"a.b": ["x"]}, {"a": {"c": ["y"]}}]}, {"a.b": "x"}, True),
    ("ruler", {"$or": [{"a.b": ["x"]}, {"a": {"c": ["y"]}}]}, {"a": {"b": "y"}}, False),
]


@pytest.mark.parametrize(
    ("source", "pattern", "event", "expected"), CASES, ids=[str(i) for i in range(len(CASES))]
)
def test_flattening(
    source: str, pattern: dict[str, Any], event: dict[str, Any], expected: bool
) -> None:
    assert pattern_problems(pattern) == []
    assert matches(pattern, event) is expected


def test_events_flatten_to_dot_joined_names_with_array_elements() -> None:
    event = {"a": [{"b": 1}, {"b": 2, "c": [3, 4]}], "d": {"e.f": None}, "g": []}
    flat = flatten_event(event, Wanted({"a.b", "a.c", "d.e.f", "g"}))
    assert sorted(flat) == ["a.b", "a.c", "d.e.f"]
    (first, second) = flat["a.b"]
    assert first[0] == 1 and second[0] == 2
    assert first[1] != second[1]  # different elements of the same array
    assert [v for v, _ in flat["a.c"]] == [3, 4]
    assert flat["a.c"][0][1] == second[1]  # 3 and 4 sit in b=2's element
    assert flat["d.e.f"] == [(None, ())]


def test_flattening_reads_only_what_the_pattern_names() -> None:
    event = {"a": {"b": 1, "x": 2}, "a.c": 3, "q": {"r": 4}}
    flat = flatten_event(event, Wanted({"a.b", "a.c"}))
    assert sorted(flat) == ["a.b", "a.c"]


def test_or_branches_become_sub_rules_with_joined_names() -> None:
    pattern = {"a": {"x": [1]}, "$or": [{"b": ["2"]}, {"c": {"d.e": [True]}}]}
    assert sub_rules(pattern) == [
        [("a.x", [1]), ("b", ["2"])],
        [("a.x", [1]), ("c.d.e", [True])],
    ]


# A name given twice in one alternative: both conditions must hold (see flatten.py for why
# this follows the guide's "Or matching" and not event-ruler's refusal).
TWICE: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    ({"a": {"b": ["x"]}, "a.b": [{"prefix": "x"}]}, {"a": {"b": "xy"}}, False),
    ({"a": {"b": [{"prefix": "x"}]}, "a.b": [{"suffix": "y"}]}, {"a": {"b": "xy"}}, True),
    ({"a": [{"exists": True}], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"a": "1"}, True),
    ({"a": [{"exists": True}], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"a": "3"}, False),
    ({"a": [{"exists": True}], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"a": "3", "b": "2"}, True),
    ({"a": [{"exists": False}], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
    ({"a": [{"exists": False}], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"a": "1"}, False),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), TWICE)
def test_a_name_given_twice_must_meet_both_conditions(
    pattern: dict[str, Any], event: dict[str, Any], expected: bool
) -> None:
    assert pattern_problems(pattern) == []
    assert matches(pattern, event) is expected
