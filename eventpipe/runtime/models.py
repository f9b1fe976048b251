"""What a handler receives: the EventBridge envelope (``Event[T]``) and SQS metadata.

Field names follow the EventBridge event structure (``detail-type`` is ``detail_type``)
and the SQS record of the Lambda event source mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

DetailT = TypeVar("DetailT")


@dataclass(frozen=True, slots=True)
class RecordInfo:
    """SQS metadata of the record being processed.

    A plain dataclass, built without validation for every record (SQS wrote the values),
    because it sits on the per-record hot path.

    Example::

        def process(event: Event[OrderCreated], record: RecordInfo) -> None:
            if record.receive_count > 1:
                logger.info("retrying", extra={"attempt": record.receive_count})
    """

    message_id: str
    receipt_handle: str
    receive_count: int
    """ApproximateReceiveCount: 1 on the first delivery."""
    sent_timestamp_ms: int
    """SentTimestamp in epoch milliseconds (see :attr:`sent_timestamp`)."""
    queue_arn: str
    body: str
    """The raw message body, as received."""
    group_id: str | None = None
    """FIFO MessageGroupId."""
    sequence_number: str | None = None
    deduplication_id: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    """System attributes as SQS sent them (ApproximateReceiveCount, SentTimestamp, ...)."""
    message_attributes: Mapping[str, Any] = field(default_factory=dict)
    """Message attributes in the Lambda event shape (``stringValue``, ``dataType``...)."""
    max_receive_count: int | None = None
    """The queue's maxReceiveCount, when the deploy side set it."""

    @property
    def sent_timestamp(self) -> datetime:
        """When SQS received the message (UTC)."""
        return datetime.fromtimestamp(self.sent_timestamp_ms / 1000, UTC)

    @property
    def last_attempt(self) -> bool:
        """True when a failure now makes SQS move the message to the DLQ."""
        return self.max_receive_count is not None and self.receive_count >= self.max_receive_count


NO_RECORD = RecordInfo("", "", 0, 0, "", "")
"""Placeholder ``record`` of an :class:`Event` built outside the runtime (e.g. in a test)."""


class Event(BaseModel, Generic[DetailT]):
    """An EventBridge event as a rule-fed handler receives it, with its SQS record.

    ``Event[OrderCreated]`` parses ``detail`` into the model; plain ``Event`` keeps it a dict.

    Example::

        from eventpipe.runtime import Event

        def process(event: Event[OrderCreated]) -> None:
            save(event.detail.order_id, placed_at=event.time, event_id=event.id)
    """

    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="ignore")

    id: str
    source: str
    detail_type: str = Field(alias="detail-type")
    time: datetime
    account: str
    region: str
    resources: list[str] = Field(default_factory=list)
    detail: DetailT
    version: str = "0"
    replay_name: str | None = Field(default=None, alias="replay-name")
    """Set when the event is replayed from an archive."""

    def __init__(self, /, record: RecordInfo | None = None, **data: Any) -> None:
        # ``record`` is no model field (see the property below), so pydantic would drop it
        # with the ignored extras: keep one given by a test, as the runtime attaches its own.
        super().__init__(**data)
        if record is not None:
            self.__dict__["record"] = record

    @property
    def record(self) -> RecordInfo:
        """The SQS record that carried the event (set by the runtime; ``NO_RECORD`` on an
        event built elsewhere). Not a model field, so it is never validated, dumped or in
        the JSON Schema, and the model's schema stays small: building it is part of every
        cold start."""
        found: RecordInfo = self.__dict__.get("record", NO_RECORD)
        return found
