"""The wildcard complexity limit PutRule applies ("Rule is too complex").

A port of aws/event-ruler's ``MachineComplexityEvaluator`` (https://github.com/aws/event-ruler,
``src/main/software/amazon/event/ruler/MachineComplexityEvaluator.java``) over the byte
machines ``ByteMachine`` builds for wildcard values. The figure is the largest number of
wildcard rule prefixes one input value can keep alive at once: a breadth-first walk over
every set of byte states some input reaches, summing for each state the distinct
``wildcard`` / ``anything-but`` ``wildcard`` patterns still reachable from it (and from the
``*`` loop of the state after it). Each field's machine is built the way ``ByteMachine``
builds it, state sharing included (:mod:`~eventpipe.patterns.byte_machine`), and the figure
of a rule is the largest over all its fields' machines, reached through the name states a
rule's sub-rules share (``NameState.evaluateComplexity``; machines reachable only through
``exists: false`` are not visited, as there).

How EventBridge applies it, and the threshold: event-ruler's README ("Matching with a
Machine") gives the validation AWS uses: compile the pattern, add every sub-rule holding a
wildcard to a fresh machine, evaluate, and refuse with "Rule is too complex" when the
figure exceeds the per-rule limit, which it puts at 10 alongside 30 wildcard rules per
machine ("you could limit each single-rule machine to complexity of 10, and allow for 30
rules containing wildcard patterns"). EventBridge's quotas page has the matching fixed
quota, "Rules containing wildcards: 30 rules per event bus"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html). :data:`COMPLEXITY_LIMIT` is that 10; AWS does not publish the figure
itself, so it is checked against the user guide's example: the wildcard section of
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
gives ``{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}`` as a pattern to make
less complex, with ``arn:aws:events:us-east-1:*:event-bus/*`` as the fix; the first scores
11 here and is refused, the fix scores 3 (docs/patterns.md says what of this was not
re-checked against the live page).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eventpipe.patterns.byte_machine import ByteMachine, WildcardKey, tokens
from eventpipe.patterns.flatten import sub_rules

COMPLEXITY_LIMIT = 10
TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating "
    "character sequences after a wildcard character"
)
EVALUATION_CAP = 100
"""event-ruler caps a walk at the evaluator's ``maxComplexity`` (its own tests use 100)."""


def complexity_problems(pattern: dict[str, Any]) -> list[str]:
    """The "too complex" problem for a valid ``pattern``, naming its worst field, or []."""
    root = _machine_of(pattern)
    if root.evaluate(COMPLEXITY_LIMIT + 1, {}) <= COMPLEXITY_LIMIT:
        return []
    fix = f"{TOO_COMPLEX} (complexity above {COMPLEXITY_LIMIT}, the most AWS allows)"
    return [f"`{_worst_field(root)}` wildcards are too complex: {fix}"]


def rule_complexity(pattern: dict[str, Any], cap: int = EVALUATION_CAP) -> int:
    """``machine.evaluateComplexity`` for a machine holding the pattern's wildcard sub-rules."""
    return _machine_of(pattern).evaluate(cap, {})


def _machine_of(pattern: dict[str, Any]) -> _NameState:
    root = _NameState()
    for rule in sub_rules(pattern):
        if any(_wildcards(values) for _, values in rule):
            _add_sub_rule(root, rule)
    return root


def _worst_field(root: _NameState) -> str:
    """The field whose own machine has the highest figure (for the message only)."""
    worst, field = -1, ""
    pending, seen = [root], set()
    while pending:
        state = pending.pop()
        if id(state) in seen:
            continue
        seen.add(id(state))
        for name, machine in state.machines.items():
            own = machine.complexity(COMPLEXITY_LIMIT + 1, lambda _: 0)
            if own > worst:
                worst, field = own, name
        pending += [s for nexts in state.next_by_pattern.values() for s in nexts.values()]
    return field


def machine_complexity(
    patterns: list[tuple[str, str | list[str]]], cap: int = EVALUATION_CAP
) -> int:
    """The figure of one byte machine holding ``patterns``, each ("wildcard" or
    "anything-but-wildcard", raw value or list of values), added in order, as event-ruler's
    unit tests build them (no JSON quotes)."""
    machine = ByteMachine()
    for kind, value in patterns:
        values = value if isinstance(value, list) else [value]
        machine.add((kind, tuple(values)), [tokens(v) for v in values])
    return machine.complexity(cap, lambda _: 0)


def _wildcards(values: list[Any]) -> list[WildcardKey]:
    """Wildcard pattern identities of one field's values (an anything-but list is one)."""
    out: list[WildcardKey] = []
    for item in values:
        if not isinstance(item, dict):
            continue
        if "wildcard" in item:
            out.append(("wildcard", (item["wildcard"],)))
        inner = item.get("anything-but")
        if isinstance(inner, dict) and "wildcard" in inner:
            listed = inner["wildcard"]
            texts = listed if isinstance(listed, list) else [listed]
            out.append(("anything-but-wildcard", tuple(sorted(set(texts)))))
    return out


class _NameState:
    """A name state: per field, its byte machine and the name state each pattern leads to."""

    def __init__(self) -> None:
        self.machines: dict[str, ByteMachine] = {}
        self.next_by_pattern: dict[str, dict[object, _NameState]] = {}

    def evaluate(self, cap: int, memo: dict[int, int]) -> int:
        """``NameState.evaluateComplexity``: the largest figure of its machines."""
        if id(self) in memo:
            return memo[id(self)]
        worst = 0
        for machine in self.machines.values():
            worst = max(worst, machine.complexity(cap, lambda s: s.evaluate(cap, memo)))
            if worst >= cap:
                worst = cap
                break
        memo[id(self)] = worst
        return worst


def _add_sub_rule(root: _NameState, rule: list[tuple[str, list[Any]]]) -> None:
    """``GenericMachine.addStep``: keys in sorted order; a pattern already present leads
    to its name state, the first new one of a list to a new state the rest then share."""
    states = [root]
    for name, values in sorted(rule, key=lambda field: field[0]):
        reached: dict[int, _NameState] = {}
        for state in states:
            for nxt in _add_field(state, name, values):
                reached[id(nxt)] = nxt
        states = list(reached.values())


def _add_field(state: _NameState, name: str, values: list[Any]) -> Iterator[_NameState]:
    known = state.next_by_pattern.setdefault(name, {})
    last: _NameState | None = None
    for item in values:
        key = _identity(item)
        if key in known:
            last = known[key]
        else:
            last = last or _NameState()
            known[key] = last
        if _is_value_pattern(item):
            machine = state.machines.setdefault(name, ByteMachine())
            wildcard_keys = _wildcards([item])
            if wildcard_keys:
                (wildcard_key,) = wildcard_keys
                machine.add(wildcard_key, [tokens(f'"{t}"') for t in wildcard_key[1]], last)
            else:
                machine.note_next(last)
        yield last


def _is_value_pattern(item: Any) -> bool:
    """Every pattern but ``exists: false`` lives in the byte machine (``isNamePattern``)."""
    return not (isinstance(item, dict) and item.get("exists") is False)


def _identity(item: Any) -> object:
    if isinstance(item, dict):
        ((name, operand),) = item.items()
        if name == "exists" and operand is False:  # one name matcher, one next state
            return ("exists", False)
        if name == "anything-but" and isinstance(operand, dict):
            ((inner, listed),) = operand.items()
            texts = listed if isinstance(listed, list) else [listed]
            return (name, inner, tuple(sorted(set(map(str, texts)))))
        return (name, repr(operand))
    if isinstance(item, int | float) and not isinstance(item, bool):
        return ("number", float(item))
    return ("value", repr(item))


__all__ = [
    "COMPLEXITY_LIMIT",
    "TOO_COMPLEX",
    "complexity_problems",
    "machine_complexity",
    "rule_complexity",
]
