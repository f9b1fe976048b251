"""Our own event matcher, compiled once per pattern, with aws/event-ruler's semantics.

Why our own: no Python library answers like AWS. moto's ``EventPattern`` misses fields
inside arrays of objects and ``exists`` on empty arrays and matches unknown operators as
true; the PyPI ``event-ruler`` package wraps another engine. So this module follows
EventBridge's own engine, aws/event-ruler (``ACFinder``, ``ByteMachine``, ``Event``), and the
user guide where the two differ:

* the pattern is flattened into sub-rules and the event into dot-joined fields with array
  memberships (:mod:`~eventpipe.patterns.flatten`), so nested and dotted keys meet;
* a sub-rule matches when each of its fields, taken in sorted name order as event-ruler's
  name states are, has a value that one of the field's pattern values accepts
  (:mod:`~eventpipe.patterns.values`), all chosen values in the same array elements;
* ``exists: true`` accepts any value, ``null`` included; ``exists: false`` holds when no
  value of the field shares the array elements chosen so far (``NameState.getNameTransitions``);
* the pattern matches when any sub-rule does (``$or``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from eventpipe.patterns.flatten import (
    FlatEvent,
    Membership,
    Wanted,
    flatten_event,
    merge,
    sub_rules,
)
from eventpipe.patterns.grammar import to_json, validate_pattern
from eventpipe.patterns.values import OPERATOR_TESTS, Test, equals

Node = Callable[[dict[str, Any]], bool]
Field = tuple[str, Test | None, bool]
"""(dot-joined name, test of a present value or None, whether absence matches)."""


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether an EventBridge event (envelope with ``source``, ``detail`` ...) matches.

    Raises :class:`InvalidPatternError` for a pattern PutRule refuses.
    """
    return compile_pattern(to_json(pattern))(event)


@lru_cache(maxsize=1024)
def compile_pattern(pattern_json: str) -> Node:
    """Validate and compile a pattern (its JSON text) into a test of whole events."""
    pattern = json.loads(pattern_json)
    validate_pattern(pattern)
    rules = [_compile_rule(rule) for rule in sub_rules(pattern)]
    wanted = Wanted({name for rule in rules for name, _, _ in rule})
    if len(rules) == 1:
        (only,) = rules

        def match_one(event: dict[str, Any]) -> bool:
            return match_fields(only, flatten_event(event, wanted))

        return match_one

    def match_any(event: dict[str, Any]) -> bool:
        flat = flatten_event(event, wanted)
        return any(match_fields(rule, flat) for rule in rules)

    return match_any


def _compile_rule(rule: list[tuple[str, list[Any]]]) -> list[Field]:
    """Fields in name order, as event-ruler's name states take them; a name given twice
    stays twice, so both of its conditions must hold."""
    return [compile_field(name, values) for name, values in sorted(rule, key=lambda f: f[0])]


def compile_field(name: str, values: list[Any]) -> Field:
    """One field of a sub-rule: its test of a present value and whether absence matches."""
    tests: list[Test] = []
    absent_ok = False
    for value in values:
        if isinstance(value, dict):
            ((operator, operand),) = value.items()
            if operator == "exists":
                if operand:
                    tests.append(_present)
                else:
                    absent_ok = True
                continue
            tests.append(OPERATOR_TESTS[operator](operand))
        else:
            tests.append(equals(value))
    if not tests:
        return name, None, absent_ok
    if len(tests) == 1:
        return name, tests[0], absent_ok
    return name, (lambda v: any(t(v) for t in tests)), absent_ok


def _present(_: Any) -> bool:
    return True


def match_fields(fields: list[Field], flat: FlatEvent) -> bool:
    """Whether a flattened event satisfies every field of one sub-rule together."""
    # Fast path: one value per field and no arrays of objects, so nothing to backtrack.
    for name, test, absent_ok in fields:
        found = flat.get(name)
        if found is None:
            if absent_ok:
                continue
            return False
        if len(found) != 1 or found[0][1]:
            return _walk(fields, 0, (), flat)
        if test is None or not test(found[0][0]):
            return False
    return True


def _walk(fields: list[Field], i: int, membership: Membership, flat: FlatEvent) -> bool:
    if i == len(fields):
        return True
    name, test, absent_ok = fields[i]
    found = flat.get(name, ())
    absent = absent_ok and all(merge(membership, where) is None for _, where in found)
    if absent and _walk(fields, i + 1, membership, flat):
        return True
    if test is None:
        return False
    for value, where in found:
        joined = merge(membership, where) if where else membership
        if joined is not None and test(value) and _walk(fields, i + 1, joined, flat):
            return True
    return False
