"""anything-but and its nested operators against null, numbers, booleans, strings and lists.

Source of every row: aws/event-ruler, ``src/main/software/amazon/event/ruler/``:
``JsonRuleCompiler.generateValueBasedOnMatchType`` quotes every string operator's value
(``prefix`` "init" is the bytes ``"init``), and ``ByteMachine.doTransitionOn`` excludes a
value only when one of those quoted forms matches the value's JSON text, so a bare
``null``, ``5`` or ``true`` is never excluded by a string form; ``AnythingBut.isNumeric``
keeps numeric lists to numbers. "docs" rows are the user guide's own examples
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
"""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe.patterns import matches, pattern_problems

RULER = "ByteMachine.doTransitionOn"

NESTED: list[dict[str, Any]] = [
    {"prefix": "init"},
    {"prefix": ["init", "stop"]},
    {"suffix": "izing"},
    {"suffix": [".txt", "izing"]},
    {"wildcard": "init*"},
    {"wildcard": ["*/lib/*", "init*"]},
    {"equals-ignore-case": "INITIALIZING"},
    {"equals-ignore-case": ["a", "INITIALIZING"]},
]
PLAIN: list[Any] = ["initializing", ["initializing", "stopped"]]

# (source, anything-but operand, event value, expected)
CASES: list[tuple[str, Any, Any, bool]] = []
for operand in NESTED + PLAIN:
    CASES += [
        (RULER, operand, None, True),
        (RULER, operand, 5, True),
        (RULER, operand, 0, True),
        (RULER, operand, True, True),
        (RULER, operand, False, True),
        (RULER, operand, "initializing", False),
        (RULER, operand, "running", True),
        (RULER, operand, [None, 5], True),
        (RULER, operand, ["initializing", None], True),
        (RULER, operand, ["initializing"], False),
        (RULER, operand, [], False),
    ]
CASES += [
    ("docs", [100, 200, 300], 200, False),
    ("docs", [100, 200, 300], 201, True),
    (RULER, [100, 200, 300], 200.0, False),
    (RULER, [100, 200, 300], "200", True),
    (RULER, [100, 200, 300], None, True),
    (RULER, [100, 200, 300], True, True),
    (RULER, 123, [123, None], True),
    (RULER, 123, [123], False),
    ("docs", {"suffix": ".png"}, "a.PNG", True),
    ("docs", {"suffix": ".png"}, "a.png", False),
    ("docs", {"wildcard": "*/lib/*"}, "/usr/lib/x", False),
    ("docs", {"equals-ignore-case": "initializing"}, "INITIALIZING", False),
]


@pytest.mark.parametrize(
    ("source", "operand", "value", "expected"),
    CASES,
    ids=[f"{i}-{type(c[2]).__name__}" for i, c in enumerate(CASES)],
)
def test_anything_but(source: str, operand: Any, value: Any, expected: bool) -> None:
    pattern = {"detail": {"state": [{"anything-but": operand}]}}
    assert pattern_problems(pattern) == []
    assert matches(pattern, {"detail": {"state": value}}) is expected


@pytest.mark.parametrize("operand", NESTED + PLAIN)
def test_anything_but_never_matches_a_missing_field(operand: Any) -> None:
    pattern = {"detail": {"state": [{"anything-but": operand}]}}
    assert matches(pattern, {"detail": {"other": "x"}}) is False


# The string operators themselves stay on strings (same source): no match on null/5/true.
@pytest.mark.parametrize("value", [None, 5, True, "5"])
@pytest.mark.parametrize(
    "operator",
    [
        {"prefix": "5"},
        {"suffix": "5"},
        {"wildcard": "*5*"},
        {"equals-ignore-case": "5"},
        {"prefix": {"equals-ignore-case": "5"}},
    ],
)
def test_string_operators_match_strings_only(operator: dict[str, Any], value: Any) -> None:
    assert matches({"f": [operator]}, {"f": value}) is (value == "5")
