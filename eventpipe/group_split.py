"""A FIFO consumer's rule pattern split by whether an event has its message group field.

A consumer grouped by a JSON path (``eventpipe.pipes_paths``) is fed by two rules: the
intake rule sends the pipe the events that have the group field, the missing-field rule
sends the rest to the intake DLQ with their reason. Both patterns are the consumer's own
pattern plus one ``exists`` condition, so every event the consumer's pattern matches goes
to exactly one of them. Neither names a flattened field twice in one alternative:
event-ruler refuses that ("Path ... cannot be allowed multiple times") and EventBridge's
documentation does not say whether it accepts it (docs/patterns.md).

Pulumi-free (floor 1): validation, the components and the rule quota count call it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import cast

from eventpipe.patterns import matches, pattern_problems
from eventpipe.patterns.flatten import sub_rules
from eventpipe.pipes_paths import required_field, steps

__all__ = ["field_required", "group_pattern_problems", "group_patterns", "with_field_condition"]


def field_required(pattern: Mapping[str, object], path: str) -> bool:
    """Whether every event ``pattern`` matches has the field ``path`` names.

    True when every alternative of the pattern (its sub-rules, as event-ruler compiles
    ``$or``: :func:`eventpipe.patterns.flatten.sub_rules`) names the field with a
    condition that an absent field fails (asked of eventpipe's matcher, so
    ``anything-but`` and ``exists`` answer as AWS's engine does).
    """
    return all(kind == _REQUIRED for kind in _alternatives(pattern, required_field(path)))


_ABSENT, _REQUIRED, _ALLOWS_ABSENT = "absent", "required", "allows absent"


def _alternatives(pattern: Mapping[str, object], name: str) -> list[str]:
    """For each alternative of ``pattern``: whether it leaves the field ``name``
    (dot-joined, relative to ``pattern``) out, requires it, or names it with conditions
    only that an absent field can pass."""
    kinds: list[str] = []
    for rule in sub_rules(dict(pattern)):
        conditions = [values for field, values in rule if field == name]
        if not conditions:
            kinds.append(_ABSENT)
        elif any(not matches({name: values}, {"other": "x"}) for values in conditions):
            kinds.append(_REQUIRED)
        else:
            kinds.append(_ALLOWS_ABSENT)
    return kinds


def with_field_condition(
    pattern: Mapping[str, object], path: str, *, exists: bool
) -> dict[str, object] | None:
    """``pattern`` AND ``{"<path>": [{"exists": <exists>}]}``, with no field named twice in
    one alternative; None when no event can match that (``exists`` false on a pattern
    that requires the field).

    event-ruler refuses a pattern that names one flattened field twice in one
    alternative ("Path ... cannot be allowed multiple times"), and whether EventBridge
    accepts it is not documented (docs/patterns.md), so the result never does:

    - an alternative that already requires the field keeps its own condition, and gets
      no ``exists: true`` (it would say nothing more); with ``exists`` false it is
      dropped, since it matches only events that have the field;
    - where no alternative names the field, the condition is added once at the level
      the path starts from, beside any ``$or``: "the event must contain all the field
      names listed in the event pattern" (EventBridge user guide,
      https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html),
      and an ``$or`` sits beside other fields as one more of them ("Or matching",
      https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html),
      which is the same as adding it to every alternative and keeps the rule's ``$or``
      combinations unchanged;
    - where some alternatives name it and others do not, the condition goes into the
      ``$or`` branches that do not (the one ``$or``, or the one nested object along the
      path, that holds the difference).

    Refuses (``ValueError``) an alternative naming the field only with conditions an
    absent field can pass, and a pattern whose alternatives differ on the field in more
    than one ``$or`` at one level: those cannot be split by presence without rewriting
    the pattern; validation reports them first.
    """
    keys = [str(step) for step in steps(path)]
    copied: dict[str, object] = json.loads(json.dumps(dict(pattern)))
    return _with_condition(copied, keys, path, exists)


def _with_condition(
    node: dict[str, object], keys: list[str], path: str, exists: bool
) -> dict[str, object] | None:
    kinds = set(_alternatives(node, ".".join(keys)))
    if _ALLOWS_ABSENT in kinds:
        raise ValueError(
            f"the pattern already sets conditions on {path} that an event without it "
            f"passes; cannot add exists={exists}"
        )
    if kinds == {_REQUIRED}:
        return node if exists else None
    if kinds == {_ABSENT}:
        return _added(node, keys, path, exists)
    # Some alternatives require the field, others leave it out: find where they part.
    name = ".".join(keys)
    carriers = [key for key, value in node.items() if _names_required(key, value, name)]
    if carriers == ["$or"]:
        branches = cast("list[dict[str, object]]", node["$or"])
        rewritten = [_with_condition(branch, keys, path, exists) for branch in branches]
        kept = [branch for branch in rewritten if branch is not None]
        rest = {key: value for key, value in node.items() if key != "$or"}
        if len(kept) == 1:  # "$or" needs two alternatives: the one left joins its level
            return _merged(rest, kept[0], path)
        return {**rest, "$or": kept}
    if len(carriers) == 1 and carriers[0] == keys[0] and len(keys) > 1:
        inner = _with_condition(cast("dict[str, object]", node[keys[0]]), keys[1:], path, exists)
        if inner is None:
            return None
        return {**node, keys[0]: inner}
    raise ValueError(
        f"the pattern's alternatives differ on {path} in more than one place; cannot add "
        f"exists={exists} to only those that leave it out"
    )


def _names_required(key: str, value: object, name: str) -> bool:
    """Whether some alternative of the field ``key: value`` requires the field ``name``."""
    if key == "$or" and isinstance(value, list):
        return any(_REQUIRED in _alternatives(branch, name) for branch in value)
    return isinstance(value, dict) and _REQUIRED in _alternatives({key: value}, name)


def _added(node: dict[str, object], keys: list[str], path: str, exists: bool) -> dict[str, object]:
    """``node`` with ``[{"exists": exists}]`` at ``keys``, nested objects made as needed."""
    at = node
    for depth, key in enumerate(keys):
        existing = at.get(key)
        if depth == len(keys) - 1:
            if existing is not None:
                raise ValueError(
                    f"the pattern already sets conditions on {path}; cannot add exists={exists}"
                )
            at[key] = [{"exists": exists}]
        else:
            if existing is None:
                existing = at[key] = {}
            if not isinstance(existing, dict):
                raise ValueError(f"the pattern matches {key!r} as a value, not an object")
            at = existing
    return node


def _merged(into: dict[str, object], extra: dict[str, object], path: str) -> dict[str, object]:
    """Both objects' fields at one level, nested objects merged; one field given a list of
    values on both sides is refused (it would be named twice)."""
    out = dict(into)
    for key, value in extra.items():
        mine = out.get(key)
        if mine is None:
            out[key] = value
        elif isinstance(mine, dict) and isinstance(value, dict):
            out[key] = _merged(mine, value, path)
        else:
            raise ValueError(
                f"the pattern names {key!r} both inside and beside the $or that holds "
                f"{path}; cannot split it by presence of {path}"
            )
    return out


def group_patterns(
    pattern: Mapping[str, object], path: str
) -> tuple[dict[str, object], dict[str, object] | None]:
    """The intake rule's pattern and the missing-field rule's pattern (None if not needed).

    The intake rule sends the pipe only events that have the group field; the
    missing-field rule sends the rest to the intake DLQ with their reason. When the
    consumer's pattern already requires the field, it is used as it is and no
    missing-field rule is needed. Neither pattern names a field twice in one alternative
    (:func:`with_field_condition`).
    """
    if field_required(pattern, path):
        return dict(pattern), None
    intake = with_field_condition(pattern, path, exists=True)
    missing = with_field_condition(pattern, path, exists=False)
    assert intake is not None and missing is not None  # some alternative lacks the field
    return intake, missing


def group_pattern_problems(pattern: Mapping[str, object], path: str) -> list[str]:
    """Why a consumer's pattern cannot be split on the group field (empty = fine).

    Both rules' patterns must be valid EventBridge patterns (eventpipe.patterns checks
    them as PutRule would).
    """
    try:
        patterns = group_patterns(pattern, path)
    except ValueError as exc:
        return [
            f"{exc}: the pattern lets {path} be absent or names it in a way the "
            "group split cannot extend; drop the pattern's condition on that field "
            'or require it (e.g. [{"exists": true}])'
        ]
    problems: list[str] = []
    for label, rewritten in zip(("intake rule", "missing-field rule"), patterns, strict=True):
        if rewritten is not None:
            problems += [f"{label} pattern: {p}" for p in pattern_problems(rewritten)]
    return problems
