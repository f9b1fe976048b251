"""The byte machine event-ruler builds for one field's wildcard values, and its complexity.

A port, for ``wildcard`` and ``anything-but`` ``wildcard`` values only, of aws/event-ruler's
``ByteMachine`` construction (``addMatchValue``, ``canReuseNextByteState``,
``addEndOfMatch``, ``findOrMakeNextByteState``, ``addTransitionNextState``,
``addTransitionNextStateForWildcard``, ``insertMatch``) and of
``MachineComplexityEvaluator.evaluate``, in ``src/main/software/amazon/event/ruler/`` of
https://github.com/aws/event-ruler. The evaluator's figure depends on which byte states the
values share, so the construction is followed step by step: a ``*`` leads to a new state
that loops on every byte; a state after a ``*`` is never reused by a later value; a final
``*`` makes a state that is also a match ("composite") and loops back to itself.

Other pattern types (exact, prefix, numeric ...) add no wildcard prefixes; they are left
out of the machine, and only the name states their matches lead to are kept
(:meth:`ByteMachine.note_next`), which is all the evaluator reads from them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

STAR = -1
"""The wildcard token; bytes are 0..255."""
WildcardKey = tuple[str, tuple[str, ...]]
"""A pattern's identity: ("wildcard" | "anything-but-wildcard", its values)."""


def tokens(value: str) -> list[int]:
    """``WildcardParser.parse``: UTF-8 bytes, ``*`` as :data:`STAR`, ``\\*`` and ``\\\\`` literal."""
    raw = value.encode()
    out: list[int] = []
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == 0x2A:
            out.append(STAR)
        elif byte == 0x5C and i + 1 < len(raw) and raw[i + 1] in (0x2A, 0x5C):
            out.append(raw[i + 1])
            i += 1
        else:
            out.append(byte)
        i += 1
    return out


class State:
    """``ByteState``: transitions per byte, transitions on every byte, and whether more than
    one value can lead here (``hasIndeterminatePrefix``)."""

    __slots__ = ("any", "by_byte", "indeterminate")

    def __init__(self, indeterminate: bool = False) -> None:
        self.by_byte: dict[int, list[Single]] = {}
        self.any: list[Single] = []
        self.indeterminate = indeterminate

    @property
    def next_state(self) -> State:
        return self

    @property
    def match(self) -> Match | None:
        return None


class Match:
    """``ByteMatch``: equal when pattern and next name state are (as in event-ruler)."""

    __slots__ = ("key", "name")

    def __init__(self, key: WildcardKey, name: object) -> None:
        self.key = key
        self.name = name

    next_state = None

    @property
    def match(self) -> Match:
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Match) and (self.key, self.name) == (other.key, other.name)

    def __hash__(self) -> int:
        return hash((self.key, id(self.name)))


class Composite:
    """``CompositeByteTransition``: a state that is also a match (identity equality)."""

    __slots__ = ("match", "next_state")

    def __init__(self, state: State, match: Match) -> None:
        self.next_state = state
        self.match = match


Single = State | Match | Composite


def _add(singles: list[Single], single: Single) -> None:
    if single not in singles:
        singles.append(single)


def _on(state: State, token: int) -> list[Single]:
    """``getTransition``: the singles one token leads to from ``state``."""
    if token == STAR:
        return list(state.any)
    found = list(state.by_byte.get(token, ()))
    for single in state.any:
        _add(found, single)
    return found


def _next_of(singles: list[Single]) -> State | None:
    """``ByteTransition.getNextByteState``: a determinate next state first."""
    first = None
    for single in singles:
        state = single.next_state
        if state is not None:
            if not state.indeterminate:
                return state
            first = first or state
    return first


class ByteMachine:
    """One field's byte machine at one name state."""

    def __init__(self) -> None:
        self.start = State()
        self.start_match: Match | None = None
        self.other_next: list[Any] = []

    def note_next(self, name: object) -> None:
        """A non-wildcard pattern's match leads to ``name``."""
        if all(name is not known for known in self.other_next):
            self.other_next.append(name)

    def add(self, key: WildcardKey, values: list[list[int]], name: object | None = None) -> object:
        """``addPattern``: every value of one pattern, all leading to one name state."""
        for value in values:
            name = self._add_value(key, value, name)
        return name

    def _add_value(self, key: WildcardKey, chars: list[int], name: object | None) -> object:
        state, prev, i = self.start, None, 0
        while i < len(chars) - 1:
            reuse = None
            for single in _on(state, chars[i]):
                if self._can_reuse(state, single.next_state, chars, i):
                    reuse = single.next_state
                    break
            if reuse is None:
                break
            prev, state, i = state, reuse, i + 1
        return self._end(state, prev, chars, i, key, name)

    @staticmethod
    def _can_reuse(state: State, nxt: State | None, chars: list[int], i: int) -> bool:
        if nxt is None or nxt is state:
            return False
        if not nxt.indeterminate:
            return not (i == len(chars) - 2 and chars[i + 1] == STAR)
        return not _converge(state, chars, i)

    def _end(
        self,
        state: State,
        prev: State | None,
        chars: list[int],
        j: int,
        key: WildcardKey,
        name: Any,
    ) -> object:
        name = object() if name is None else name
        last = len(chars) - 1
        if len(chars) == 1 and chars[0] == STAR:
            self.start_match = Match(key, name)
            return name
        while j < last and not (j == last - 1 and chars[last] == STAR):
            found = _on(state, chars[j])
            if not found:
                break
            nxt = _next_of(found)
            if nxt is not None and nxt.indeterminate:
                break
            if nxt is None:  # a match with no state after it: give it one (putTransitionNextState)
                nxt = State(state.indeterminate)
                old = found[0]
                assert isinstance(old, Match)
                _replace(state, chars[j], old, Composite(nxt, old))
            prev, state, j = state, nxt, j + 1
        while j < last:
            nxt = self._find_or_make(state, prev, chars, j, key, name)
            prev, state, j = state, nxt, j + 1
        return self._insert(chars, state, prev, key, name)

    def _find_or_make(
        self,
        state: State,
        prev: State | None,
        chars: list[int],
        i: int,
        key: WildcardKey,
        name: Any,
    ) -> State:
        nxt = _next_of(_on(state, chars[i]))
        last_is_star = chars[-1] == STAR and i == len(chars) - 2
        if nxt is not None and not nxt.indeterminate and not last_is_star:
            return nxt
        nxt = State(state.indeterminate)
        if chars[i] == STAR:  # addTransitionNextStateForWildcard
            _add(nxt.any, nxt)
            nxt.indeterminate = True
            _add(state.any, nxt)
            return nxt
        single: Single = nxt
        if last_is_star:
            single = Composite(nxt, Match(key, name))
            nxt.indeterminate = True
        _add(state.by_byte.setdefault(chars[i], []), single)
        if prev is not None and i > 0 and chars[i - 1] == STAR:
            _add(prev.by_byte.setdefault(chars[i], []), single)
        return nxt

    def _insert(
        self, chars: list[int], state: State, prev: State | None, key: WildcardKey, name: Any
    ) -> object:
        char = chars[-1]
        for single in _on(state, char):
            if single.match is not None and single.match.key == key:
                return single.match.name
        match = Match(key, name)
        if char != STAR:
            _add(state.by_byte.setdefault(char, []), match)
            if prev is not None and len(chars) > 1 and chars[-2] == STAR:
                _add(prev.by_byte.setdefault(char, []), match)
            return name
        composite = None
        if prev is not None:
            for single in _on(prev, chars[-2]):
                if single.next_state is state and isinstance(single, Composite):
                    composite = single
                    break
        composite = composite or Composite(State(), match)
        loop = composite.next_state
        _add(loop.any, Composite(loop, composite.match))
        loop.indeterminate = True
        return name

    # --- MachineComplexityEvaluator ---------------------------------------------------

    def complexity(self, cap: int, next_figure: Callable[[Any], int]) -> int:
        """``ByteMachine.evaluateComplexity``: 1 for a lone ``*`` value, plus the evaluator's
        figure, which is the larger of this machine's and that of the name states after it."""
        start_match = 1 if self.start_match is not None else 0
        return start_match + self._evaluate(cap, next_figure)

    def _evaluate(self, cap: int, next_figure: Callable[[Any], int]) -> int:
        reach = _reachable_patterns(self.start)
        alphabet = _alphabet(self.start)
        visited: set[frozenset[Single]] = {frozenset([self.start])}
        queue = deque(_steps([self.start], alphabet))
        worst = 0
        while queue:
            current = queue.popleft()
            if current in visited:
                continue
            visited.add(current)
            size = 0
            for single in current:
                size += len(reach[single])
                after = single.next_state
                if after is not None:
                    size += sum(len(reach[t]) for t in after.any if t not in current)
            if size >= cap:
                return cap
            worst = max(worst, size)
            nexts = {id(s.next_state): s.next_state for s in current if s.next_state is not None}
            queue.extend(_steps(list(nexts.values()), alphabet))
        names = {id(s.match.name): s.match.name for s in reach if s.match is not None}
        for name in [*names.values(), *self.other_next]:
            worst = max(worst, next_figure(name))
        return worst


def _transitions(state: State) -> list[Single]:
    out: list[Single] = []
    for singles in state.by_byte.values():
        for single in singles:
            _add(out, single)
    for single in state.any:
        _add(out, single)
    return out


def _reachable_patterns(start: State) -> dict[Single, frozenset[WildcardKey]]:
    """``getMatchesAccessibleFromEachTransition``: per single, the patterns of every match
    reachable from it (iterative depth-first, children before parents)."""
    result: dict[Single, frozenset[WildcardKey]] = {}
    stack: list[tuple[Single, bool]] = [(start, False)]
    while stack:
        single, children_done = stack.pop()
        after = single.next_state
        children = _transitions(after) if after is not None else []
        if not children_done:
            if single in result:
                continue
            result[single] = frozenset()  # in progress: a self-loop adds nothing new
            stack.append((single, True))
            stack.extend((child, False) for child in children if child not in result)
            continue
        found = {single.match.key} if single.match is not None else set()
        for child in children:
            found |= result.get(child, frozenset())
        result[single] = frozenset(found)
    return result


def _alphabet(start: State) -> list[int]:
    """Every byte some transition names, plus one byte none does (if any is left)."""
    named: set[int] = set()
    seen: set[int] = set()
    pending = [start]
    while pending:
        state = pending.pop()
        if id(state) in seen:
            continue
        seen.add(id(state))
        named.update(state.by_byte)
        pending += [s.next_state for s in _transitions(state) if s.next_state is not None]
    other = next((b for b in range(256) if b not in named), None)
    return sorted(named) + ([other] if other is not None else [])


def _steps(states: list[State], alphabet: list[int]) -> list[frozenset[Single]]:
    """The distinct non-empty sets of singles one byte leads to from ``states``."""
    out: dict[frozenset[Single], None] = {}
    for byte in alphabet:
        reached: list[Single] = []
        for state in states:
            for single in _on(state, byte):
                _add(reached, single)
        if reached:
            out[frozenset(reached)] = None
    return list(out)


def _replace(state: State, byte: int, old: Single, new: Single) -> None:
    singles = state.by_byte.get(byte, [])
    state.by_byte[byte] = [new if s is old else s for s in singles]


def _converge(state: State, chars: list[int], i: int) -> bool:
    """``doMultipleTransitionsConvergeForInputByte`` for a machine without suffix patterns."""
    byte = chars[i]
    if byte == STAR or 0x80 <= byte <= 0xBF:
        return False
    if state.any and not (len(state.any) == 1 and state.any[0] is state):
        return True
    end = i + 1
    while end < len(chars) and 0x80 <= chars[end] <= 0xBF:
        end += 1
    char = bytes(chars[i:end]).decode(errors="replace")
    return char.lower().encode() != char.upper().encode()
