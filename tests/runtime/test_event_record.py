"""An Event's ``record``: the runtime's SQS record, or one a test hands the constructor."""

from __future__ import annotations

from eventpipe.runtime import Event
from eventpipe.runtime.models import NO_RECORD, RecordInfo

FIELDS = {
    "id": "e-1",
    "source": "shop",
    "detail-type": "OrderCreated",
    "time": "2026-12-07T10:00:00Z",
    "account": "123456789012",
    "region": "eu-west-1",
    "detail": {"orderId": "o-1"},
}


def test_a_record_given_to_the_constructor_is_kept() -> None:
    record = RecordInfo("m-1", "handle", 2, 1765100000000, "arn:aws:sqs:eu-west-1:1:q", "{}")
    event = Event(record=record, **FIELDS)
    assert event.record is record
    assert event.record.receive_count == 2


def test_an_event_built_without_a_record_has_the_placeholder() -> None:
    event = Event.model_validate(FIELDS)
    assert event.record is NO_RECORD
    assert "record" not in event.model_dump()
