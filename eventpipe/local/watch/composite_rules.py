"""CloudWatch composite alarm rules, evaluated on the states of the alarms they name.

moto stores no composite alarm's rule evaluation; the engine's alarm evaluator computes
each composite's state here from its children's. The rule language
(PutCompositeAlarm ``AlarmRule``,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html):
``ALARM("name")``, ``OK("name")`` and ``INSUFFICIENT_DATA("name")`` are true when the
named alarm (by name or ARN) is in that state; ``TRUE`` and ``FALSE``; ``AND``, ``OR``,
``NOT`` and parentheses. The composite is in ``ALARM`` while its rule is true, ``OK``
otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_TOKEN = re.compile(
    r'\s*(?:(?P<state>ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*"(?P<name>[^"]+)"\s*\)'
    r"|(?P<word>AND|OR|NOT|TRUE|FALSE)\b|(?P<paren>[()]))"
)


class RuleError(ValueError):
    """Raised for a rule this evaluator cannot read."""


def _tokens(rule: str) -> list[tuple[str, str, str]]:
    """(kind, text, alarm name) for each token."""
    tokens: list[tuple[str, str, str]] = []
    position, text = 0, rule.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise RuleError(f"cannot read {text[position:]!r} in the rule {rule!r}")
        if match.group("state"):
            tokens.append(("state", match.group("state"), match.group("name")))
        elif match.group("word"):
            tokens.append(("word", match.group("word"), ""))
        else:
            tokens.append(("paren", match.group("paren"), ""))
        position = match.end()
    return tokens


def named_alarms(rule: str) -> list[str]:
    """The alarms a rule names, in order (names or ARNs as written)."""
    return [name for kind, _, name in _tokens(rule) if kind == "state"]


def rule_is_true(rule: str, states: Mapping[str, str]) -> bool:
    """Whether ``rule`` holds for ``states`` (alarm name or ARN -> state); an alarm not in
    ``states`` is in no state (each function is false for it)."""
    tokens = _tokens(rule)
    at = 0

    def peek() -> str | None:
        return tokens[at][1] if at < len(tokens) else None

    def take() -> tuple[str, str, str]:
        nonlocal at
        if at >= len(tokens):
            raise RuleError(f"the rule {rule!r} ends too soon")
        at += 1
        return tokens[at - 1]

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "OR":
            take()
            value = conjunction() or value
        return value

    def conjunction() -> bool:
        value = negation()
        while peek() == "AND":
            take()
            value = negation() and value
        return value

    def negation() -> bool:
        if peek() == "NOT":
            take()
            return not negation()
        kind, text, name = take()
        if kind == "state":
            return states.get(name) == text
        if text == "(":
            value = disjunction()
            if take()[1] != ")":
                raise RuleError(f"unbalanced parentheses in {rule!r}")
            return value
        if text in ("TRUE", "FALSE"):
            return text == "TRUE"
        raise RuleError(f"unexpected {text!r} in {rule!r}")

    value = disjunction()
    if at != len(tokens):
        raise RuleError(f"unexpected {tokens[at][1]!r} in {rule!r}")
    return value
