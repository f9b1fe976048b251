"""Lambda side of order-processing: one order event in, one DynamoDB write out.

Runs inside the function with the eventpipe runtime, which parses the record, hands this
module one event at a time and turns exceptions into SQS outcomes: ``RetryableError``
(and any unexpected exception) retries with backoff, ``PermanentError`` and a detail
that fails its model go to the DLQ at once with the reason attached.

Ordering: the queue is FIFO with one message group per customer, so a customer's events
arrive in the order EventBridge delivered them. An ``Order Updated`` for an order this
table has never seen therefore cannot be fixed by waiting: the matching ``Order Created``
(if it exists) sits *behind* it in the same group, blocked while the update is retried.
Such an update is dead-lettered at once with a reason that says so; redrive it once the
order exists.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError
from pydantic import ValidationError

from eventpipe.runtime import Event, PermanentError, RecordInfo, RetryableError
from orders.models import ORDER_CREATED, ORDER_UPDATED, OrderCreated, OrderUpdated

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_dynamodb.service_resource import Table

TABLE_ENV = "ORDERS_TABLE"


@cache
def _table() -> Table:
    """The orders table, created on first use and reused by warm invocations.

    Lazy so that importing the module (cold start, tests) needs no credentials; boto3
    honours ``AWS_ENDPOINT_URL``, which is how the local engine points it at moto.
    """
    name = os.environ.get(TABLE_ENV)
    if not name:
        raise PermanentError(f"{TABLE_ENV} is not set: the orders.infra resources hook sets it")
    return boto3.resource("dynamodb").Table(name)


def order_key(order_id: str) -> dict[str, str]:
    return {"pk": f"ORDER#{order_id}"}


MODELS: dict[str, type[OrderCreated] | type[OrderUpdated]] = {
    ORDER_CREATED: OrderCreated,
    ORDER_UPDATED: OrderUpdated,
}


def process(event: Event[OrderCreated | OrderUpdated], record: RecordInfo) -> None:
    """Apply one order event to the orders table.

    The runtime validates the detail against the union (and publishes its schema); the
    detail-type then says which member it must be, so an ``Order Updated`` that happens
    to fit ``OrderCreated`` is refused instead of creating an order.
    """
    detail = _detail_for_type(event)
    if isinstance(detail, OrderCreated):
        if detail.simulate_transient_failure and record.receive_count == 1:
            raise RetryableError(
                f"simulated transient failure for order {detail.order_id} (first delivery)"
            )
        create_order(detail, event_id=event.id)
    else:
        update_order(detail, event_id=event.id)


def _detail_for_type(event: Event[OrderCreated | OrderUpdated]) -> OrderCreated | OrderUpdated:
    expected = MODELS.get(event.detail_type)
    if expected is None:  # pragma: no cover - the pattern only lets the two types through
        raise PermanentError(
            f"order-processing handles {ORDER_CREATED!r} and {ORDER_UPDATED!r}, "
            f"got {event.detail_type!r}: narrow the pattern"
        )
    if isinstance(event.detail, expected):
        return event.detail
    # Re-validate the original detail against the model its detail-type names, so the
    # DLQ reason lists what is wrong with it rather than "wrong type".
    raw = json.loads(event.record.body).get("detail")
    try:
        return expected.model_validate(raw)
    except ValidationError as exc:
        raise PermanentError(f"invalid {event.detail_type!r} detail: {exc}") from exc


def create_order(order: OrderCreated, *, event_id: str) -> bool:
    """Insert the order; False when it already exists (a duplicate delivery: done)."""
    item: dict[str, Any] = {
        **order_key(order.order_id),
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "amount": order.amount,
        "currency": order.currency,
        "items": [line.model_dump(by_alias=True) for line in order.items],
        "status": "created",
        "createdAt": _iso(order.timestamp),
        "lastEventId": event_id,
    }
    try:
        _table().put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
    except ClientError as exc:
        if _code(exc) == "ConditionalCheckFailedException":
            return False
        raise _classify(exc, f"put order {order.order_id}") from exc
    return True


def update_order(update: OrderUpdated, *, event_id: str) -> None:
    """Set the new status of an existing order."""
    try:
        _table().update_item(
            Key=order_key(update.order_id),
            UpdateExpression="SET #s = :s, updatedAt = :t, lastEventId = :e",
            ConditionExpression="attribute_exists(pk) AND customerId = :c",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":s": update.status,
                ":t": _iso(update.timestamp),
                ":e": event_id,
                ":c": update.customer_id,
            },
        )
    except ClientError as exc:
        if _code(exc) == "ConditionalCheckFailedException":
            raise PermanentError(
                f"order {update.order_id} of customer {update.customer_id} does not exist "
                "(Order Updated before its Order Created, or another customer's order): "
                "redrive this message once the order is created"
            ) from exc
        raise _classify(exc, f"update order {update.order_id}") from exc


_PERMANENT_CODES = {"ValidationException", "ResourceNotFoundException", "AccessDeniedException"}


def _classify(exc: ClientError, what: str) -> Exception:
    """A DynamoDB error as the runtime should treat it.

    Configuration faults (missing table, denied, bad request) will not heal by retrying
    this record: dead-letter it with the reason and let the alarm fire. Everything else
    (throttling, 5xx, timeouts) is transient.
    """
    code = _code(exc)
    if code in _PERMANENT_CODES:
        return PermanentError(f"cannot {what}: {code}: {exc}")
    return RetryableError(f"cannot {what} yet: {code}: {exc}")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _iso(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).isoformat()
