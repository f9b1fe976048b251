"""Turn one SQS record into the arguments of the handler call.

Decode errors become :class:`InvalidEventError` (a ``PermanentError``): a body that is
not an EventBridge event, or a detail that fails the handler's model, will fail the same
way on every retry, so it goes to the DLQ at once with the validation message.

A queue subscribed to an SNS topic (source ``"topic"``) receives either the SNS
notification JSON (``Type`` ``"Notification"``, ``MessageId``, ``TopicArn``, ``Message``,
``MessageAttributes``...: "HTTP/HTTPS notification JSON format",
https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html, the body SNS
sends to an SQS subscription too) or, with raw message delivery, the published message
as is ("Amazon SNS raw message delivery",
https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html:
"any Amazon SNS metadata is stripped from the published message and the message is sent
as is"; the message attributes then arrive as SQS message attributes). The runtime
unwraps the first and passes the second through, so the handler receives the published
message as a ``"queue"`` consumer receives its body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from pydantic import ValidationError

from eventpipe import contract
from eventpipe.runtime.exceptions import InvalidEventError
from eventpipe.runtime.introspect import HandlerShape
from eventpipe.runtime.models import Event, RecordInfo

Decoder = Callable[[dict[str, Any], RecordInfo], tuple[Any, Event[Any] | None]]
"""``(raw record, info) -> (first handler argument, the Event or None for bodies)``."""


def record_info(raw: dict[str, Any], max_receive_count: int | None) -> RecordInfo:
    """:class:`RecordInfo` of a raw SQS record (the Lambda event shape)."""
    attrs = raw.get("attributes") or {}
    return RecordInfo(
        raw["messageId"],
        raw.get("receiptHandle", ""),
        int(attrs.get("ApproximateReceiveCount", 1)),
        int(attrs.get("SentTimestamp", 0)),
        raw.get("eventSourceARN", ""),
        raw.get("body", ""),
        attrs.get("MessageGroupId"),
        attrs.get("SequenceNumber"),
        attrs.get("MessageDeduplicationId"),
        attrs,
        raw.get("messageAttributes") or {},
        max_receive_count,
    )


def _describe(target: Any) -> str:
    return getattr(target, "__name__", None) or repr(target)


def _validation_message(exc: ValidationError, what: str) -> str:
    lines = [f"{what} failed validation ({exc.error_count()} error(s)):"]
    for err in exc.errors(include_url=False)[:10]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        lines.append(f"  {loc}: {err['msg']}")
    return "\n".join(lines)


def _invalid(exc: ValidationError, body: str, what: str) -> InvalidEventError:
    errors = exc.errors(include_url=False)
    if errors and errors[0]["type"] == "json_invalid":
        return InvalidEventError(
            f"the message body is not JSON (an EventBridge event was expected): "
            f"{errors[0]['msg']}; body starts {body[:80]!r}"
        )
    if errors and errors[0]["type"] == "model_type":
        return InvalidEventError(
            f"the message body is JSON but not an EventBridge event object; "
            f"body starts {body[:80]!r}"
        )
    return InvalidEventError(_validation_message(exc, f"EventBridge event ({what})"))


def sns_message(body: str) -> str:
    """The published message of a topic-fed record's body (see the module docstring).

    A body that is an SNS notification envelope gives its ``Message``; any other body
    is a raw delivery and is the message itself. An SNS confirmation message (a
    cross-account subscription's ``SubscriptionConfirmation``) is not an event: it raises
    :class:`InvalidEventError` naming what to do.
    """
    if not body.startswith("{"):
        return body
    try:
        envelope = json.loads(body)
    except ValueError:
        return body
    if not isinstance(envelope, dict) or not isinstance(envelope.get("TopicArn"), str):
        return body
    kind = envelope.get("Type")
    if kind == "Notification" and isinstance(envelope.get("Message"), str):
        message: str = envelope["Message"]
        return message
    if kind in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        raise InvalidEventError(
            f"an SNS {kind} message from {envelope['TopicArn']}, not a notification: "
            "confirm the subscription with its SubscribeURL (or subscribe the queue from "
            "the topic's account); it carries no event"
        )
    return body


def event_id_of(body: str, source: str) -> str | None:
    """The id a record's body carries, read without validating it, or None.

    A rule-fed body is an EventBridge event: its ``id``. A topic-fed body that is an SNS
    notification: its ``MessageId`` (the id ``Publish`` returned; "HTTP/HTTPS notification
    JSON format", https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html).
    A raw delivery or a direct-queue body has none of its own. Used for the log lines of
    a record: on a success of a topic-fed record, and when a body fails to decode (so the
    line names the event it was, as far as the body says).
    """
    if source == contract.SOURCE_QUEUE or not body.startswith("{"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if source == contract.SOURCE_TOPIC:
        found = data.get("MessageId") if isinstance(data.get("TopicArn"), str) else None
    else:
        found = data.get("id")
    return found if isinstance(found, str) and found else None


def make_decoder(shape: HandlerShape, source: str = contract.SOURCE_RULE) -> Decoder:
    """A decoder specialised once per container for the handler's shape and source."""
    decode = _make_decoder(shape)
    if source != contract.SOURCE_TOPIC:
        return decode

    def decode_topic(raw: dict[str, Any], info: RecordInfo) -> tuple[Any, Event[Any] | None]:
        return decode({**raw, "body": sns_message(raw["body"])}, info)

    return decode_topic


def _make_decoder(shape: HandlerShape) -> Decoder:
    if shape.kind in ("event", "detail"):
        model = shape.event_model or Event
        want_detail = shape.kind == "detail"
        target_name = _describe(shape.target) if shape.target is not None else "dict"

        def decode_event(raw: dict[str, Any], info: RecordInfo) -> tuple[Any, Event[Any] | None]:
            try:
                # Powertools' parser validates straight from the JSON text (no json.loads).
                event = parse(event=raw["body"], model=model)
            except ValidationError as exc:
                raise _invalid(exc, raw["body"], f"detail as {target_name}") from None
            event.__dict__["record"] = info  # frozen model: the runtime attaches its record
            return (event.detail if want_detail else event), event

        return decode_event

    target = shape.target
    if target is None:

        def decode_any(raw: dict[str, Any], info: RecordInfo) -> tuple[Any, Event[Any] | None]:
            body = raw["body"]
            try:
                return json.loads(body), None
            except (TypeError, ValueError):
                return body, None

        return decode_any
    if target is str:
        return lambda raw, info: (raw["body"], None)

    def decode_body(raw: dict[str, Any], info: RecordInfo) -> tuple[Any, Event[Any] | None]:
        try:
            return parse(event=raw["body"], model=target), None
        except ValidationError as exc:
            raise InvalidEventError(
                _validation_message(exc, f"message body (as {_describe(target)})")
            ) from None

    return decode_body
