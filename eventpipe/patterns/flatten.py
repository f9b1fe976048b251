"""Flattening: how EventBridge turns nested events and patterns into dot-joined field names.

EventBridge matches on flat field names, in events and patterns alike (user guide,
"Considerations when creating event patterns",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html). Its engine,
aws/event-ruler, does it like this, and so do we:

* a pattern becomes one or more *sub-rules* (``JsonRuleCompiler.parseObject``): each nested
  key adds a step to the path, joined with ``.``; each ``$or`` branch copies the sub-rules
  built so far and continues them, so ``{"a": [1], "$or": [{"b": [2]}, {"c": [3]}]}`` is the
  two sub-rules ``{a, b}`` and ``{a, c}``. A name reached twice in one sub-rule (``{"a":
  {"b": [1]}, "a.b": [2]}``, or a field both beside and inside ``$or``) keeps both
  conditions, and both must hold. event-ruler refuses such a pattern unless its rule
  overriding is on ("Path `a.b` cannot be allowed multiple times", then the last list
  wins); EventBridge's documentation says neither, treats a field beside ``$or`` as one
  more field every alternative must match ("Or matching",
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html),
  and the console is reported to accept a key given twice and match both
  (hashicorp/terraform-provider-aws#41070). We accept and require both; docs/patterns.md
  lists this as not verified;
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
SubRule = list[tuple[str, list[Any]]]
"""One alternative of a pattern: (dot-joined field name, the pattern's list of values),
in pattern order; a name given twice appears twice, and each condition must hold."""

_NO_MEMBERSHIP: Membership = ()


def sub_rules(pattern: dict[str, Any]) -> list[SubRule]:
    """The sub-rules of a structurally valid pattern, as event-ruler's ``JsonRuleCompiler``."""
    rules: list[SubRule] = []
    _add_object(pattern, "", rules)
    return rules or [[]]


def _add_object(obj: dict[str, Any], path: str, rules: list[SubRule]) -> None:
    for key, value in obj.items():
        if key == "$or":
            current = [list(rule) for rule in rules]
            rules.clear()
            for branch in value:
                branch_rules = [list(rule) for rule in current] or [[]]
                _add_object(branch, path, branch_rules)
                rules.extend(branch_rules)
            continue
        name = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            _add_object(value, name, rules)
            continue
        if not rules:
            rules.append([])
        for rule in rules:
            rule.append((name, value))


class Wanted:
    """The field names a compiled pattern reads, as a tree of their dot-separated steps,
    so :func:`flatten_event` walks only what can match (event-ruler skips unused steps
    the same way, ``GenericMachine.isFieldStepUsed``)."""

    __slots__ = ("children", "name")

    def __init__(self, names: set[str] | frozenset[str] = frozenset()) -> None:
        self.children: dict[str, Wanted] = {}
        self.name: str | None = None
        for full in names:
            node = self
            for step in full.split("."):
                node = node.children.setdefault(step, Wanted())
            node.name = full

    def step(self, key: str) -> Wanted | None:
        """The node an event key leads to; a key with dots takes one step per part."""
        node = self.children.get(key)
        if node is not None or "." not in key:
            return node
        found: Wanted | None = self
        for part in key.split("."):
            found = found.children.get(part) if found is not None else None
        return found


def flatten_event(event: dict[str, Any], wanted: Wanted) -> FlatEvent:
    """The event's leaf values under the names ``wanted`` holds, by dot-joined name, each
    with its array membership. A key with dots in it joins the path as nested keys do."""
    out: FlatEvent = {}
    _walk_object(event, wanted, _NO_MEMBERSHIP, out, [0])
    return out


_LEAF = (str, int, float, type(None))  # bool is an int


def _walk_object(
    obj: dict[str, Any], node: Wanted, membership: Membership, out: FlatEvent, counter: list[int]
) -> None:
    children = node.children
    for key, value in obj.items():
        child = children.get(key)
        if child is None:
            if "." not in key:
                continue
            child = node.step(key)
            if child is None:
                continue
        if isinstance(value, _LEAF):
            name = child.name
            if name is not None:
                if name in out:
                    out[name].append((value, membership))
                else:
                    out[name] = [(value, membership)]
        elif isinstance(value, dict):
            if child.children:
                _walk_object(value, child, membership, out, counter)
        elif isinstance(value, list):
            _walk_array(value, child, membership, out, counter)


def _walk_array(
    items: list[Any], node: Wanted, membership: Membership, out: FlatEvent, counter: list[int]
) -> None:
    array_id = counter[0]
    counter[0] += 1
    for index, item in enumerate(items):
        if isinstance(item, dict):
            if node.children:
                _walk_object(item, node, (*membership, (array_id, index)), out, counter)
        elif isinstance(item, list):
            _walk_array(item, node, (*membership, (array_id, index)), out, counter)
        elif node.name is not None:  # event-ruler: no membership of this array for a leaf
            out.setdefault(node.name, []).append((item, membership))


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
