"""One test per pattern value, applied to one leaf value of a flattened event.

event-ruler compares a value's JSON text byte by byte (``ByteMachine.transitionOn``): a
string is matched *with its quotes* (``"running"``), while numbers, ``true``, ``false`` and
``null`` are bare (``5``, ``null``). Every string operator is compiled with those quotes
(``prefix`` "ab" is the bytes ``"ab``, ``suffix`` "ab" is ``ab"``, ``wildcard`` and
``equals-ignore-case`` are quoted whole; ``JsonRuleCompiler.generateValueBasedOnMatchType``),
so a string operator never matches a number, a boolean or null. ``anything-but`` turns that
round: it matches every present value its listed values do not match, so
``{"anything-but": {"prefix": "init"}}`` matches ``null``, ``5``, ``true`` and ``"running"``
alike, and ``{"anything-but": "x"}`` matches ``5``. Only a numeric ``anything-but`` list
compares numbers (``AnythingBut.isNumeric``), and it lets every non-number through.

Numbers follow the EventBridge user guide rather than event-ruler's newer ``ComparableNumber``
(which takes any double): "Numeric matching ... values between -5.0e9 and +5.0e9 inclusive,
with 15 digits of precision, or six digits to the right of the decimal point"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html,
"Numeric matching"). ``equals-ignore-case`` folds each code point as Java's ``Character``
simple case mapping (upper then lower), which ``EqualsIgnoreCaseParser`` uses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from eventpipe.patterns.operators import NUMERIC_LIMIT

Test = Callable[[Any], bool]
"""A test of one leaf value of the event (str, number, bool or None)."""


def comparable(number: float) -> int | None:
    """1e6 * (5e9 + n) truncated, in range only (the guide's range and six decimals)."""
    if not -NUMERIC_LIMIT <= number <= NUMERIC_LIMIT:
        return None
    return int(1e6 * (NUMERIC_LIMIT + number))


def fold(text: str) -> str:
    """Java-style simple case folding: per code point, upper then lower, 1:1 mappings only."""
    if text.isascii():
        return text.lower()
    out = []
    for char in text:
        upper = char.upper()
        char = upper if len(upper) == 1 else char
        lower = char.lower()
        out.append(lower if len(lower) == 1 else char)
    return "".join(out)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_number(expected: float, value: Any) -> bool:
    if not is_number(value):
        return False
    ca, cb = comparable(expected), comparable(value)
    return ca == cb if ca is not None and cb is not None else expected == value


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def equals(expected: Any) -> Test:
    """A plain value. A string that is an IP address matches that address (event-ruler
    ``JsonRuleCompiler.writeRules`` turns it into a one-address CIDR range)."""
    if is_number(expected):
        return lambda v: _same_number(expected, v)
    if isinstance(expected, bool) or expected is None:
        return lambda v: v is expected
    address = _ip(expected)
    if address is not None:
        return lambda v: isinstance(v, str) and (v == expected or _ip(v) == address)
    return lambda v: isinstance(v, str) and v == expected


def prefix(text: str, ignore_case: bool = False) -> Test:
    if ignore_case:
        folded = fold(text)
        return lambda v: isinstance(v, str) and fold(v).startswith(folded)
    return lambda v: isinstance(v, str) and v.startswith(text)


def suffix(text: str, ignore_case: bool = False) -> Test:
    if ignore_case:
        folded = fold(text)
        return lambda v: isinstance(v, str) and fold(v).endswith(folded)
    return lambda v: isinstance(v, str) and v.endswith(text)


def ignore_case(text: str, _: bool = True) -> Test:
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


def wildcard(text: str, _: bool = False) -> Test:
    regex = wildcard_regex(text)
    return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def numeric(operand: list[Any]) -> Test:
    bounds = [
        (_COMPARE[op], comparable(n)) for op, n in zip(operand[::2], operand[1::2], strict=True)
    ]

    def test(v: Any) -> bool:
        if not is_number(v):
            return False
        c = comparable(v)
        return c is not None and all(check(c, b) for check, b in bounds)  # type: ignore[arg-type]

    return test


def cidr(operand: str) -> Test:
    network = ipaddress.ip_network(operand, strict=False)

    def test(v: Any) -> bool:
        if not isinstance(v, str):
            return False
        address = _ip(v)
        return address is not None and address in network

    return test


def _any_of(tests: list[Test]) -> Test:
    if len(tests) == 1:
        return tests[0]
    return lambda v: any(t(v) for t in tests)


_STRING_OPERATORS: dict[str, Callable[[str, bool], Test]] = {
    "prefix": prefix,
    "suffix": suffix,
    "equals-ignore-case": ignore_case,
    "wildcard": wildcard,
}


def anything_but(operand: Any) -> Test:
    """A present value that none of the listed values match (see the module docstring)."""
    if isinstance(operand, dict):
        ((name, inner),) = operand.items()
        items = inner if isinstance(inner, list) else [inner]
        excluded = _any_of([_STRING_OPERATORS[name](t, False) for t in items])
        return lambda v: not excluded(v)
    items = operand if isinstance(operand, list) else [operand]
    listed = _any_of([equals(i) if is_number(i) else _string_equals(i) for i in items])
    return lambda v: not listed(v)


def _string_equals(text: str) -> Test:
    """anything-but compares quoted strings only (``AnythingBut`` values), never as IPs."""
    return lambda v: isinstance(v, str) and v == text


def _string_test(operand: Any, make: Callable[[str, bool], Test]) -> Test:
    if isinstance(operand, dict):  # {"equals-ignore-case": s}
        return make(operand["equals-ignore-case"], True)
    return make(operand, False)


OPERATOR_TESTS: dict[str, Callable[[Any], Test]] = {
    "prefix": lambda o: _string_test(o, prefix),
    "suffix": lambda o: _string_test(o, suffix),
    "equals-ignore-case": ignore_case,
    "wildcard": wildcard,
    "numeric": numeric,
    "cidr": cidr,
    "anything-but": anything_but,
}
"""Operator name -> builder of its value test (``exists`` is handled by the matcher)."""
