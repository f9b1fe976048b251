"""Factories for real-shaped Lambda payloads: EventBridge events, SQS records, contexts.

The shapes follow AWS's documentation ("Using Lambda with Amazon SQS" sample event and
"Amazon EventBridge events" structure) field for field, so a handler that works on these
works on what the event source mapping sends. Every field can be overridden.

Example::

    from eventpipe.testing import eventbridge_event, sqs_event, sqs_record, lambda_context

    ev = eventbridge_event("Order Created", "ecommerce.orders", {"orderId": "o-1"})
    batch = sqs_event([sqs_record(ev, fifo=True, group_id="c-1")])
    response = eventpipe.runtime.handler(batch, lambda_context())
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_QUEUE_ARN = f"arn:aws:sqs:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:eventpipe-test-queue"
DEFAULT_FIFO_QUEUE_ARN = f"arn:aws:sqs:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:eventpipe-test-queue.fifo"

# FIFO sequence numbers are 20-digit, strictly increasing per queue; a process-wide
# counter keeps records built in one test ordered the way SQS would order them.
_SEQUENCE = itertools.count(18849496460467696128)


def eventbridge_event(
    detail_type: str,
    source: str,
    detail: dict[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """An EventBridge event envelope as a rule target receives it.

    ``overrides`` replace top-level fields; use the wire names or their snake_case
    spelling (``detail_type``, ``replay_name``). ``time`` may be a ``datetime``.
    """
    now = datetime.now(UTC).replace(microsecond=0)
    event: dict[str, Any] = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": DEFAULT_ACCOUNT,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": DEFAULT_REGION,
        "resources": [],
        "detail": detail if detail is not None else {},
    }
    for key, value in overrides.items():
        wire = key.replace("_", "-") if key in ("detail_type", "replay_name") else key
        if wire == "time" and isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        event[wire] = value
    return event


def _queue_name(queue_arn: str) -> str:
    return queue_arn.rsplit(":", 1)[-1]


def message_attribute(
    value: str | int | float | bytes, data_type: str | None = None
) -> dict[str, Any]:
    """One SQS message attribute in the Lambda event shape (camelCase, base64 binary)."""
    if isinstance(value, bytes):
        return {
            "stringValue": None,
            "binaryValue": base64.b64encode(value).decode(),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": data_type or "Binary",
        }
    if isinstance(value, bool) or not isinstance(value, int | float):
        return {
            "stringValue": str(value),
            "binaryValue": None,
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": data_type or "String",
        }
    return {
        "stringValue": str(value),
        "binaryValue": None,
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": data_type or "Number",
    }


def sqs_record(
    body: str | dict[str, Any] | list[Any],
    *,
    fifo: bool = False,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    receive_count: int = 1,
    queue_arn: str | None = None,
    message_attributes: dict[str, Any] | None = None,
    message_id: str | None = None,
    receipt_handle: str | None = None,
    sent_timestamp: int | None = None,
    sender_id: str = "AIDAIENQZJOLO23YVJ4VO",
    region: str | None = None,
) -> dict[str, Any]:
    """One SQS record as the Lambda event source mapping delivers it.

    ``body`` may be a string (sent as is) or anything JSON-serialisable (an EventBridge
    event dict, a payload). ``message_attributes`` values may be plain values (converted
    with :func:`message_attribute`) or already in the Lambda shape. ``md5OfBody`` is the
    real MD5 of the body, as SQS computes it.
    """
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    arn = queue_arn or (DEFAULT_FIFO_QUEUE_ARN if fifo else DEFAULT_QUEUE_ARN)
    region = region or arn.split(":")[3]
    sent = sent_timestamp if sent_timestamp is not None else int(time.time() * 1000)
    mid = message_id or str(uuid.uuid4())
    attributes: dict[str, str] = {
        "ApproximateReceiveCount": str(receive_count),
        "SentTimestamp": str(sent),
        "SenderId": sender_id,
        "ApproximateFirstReceiveTimestamp": str(sent + 5),
    }
    if fifo:
        attributes["SequenceNumber"] = str(next(_SEQUENCE))
        attributes["MessageGroupId"] = group_id or "default"
        attributes["MessageDeduplicationId"] = (
            deduplication_id or hashlib.sha256(text.encode()).hexdigest()
        )
    attrs: dict[str, Any] = {}
    for name, value in (message_attributes or {}).items():
        attrs[name] = (
            value if isinstance(value, dict) and "dataType" in value else message_attribute(value)
        )
    return {
        "messageId": mid,
        "receiptHandle": receipt_handle
        or base64.b64encode(f"{_queue_name(arn)}:{mid}:{uuid.uuid4()}".encode()).decode(),
        "body": text,
        "attributes": attributes,
        "messageAttributes": attrs,
        "md5OfBody": hashlib.md5(text.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": region,
    }


def sqs_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The Lambda event for a batch of SQS records: ``{"Records": [...]}``."""
    return {"Records": list(records)}


@dataclass
class LambdaContext:
    """Stand-in for the Lambda context object, with what Powertools reads from it.

    ``get_remaining_time_in_millis`` counts down from ``timeout_ms`` in real time, so
    Powertools idempotency computes a realistic in-progress expiry.
    """

    function_name: str = "eventpipe-test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/eventpipe-test-function"
    log_stream_name: str = "2026/01/01/[$LATEST]0123456789abcdef"
    timeout_ms: int = 30_000
    invoked_function_arn: str = ""
    _started: float = field(default_factory=time.monotonic, repr=False)

    def __post_init__(self) -> None:
        if not self.invoked_function_arn:
            self.invoked_function_arn = (
                f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:{self.function_name}"
            )

    def get_remaining_time_in_millis(self) -> int:
        elapsed = int((time.monotonic() - self._started) * 1000)
        return max(self.timeout_ms - elapsed, 0)


def lambda_context(function_name: str = "eventpipe-test-function", **kwargs: Any) -> LambdaContext:
    """A :class:`LambdaContext` stand-in; keyword arguments override its fields."""
    return LambdaContext(function_name=function_name, **kwargs)
