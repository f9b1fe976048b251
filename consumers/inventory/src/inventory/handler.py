"""Lambda side of inventory-reservation: reserve every line of an order, or none.

All lines and a reservation record are written in one DynamoDB transaction:

* each stock item is decremented with the condition ``stock >= quantity``;
* the record ``RESERVATION#<orderId>`` is put with ``attribute_not_exists(pk)``, so a
  duplicate delivery of the same order cannot reserve twice.

If the transaction is cancelled because of the reservation record, the order was
already reserved (success). If it is cancelled because a SKU is unknown or short, the
order can never be reserved by retrying this message: ``PermanentError`` sends it to the
DLQ with the SKU, requested and available quantities. Throttling and conflicts with
concurrent transactions are retried.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from eventpipe.runtime import Event, PermanentError, RetryableError
from inventory.models import OrderCreated, OrderLine

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_dynamodb.client import DynamoDBClient

TABLE_ENV = "INVENTORY_TABLE"


@cache
def _client() -> DynamoDBClient:
    """Created on first use, reused while the function is warm (honours AWS_ENDPOINT_URL)."""
    return boto3.client("dynamodb")


def _table_name() -> str:
    name = os.environ.get(TABLE_ENV)
    if not name:
        raise PermanentError(f"{TABLE_ENV} is not set: the inventory.infra resources hook sets it")
    return name


def sku_key(sku: str) -> dict[str, Any]:
    return {"pk": {"S": f"SKU#{sku}"}}


def reservation_key(order_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"RESERVATION#{order_id}"}}


def reserve(event: Event[OrderCreated]) -> None:
    """Reserve the stock of one created order."""
    reserve_order(event.detail)


def reserve_order(order: OrderCreated) -> bool:
    """Reserve all lines of ``order``; False if it was reserved before (duplicate)."""
    if not order.items:
        return True  # nothing to reserve; the reservation record would only add cost
    table = _table_name()
    transact: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table,
                "Item": {
                    **reservation_key(order.order_id),
                    "orderId": {"S": order.order_id},
                    "customerId": {"S": order.customer_id},
                    "lines": {"M": {ln.sku: {"N": str(ln.quantity)} for ln in order.items}},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
    ]
    transact += [_decrement(table, line) for line in order.items]
    try:
        _client().transact_write_items(TransactItems=transact)  # type: ignore[arg-type]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code != "TransactionCanceledException":
            if code in {
                "ResourceNotFoundException",
                "AccessDeniedException",
                "ValidationException",
            }:
                raise PermanentError(
                    f"cannot reserve order {order.order_id}: {code}: {exc}"
                ) from exc
            raise RetryableError(f"cannot reserve order {order.order_id} yet: {code}") from exc
        return _explain_cancel(order, exc)
    return True


def _decrement(table: str, line: OrderLine) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": sku_key(line.sku),
            "UpdateExpression": "SET stock = stock - :q, reserved = if_not_exists(reserved, :zero) + :q",
            "ConditionExpression": "attribute_exists(pk) AND stock >= :q",
            "ExpressionAttributeValues": {":q": {"N": str(line.quantity)}, ":zero": {"N": "0"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def _explain_cancel(order: OrderCreated, exc: ClientError) -> bool:
    """Turn a cancelled transaction into an outcome (reasons are in item order)."""
    reasons: list[dict[str, Any]] = exc.response.get("CancellationReasons", [])  # type: ignore[assignment]
    codes = [r.get("Code", "None") for r in reasons]
    if codes and codes[0] == "ConditionalCheckFailed":
        return False  # RESERVATION#<orderId> exists: this order was reserved already
    short = []
    for line, reason in zip(order.items, reasons[1:], strict=False):
        if reason.get("Code") != "ConditionalCheckFailed":
            continue
        old = reason.get("Item")
        if not old:
            short.append(f"{line.sku}: unknown SKU")
        else:
            available = old.get("stock", {}).get("N", "0")
            short.append(f"{line.sku}: requested {line.quantity}, available {available}")
    if short:
        raise PermanentError(
            f"insufficient stock for order {order.order_id}: " + "; ".join(short)
        ) from exc
    # TransactionConflict / ThrottlingError on an item: another writer got there first.
    raise RetryableError(f"reservation of order {order.order_id} cancelled: {codes}") from exc
