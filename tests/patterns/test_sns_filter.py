"""The SNS filter-policy evaluator against AWS's own examples, each quoted with its page.

Every case here is a policy property and message attributes copied from an SNS
Developer Guide page, with what the page says SNS does with them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventpipe.patterns.sns_filter import attribute_values, explain_policy

STRING_MATCHING = "https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html"
NUMERIC_MATCHING = "https://docs.aws.amazon.com/sns/latest/dg/numeric-value-matching.html"
KEY_MATCHING = "https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html"
EXAMPLES = "https://docs.aws.amazon.com/sns/latest/dg/example-filter-policies.html"
CONSTRAINTS = (
    "https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html"
)


def attributes(text: str) -> dict[str, Any]:
    """Message attributes written as the pages write them: ``"name": {...}`` lines."""
    return dict(json.loads("{" + text + "}"))


# STRING_MATCHING, "Exact matching":
#   "customer_interests": ["rugby", "tennis"]
#   It matches the following message attributes:
#   "customer_interests": {"Type": "String", "Value": "rugby"}
#   "customer_interests": {"Type": "String", "Value": "tennis"}
#   "customer_interests": {"Type": "String.Array", "Value": "[\"rugby\", \"tennis\"]"}
#   However, it doesn't match the following message attributes:
#   "customer_interests": {"Type": "String", "Value": "baseball"}
#   "customer_interests": {"Type": "String.Array", "Value": "[\"baseball\"]"}
EXACT = {"customer_interests": ["rugby", "tennis"]}


@pytest.mark.parametrize(
    "message",
    [
        '"customer_interests": {"Type": "String", "Value": "rugby"}',
        '"customer_interests": {"Type": "String", "Value": "tennis"}',
        '"customer_interests": {"Type": "String.Array", "Value": "[\\"rugby\\", \\"tennis\\"]"}',
    ],
)
def test_string_exact_matching_accepts(message: str) -> None:
    assert explain_policy(EXACT, attributes(message)).matched is True


@pytest.mark.parametrize(
    "message",
    [
        '"customer_interests": {"Type": "String", "Value": "baseball"}',
        '"customer_interests": {"Type": "String.Array", "Value": "[\\"baseball\\"]"}',
    ],
)
def test_string_exact_matching_rejects_naming_the_attribute(message: str) -> None:
    result = explain_policy(EXACT, attributes(message))
    assert result.matched is False
    assert result.attribute == "customer_interests"
    assert result.reason is not None and "baseball" in result.reason


# STRING_MATCHING, "Anything-but matching":
#   "customer_interests": [{"anything-but": ["rugby", "tennis"]}]
#   It matches either of the following message attributes:
#   "customer_interests": {"Type": "String", "Value": "baseball"}
#   "customer_interests": {"Type": "String", "Value": "football"}
#   "customer_interests": {"Type": "String.Array", "Value": "[\"rugby\", \"baseball\"]"}
ANYTHING_BUT = {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}


@pytest.mark.parametrize(
    "message",
    [
        '"customer_interests": {"Type": "String", "Value": "baseball"}',
        '"customer_interests": {"Type": "String", "Value": "football"}',
        '"customer_interests": {"Type": "String.Array", "Value": "[\\"rugby\\", \\"baseball\\"]"}',
    ],
)
def test_string_anything_but_accepts(message: str) -> None:
    assert explain_policy(ANYTHING_BUT, attributes(message)).matched is True


def test_string_anything_but_rejects_a_listed_value() -> None:
    result = explain_policy(
        ANYTHING_BUT, attributes('"customer_interests": {"Type": "String", "Value": "rugby"}')
    )
    assert (result.matched, result.attribute) == (False, "customer_interests")


# NUMERIC_MATCHING, "Exact matching":
#   "price_usd": [{"numeric": ["=",301.5]}]
#   It matches either of the following message attributes:
#   "price_usd": {"Type": "Number", "Value": 301.5}
#   "price_usd": {"Type": "Number", "Value": 3.015e2}
# (SNS delivers a Number's Value as a string, as in EXAMPLES' "210.75".)
@pytest.mark.parametrize("value", ["301.5", "3.015e2"])
def test_numeric_exact_matching(value: str) -> None:
    policy = {"price_usd": [{"numeric": ["=", 301.5]}]}
    message = {"price_usd": {"Type": "Number", "Value": value}}
    assert explain_policy(policy, message).matched is True


# NUMERIC_MATCHING, "Anything-but matching":
#   "price": [{"anything-but": [100, 500]}]
#   It matches either of the following message attributes:
#   "price": {"Type": "Number", "Value": 101}
#   "price": {"Type": "Number", "Value": 100.1}
@pytest.mark.parametrize("value", ["101", "100.1"])
def test_numeric_anything_but_accepts(value: str) -> None:
    policy = {"price": [{"anything-but": [100, 500]}]}
    assert explain_policy(policy, {"price": {"Type": "Number", "Value": value}}).matched


def test_numeric_anything_but_rejects_a_listed_number() -> None:
    policy = {"price": [{"anything-but": [100, 500]}]}
    result = explain_policy(policy, {"price": {"Type": "Number", "Value": "500"}})
    assert (result.matched, result.attribute) == (False, "price")


# KEY_MATCHING:
#   "store": [{"exists": true}]
#   It matches any list of message attributes that contains the store attribute key:
#   "store": {"Type": "String", "Value": "fans"}
#   "customer_interests": {"Type": "String.Array", "Value": "[\"baseball\", \"basketball\"]"}
#   However, it doesn't match any list of message attributes without the store key:
#   "customer_interests": {"Type": "String.Array", "Value": "[\"baseball\", \"basketball\"]"}
WITH_STORE = attributes(
    '"store": {"Type": "String", "Value": "fans"}, '
    '"customer_interests": {"Type": "String.Array", "Value": "[\\"baseball\\", \\"basketball\\"]"}'
)
WITHOUT_STORE = attributes(
    '"customer_interests": {"Type": "String.Array", "Value": "[\\"baseball\\", \\"basketball\\"]"}'
)


def test_exists_true() -> None:
    policy = {"store": [{"exists": True}]}
    assert explain_policy(policy, WITH_STORE).matched is True
    missing = explain_policy(policy, WITHOUT_STORE)
    assert (missing.matched, missing.attribute) == (False, "store")


# KEY_MATCHING:
#   "store": [{"exists": false}]  does not match the list with "store", and matches the
#   one without it. "\"exists\": false only matches if at least one attribute is
#   present. An empty attribute set results in the filter not matching."
def test_exists_false_and_the_empty_attribute_set() -> None:
    policy = {"store": [{"exists": False}]}
    present = explain_policy(policy, WITH_STORE)
    assert (present.matched, present.attribute) == (False, "store")
    assert explain_policy(policy, WITHOUT_STORE).matched is True
    empty = explain_policy(policy, {})
    assert (empty.matched, empty.attribute) == (False, "store")
    assert empty.reason is not None and "at least one" in empty.reason


# KEY_MATCHING: with "exists": true "The key must have a non-null and non-empty value."
def test_exists_true_wants_a_non_empty_value() -> None:
    policy = {"store": [{"exists": True}]}
    result = explain_policy(policy, {"store": {"Type": "String", "Value": ""}, **WITHOUT_STORE})
    assert (result.matched, result.attribute) == (False, "store")


# EXAMPLES: the notification SNS delivers, with these MessageAttributes:
#   "customer_interests": {"Type": "String.Array", "Value": "[\"soccer\", \"rugby\", \"hockey\"]"},
#   "store": {"Type": "String", "Value":"example_corp"},
#   "event": {"Type": "String", "Value": "order_placed"},
#   "price_usd": {"Type": "Number", "Value": "210.75"}
EXAMPLE_MESSAGE = attributes(
    '"customer_interests": {"Type": "String.Array", '
    '"Value": "[\\"soccer\\", \\"rugby\\", \\"hockey\\"]"}, '
    '"store": {"Type": "String", "Value":"example_corp"}, '
    '"event": {"Type": "String", "Value": "order_placed"}, '
    '"price_usd": {"Type": "Number", "Value": "210.75"}'
)


def test_the_example_notification_is_read_by_type() -> None:
    assert attribute_values(EXAMPLE_MESSAGE) == {
        "customer_interests": ["soccer", "rugby", "hockey"],
        "store": "example_corp",
        "event": "order_placed",
        "price_usd": 210.75,
    }
    # STRING_MATCHING: a String.Array element is matched as a string of its own.
    assert explain_policy(EXACT, EXAMPLE_MESSAGE).matched is True
    # AND logic across keys: every key must match; the failing one is named.
    result = explain_policy(
        {"store": ["example_corp"], "price_usd": [{"numeric": ["<", 100]}]}, EXAMPLE_MESSAGE
    )
    assert (result.matched, result.attribute) == (False, "price_usd")
    assert result.reason is not None and "210.75" in result.reason


# CONSTRAINTS: "Amazon SNS compares policy properties only to message attributes that
# have the following data types: String, String.Array" (and Number, NUMERIC_MATCHING):
# a Binary attribute is not compared.
def test_a_binary_attribute_is_not_compared() -> None:
    message = {
        "store": {"DataType": "Binary", "BinaryValue": "ZXhhbXBsZQ=="},
        "event": {"DataType": "String", "StringValue": "order_placed"},
    }
    assert attribute_values(message) == {"event": "order_placed"}
    result = explain_policy({"store": [{"exists": True}]}, message)
    assert (result.matched, result.attribute) == (False, "store")


def test_publish_shape_attributes_are_read_too() -> None:
    message = {"price_usd": {"DataType": "Number", "StringValue": "210.75"}}
    assert explain_policy({"price_usd": [{"numeric": [">", 200]}]}, message).matched is True
