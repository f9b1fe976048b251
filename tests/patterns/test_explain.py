"""``explain``: the field that failed, never disagreeing with the matcher.

The agreement tests run every event/pattern pair of the matcher's own tables (the user
guide's cases in test_matching.py, aws/event-ruler's in the corpus); the reason tests are
examples from the EventBridge user guide's "Event patterns" and "Content filtering" pages
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
"""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe.patterns import InvalidPatternError, matches
from eventpipe.patterns.explain import explain
from tests.patterns.test_matching import CASES, ev
from tests.patterns.test_ruler_corpus import MATCHING


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [(c[2], c[3], c[4]) for c in CASES if c[4] is not None],
)
def test_agrees_with_the_matcher_on_the_guides_cases(
    pattern: dict[str, Any], event: dict[str, Any], expected: bool
) -> None:
    try:
        wanted = matches(pattern, event)
    except InvalidPatternError:
        with pytest.raises(InvalidPatternError):
            explain(pattern, event)
        return
    result = explain(pattern, event)
    assert result.matched is wanted
    assert (result.mismatch is None) is wanted


@pytest.mark.parametrize("case", MATCHING)
def test_agrees_with_the_matcher_on_event_rulers_cases(case: dict[str, Any]) -> None:
    result = explain(case["pattern"], case["event"])
    assert result.matched is case["matches"]
    if not case["matches"]:
        assert result.mismatch is not None and result.mismatch.field


def test_names_the_envelope_field_that_failed() -> None:
    pattern = {"source": ["ecommerce.orders"], "detail-type": ["Order Created"]}
    event = {**ev(), "source": "ecommerce.orders", "detail-type": "Order Shipped"}
    result = explain(pattern, event)
    assert result.matched is False
    assert result.mismatch is not None
    assert result.mismatch.field == "detail-type"
    assert result.reason == 'detail-type is "Order Shipped"; the pattern wants ["Order Created"]'


def test_names_a_nested_field_and_its_operator() -> None:
    pattern = {"detail": {"amount": [{"numeric": [">", 100]}]}}
    result = explain(pattern, ev(amount=5))
    assert result.mismatch is not None
    assert result.mismatch.field == "detail.amount"
    assert result.reason == 'detail.amount is 5; the pattern wants [{"numeric": [">", 100]}]'


def test_a_missing_field_says_missing() -> None:
    result = explain({"detail": {"customerId": [{"exists": True}]}}, ev(orderId="o-1"))
    assert result.reason == (
        'detail.customerId is missing from the event; the pattern wants [{"exists": true}]'
    )


def test_a_field_that_must_be_absent() -> None:
    result = explain({"detail": {"test": [{"exists": False}]}}, ev(test="yes"))
    assert result.reason == 'detail.test is present ("yes"); the pattern wants it absent'


def test_or_reports_the_closest_alternative() -> None:
    pattern = {
        "source": ["aws.ec2"],
        "$or": [
            {"detail": {"state": ["running"], "zone": ["a"]}},
            {"detail": {"state": ["stopped"]}},
        ],
    }
    result = explain(pattern, ev(state="pending", zone="b"))
    assert result.matched is False
    assert result.alternatives == 2
    assert result.mismatch is not None and result.mismatch.field == "detail.state"
    assert result.reason is not None
    assert result.reason.startswith('detail.state is "pending"; the pattern wants ["stopped"]')
    assert "none of the 2 alternatives matched" in result.reason


def test_fields_that_match_only_in_different_array_elements() -> None:
    """The guide's arrays page: values must come from the same element of an array of
    objects (event-ruler's ArrayMembership)."""
    pattern = {"detail": {"items": {"sku": ["a"], "count": [2]}}}
    event = ev(items=[{"sku": "a", "count": 1}, {"sku": "b", "count": 2}])
    assert matches(pattern, event) is False
    result = explain(pattern, event)
    assert result.mismatch is not None
    assert result.mismatch.field == "detail.items.count, detail.items.sku"
    assert "same element" in result.mismatch.reason


def test_only_part_of_the_event_known() -> None:
    envelope = {"source": "ecommerce.orders", "detail-type": "Order Created"}
    needs_detail = {"source": ["ecommerce.orders"], "detail": {"amount": [{"numeric": [">", 1]}]}}
    undecided = explain(needs_detail, envelope, known={"source", "detail-type"})
    assert undecided.matched is None
    assert undecided.unknown == ("detail.amount",)
    assert undecided.reason == "cannot tell without detail.amount"
    other_source = {"source": ["ecommerce.stock"], "detail": {"sku": ["x"]}}
    decided = explain(other_source, envelope, known={"source", "detail-type"})
    assert decided.matched is False
    assert decided.mismatch is not None and decided.mismatch.field == "source"
    only_envelope = {"source": ["ecommerce.orders"]}
    assert explain(only_envelope, envelope, known={"source", "detail-type"}).matched is True
