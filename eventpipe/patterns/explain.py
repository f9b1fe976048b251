"""Why a pattern does not match an event: the field that failed, with the matcher's rules.

The answer comes from the same pieces :func:`~eventpipe.patterns.matching.matches` uses
(sub-rules, flattened fields, one compiled test per field), so it never disagrees with
it: :func:`explain` says ``matched`` exactly when :func:`matches` does, and otherwise
names a field of the pattern the event fails.

* Each sub-rule (one ``$or`` alternative, :func:`~eventpipe.patterns.flatten.sub_rules`)
  is checked field by field: a field the event lacks (unless the pattern accepts absence,
  ``exists: false``), a field present where the pattern wants it absent, or a field none
  of whose values passes the pattern's values, fails it. When every field passes on its
  own but not in the same elements of an array of objects (event-ruler's array
  consistency), the fields fail together.
* The pattern fails when every sub-rule fails; the reason given is that of the
  alternative with the fewest failing fields (the closest one), first field in name order.
* ``known`` lists the event's top-level keys that are really known, when only part of an
  event is at hand (a trace that read ``source`` and ``detail-type`` from a log line):
  fields under any other key are unknown. A sub-rule with a failing known field fails; one
  whose known fields all pass but which needs an unknown one cannot be decided, and then
  neither can the pattern, unless another alternative matches.

Example::

    result = explain({"detail": {"amount": [{"numeric": [">", 100]}]}},
                     {"source": "s", "detail": {"amount": 5}})
    result.matched           # False
    result.mismatch.field    # 'detail.amount'
    result.mismatch.reason   # 'detail.amount is 5; the pattern wants [{"numeric": [">", 100]}]'
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from eventpipe.patterns.flatten import FlatEvent, Wanted, flatten_event, sub_rules
from eventpipe.patterns.grammar import validate_pattern
from eventpipe.patterns.matching import Field, compile_field, match_fields

MAX_SHOWN_VALUES = 3
"""Event values quoted in a reason (a field inside an array may hold many)."""


@dataclass(frozen=True)
class Mismatch:
    """A field of the pattern the event fails, and how."""

    field: str
    """The dot-joined field name (``detail.amount``); several joined by ``, `` when they
    fail only together (array consistency)."""
    reason: str


@dataclass(frozen=True)
class Explanation:
    """Whether a pattern matches an event, and if not, why."""

    matched: bool | None
    """True, False, or None when the known part of the event cannot decide it."""
    mismatch: Mismatch | None = None
    """Set when ``matched`` is False."""
    unknown: tuple[str, ...] = ()
    """When ``matched`` is None: the fields the pattern needs that are not known."""
    alternatives: int = 1
    """How many sub-rules (``$or`` alternatives) the pattern has."""

    @property
    def reason(self) -> str | None:
        """One sentence: the mismatch, or what is unknown; None when it matched."""
        if self.matched:
            return None
        if self.mismatch is not None:
            if self.alternatives > 1:
                return (
                    f"{self.mismatch.reason} (none of the {self.alternatives} alternatives "
                    "matched; this is the closest)"
                )
            return self.mismatch.reason
        return f"cannot tell without {', '.join(self.unknown)}"


def explain(
    pattern: dict[str, Any], event: dict[str, Any], *, known: Collection[str] | None = None
) -> Explanation:
    """Whether ``pattern`` matches ``event`` and which field failed (module docstring).

    Raises :class:`~eventpipe.patterns.grammar.InvalidPatternError` for a pattern PutRule
    refuses, as :func:`~eventpipe.patterns.matching.matches` does.
    """
    validate_pattern(pattern)
    rules = sub_rules(pattern)
    names = {name for rule in rules for name, _ in rule}
    flat = flatten_event(event, Wanted(names))
    failures: list[list[Mismatch]] = []
    unknown: set[str] = set()
    for rule in rules:
        failed, missing = _check_rule(rule, flat, known)
        if not failed and not missing:
            return Explanation(True, alternatives=len(rules))
        if failed:
            failures.append(failed)
        else:
            unknown.update(missing)
    if unknown:
        return Explanation(None, unknown=tuple(sorted(unknown)), alternatives=len(rules))
    closest = min(failures, key=len)
    return Explanation(False, mismatch=closest[0], alternatives=len(rules))


def _check_rule(
    rule: list[tuple[str, list[Any]]], flat: FlatEvent, known: Collection[str] | None
) -> tuple[list[Mismatch], list[str]]:
    """The failing fields of one sub-rule (name order) and the unknown fields it needs;
    both empty when it matches. The matcher decides whenever every field is known, so the
    answer is the matcher's; the field-by-field look only says why."""
    failed: list[Mismatch] = []
    missing: list[str] = []
    compiled: list[Field] = []
    for name, values in sorted(rule, key=lambda item: item[0]):
        field = compile_field(name, values)
        compiled.append(field)
        if known is not None and name.split(".", 1)[0] not in known:
            missing.append(name)
            continue
        problem = _field_problem(field, values, flat)
        if problem is not None:
            failed.append(Mismatch(name, problem))
    if missing:
        return failed, missing
    if match_fields(compiled, flat):
        return [], []
    if not failed:
        joined = ", ".join(sorted({name for name, _ in rule}))
        failed.append(
            Mismatch(
                joined,
                f"{joined} each match on their own, but not within the same element of "
                "an array of objects",
            )
        )
    return failed, []


def _field_problem(field: Field, values: list[Any], flat: FlatEvent) -> str | None:
    """Why one field fails on its own, or None when some value of it passes."""
    name, test, absent_ok = field
    found = [value for value, _ in flat.get(name, ())]
    wanted = _json(values)
    if not found:
        if absent_ok:
            return None
        return f"{name} is missing from the event; the pattern wants {wanted}"
    if test is None:  # only {"exists": false}
        return f"{name} is present ({_shown(found)}); the pattern wants it absent"
    if any(test(value) for value in found):
        return None
    return f"{name} is {_shown(found)}; the pattern wants {wanted}"


def _shown(values: list[Any]) -> str:
    shown = ", ".join(_json(value) for value in values[:MAX_SHOWN_VALUES])
    if len(values) > MAX_SHOWN_VALUES:
        shown += f" (and {len(values) - MAX_SHOWN_VALUES} more)"
    return shown if len(values) == 1 else f"[{shown}]"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
