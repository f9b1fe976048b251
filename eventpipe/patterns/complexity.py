"""The wildcard complexity limit PutRule applies ("Rule is too complex").

EventBridge refuses a rule whose wildcards could keep too many match attempts alive at
once for some input value. aws/event-ruler computes this in
``MachineComplexityEvaluator.evaluate``: the largest number of wildcard-pattern states a
traversal of one field's byte machine can be in simultaneously. We rebuild that figure per
field: every wildcard on the field (plain ``wildcard`` and ``anything-but`` ``wildcard``,
across ``$or`` branches) becomes a small automaton over its UTF-8 bytes, bracketed by the
JSON quotes event-ruler includes, and we walk every reachable set of active states over
the bytes the patterns name plus one "any other byte".

Not verified against AWS: EventBridge does not publish its threshold. ``COMPLEXITY_LIMIT``
(10) is the figure another open-source EventBridge emulator records for AWS; see
docs/patterns.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

COMPLEXITY_LIMIT = 10
TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating "
    "character sequences after a wildcard character"
)
_STAR = 256
_OTHER = 257
_MAX_SETS = 20_000  # bounds the walk; patterns fit in 2048 characters


def complexity_problems(pattern: dict[str, Any]) -> list[str]:
    """The "too complex" problem for a valid ``pattern``, or an empty list."""
    fields: dict[str, list[str]] = {}
    for path, wildcard in _wildcards(pattern, ""):
        fields.setdefault(path, []).append(wildcard)
    problems = []
    for path, wildcards in sorted(fields.items()):
        score = field_complexity(wildcards)
        if score > COMPLEXITY_LIMIT:
            fix = f"{TOO_COMPLEX} (complexity {score}, AWS allows {COMPLEXITY_LIMIT})"
            problems.append(f"`{path}` wildcards are too complex: {fix}")
    return problems


def _wildcards(node: Any, path: str) -> Iterator[tuple[str, str]]:
    for key, value in node.items():
        if key == "$or":
            for branch in value:
                yield from _wildcards(branch, path)
            continue
        child = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            yield from _wildcards(value, child)
            continue
        for item in value:
            if not isinstance(item, dict):
                continue
            if "wildcard" in item:
                yield child, item["wildcard"]
            inner = item.get("anything-but")
            if isinstance(inner, dict) and "wildcard" in inner:
                listed = inner["wildcard"]
                for text in listed if isinstance(listed, list) else [listed]:
                    yield child, text


def _tokens(wildcard: str) -> list[int]:
    """UTF-8 bytes with ``*`` as _STAR and ``\\*``/``\\\\`` unescaped, inside quotes."""
    out = [ord('"')]
    i = 0
    while i < len(wildcard):
        char = wildcard[i]
        if char == "*":
            out.append(_STAR)
        else:
            if char == "\\":
                i += 1
                char = wildcard[i]
            out += list(char.encode())
        i += 1
    return [*out, ord('"')]


def field_complexity(wildcards: list[str]) -> int:
    """Most simultaneously live wildcard states over any input, capped above the limit.

    A state is (pattern, position); a star position loops on every byte and also lets the
    next token start (event-ruler's "transition for all bytes"), and counts once with it.
    """
    machines = [_tokens(w) for w in dict.fromkeys(wildcards)]
    alphabet = [*sorted({t for m in machines for t in m if t != _STAR}), _OTHER]
    start = frozenset(s for k, m in enumerate(machines) for s in _close(m, 0, k))
    seen = {start}
    pending = [start]
    worst = 0
    while pending and len(seen) < _MAX_SETS:
        active = pending.pop()
        for byte in alphabet:
            after: set[tuple[int, int]] = set()
            for k, pos in active:
                tokens = machines[k]
                if pos >= len(tokens):
                    continue
                if tokens[pos] == _STAR:
                    after |= _close(tokens, pos, k)
                elif tokens[pos] == byte:
                    after |= _close(tokens, pos + 1, k)
            if not after:
                continue
            score = sum(
                1
                for k, pos in after
                if pos < len(machines[k])
                and not (pos > 0 and machines[k][pos - 1] == _STAR and (k, pos - 1) in after)
            )
            worst = max(worst, score)
            if worst > COMPLEXITY_LIMIT:
                return worst
            state = frozenset(after)
            if state not in seen:
                seen.add(state)
                pending.append(state)
    return worst


def _close(tokens: list[int], pos: int, k: int) -> set[tuple[int, int]]:
    """Position ``pos`` of machine ``k`` and the positions a star there lets start."""
    out = {(k, pos)}
    while pos < len(tokens) and tokens[pos] == _STAR:
        pos += 1
        out.add((k, pos))
    return out
