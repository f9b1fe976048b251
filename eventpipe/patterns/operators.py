"""One check per EventBridge comparison operator, and the small helpers the checks share.

Each check takes an operand and its JSON path and returns problems as
"<path> <what is wrong>: <how to fix it>". Sources: the EventBridge user guide
("Content filtering in event patterns") and aws/event-ruler's ``JsonRuleCompiler``.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
from collections.abc import Callable
from typing import Any

NUMERIC_LIMIT = 5.0e9
"""Content filtering guide and event-ruler ``ComparableNumber``: numbers from -5.0e9 to +5.0e9."""

RANGE_LOWER = (">", ">=")
RANGE_UPPER = ("<", "<=")
NUMERIC_OPERATORS = ("=", *RANGE_LOWER, *RANGE_UPPER)

Check = Callable[[Any, str], list[str]]


def _unknown(name: object, path: str, known: dict[str, Check]) -> str:
    shown = _dump(name) if isinstance(name, str) else _kind(name)
    close = difflib.get_close_matches(name, known, n=1) if isinstance(name, str) else []
    fix = f'did you mean "{close[0]}"?' if close else "use one of " + ", ".join(known)
    return _problem(path, f"uses unknown operator {shown}", fix)


# --- one check per operator -----------------------------------------------------------


def _check_prefix(operand: object, path: str) -> list[str]:
    """docs: a string, or {"equals-ignore-case": string}; "" is allowed (event-ruler)."""
    return _string_or_ignore_case(operand, path, 'write "us-" or {"equals-ignore-case": "us-"}')


def _check_suffix(operand: object, path: str) -> list[str]:
    """docs: a string, or {"equals-ignore-case": string}."""
    return _string_or_ignore_case(operand, path, 'write ".png" or {"equals-ignore-case": ".png"}')


def _string_or_ignore_case(operand: object, path: str, fix: str) -> list[str]:
    if isinstance(operand, str):
        return []
    if isinstance(operand, dict) and len(operand) == 1 and "equals-ignore-case" in operand:
        return _check_equals_ignore_case(
            operand["equals-ignore-case"], path + ".equals-ignore-case"
        )
    return [_problem(path, f"must be a string, not {_kind(operand)}", fix)]


def _check_equals_ignore_case(operand: object, path: str) -> list[str]:
    """docs: a single string."""
    return _string(operand, path, 'write "alice"')


def _check_wildcard(operand: object, path: str) -> list[str]:
    """docs: a string where * matches any run of characters; \\* and \\\\ are literals."""
    problems = _string(operand, path, 'write "dir/*.png"')
    return problems or _wildcard_syntax(str(operand), path)


def _wildcard_syntax(text: str, path: str) -> list[str]:
    """docs: consecutive wildcards and escapes other than \\* and \\\\ are rejected."""
    i = 0
    while i < len(text):
        if text.startswith("**", i):
            return [_problem(path, f"has consecutive * at position {i}", "use a single *")]
        if text[i] == "\\":
            if text[i + 1 : i + 2] not in ("*", "\\"):
                fix = "only \\* and \\\\ may be escaped; write \\\\ for a backslash"
                return [_problem(path, f"has an invalid escape at position {i}", fix)]
            i += 1
        i += 1
    return []


def _check_exists(operand: object, path: str) -> list[str]:
    """docs: true or false, nothing else."""
    if isinstance(operand, bool):
        return []
    return [_problem(path, f"must be true or false, not {_kind(operand)}", "write true or false")]


def _check_cidr(operand: object, path: str) -> list[str]:
    """docs: an IPv4 or IPv6 CIDR block; event-ruler caps the mask at /31 and /127."""
    fix = 'write a block such as "10.0.0.0/24" or "2001:db8::/32"'
    if not isinstance(operand, str):
        return [_problem(path, f"must be a CIDR string, not {_kind(operand)}", fix)]
    address, slash, bits = operand.partition("/")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return [_problem(path, f"has an invalid IP address {_dump(address)}", fix)]
    if not slash or not bits.isascii() or not bits.isdigit():
        return [_problem(path, "needs a /mask of whole bits", fix)]
    top = 31 if ip.version == 4 else 127
    if int(bits) > top:
        one = f'to match one address, list it as a plain value: ["{address}"]'
        return [_problem(path, f"has mask /{bits}; EventBridge allows at most /{top}", one)]
    return []


def _check_numeric(operand: object, path: str) -> list[str]:
    """docs: ["=", n], one bound [op, n], or a lower then an upper bound [">", a, "<=", b]."""
    fix = 'write e.g. [">", 0, "<=", 5], ["<", 10] or ["=", 3.5]'
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        what = f"a list of {len(operand)} items" if isinstance(operand, list) else _kind(operand)
        return [_problem(path, f"must be 1 or 2 operator/number pairs, not {what}", fix)]
    problems: list[str] = []
    for i in range(0, len(operand), 2):
        op, number = operand[i], operand[i + 1]
        if not (isinstance(op, str) and op in NUMERIC_OPERATORS):
            shown = _dump(op) if _is_scalar(op) else _kind(op)
            problems.append(_problem(f"{path}[{i}]", f"is not a numeric operator ({shown})", fix))
        problems += _number(number, f"{path}[{i + 1}]")
    if problems or len(operand) == 2:
        return problems
    (low_op, low, high_op, high) = operand
    if low_op not in RANGE_LOWER or high_op not in RANGE_UPPER:
        what = "must be a lower bound (> or >=) then an upper bound (< or <=)"
        return [_problem(path, what, 'write [">", 0, "<=", 5]')]
    if low >= high:  # event-ruler: "Bottom must be less than top"
        return [_problem(path, f"has lower bound {low} not below upper bound {high}", fix)]
    return []


def _check_anything_but(operand: object, path: str) -> list[str]:
    """docs: a string, a number, a list of only strings or only numbers, or an object
    {"prefix"|"suffix": string} / {"equals-ignore-case"|"wildcard": string or strings}."""
    if isinstance(operand, dict):
        fix = 'write one of {"prefix": "x"}, {"suffix": "x"}, {"equals-ignore-case": "x"}'
        return check_one_operator(operand, path, ANYTHING_BUT_OPERATORS, needs="it", fix=fix)
    if isinstance(operand, str):
        return []
    if _is_number(operand):
        return _number(operand, path)
    if isinstance(operand, list):
        return _anything_but_list(operand, path)
    fix = 'write "stopped", 404, ["stopped", "failed"] or {"prefix": "test-"}'
    return [_problem(path, f"cannot be {_kind(operand)}", fix)]


def _anything_but_list(values: list[Any], path: str) -> list[str]:
    fix = 'list only strings or only numbers, e.g. ["stopped", "failed"] or [100, 200]'
    if not values:
        return [_problem(path, "is an empty list", fix)]
    problems: list[str] = []
    for i, value in enumerate(values):
        if _is_number(value):
            problems += _number(value, f"{path}[{i}]")
        elif not isinstance(value, str):
            problems.append(_problem(f"{path}[{i}]", f"is {_kind(value)}", fix))
    strings = any(isinstance(v, str) for v in values)
    if not problems and strings and any(_is_number(v) for v in values):
        problems.append(_problem(path, "mixes strings and numbers", fix))
    return problems


def _non_empty_string(operand: object, path: str) -> list[str]:
    """event-ruler: anything-but prefix/suffix must be a non-empty string."""
    problems = _string(operand, path, 'write "test-"')
    if not problems and not operand:
        problems.append(_problem(path, "is empty", 'give it at least one character, e.g. "test-"'))
    return problems


def _strings(operand: object, path: str, each: Check | None = None) -> list[str]:
    """A string or a non-empty list of strings; ``each`` checks every string further."""
    items = operand if isinstance(operand, list) else [operand]
    if not items:
        return [_problem(path, "is an empty list", 'list at least one string, e.g. ["a"]')]
    problems: list[str] = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]" if isinstance(operand, list) else path
        found = _string(item, where, 'write "a" or ["a", "b"]')
        problems += found or (each(item, where) if each else [])
    return problems


def _wildcards(operand: object, path: str) -> list[str]:
    return _strings(operand, path, each=_wildcard_syntax)


OPERATORS: dict[str, Check] = {
    "prefix": _check_prefix,
    "suffix": _check_suffix,
    "equals-ignore-case": _check_equals_ignore_case,
    "wildcard": _check_wildcard,
    "anything-but": _check_anything_but,
    "numeric": _check_numeric,
    "exists": _check_exists,
    "cidr": _check_cidr,
}
"""Operator name -> check of its operand, per the guide's comparison operators page."""


def _non_empty_strings(operand: object, path: str) -> list[str]:
    """docs: anything-but prefix/suffix take a string or a list of strings (each non-empty)."""
    return _strings(operand, path, each=_non_empty_string)


ANYTHING_BUT_OPERATORS: dict[str, Check] = {
    "prefix": _non_empty_strings,
    "suffix": _non_empty_strings,
    "equals-ignore-case": _strings,
    "wildcard": _wildcards,
}
"""The operators allowed inside an anything-but object."""


# --- small helpers --------------------------------------------------------------------


def _string(value: object, path: str, fix: str) -> list[str]:
    if isinstance(value, str):
        return []
    return [_problem(path, f"must be a string, not {_kind(value)}", fix)]


def _number(value: object, path: str) -> list[str]:
    """A JSON number inside EventBridge's numeric range."""
    if not _is_number(value):
        fix = f"write {value} without quotes" if _looks_numeric(value) else "write a number"
        return [_problem(path, f"must be a number, not {_kind(value)}", fix)]
    if isinstance(value, float) and not math.isfinite(value):
        return [_problem(path, "is not a finite number", "write a number")]
    if not -NUMERIC_LIMIT <= value <= NUMERIC_LIMIT:  # type: ignore[operator]
        fix = "use a value from -5.0e9 to 5.0e9"
        return [_problem(path, "is outside EventBridge's numeric range", fix)]
    return []


def _looks_numeric(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int)  # bool is an int


def _is_json(value: object) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _dump(value: object) -> str:
    """JSON text of a value for a message; "..." when it has none or is too long to show."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return "..."
    return text if len(text) <= 200 else "..."


def _kind(value: object) -> str:
    """How a value reads in JSON terms, without calling its (possibly broken) repr."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a Python {type(value).__name__} (not JSON)"


def check_one_operator(
    expr: dict[Any, Any], path: str, table: dict[str, Check], *, needs: str, fix: str
) -> list[str]:
    """An object holding exactly one operator of ``table``: check its operand.

    event-ruler: "Only one key allowed in match expression", for operator objects and for
    the object inside ``anything-but`` alike.
    """
    if len(expr) != 1:
        return [_problem(path, f"has {len(expr)} keys, {needs} needs exactly 1", fix)]
    name, operand = next(iter(expr.items()))
    check = table.get(name) if isinstance(name, str) else None
    if check is None:
        return [_unknown(name, path, table)]
    return check(operand, _join(path, name))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _problem(path: str, what: str, fix: str) -> str:
    if len(path) > 200:  # keep the end, which says where in the nesting it is
        path = "..." + path[-200:]
    where = f"`{path}`" if path else "the pattern"
    return f"{where} {what}: {fix}"
