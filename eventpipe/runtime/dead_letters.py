"""Send a record to the consumer's DLQ at once, with the reason attached.

The copy keeps the original body and message attributes and adds the reason attributes
named in :mod:`eventpipe.contract`, so operators (``eventpipe dlq``) can show why and
redrive the original. SQS allows 10 message attributes per message: when the original's
and ours do not fit, the original ones that do not fit travel as JSON in
``eventpipe.original_attributes`` instead of being dropped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from eventpipe import contract
from eventpipe.runtime.exceptions import DeadLetterError
from eventpipe.runtime.models import RecordInfo

DLQ_ATTR_MESSAGE_ID = contract.DLQ_ATTR_MESSAGE_ID
DLQ_ATTR_ORIGINAL_ATTRIBUTES = contract.DLQ_ATTR_ORIGINAL_ATTRIBUTES
MAX_ERROR_MESSAGE = 1000
"""Characters of the error message kept: enough for a validation report, and bounded so
a huge exception text cannot push the copy past the SQS message size limit."""
SQS_MAX_ATTRIBUTES = 10


def truncate(text: str, limit: int = MAX_ERROR_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 15] + "... (truncated)"


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def _send_shape(attr: dict[str, Any]) -> dict[str, Any]:
    """Lambda event attribute shape -> SendMessage shape (binary values are base64 there)."""
    import base64

    data_type = attr.get("dataType") or attr.get("DataType") or "String"
    if attr.get("binaryValue") is not None:
        return {"DataType": data_type, "BinaryValue": base64.b64decode(attr["binaryValue"])}
    return {"DataType": data_type, "StringValue": attr.get("stringValue") or ""}


def build_message(
    info: RecordInfo, error: BaseException, consumer: str, fifo_dlq: bool
) -> dict[str, Any]:
    """The ``SendMessage`` parameters (without ``QueueUrl``) of the DLQ copy."""
    ours = {
        contract.DLQ_ATTR_ERROR_TYPE: _string(type(error).__name__),
        contract.DLQ_ATTR_ERROR_MESSAGE: _string(truncate(str(error) or type(error).__name__)),
        contract.DLQ_ATTR_CONSUMER: _string(consumer),
        contract.DLQ_ATTR_RECEIVE_COUNT: {
            "DataType": "Number",
            "StringValue": str(info.receive_count),
        },
        contract.DLQ_ATTR_FAILED_AT: _string(datetime.now(UTC).isoformat(timespec="milliseconds")),
        DLQ_ATTR_MESSAGE_ID: _string(info.message_id),
    }
    original = {k: v for k, v in info.message_attributes.items() if k not in ours}
    room = SQS_MAX_ATTRIBUTES - len(ours)
    names = list(original)
    if len(names) > room:
        keep, spill = names[: room - 1], names[room - 1 :]
        ours[DLQ_ATTR_ORIGINAL_ATTRIBUTES] = _string(json.dumps({k: original[k] for k in spill}))
    else:
        keep = names
    attributes = {k: _send_shape(original[k]) for k in keep}
    attributes.update(ours)
    params: dict[str, Any] = {"MessageBody": info.body, "MessageAttributes": attributes}
    if fifo_dlq:
        params["MessageGroupId"] = info.group_id or consumer
        params["MessageDeduplicationId"] = info.message_id
    return params


def send_to_dlq(
    sqs: Any, dlq_url: str | None, info: RecordInfo, error: BaseException, consumer: str
) -> None:
    """Send the copy; raise :class:`DeadLetterError` if it is not certainly stored."""
    if not dlq_url:
        raise DeadLetterError(
            f"cannot dead-letter message {info.message_id}: {contract.ENV_DLQ_URL} is not set; "
            "it is retried instead (SQS redrive moves it after maxReceiveCount)"
        ) from error
    params = build_message(info, error, consumer, fifo_dlq=dlq_url.endswith(".fifo"))
    try:
        sqs.send_message(QueueUrl=dlq_url, **params)
    except Exception as exc:
        raise DeadLetterError(
            f"sending message {info.message_id} to the DLQ failed ({type(exc).__name__}: {exc}); "
            "it is retried instead"
        ) from exc
