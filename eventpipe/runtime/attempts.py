"""A FIFO record's own failed attempts, counted durably on the failure path only.

On a FIFO queue a record held behind a failing record of its message group is received
and returned without running, and SQS counts that receive like any other
(``ApproximateReceiveCount``). Dead-lettering on the receive count would then send a
healthy record to the DLQ because it waited, and its group would go on without it. So
the runtime counts what the record itself did: each time its handler fails, one atomic
``UpdateItem`` adds 1 to an item keyed ``attempts#<consumer>#<message id>`` in the
stack's DynamoDB table, and the record is dead-lettered when that count reaches the
consumer's ``max_receive_count``. A success, a held record or a duplicate makes no call.

* ``ADD`` on a number attribute creates it at the added value when absent and adds to it
  otherwise, atomically ("Update expressions", ADD,
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html).
* The update is conditional on the receive it counts
  (``attribute_not_exists(lastReceive) OR lastReceive < :receive``): one receive counts at
  most once, even if a failure path ran twice for it. When the condition fails, DynamoDB
  returns the stored item with the error because ``ReturnValuesOnConditionCheckFailure``
  is ``ALL_OLD`` (UpdateItem API reference,
  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html), so
  no read is needed.
* The item expires by TTL (attribute ``expiration``, which the table's TTL reads) 14 days
  after the last failure: SQS keeps a message at most 14 days (``MessageRetentionPeriod``
  up to 1,209,600 seconds, SetQueueAttributes,
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html),
  so no message outlives its count. A message id is never reused; a redriven message is a
  new message with a new id, and starts with its own attempts at zero.

Light to import (boto3 is imported on the first failure, never on the success path).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from eventpipe.contract import ATTEMPTS_KEY_PREFIX
from eventpipe.runtime.models import RecordInfo

Log = Callable[[str, dict[str, Any]], None]
RETENTION_SECONDS = 1_209_600
"""SQS's longest message retention (14 days): how long a count outlives its last failure."""


class AttemptCounter(Protocol):
    """Counts a record's failed attempts; returns the count with this one included."""

    def failed(self, info: RecordInfo) -> int: ...


def attempts_key(consumer: str, message_id: str) -> str:
    """The table key of a record's count."""
    return f"{ATTEMPTS_KEY_PREFIX}{consumer}#{message_id}"


class DynamoAttemptCounter:
    """:class:`AttemptCounter` on a DynamoDB table keyed ``id`` (module docstring)."""

    def __init__(
        self,
        table: str,
        consumer: str,
        *,
        client: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table = table
        self.consumer = consumer
        self._client = client
        self._clock = clock

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("dynamodb")
        return self._client

    def failed(self, info: RecordInfo) -> int:
        try:
            out = self.client.update_item(
                TableName=self.table,
                Key={"id": {"S": attempts_key(self.consumer, info.message_id)}},
                UpdateExpression="ADD #attempts :one SET #receive = :receive, #expiration = :expiration",
                ConditionExpression="attribute_not_exists(#receive) OR #receive < :receive",
                ExpressionAttributeNames={
                    "#attempts": "attempts",
                    "#receive": "lastReceive",
                    "#expiration": "expiration",
                },
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":receive": {"N": str(info.receive_count)},
                    ":expiration": {"N": str(int(self._clock()) + RETENTION_SECONDS)},
                },
                ReturnValues="UPDATED_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as exc:
            response = getattr(exc, "response", None) or {}
            if response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            # This receive was counted already: the stored count stands.
            return int(response.get("Item", {}).get("attempts", {}).get("N", "1"))
        return int(out["Attributes"]["attempts"]["N"])


def count_failure(counter: AttemptCounter | None, info: RecordInfo, log: Log) -> int | None:
    """The record's own failed attempts, this one included; None when not counted (no
    counter, or it could not be reached: logged, and the receive count decides)."""
    if counter is None:
        return None
    try:
        return counter.failed(info)
    except Exception as exc:
        log(
            "could not count the record's failed attempt; the receive count decides",
            {"message_id": info.message_id, "error": f"{type(exc).__name__}: {exc}"},
        )
        return None
