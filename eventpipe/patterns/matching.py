"""Our own event matcher, compiled once per pattern, with aws/event-ruler's semantics.

Sources: the EventBridge user guide ("Content filtering in event patterns", "Arrays in
event patterns", "Matching null values and empty strings") and aws/event-ruler
(``ByteMachine``, ``ComparableNumber``, ``CIDR``, ``Patterns``, ``ACFinder``):

* a field's list matches when any value does; an event array matches when any element
  does (docs, "Arrays"); fields inside arrays of objects are reached element by element,
  and sibling fields must match in the same element (event-ruler's array consistency);
* ``exists: true`` needs a leaf value (null counts; an empty array or object gives none),
  ``exists: false`` matches when there is none (event-ruler flattening);
* numbers compare at ``ComparableNumber`` precision (6 decimals, -5e9..5e9), so 5e0 == 5
  and -0 == 0; strings never equal numbers;
* ``equals-ignore-case`` folds each code point as Java's ``Character`` simple case
  mapping does (upper then lower), not Python's full ``casefold``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from eventpipe.patterns.grammar import to_json, validate_pattern
from eventpipe.patterns.operators import NUMERIC_LIMIT

Test = Callable[[Any], bool]
"""A test of one leaf value of the event (str, number, bool or None)."""
Node = Callable[[dict[str, Any]], bool]

_MISSING: list[Any] = []


def comparable(number: float) -> int | None:
    """event-ruler ``ComparableNumber.generate``: 1e6 * (5e9 + n) truncated, in range only."""
    if not -NUMERIC_LIMIT <= number <= NUMERIC_LIMIT:
        return None
    return int(1e6 * (NUMERIC_LIMIT + number))


def fold(text: str) -> str:
    """Java-style simple case folding: per code point, upper then lower, 1:1 mappings only."""
    out = []
    for char in text:
        upper = char.upper()
        char = upper if len(upper) == 1 else char
        lower = char.lower()
        out.append(lower if len(lower) == 1 else char)
    return "".join(out)


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether an EventBridge event (envelope with ``source``, ``detail`` ...) matches.

    Raises :class:`InvalidPatternError` for a pattern PutRule refuses.
    """
    return compile_pattern(to_json(pattern))(event)


@lru_cache(maxsize=1024)
def compile_pattern(pattern_json: str) -> Node:
    """Validate and compile a pattern (its JSON text) into a test of whole events."""
    import json

    pattern = json.loads(pattern_json)
    validate_pattern(pattern)
    return _object(pattern)


def _object(pattern: dict[str, Any]) -> Node:
    parts: list[Node] = []
    for key, value in pattern.items():
        if key == "$or":
            parts.append(_either([_object(b) for b in value]))
        elif isinstance(value, dict):
            parts.append(_nested(key, _object(value)))
        else:
            parts.append(_leaf(key, value))
    return lambda obj: all(part(obj) for part in parts)


def _either(branches: list[Node]) -> Node:
    return lambda obj: any(branch(obj) for branch in branches)


def _nested(key: str, inner: Node) -> Node:
    def test(obj: dict[str, Any]) -> bool:
        value = obj.get(key)
        if isinstance(value, dict):
            return inner(value)
        if isinstance(value, list):
            return any(inner(v) for v in _objects(value)) or (
                not any(True for _ in _objects(value)) and inner({})
            )
        return inner({})  # absent (or a leaf): only exists:false below can match

    return test


def _objects(values: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for v in values:
        if isinstance(v, dict):
            out.append(v)
        elif isinstance(v, list):
            out += _objects(v)
    return out


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, list):
        out: list[Any] = []
        for v in value:
            out += _leaves(v)
        return out
    if isinstance(value, dict):
        return []
    return [value]


def _leaf(key: str, values: list[Any]) -> Node:
    tests: list[Test] = []
    absent_ok = False
    for value in values:
        if isinstance(value, dict):
            name, operand = next(iter(value.items()))
            if name == "exists":
                if operand:
                    tests.append(lambda v: True)
                else:
                    absent_ok = True
                continue
            tests.append(_OPERATORS[name](operand))
        else:
            tests.append(_equals(value))

    def test(obj: dict[str, Any]) -> bool:
        found = _leaves(obj.get(key, _MISSING))
        if not found:
            return absent_ok
        return any(t(v) for v in found for t in tests)

    return test


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _same_number(a: float, b: Any) -> bool:
    if not _is_number(b):
        return False
    ca, cb = comparable(a), comparable(b)
    return ca == cb if ca is not None and cb is not None else a == b


def _equals(expected: Any) -> Test:
    if _is_number(expected):
        return lambda v: _same_number(expected, v)
    if isinstance(expected, bool) or expected is None:
        return lambda v: v is expected
    return lambda v: isinstance(v, str) and v == expected


def _string_test(operand: Any, make: Callable[[str, bool], Test]) -> Test:
    if isinstance(operand, dict):  # {"equals-ignore-case": s}
        return make(operand["equals-ignore-case"], True)
    return make(operand, False)


def _prefix(text: str, ignore: bool) -> Test:
    if ignore:
        folded = fold(text)
        return lambda v: isinstance(v, str) and fold(v).startswith(folded)
    return lambda v: isinstance(v, str) and v.startswith(text)


def _suffix(text: str, ignore: bool) -> Test:
    if ignore:
        folded = fold(text)
        return lambda v: isinstance(v, str) and fold(v).endswith(folded)
    return lambda v: isinstance(v, str) and v.endswith(text)


def _ignore_case(text: str, _: bool = True) -> Test:
    folded = fold(text)
    return lambda v: isinstance(v, str) and fold(v) == folded


def wildcard_regex(text: str) -> re.Pattern[str]:
    """``*`` is any run of characters; ``\\*`` and ``\\\\`` are literal (docs)."""
    parts, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            parts.append(re.escape(text[i + 1]))
            i += 2
            continue
        parts.append(".*" if text[i] == "*" else re.escape(text[i]))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def _wildcard(text: str) -> Test:
    regex = wildcard_regex(text)
    return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None


def _numeric(operand: list[Any]) -> Test:
    bounds = [(op, comparable(n)) for op, n in zip(operand[::2], operand[1::2], strict=True)]
    checks = {
        "=": lambda a, b: a == b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
    }

    def test(v: Any) -> bool:
        if not _is_number(v):
            return False
        c = comparable(v)
        return c is not None and all(checks[op](c, b) for op, b in bounds)

    return test


def _cidr(operand: str) -> Test:
    network = ipaddress.ip_network(operand, strict=False)

    def test(v: Any) -> bool:
        if not isinstance(v, str):
            return False
        try:
            return ipaddress.ip_address(v) in network
        except ValueError:
            return False

    return test


def _any_of(tests: list[Test]) -> Test:
    return lambda v: any(t(v) for t in tests)


def _anything_but(operand: Any) -> Test:
    """docs: matches a present value that is none of the listed (strings vs numbers apart)."""
    if isinstance(operand, dict):
        name, inner = next(iter(operand.items()))
        items = inner if isinstance(inner, list) else [inner]
        make: dict[str, Callable[[str, bool], Test]] = {
            "prefix": _prefix,
            "suffix": _suffix,
            "equals-ignore-case": _ignore_case,
        }
        if name == "wildcard":
            excluded = _any_of([_wildcard(t) for t in items])
        else:
            excluded = _any_of([make[name](t, False) for t in items])
        if name in ("prefix", "suffix", "wildcard", "equals-ignore-case"):
            return lambda v: isinstance(v, str) and not excluded(v)
    items = operand if isinstance(operand, list) else [operand]
    listed = _any_of([_equals(i) for i in items])
    return lambda v: not listed(v)


_OPERATORS: dict[str, Callable[[Any], Test]] = {
    "prefix": lambda o: _string_test(o, _prefix),
    "suffix": lambda o: _string_test(o, _suffix),
    "equals-ignore-case": _ignore_case,
    "wildcard": _wildcard,
    "numeric": _numeric,
    "cidr": _cidr,
    "anything-but": _anything_but,
}
