"""Decode errors name what is wrong, precisely (what an operator reads in the DLQ)."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from eventpipe.runtime.decoding import make_decoder, record_info
from eventpipe.runtime.exceptions import InvalidEventError
from eventpipe.runtime.introspect import shape_of
from eventpipe.testing import eventbridge_event, sqs_record
from tests.runtime import handlers


class Eleven(BaseModel):
    f0: int
    f1: int
    f2: int
    f3: int
    f4: int
    f5: int
    f6: int
    f7: int
    f8: int
    f9: int
    f10: int


def eleven(body: Eleven) -> None:
    return None


def _decode(func: object, body: str, source: str = "rule") -> object:
    decode = make_decoder(shape_of(func, source), source)  # type: ignore[arg-type]
    raw = sqs_record(body)
    return decode(raw, record_info(raw, None))


def _reason(func: object, body: str, source: str = "rule") -> str:
    with pytest.raises(InvalidEventError) as caught:
        _decode(func, body, source)
    return str(caught.value)


def test_not_json_names_the_start_of_the_body() -> None:
    body = "n" * 200
    reason = _reason(handlers.typed, body)
    assert reason.startswith("the message body is not JSON (an EventBridge event was expected): ")
    assert reason.endswith(f"; body starts {body[:80]!r}")


def test_json_that_is_not_an_object() -> None:
    body = json.dumps(list(range(100)))
    reason = _reason(handlers.typed, body)
    assert reason == (
        f"the message body is JSON but not an EventBridge event object; body starts {body[:80]!r}"
    )


def test_envelope_errors_list_each_field() -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "o", "amount": -1})
    reason = _reason(handlers.typed, json.dumps(event))
    lines = reason.split("\n")
    assert lines[0] == "EventBridge event (detail as OrderCreated) failed validation (1 error(s)):"
    assert lines[1].startswith("  detail.amount: ")


def test_at_most_ten_errors_are_listed() -> None:
    reason = _reason(eleven, json.dumps({}), source="queue")
    lines = reason.split("\n")
    assert lines[0] == "message body (as Eleven) failed validation (11 error(s)):"
    assert len(lines) == 11
    assert lines[1] == "  f0: Field required"


def test_a_root_error_is_named_root() -> None:
    reason = _reason(handlers.body_model, json.dumps([1]), source="queue")
    assert reason.split("\n")[1].startswith("  (root): ")


def test_topic_confirmation_explains_itself() -> None:
    body = json.dumps({"Type": "SubscriptionConfirmation", "TopicArn": "arn:aws:sns:r:1:t"})
    reason = _reason(handlers.body_any, body, source="topic")
    assert reason == (
        "an SNS SubscriptionConfirmation message from arn:aws:sns:r:1:t, not a notification: "
        "confirm the subscription with its SubscribeURL (or subscribe the queue from the "
        "topic's account); it carries no event"
    )
