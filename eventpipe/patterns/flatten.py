"""Flattening: how EventBridge turns nested events and patterns into dot-joined field names.

EventBridge matches on flat field names, in events and patterns alike (user guide,
"Considerations when creating event patterns",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html). Its engine,
aws/event-ruler, does it like this, and so do we:

* a pattern becomes one or more *sub-rules* (``JsonRuleCompiler.parseObject``): each nested
  key adds a step to the path, joined with ``.``; each ``$or`` branch copies the sub-rules
  built so far and continues them, so ``{"a": [1], "$or": [{"b": [2]}, {"c": [3]}]}`` is the
  two sub-rules ``{a, b}`` and ``{a, c}``. A name reached twice in one sub-rule is refused
  ("Path `a.b` cannot be allowed multiple times"), which is how ``{"a": {"b": [1]},
  "a.b": [2]}`` fails;
* an event becomes, per dot-joined name, the list of its leaf values (``Event`` in
  event-ruler): objects add a step, arrays add none, so ``{"a": [{"b": 1}, {"b": 2}]}`` gives
  ``a.b`` the values 1 and 2. Empty arrays and objects give no value at all. Each value
  remembers which element of each array of objects (or of arrays) it sits in, its *array
  membership*; a sub-rule may only combine values whose memberships agree
  (``ArrayMembership.checkArrayConsistency``), so ``{"a": {"b": [1], "c": [2]}}`` matches
  ``{"a": [{"b": 1, "c": 2}]}`` but not ``{"a": [{"b": 1}, {"c": 2}]}``.

A pattern key ``state.status`` and an event path ``state`` -> ``status`` both give the name
``state.status``, so either side may use the dotted or the nested form.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Membership = tuple[tuple[int, int], ...]
"""(array id, element index) pairs of the arrays a value sits in, outermost first."""
FlatEvent = dict[str, list[tuple[Any, Membership]]]
SubRule = dict[str, list[Any]]
"""One alternative of a pattern: dot-joined field name -> the pattern's list of values."""

_NO_MEMBERSHIP: Membership = ()


class DuplicatePathError(ValueError):
    """Raised by :func:`sub_rules` when one sub-rule names the same flattened field twice."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"Path `{name}` cannot be allowed multiple times")


def sub_rules(pattern: dict[str, Any]) -> list[SubRule]:
    """The sub-rules of a structurally valid pattern, as event-ruler's ``JsonRuleCompiler``.

    Raises :class:`DuplicatePathError` for a name given twice in one sub-rule.
    """
    rules: list[SubRule] = []
    _add_object(pattern, "", rules)
    return rules or [{}]


def _add_object(obj: dict[str, Any], path: str, rules: list[SubRule]) -> None:
    for key, value in obj.items():
        if key == "$or":
            current = [dict(rule) for rule in rules]
            rules.clear()
            for branch in value:
                branch_rules = [dict(rule) for rule in current] or [{}]
                _add_object(branch, path, branch_rules)
                rules.extend(branch_rules)
            continue
        name = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            _add_object(value, name, rules)
            continue
        if not rules:
            rules.append({})
        for rule in rules:
            if name in rule:
                raise DuplicatePathError(name)
            rule[name] = value


def steps_of(names: Iterator[str] | list[str] | set[str]) -> frozenset[str]:
    """Every dot-separated step of the given field names (event-ruler ``recordFieldStep``)."""
    return frozenset(step for name in names for step in name.split("."))


def flatten_event(event: dict[str, Any], steps: frozenset[str] | None = None) -> FlatEvent:
    """The event's leaf values by dot-joined name, each with its array membership.

    ``steps`` (from :func:`steps_of`) skips keys no pattern can reach, as event-ruler's
    ``isFieldStepUsed`` does: a key is kept when it is a step, or when every dot-separated
    part of it is one (a key with dots in it may meet a nested pattern).
    """
    out: FlatEvent = {}
    _walk_object(event, (), _NO_MEMBERSHIP, out, steps, [0])
    return out


def _used(key: str, steps: frozenset[str] | None) -> bool:
    if steps is None or key in steps:
        return True
    return "." in key and all(part in steps for part in key.split("."))


def _walk_object(
    obj: dict[str, Any],
    path: tuple[str, ...],
    membership: Membership,
    out: FlatEvent,
    steps: frozenset[str] | None,
    counter: list[int],
) -> None:
    for key, value in obj.items():
        if not _used(key, steps):
            continue
        here = (*path, key)
        if isinstance(value, dict):
            _walk_object(value, here, membership, out, steps, counter)
        elif isinstance(value, list):
            _walk_array(value, here, membership, out, steps, counter)
        else:
            out.setdefault(".".join(here), []).append((value, membership))


def _walk_array(
    items: list[Any],
    path: tuple[str, ...],
    membership: Membership,
    out: FlatEvent,
    steps: frozenset[str] | None,
    counter: list[int],
) -> None:
    array_id = counter[0]
    counter[0] += 1
    for index, item in enumerate(items):
        if isinstance(item, dict):
            _walk_object(item, path, (*membership, (array_id, index)), out, steps, counter)
        elif isinstance(item, list):
            _walk_array(item, path, (*membership, (array_id, index)), out, steps, counter)
        else:  # event-ruler: a leaf in an array carries no membership of that array
            out.setdefault(".".join(path), []).append((item, membership))


def merge(so_far: Membership, field: Membership) -> Membership | None:
    """``ArrayMembership.checkArrayConsistency``: the joined membership, or None on conflict."""
    if not field:
        return so_far
    if not so_far:
        return field
    known = dict(so_far)
    added: list[tuple[int, int]] = []
    for array_id, index in field:
        seen = known.get(array_id)
        if seen is None:
            added.append((array_id, index))
        elif seen != index:
            return None
    return (*so_far, *added) if added else so_far
