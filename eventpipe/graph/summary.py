"""Short, readable summaries of event patterns and SNS filter policies for the picture.

A rule's box has room for a line or two, so a pattern becomes one ``field=values`` item
per matched field, nested keys joined with dots as EventBridge flattens them ("Considerations
when creating event patterns",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-patterns.html), and each
comparison operator in a compact form:

>>> pattern_items({"source": ["ecommerce.orders"], "detail": {"amount": [{"numeric": [">", 100]}]}})
['source=ecommerce.orders', 'detail.amount>100']

The full pattern stays in the node's tooltip and in ``eventpipe consumers NAME``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

OR_KEY = "$or"


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _numeric(conditions: list[Any]) -> str:
    pairs = [f"{op}{_scalar(n)}" for op, n in zip(conditions[::2], conditions[1::2], strict=False)]
    return " ".join(pairs)


def _operator(matcher: Mapping[str, Any]) -> tuple[str, str]:
    """One content-filter matcher as (joiner, text): the joiner is ``=`` or empty when the
    text carries its own comparison (``>100``, `` exists``)."""
    if len(matcher) != 1:
        return "=", json.dumps(matcher, separators=(",", ":"))
    (name, value), *_ = matcher.items()
    if name == "prefix":
        inner = value.get("equals-ignore-case") if isinstance(value, Mapping) else value
        return "=", f"{_scalar(inner)}*"
    if name == "suffix":
        inner = value.get("equals-ignore-case") if isinstance(value, Mapping) else value
        return "=", f"*{_scalar(inner)}"
    if name == "wildcard":
        return "=", _scalar(value)
    if name == "equals-ignore-case":
        return "~", _scalar(value)
    if name == "anything-but":
        if isinstance(value, Mapping):
            _, text = _operator(value)
        elif isinstance(value, list):
            text = "|".join(_scalar(v) for v in value)
        else:
            text = _scalar(value)
        return "!=", text
    if name == "numeric" and isinstance(value, list):
        return "", _numeric(value)
    if name == "exists":
        return "", " exists" if value else " missing"
    if name == "cidr":
        return " in ", _scalar(value)
    return "=", json.dumps(matcher, separators=(",", ":"))


def _leaf(path: str, values: Any) -> str:
    """``path`` and its list of matchers as one item; matchers of one kind share a joiner."""
    if not isinstance(values, list):
        values = [values]
    plain = [_scalar(v) for v in values if not isinstance(v, Mapping)]
    parts: list[str] = []
    if plain:
        parts.append(f"{path}={'|'.join(plain)}")
    for matcher in (v for v in values if isinstance(v, Mapping)):
        joiner, text = _operator(matcher)
        parts.append(f"{path}{joiner}{text}")
    return " or ".join(parts) if parts else f"{path}=[]"


def pattern_items(pattern: Mapping[str, Any] | None, prefix: str = "") -> list[str]:
    """One item per matched field of an EventBridge pattern (or SNS filter policy), in the
    pattern's own order; ``$or`` alternatives become ``(a; b) or (c)``."""
    if not pattern:
        return []
    items: list[str] = []
    for key, value in pattern.items():
        if key == OR_KEY and isinstance(value, list):
            branches = ["; ".join(pattern_items(branch, prefix)) for branch in value]
            items.append(" or ".join(f"({b})" for b in branches))
            continue
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            items.extend(pattern_items(value, f"{path}."))
        else:
            items.append(_leaf(path, value))
    return items


def pattern_summary(pattern: Mapping[str, Any] | None) -> str:
    """The items of :func:`pattern_items` on one line (``; `` between fields)."""
    return "; ".join(pattern_items(pattern))
