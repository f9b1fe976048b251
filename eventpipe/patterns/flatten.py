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


class Wanted:
    """The field names a compiled pattern reads, and every dotted prefix leading to them,
    so :func:`flatten_event` walks only what can match (event-ruler skips unused steps
    the same way, ``GenericMachine.isFieldStepUsed``)."""

    __slots__ = ("names", "prefixes")

    def __init__(self, names: set[str]) -> None:
        self.names = frozenset(names)
        prefixes = set()
        for name in names:
            parts = name.split(".")
            for i in range(1, len(parts)):
                prefixes.add(".".join(parts[:i]) + ".")
        self.prefixes = frozenset(prefixes)


def flatten_event(event: dict[str, Any], wanted: Wanted | None = None) -> FlatEvent:
    """The event's leaf values by dot-joined name, each with its array membership.

    With ``wanted``, only values under names the pattern reads are collected; a key with
    dots in it joins the path like nested keys do, so it still meets its pattern field.
    """
    out: FlatEvent = {}
    _walk_object(event, "", _NO_MEMBERSHIP, out, wanted, [0])
    return out


def _walk_object(
    obj: dict[str, Any],
    prefix: str,
    membership: Membership,
    out: FlatEvent,
    wanted: Wanted | None,
    counter: list[int],
) -> None:
    for key, value in obj.items():
        name = prefix + key
        if isinstance(value, dict):
            deeper = name + "."
            if wanted is None or deeper in wanted.prefixes:
                _walk_object(value, deeper, membership, out, wanted, counter)
        elif wanted is not None and name not in wanted.names and name + "." not in wanted.prefixes:
            continue
        elif isinstance(value, list):
            _walk_array(value, name, membership, out, wanted, counter)
        elif name in out:
            out[name].append((value, membership))
        else:
            out[name] = [(value, membership)]


def _walk_array(
    items: list[Any],
    name: str,
    membership: Membership,
    out: FlatEvent,
    wanted: Wanted | None,
    counter: list[int],
) -> None:
    array_id = counter[0]
    counter[0] += 1
    for index, item in enumerate(items):
        if isinstance(item, dict):
            deeper = name + "."
            if wanted is None or deeper in wanted.prefixes:
                _walk_object(item, deeper, (*membership, (array_id, index)), out, wanted, counter)
        elif isinstance(item, list):
            _walk_array(item, name, (*membership, (array_id, index)), out, wanted, counter)
        else:  # event-ruler: a leaf in an array carries no membership of that array
            out.setdefault(name, []).append((item, membership))


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
