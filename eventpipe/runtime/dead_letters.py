"""Copy a record to the consumer's DLQ, with its reason, whatever the record holds.

The copy keeps the original body and message attributes and adds the reason attributes
named in :mod:`eventpipe.contract` (``DLQ_ATTR_*``), so operators (``eventpipe dlq``) can
show why and redrive the original. The copy must never fail because of the record
itself, so it degrades instead, within what SQS accepts:

* SQS allows at most 10 message attributes per message ("Amazon SQS message quotas",
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
  Original attributes beyond what is left beside the reason, and those SQS would reject
  as given (a name SQS reserves or does not allow, an unknown data type, an empty value,
  a Number that is not a number, a Binary value that is not base64; rules in "Message
  metadata for Amazon SQS",
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html),
  travel together as one JSON attribute, ``eventpipe.original_attributes``.
* A message is at most 1 MiB (1,048,576 bytes), body and every part of every attribute
  (name, type and value) counted together (SendMessage ``MessageBody`` and
  ``MessageAttributeValue`` in the SQS API reference,
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html,
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html;
  raised from 256 KiB in 2025,
  https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb).
  The error message is trimmed until the copy fits. When even a copy with a minimal
  reason cannot fit, the copy is not sent: :class:`CopyDoesNotFitError` says so, and the
  caller leaves the original untouched for SQS's redrive and logs its reason.
* If SQS still rejects the copy, a compact copy is tried once (every original attribute
  in the JSON one, a short, sanitised reason) before giving up with
  :class:`~eventpipe.runtime.exceptions.DeadLetterError`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from eventpipe import contract
from eventpipe.runtime.exceptions import DeadLetterError
from eventpipe.runtime.models import RecordInfo

DLQ_ATTR_MESSAGE_ID = contract.DLQ_ATTR_MESSAGE_ID
DLQ_ATTR_ORIGINAL_ATTRIBUTES = contract.DLQ_ATTR_ORIGINAL_ATTRIBUTES
MAX_ERROR_MESSAGE = 1000
"""Characters of the error message kept: enough for a validation report, and bounded so
a huge exception text cannot crowd out the body."""
COMPACT_ERROR_MESSAGE = 200
"""Characters of the error message in the compact copy (the retry after a rejection)."""
MIN_ERROR_BYTES = 32
"""Bytes of error message below which the copy is judged not to carry its reason."""
SQS_MAX_ATTRIBUTES = 10
SQS_MAX_MESSAGE_BYTES = 1_048_576
"""SQS's maximum message size (1 MiB), body and attributes together (module docstring)."""
TRUNCATED = "... (truncated)"

# Compiled on first use (a dead letter), not at import: compiling them is part of every
# cold start otherwise, and most containers never dead-letter anything.
_NAME = r"^[A-Za-z0-9_.-]{1,256}$"
_RESERVED_PREFIXES = ("aws.", "amazon.")
_BASE_TYPES = ("String", "Number", "Binary")
# Characters SQS accepts in a body or a String value (W3C XML chars: SendMessage).
_NOT_ALLOWED = "[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"

Log = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class Reason:
    """Why a record is dead-lettered: the last error, and for a FIFO record held behind
    an earlier one of its message group, which record and group."""

    error_type: str
    error_message: str
    held_behind: str | None = None
    group: str | None = None

    @classmethod
    def of(cls, error: BaseException) -> Reason:
        return cls(type(error).__name__, str(error) or type(error).__name__)


class CopyDoesNotFitError(DeadLetterError):
    """Raised when even a copy with a minimal reason exceeds SQS's message size limit."""


def truncate(text: str, limit: int = MAX_ERROR_MESSAGE) -> str:
    """``text`` cut to at most ``limit`` characters, saying it was cut."""
    return text if len(text) <= limit else text[: max(limit - len(TRUNCATED), 0)] + TRUNCATED


def _trim_to_bytes(text: str, limit: int) -> str:
    """``text`` cut so its UTF-8 form has at most ``limit`` bytes, saying it was cut."""
    if len(text.encode()) <= limit:
        return text
    # Callers never ask for less than MIN_ERROR_BYTES, so the budget stays positive.
    cut = text.encode()[: limit - len(TRUNCATED)].decode(errors="ignore")
    return cut + TRUNCATED


def sanitize(text: str) -> str:
    """``text`` with the characters SQS rejects replaced by U+FFFD."""
    return re.sub(_NOT_ALLOWED, "\ufffd", text)


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def _valid_number(text: str) -> bool:
    """SQS Number: up to 38 significant digits, between 10^-128 and 10^+126."""
    if not re.match(_NUMBER, text):
        return False
    number = Decimal(text)  # the pattern admits only what Decimal parses
    # Significant digits, counted exactly (normalize() would round to the context's 28).
    digits = len(str(int("".join(map(str, number.as_tuple().digits)))).rstrip("0"))
    return digits <= 38 and -128 <= number.adjusted() <= 126


def valid_name(name: str) -> bool:
    """Whether SQS accepts ``name`` as a message attribute name."""
    return (
        bool(re.match(_NAME, name))
        and not name.lower().startswith(_RESERVED_PREFIXES)
        and not name.startswith(".")
        and not name.endswith(".")
        and ".." not in name
    )


def _valid_type(data_type: Any) -> bool:
    """``String``, ``Number`` or ``Binary``, optionally with a ``.label``, at most 256."""
    if not isinstance(data_type, str) or len(data_type) > 256:
        return False
    base, dot, label = data_type.partition(".")
    return base in _BASE_TYPES and (not dot or bool(label)) and sanitize(label) == label


def send_shape(name: str, attr: Mapping[str, Any]) -> dict[str, Any] | None:
    """Lambda event attribute (``dataType``, ``stringValue``, base64 ``binaryValue``) ->
    SendMessage attribute, or ``None`` when SQS would reject it as given (the value then
    travels in the JSON attribute instead)."""
    if not isinstance(attr, Mapping) or not valid_name(name):
        return None
    data_type: str = attr.get("dataType")  # type: ignore[assignment]
    if not _valid_type(data_type):
        return None
    if data_type.startswith("Binary"):
        try:
            value = base64.b64decode(attr.get("binaryValue") or "", validate=True)
        except (binascii.Error, ValueError, TypeError):
            return None
        return {"DataType": data_type, "BinaryValue": value} if value else None
    text = attr.get("stringValue")
    if not isinstance(text, str) or not text or sanitize(text) != text:
        return None
    if data_type.startswith("Number") and not _valid_number(text):
        return None
    return {"DataType": data_type, "StringValue": text}


def attribute_size(name: str, value: Mapping[str, Any]) -> int:
    """Bytes an attribute counts toward the message size: name, type and value."""
    size = len(name.encode()) + len(value["DataType"].encode())
    if "BinaryValue" in value:
        return size + len(value["BinaryValue"])
    return size + len(value["StringValue"].encode())


def message_size(body: str, attributes: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes SQS counts for a message: the body plus every attribute."""
    return len(body.encode()) + sum(attribute_size(k, v) for k, v in attributes.items())


def _json_safe(attr: Any) -> Any:
    """An original attribute as JSON can hold it (bytes as base64)."""
    if isinstance(attr, Mapping):
        return {k: _json_safe(v) for k, v in attr.items()}
    if isinstance(attr, list | tuple):
        return [_json_safe(v) for v in attr]
    if isinstance(attr, bytes | bytearray):
        return base64.b64encode(bytes(attr)).decode()
    return attr


def _previous_spill(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Originals an earlier dead-lettering put in the JSON attribute (a redriven copy
    that failed again): they are kept, never dropped."""
    previous = attrs.get(DLQ_ATTR_ORIGINAL_ATTRIBUTES)
    if not isinstance(previous, Mapping):
        return {}
    try:
        parsed = json.loads(previous.get("stringValue") or previous.get("StringValue") or "")
    except (TypeError, ValueError):
        return {DLQ_ATTR_ORIGINAL_ATTRIBUTES: previous}
    return parsed if isinstance(parsed, dict) else {DLQ_ATTR_ORIGINAL_ATTRIBUTES: previous}


def build_message(
    info: RecordInfo,
    error: BaseException | Reason,
    consumer: str,
    fifo_dlq: bool,
    *,
    compact: bool = False,
    limit: int = SQS_MAX_MESSAGE_BYTES,
) -> dict[str, Any]:
    """The ``SendMessage`` parameters (without ``QueueUrl``) of the DLQ copy.

    ``compact`` puts every original attribute in the JSON one and keeps a shorter
    reason. Raises :class:`CopyDoesNotFitError` when the copy cannot fit ``limit``.
    """
    reason = error if isinstance(error, Reason) else Reason.of(error)
    ours: dict[str, dict[str, str]] = {
        contract.DLQ_ATTR_ERROR_TYPE: _string(truncate(sanitize(reason.error_type), 256)),
        contract.DLQ_ATTR_CONSUMER: _string(consumer),
        contract.DLQ_ATTR_RECEIVE_COUNT: {
            "DataType": "Number",
            "StringValue": str(info.receive_count),
        },
        contract.DLQ_ATTR_FAILED_AT: _string(datetime.now(UTC).isoformat(timespec="milliseconds")),
        DLQ_ATTR_MESSAGE_ID: _string(info.message_id),
    }
    if reason.held_behind:
        ours[contract.DLQ_ATTR_HELD_BEHIND] = _string(reason.held_behind)
        ours[contract.DLQ_ATTR_MESSAGE_GROUP] = _string(reason.group or "(none)")

    attrs = info.message_attributes
    spill: dict[str, Any] = _previous_spill(attrs)
    copyable: dict[str, dict[str, Any]] = {}
    for name, attr in attrs.items():
        if name in contract.DLQ_REASON_ATTRIBUTES:
            continue  # an earlier reason: replaced by this one (its spill is kept above)
        sent = None if compact else send_shape(name, attr)
        if sent is None:
            spill[name] = attr
        else:
            copyable[name] = sent
    # Room beside ours and the error message; one more goes if the JSON one is needed.
    room = SQS_MAX_ATTRIBUTES - len(ours) - 1
    names = list(copyable)
    if spill or len(names) > room:
        keep, overflow = names[: room - 1], names[room - 1 :]
        for name in overflow:
            spill[name] = attrs[name]
    else:
        keep = names
    attributes: dict[str, dict[str, Any]] = {k: copyable[k] for k in keep}
    attributes.update(ours)
    if spill:
        attributes[DLQ_ATTR_ORIGINAL_ATTRIBUTES] = _string(
            json.dumps(_json_safe(spill), separators=(",", ":"), default=str)
        )

    text = truncate(
        sanitize(reason.error_message), COMPACT_ERROR_MESSAGE if compact else MAX_ERROR_MESSAGE
    )
    name = contract.DLQ_ATTR_ERROR_MESSAGE
    fixed = message_size(info.body, attributes) + len(name.encode()) + len(b"String")
    room_bytes = limit - fixed
    if room_bytes < MIN_ERROR_BYTES:
        raise CopyDoesNotFitError(
            f"message {info.message_id} cannot be copied to the DLQ with its reason: the "
            f"body and attributes take {fixed} bytes of SQS's {limit}; it is left for SQS's "
            f"redrive (reason: {reason.error_type}: {truncate(reason.error_message, 300)})"
        )
    attributes[name] = _string(_trim_to_bytes(text, room_bytes))
    params: dict[str, Any] = {"MessageBody": info.body, "MessageAttributes": attributes}
    if fifo_dlq:
        params["MessageGroupId"] = info.group_id or consumer
        params["MessageDeduplicationId"] = info.message_id
    return params


def send_to_dlq(
    sqs: Any,
    dlq_url: str | None,
    info: RecordInfo,
    error: BaseException | Reason,
    consumer: str,
    log: Log | None = None,
) -> str | None:
    """Send the copy and return the DLQ's id of it (SendMessage's ``MessageId``); raise
    :class:`DeadLetterError` if it is not certainly stored.

    A rejected copy is logged (``log(message, extra)``) and tried once more compact.
    """
    if not dlq_url:
        raise DeadLetterError(
            f"cannot dead-letter message {info.message_id}: {contract.ENV_DLQ_URL} is not set; "
            "it is retried instead (SQS redrive moves it after maxReceiveCount)"
        )
    fifo = dlq_url.endswith(".fifo")
    params = build_message(info, error, consumer, fifo_dlq=fifo)
    try:
        return _sent_id(sqs.send_message(QueueUrl=dlq_url, **params))
    except Exception as exc:
        first = f"{type(exc).__name__}: {exc}"
    if log is not None:
        log(
            "DLQ copy rejected; trying a compact copy",
            {"message_id": info.message_id, "error": first},
        )
    params = build_message(info, error, consumer, fifo_dlq=fifo, compact=True)
    try:
        return _sent_id(sqs.send_message(QueueUrl=dlq_url, **params))
    except Exception as exc:
        raise DeadLetterError(
            f"sending message {info.message_id} to the DLQ failed ({first}; compact copy: "
            f"{type(exc).__name__}: {exc}); it is retried instead"
        ) from exc


def _sent_id(response: Any) -> str | None:
    """The ``MessageId`` of a SendMessage response (SQS API reference, SendMessage:
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html)."""
    found = response.get("MessageId") if isinstance(response, dict) else None
    return str(found) if found else None
