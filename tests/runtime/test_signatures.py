"""What each handler signature receives, and the model the deploy side reads from it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from eventpipe.consumer import queue_receive_limit
from eventpipe.runtime import Event, RecordInfo
from eventpipe.runtime.introspect import detail_model, shape_of
from eventpipe.testing import ConsumerInvoker, eventbridge_event
from tests.runtime import handlers
from tests.runtime.handlers import OrderCancelled, OrderCreated

H = "tests.runtime.handlers:"


def created(order_id: str = "o-1", amount: float = 9.5) -> dict[str, object]:
    return eventbridge_event(
        "Order Created",
        "ecommerce.orders",
        {"orderId": order_id, "amount": amount},
        time=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        resources=["arn:aws:events:us-east-1:123456789012:rule/x"],
    )


def test_event_of_model(invoke_consumer: ConsumerInvoker) -> None:
    ev = created()
    invoke_consumer(H + "typed", [ev])
    [got] = handlers.CALLS
    assert isinstance(got, Event)
    assert isinstance(got.detail, OrderCreated) and got.detail.order_id == "o-1"
    assert got.id == ev["id"]
    assert got.detail_type == "Order Created"
    assert got.source == "ecommerce.orders"
    assert got.time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert got.account == "123456789012" and got.region == "us-east-1"
    assert got.resources == ["arn:aws:events:us-east-1:123456789012:rule/x"]


def test_event_with_record_info(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(H + "typed_with_record", [created()], fifo=True, group_id="c-1")
    [(event, record)] = handlers.CALLS
    assert isinstance(record, RecordInfo)
    assert event.record is record
    raw = result.records[0]
    assert record.message_id == raw["messageId"]
    assert record.receive_count == 1
    assert record.group_id == "c-1"
    assert record.sequence_number == raw["attributes"]["SequenceNumber"]
    assert record.deduplication_id == raw["attributes"]["MessageDeduplicationId"]
    assert record.receipt_handle == raw["receiptHandle"]
    assert record.queue_arn == raw["eventSourceARN"]
    # FIFO: the queue's safety net (own attempts are counted apart: runtime/attempts.py).
    assert record.max_receive_count == queue_receive_limit(True, 5, 10) and not record.last_attempt
    assert record.sent_timestamp.tzinfo is not None


@pytest.mark.parametrize("name", ["untyped", "bare_event"])
def test_unannotated_or_bare_event_gets_dict_detail(
    invoke_consumer: ConsumerInvoker, name: str
) -> None:
    invoke_consumer(H + name, [created()])
    [got] = handlers.CALLS
    assert isinstance(got, Event)
    assert got.detail == {"orderId": "o-1", "amount": 9.5}


def test_detail_model_parameter_gets_the_model(invoke_consumer: ConsumerInvoker) -> None:
    invoke_consumer(H + "detail_only", [created(amount=3)])
    [got] = handlers.CALLS
    assert got == OrderCreated(orderId="o-1", amount=3)


def test_union_detail_picks_the_matching_model(invoke_consumer: ConsumerInvoker) -> None:
    cancelled = eventbridge_event("Order Cancelled", "s", {"orderId": "o-2", "reason": "late"})
    invoke_consumer(H + "union", [created(), cancelled])
    assert [type(d) for d in handlers.CALLS] == [OrderCreated, OrderCancelled]


def test_direct_queue_body_model(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(
        H + "body_model", [{"orderId": "q-1", "amount": 2}, {"orderId": "q-2"}], source="queue"
    )
    assert result.outcomes == ["succeeded", "dead-lettered"]
    [(body, record)] = handlers.CALLS
    assert body == OrderCreated(orderId="q-1", amount=2)
    assert record.message_id == result.message_ids[0]
    assert "amount" in result.dead_lettered[0].error_message


def test_direct_queue_unannotated_body_is_dict_or_str(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(H + "body_any", [{"a": 1}, "plain text", "[1, 2]"], source="queue")
    assert result.outcomes == ["succeeded"] * 3
    assert handlers.CALLS == [{"a": 1}, "plain text", [1, 2]]


def test_direct_queue_model_rejects_non_json(invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(H + "body_model", ["not json"], source="queue")
    [dead] = result.dead_lettered
    assert dead.error_type == "InvalidEventError"
    assert dead.body == "not json"


def test_detail_model_reads_annotations_without_calling() -> None:
    def never(event: Event[OrderCreated]) -> None:
        raise AssertionError("called")

    def plain(detail: OrderCreated, record: RecordInfo) -> None:
        raise AssertionError("called")

    def untyped(event):  # type: ignore[no-untyped-def]
        raise AssertionError("called")

    assert detail_model(never) is OrderCreated
    assert detail_model(plain) is OrderCreated
    assert detail_model(untyped) is None
    assert detail_model(handlers.bare_event) is None
    assert detail_model(handlers.body_model) is OrderCreated


def test_detail_model_of_a_union_has_both_schemas() -> None:
    model = detail_model(handlers.union)
    assert model is not None and issubclass(model, BaseModel)
    schema = model.model_json_schema()
    titles = {ref.split("/")[-1] for ref in (d["$ref"] for d in schema["anyOf"])}
    assert titles == {"OrderCreated", "OrderCancelled"}


def test_bad_signatures_are_rejected_with_the_fix() -> None:
    def none() -> None: ...

    def three(a, b, c):  # type: ignore[no-untyped-def]
        ...

    with pytest.raises(TypeError, match="declare one for the event"):
        shape_of(none, "rule")
    with pytest.raises(TypeError, match="at most two arguments"):
        shape_of(three, "rule")


def test_event_can_be_built_outside_the_runtime() -> None:
    event = Event[OrderCreated].model_validate(created())
    assert event.detail.order_id == "o-1"
    assert event.record.message_id == ""  # placeholder until the runtime attaches one
    assert "record" not in event.model_dump(by_alias=True)
    assert "record" not in Event[OrderCreated].model_json_schema()["properties"]
