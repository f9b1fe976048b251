"""Check EventBridge event patterns the way PutRule does, before any resource exists.

Why this module exists: AWS rejects a bad pattern only when ``pulumi up`` reaches the
rule, half way through a deployment, and the local emulator (moto) accepts nearly every
bad pattern and then matches unknown operators as true. So eventpipe checks patterns
itself, up front, and reports every problem with its JSON path and a fix.

The rules follow the AWS EventBridge user guide ("Content filtering in event patterns",
"Comparison operators", "Quotas"). Where the guide is silent, they follow aws/event-ruler,
the open-source engine EventBridge matches with (``JsonRuleCompiler``, ``CIDR``,
``WildcardParser``); comments mark those rules "event-ruler".

Example::

    >>> pattern_problems({"source": "ecommerce.orders"})
    ['`source` must be a list of values, not a string: write ["ecommerce.orders"]']
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from eventpipe.exceptions import EventpipeError

MAX_PATTERN_CHARS = 2048
"""EventBridge quotas page: "Event pattern: 2048 characters maximum" (counted on the
compact JSON that :func:`to_json` produces; the PutRule API model allows 4096)."""

NUMERIC_LIMIT = 5.0e9
"""Content filtering guide: numeric matching works on values from -5.0e9 to +5.0e9."""

RANGE_LOWER = (">", ">=")
RANGE_UPPER = ("<", "<=")
NUMERIC_OPERATORS = ("=", *RANGE_LOWER, *RANGE_UPPER)

# event-ruler reserves these names: inside "$or" they cannot be field names.
RESERVED_IN_OR = frozenset(
    "exactly equals-ignore-case prefix suffix anything-but exists wildcard numeric cidr "  # noqa: SIM905
    "= < <= > >= regex not-wildcard not-equals-ignore-case date-after date-on-or-after "
    "date-before date-on-or-before in-date-range ip-address-in-range "
    "ip-address-not-in-range".split()
)

# Both beyond what fits in MAX_PATTERN_CHARS (a level takes at least 5 characters,
# `"":{}`, a value at least 2); they stop self-referencing or hugely shared Python
# structures from recursing, or walking, forever.
_MAX_DEPTH = 450
_MAX_NODES = 5000

Check = Callable[[Any, str], list[str]]


class InvalidPatternError(EventpipeError, ValueError):
    """Raised by :func:`validate_pattern` (and :func:`matches`) for a pattern AWS rejects."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        lines = [f"invalid EventBridge event pattern ({len(self.problems)} problem(s)):"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class _TooBig(Exception):
    """Stops the walk once a pattern holds more than _MAX_NODES fields and values."""


@dataclass
class _Walk:
    nodes: int = 0

    def visit(self) -> None:
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            raise _TooBig


def pattern_problems(pattern: object) -> list[str]:
    """Every reason PutRule would refuse ``pattern``; an empty list means it is valid.

    Never raises, whatever it is given: callers gather these messages with other problems
    so one ``pulumi preview`` reports everything.
    """
    if not isinstance(pattern, dict):
        return [_problem("", f"must be a JSON object, not {_kind(pattern)}", _EXAMPLE)]
    try:
        problems = _check_fields(pattern, "", _Walk(), in_or=False, depth=0)
    except _TooBig:
        fix = f"keep it under {MAX_PATTERN_CHARS} characters of JSON"
        return [_problem("", f"holds more than {_MAX_NODES} fields and values", fix)]
    try:
        size = len(to_json(pattern))
    except (TypeError, ValueError, RecursionError):
        if not problems:
            problems.append(_problem("", "is not plain JSON", "use dicts, lists, str, numbers"))
        return problems
    if size > MAX_PATTERN_CHARS:
        fix = "match fewer values, or split the consumer into two with smaller patterns"
        problems.append(
            _problem("", f"is {size} characters long, over AWS's {MAX_PATTERN_CHARS}", fix)
        )
    return problems


def validate_pattern(pattern: object) -> None:
    """Raise :class:`InvalidPatternError` listing every problem of ``pattern``."""
    problems = pattern_problems(pattern)
    if problems:
        raise InvalidPatternError(problems)


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether an EventBridge event (the envelope with ``source``, ``detail`` ...) matches.

    Validates first, because moto's matcher treats an unknown operator as a match.
    """
    validate_pattern(pattern)
    from moto.events.models import EventPattern  # heavy import, needed only for local runs

    return bool(EventPattern.load(to_json(pattern)).matches_event(cast(Any, event)))


def to_json(pattern: dict[str, Any]) -> str:
    """The JSON text to send as EventPattern: compact, as the size limit is checked on it,
    and with sorted keys, so the same pattern always gives the same text (no Pulumi diff)."""
    return json.dumps(
        pattern, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False
    )


# --- structure: objects, "$or" and value lists ---------------------------------------

_EXAMPLE = 'write e.g. {"source": ["ecommerce.orders"]}'


def _check_fields(
    obj: dict[Any, Any], path: str, walk: _Walk, *, in_or: bool, depth: int
) -> list[str]:
    """An object of fields: each is a nested object, a list of values, or "$or"."""
    if depth > _MAX_DEPTH:
        return [_problem(path, "is nested too deeply", "flatten the pattern")]
    if not obj:  # event-ruler: "Empty objects are not allowed"
        return [_problem(path, "is an empty object", "give it at least one field or remove it")]
    problems: list[str] = []
    for key, value in obj.items():
        walk.visit()
        if not isinstance(key, str):
            problems.append(_problem(path, f"has a {_kind(key)} key", "use string field names"))
            continue
        child = _join(path, key)
        if key == "$or":
            problems += _check_or(value, child, walk, depth + 1)
        elif in_or and key in RESERVED_IN_OR:  # event-ruler
            fix = "rename the field, or move it out of $or"
            problems.append(_problem(child, "is a reserved word and cannot be used in $or", fix))
        elif isinstance(value, dict):
            problems += _check_fields(value, child, walk, in_or=in_or, depth=depth + 1)
        elif isinstance(value, list):
            problems += _check_values(value, child, walk)
        else:  # docs: every value in a pattern is a JSON array
            problems.append(_leaf_not_list(key, value, path))
    return problems


def _leaf_not_list(key: str, value: object, parent: str) -> str:
    path = _join(parent, key)
    if key in OPERATORS and parent and _is_json(value):
        fix = f'put the operator in a list: write "{parent}": [{{{_dump(key)}: {_dump(value)}}}]'
        return _problem(path, f"must be a list of values, not {_kind(value)}", fix)
    fix = f"write [{_dump(value)}]" if _is_scalar(value) else "write a list of values"
    return _problem(path, f"must be a list of values, not {_kind(value)}", fix)


def _check_or(value: object, path: str, walk: _Walk, depth: int) -> list[str]:
    fix = 'write [{"a": ["x"]}, {"b": ["y"]}]'
    if not isinstance(value, list):
        return [_problem(path, f"must be a list of pattern objects, not {_kind(value)}", fix)]
    if len(value) < 2:  # event-ruler: "There must have at least 2 Objects in $or"
        fix = "add another alternative, or drop $or and put the fields at this level"
        return [_problem(path, f"has {len(value)} alternative(s), it needs at least 2", fix)]
    problems: list[str] = []
    for i, branch in enumerate(value):
        where = f"{path}[{i}]"
        if isinstance(branch, dict):
            problems += _check_fields(branch, where, walk, in_or=True, depth=depth + 1)
        else:
            problems.append(_problem(where, f"must be a pattern object, not {_kind(branch)}", fix))
    return problems


def _check_values(values: list[Any], path: str, walk: _Walk) -> list[str]:
    """A leaf list: strings, numbers, true/false, null, or one-key operator objects."""
    if not values:  # docs + event-ruler: "Empty arrays are not allowed"
        return [_problem(path, "is an empty list", 'list at least one value, e.g. ["x"]')]
    problems: list[str] = []
    for i, value in enumerate(values):
        walk.visit()
        where = f"{path}[{i}]"
        if isinstance(value, dict):
            problems += _check_operator(value, where)
        elif not _is_scalar(value):
            fix = "use a string, number, true, false, null or an operator object"
            problems.append(_problem(where, f"is {_kind(value)}", fix))
    return problems


def _check_operator(expr: dict[Any, Any], path: str) -> list[str]:
    if len(expr) != 1:  # event-ruler: "Only one key allowed in match expression"
        fix = 'write one operator per object, e.g. [{"prefix": "a"}, {"suffix": "z"}]'
        return [_problem(path, f"has {len(expr)} keys, an operator object needs exactly 1", fix)]
    name, operand = next(iter(expr.items()))
    check = OPERATORS.get(name) if isinstance(name, str) else None
    if check is None:
        return [_unknown(name, path, OPERATORS)]
    return check(operand, _join(path, name))


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
        if len(operand) != 1:
            fix = 'write one of {"prefix": "x"}, {"suffix": "x"}, {"equals-ignore-case": "x"}'
            return [_problem(path, f"has {len(operand)} keys, it needs exactly 1", fix)]
        name, inner = next(iter(operand.items()))
        check = ANYTHING_BUT_OPERATORS.get(name) if isinstance(name, str) else None
        if check is None:
            return [_unknown(name, path, ANYTHING_BUT_OPERATORS)]
        return check(inner, _join(path, name))
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

ANYTHING_BUT_OPERATORS: dict[str, Check] = {
    "prefix": _non_empty_string,
    "suffix": _non_empty_string,
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


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _problem(path: str, what: str, fix: str) -> str:
    if len(path) > 200:  # keep the end, which says where in the nesting it is
        path = "..." + path[-200:]
    where = f"`{path}`" if path else "the pattern"
    return f"{where} {what}: {fix}"
