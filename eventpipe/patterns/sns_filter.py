"""SNS subscription filter policies on message attributes (scope ``MessageAttributes``).

Why here: ``eventpipe trace`` says whether a topic-fed consumer's subscription accepts a
message, and if not which attribute failed. SNS's filter grammar is EventBridge's (the
same operators: exact strings and numbers, ``prefix``, ``suffix``, ``anything-but``,
``numeric``, ``exists``, ``equals-ignore-case``, ``cidr``, and ``$or``; "Amazon SNS
subscription filter policies",
https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html), and
SNS's rule for a match is EventBridge's for a flat event: "each property name in the
filter policy matches a message attribute name. For each matching property name in the
filter policy, at least one property value matches the message attribute value" (same
page). So the message attributes become a flat event (name -> value) and
:func:`eventpipe.patterns.explain` decides, naming the attribute that failed.

What is SNS's own, and how it is handled here:

* **Attribute types.** ``String`` is compared as a string and ``Number`` as a number
  (``{"Type": "Number", "Value": "3.015e2"}`` equals ``301.5``: "Numeric value matching",
  https://docs.aws.amazon.com/sns/latest/dg/numeric-value-matching.html). ``String.Array``
  holds a JSON array, and the attribute matches when any element matches ("Amazon SNS
  example filter policies",
  https://docs.aws.amazon.com/sns/latest/dg/example-filter-policies.html, where
  ``customer_interests`` ``["soccer", "rugby", "hockey"]`` matches ``["rugby"]``): that
  is EventBridge's array membership. ``Binary`` attributes are not compared: "Amazon SNS
  compares policy properties only to message attributes that have the following data
  types: String, String.Array" ("Filter policy constraints",
  https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html),
  so a Binary attribute counts here as absent. Whether SNS then treats a policy key
  naming a Binary attribute as absent for ``exists: false`` is not documented; it is not
  verified.
* **Absent keys.** A policy key the message does not carry fails (the rule above),
  unless the key asks ``exists: false``; and ``exists: false`` "only matches if at least
  one attribute is present. An empty attribute set results in the filter not matching"
  ("Key matching", https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html).
  A message with no attributes therefore matches no policy here.
* **``exists: true``** needs "a non-null and non-empty value" (Key matching): an
  attribute whose value is the empty string fails it here, where EventBridge would match.
* **Numbers.** SNS compares numbers from -10^9 to 10^9 "with five digits of accuracy
  after the decimal point" (Filter policy constraints); EventBridge's range is ±5e9 with
  six digits (:data:`eventpipe.patterns.NUMERIC_LIMIT`). Values that differ only past
  the fifth decimal, or lie between 10^9 and 5e9, may be judged differently here than by
  SNS: not verified.
* **Message body scope** (``FilterPolicyScope`` ``MessageBody``) is not evaluated here;
  eventpipe's subscriptions use ``MessageAttributes`` (``components/topics.py``).

Attributes come in either of SNS's two shapes: the notification's
``{"Type": ..., "Value": ...}`` (what an SQS subscriber receives with raw delivery off)
or Publish's ``{"DataType": ..., "StringValue"/"BinaryValue": ...}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventpipe.patterns.explain import explain


@dataclass(frozen=True)
class PolicyExplanation:
    """Whether a subscription's filter policy accepts a message, and if not, why."""

    matched: bool | None
    """True, False, or None when it cannot be decided."""
    attribute: str | None = None
    """The policy key (message attribute) that failed, when ``matched`` is False."""
    reason: str | None = None
    """One sentence; None when it matched."""


def attribute_values(message_attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes SNS compares, as a flat event: String -> str, Number -> number,
    String.Array -> list; Binary (and anything unreadable) left out (module docstring)."""
    flat: dict[str, Any] = {}
    for name, attribute in message_attributes.items():
        if not isinstance(attribute, Mapping):
            continue
        kind = str(attribute.get("Type") or attribute.get("DataType") or "")
        value = attribute.get("Value", attribute.get("StringValue"))
        if kind.startswith("Binary") or not isinstance(value, str):
            continue
        if kind == "String.Array":
            try:
                items = json.loads(value)
            except ValueError:
                continue
            if isinstance(items, list):
                flat[name] = items
        elif kind.startswith("Number"):
            number = _number(value)
            if number is not None:
                flat[name] = number
        else:
            flat[name] = value
    return flat


def _number(text: str) -> int | float | None:
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return None
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _empty_for_exists(policy: Mapping[str, Any], values: Mapping[str, Any]) -> str | None:
    """A policy key asking ``exists: true`` whose attribute is the empty string."""
    for key, wanted in policy.items():
        if key == "$or" or not isinstance(wanted, list):
            continue
        if {"exists": True} in wanted and values.get(key) == "":
            return key
    return None


def explain_policy(
    policy: Mapping[str, Any], message_attributes: Mapping[str, Any]
) -> PolicyExplanation:
    """Whether ``policy`` (scope MessageAttributes) accepts a message with
    ``message_attributes``, and the attribute that failed (module docstring).

    Raises :class:`eventpipe.patterns.InvalidPatternError` for a policy outside the
    grammar both services share.
    """
    values = attribute_values(message_attributes)
    keys = sorted(k for k in policy if k != "$or")
    if not values:
        first = keys[0] if keys else None
        return PolicyExplanation(
            False,
            first,
            "the message carries no attribute SNS compares (String, Number, String.Array); "
            "SNS matches a filter policy, even one asking exists: false, only when the "
            "message has at least one",
        )
    empty = _empty_for_exists(policy, values)
    if empty is not None:
        return PolicyExplanation(
            False, empty, f'{empty} is ""; exists: true wants a non-empty value'
        )
    result = explain(dict(policy), values)
    if result.matched:
        return PolicyExplanation(True)
    if result.mismatch is None:
        return PolicyExplanation(None, None, result.reason)
    reason = (result.reason or "").replace(
        "missing from the event", "not among the message's attributes"
    )
    return PolicyExplanation(
        False, result.mismatch.field, reason.replace("the pattern", "the policy")
    )
