"""Which DLQ body belongs to an event: the bodies the stack's DLQs hold, as written by
the runtime (the record's own body), SNS (a notification) and the intake rule (its
reason wrapper, docs/components.md)."""

from __future__ import annotations

import json

from eventpipe.operate.peek import PeekedMessage
from eventpipe.operate.trace.endings import belongs, event_id_in
from eventpipe.testing import eventbridge_event


def test_the_event_id_each_kind_of_body_names() -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "o-1"}, id="ev-1")
    assert event_id_in(json.dumps(event)) == "ev-1"
    wrapped = {"eventpipe": {"reason": "no customerId for the FIFO group"}, "event": event}
    assert event_id_in(json.dumps(wrapped)) == "ev-1"
    notification = {"Type": "Notification", "MessageId": "sns-1", "Message": "{}"}
    assert event_id_in(json.dumps(notification)) == "sns-1"
    assert event_id_in("not json") is None
    assert event_id_in(json.dumps({"to": "a@example.com"})) is None


def test_a_dead_letter_belongs_by_body_or_by_the_original_message_id() -> None:
    by_body = PeekedMessage("dlq-1", json.dumps({"id": "ev-2"}), None, None)
    assert belongs(by_body, "ev-2", ())
    assert not belongs(by_body, "ev-3", ())
    by_attribute = PeekedMessage(
        "dlq-2", "plain text", None, None, reason={"original_message_id": "m-9"}
    )
    assert belongs(by_attribute, "ev-3", {"m-9"})
    assert belongs(by_attribute, "m-9", ())  # traced by its SQS message id
    assert not belongs(by_attribute, "ev-3", {"m-1"})
