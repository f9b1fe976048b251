"""Pure conversions the invoker needs to build the records Lambda would get.

The consumer settings the deploy side would put in the function's environment, the FIFO
MessageGroupId the rule target would compute, and the message attribute shapes
(SendMessage/ReceiveMessage vs the Lambda event). No AWS calls: kept apart from
:mod:`eventpipe.testing.invoke` so the invoker module is about running the consumer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from eventpipe.consumer import Consumer

DEFAULT_CONSUMER = "test-consumer"


@dataclass(frozen=True)
class InvokedConsumer:
    """The consumer as the invoker runs it: a Consumer's settings, or a bare handler's
    defaults, with the call's overrides (``fifo=``, ``name=``...) applied. Has what
    :func:`eventpipe.function_env.function_environment` reads."""

    name: str
    handler: str
    fifo: bool
    source: Literal["rule", "topic", "queue"]
    idempotent: bool
    idempotency_ttl: int
    max_receive_count: int
    visibility_timeout: int
    message_group: str | None
    environment: Mapping[str, str]
    batch_size: int = 10

    @property
    def effective_visibility_timeout(self) -> int:
        return self.visibility_timeout

    @property
    def queue_max_receive_count(self) -> int:
        from eventpipe.consumer import queue_receive_limit

        return queue_receive_limit(self.fifo, self.max_receive_count, self.batch_size)


def target_for(
    consumer: Consumer | str,
    *,
    fifo: bool | None,
    source: Literal["rule", "queue"] | None,
    idempotent: bool | None,
    name: str | None,
) -> InvokedConsumer:
    if isinstance(consumer, str):
        return InvokedConsumer(
            name=name or DEFAULT_CONSUMER,
            handler=consumer,
            fifo=bool(fifo),
            source=source or "rule",
            idempotent=bool(idempotent),
            idempotency_ttl=3600,
            max_receive_count=5,
            visibility_timeout=180,
            message_group=None,
            environment={},
        )
    return InvokedConsumer(
        name=name or consumer.name,
        handler=consumer.handler,
        fifo=consumer.fifo if fifo is None else fifo,
        source=source or consumer.source,
        idempotent=consumer.idempotent if idempotent is None else idempotent,
        idempotency_ttl=consumer.idempotency_ttl,
        max_receive_count=consumer.max_receive_count,
        visibility_timeout=consumer.effective_visibility_timeout,
        message_group=consumer.message_group,
        environment=dict(consumer.environment),
        batch_size=consumer.batch_size,
    )


def group_for(target: InvokedConsumer, body: Any) -> str:
    """MessageGroupId the rule target would compute (a fixed id or ``$.detail.x`` path)."""
    spec = target.message_group
    if not spec:
        return target.name
    if not spec.startswith("$."):
        return spec
    value: Any = body
    for part in spec[2:].split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return str(value) if value is not None else target.name


def to_lambda_attributes(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """SendMessage/ReceiveMessage attribute shape -> Lambda event shape."""
    import base64

    out: dict[str, Any] = {}
    for key, value in attrs.items():
        binary = value.get("BinaryValue")
        out[key] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode() if binary is not None else None,
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
    return out


def to_send_attributes(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values or send-shaped dicts -> SendMessage ``MessageAttributes``."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if isinstance(value, dict) and "DataType" in value:
            out[key] = value
        elif isinstance(value, bytes):
            out[key] = {"DataType": "Binary", "BinaryValue": value}
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = {"DataType": "Number", "StringValue": str(value)}
        else:
            out[key] = {"DataType": "String", "StringValue": str(value)}
    return out
