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

import json
from dataclasses import dataclass
from typing import Any

from eventpipe.exceptions import EventpipeError
from eventpipe.patterns.complexity import complexity_problems
from eventpipe.patterns.operators import (
    OPERATORS,
    _dump,
    _is_json,
    _is_scalar,
    _join,
    _kind,
    _problem,
    check_one_operator,
)

MAX_PATTERN_CHARS = 2048
"""EventBridge quotas page: "Event pattern: 2048 characters maximum" (counted on the
compact JSON that :func:`to_json` produces; the PutRule API model allows 4096)."""

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


class InvalidPatternError(EventpipeError, ValueError):
    """Raised by :func:`validate_pattern` (and ``matches``) for a pattern AWS rejects."""

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
    if not problems:
        problems += complexity_problems(pattern)
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
    fix = 'write one operator per object, e.g. [{"prefix": "a"}, {"suffix": "z"}]'
    return check_one_operator(expr, path, OPERATORS, needs="an operator object", fix=fix)
