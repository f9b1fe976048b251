"""Publishing events to an eventpipe bus: the library API producers import.

Example::

    from eventpipe.publish import Publisher

    publisher = Publisher("eventpipe-dev-bus", source="ecommerce.orders")
    publisher.publish("Order Created", {"orderId": "o-1", "amount": 99.99})

    result = publisher.publish_many(
        {"detail_type": "Order Created", "detail": {"orderId": f"o-{i}"}} for i in range(500)
    )
    if not result.ok:
        for failure in result.failures:
            print(failure.index, failure.error_code, failure.error_message)

Why not one ``put_events`` call per event: each call carries up to 10 entries, so batching cuts round trips (and cost) by up to 10x; and a
``PutEvents`` call that "succeeds" may still have failed entries (``FailedEntryCount``),
which must be looked at entry by entry and retried when transient, or events are lost
silently.
"""

from __future__ import annotations

import json
import random
import time as _time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventpipe.batch_retry import full_jitter, retry_rounds, split_batches
from eventpipe.exceptions import EventpipeError

MAX_ENTRIES_PER_CALL = 10
"""PutEvents accepts at most 10 entries per request."""
MAX_REQUEST_BYTES = 1_048_576
"""PutEvents request (and so entry) size limit: 1 MiB, measured as :func:`entry_size`."""
TIME_BYTES = 14
"""What AWS counts for an entry's ``Time``, whatever its representation."""

RETRYABLE_CODES = frozenset(
    {"ThrottlingException", "InternalFailure", "InternalException", "ServiceUnavailable"}
)
"""Entry ``ErrorCode`` (and call error codes) worth retrying: AWS documents
``ThrottlingException`` and ``InternalFailure`` as the retryable entry errors; the others
(``MalformedDetail``, ``AccessDeniedException``, ...) fail the same way every time."""

Sleep = Callable[[float], None]


class PublishError(EventpipeError):
    """Base class of errors raised while publishing."""


class EntryTooLargeError(PublishError, ValueError):
    """Raised before any call when an entry is over the PutEvents size limit."""

    def __init__(self, index: int, size: int, limit: int = MAX_REQUEST_BYTES):
        self.index = index
        self.size = size
        super().__init__(
            f"event {index} is {size:,} bytes; PutEvents accepts at most {limit:,} bytes "
            "per entry (Source + DetailType + Detail + Resources, UTF-8, +14 for Time). "
            "Store the payload elsewhere (e.g. S3) and publish a reference to it."
        )


class InvalidEntryError(PublishError, ValueError):
    """Raised before any call when an event lacks a field or its detail is not an object."""

    def __init__(self, index: int, message: str):
        self.index = index
        super().__init__(f"event {index}: {message}")


class PublishCallError(PublishError):
    """Raised when a PutEvents call fails for a reason retrying cannot fix (unknown bus,
    access denied). ``result`` holds what was published before it."""

    def __init__(self, code: str, message: str, result: PublishResult):
        self.code = code
        self.result = result
        super().__init__(
            f"PutEvents failed with {code}: {message} "
            f"({result.succeeded} of {result.total} event(s) were published before it)"
        )


@dataclass(frozen=True)
class OutgoingEvent:
    """One event to publish. ``detail`` may be a mapping, a pydantic model or JSON text."""

    detail_type: str
    detail: Any = field(default_factory=dict)
    source: str | None = None
    resources: Sequence[str] | None = None
    time: datetime | None = None


@dataclass(frozen=True)
class FailedEntry:
    """An event that was not published, and why (AWS's ErrorCode / ErrorMessage)."""

    index: int
    detail_type: str
    error_code: str
    error_message: str
    attempts: int


@dataclass
class PublishResult:
    """What happened to each event of a publish call, by input position."""

    total: int
    event_ids: dict[int, str] = field(default_factory=dict)
    failures: list[FailedEntry] = field(default_factory=list)
    calls: int = 0
    retried: int = 0
    """Entries sent again after a retryable failure (counted once per resend)."""

    @property
    def succeeded(self) -> int:
        return len(self.event_ids)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def event_id(self) -> str | None:
        """The id of the first event (convenient after ``publish``)."""
        return self.event_ids.get(0)

    def failure_counts(self) -> dict[str, int]:
        """How many events failed with each error code."""
        counts: dict[str, int] = {}
        for failure in self.failures:
            counts[failure.error_code] = counts.get(failure.error_code, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "succeeded": self.succeeded,
            "failed": len(self.failures),
            "calls": self.calls,
            "retried": self.retried,
            "failures": [vars(f) for f in self.failures],
        }


def entry_size(entry: Mapping[str, Any]) -> int:
    """Size AWS charges an entry against the limit (EventBridge user guide, "Calculating
    PutEvents event entry size"): 14 bytes for Time if set, plus the UTF-8 bytes of
    Source, DetailType, Detail and each Resources item. ``EventBusName`` is not counted."""
    size = TIME_BYTES if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        value = entry.get(key)
        if value is not None:
            size += len(str(value).encode("utf-8"))
    for resource in entry.get("Resources") or ():
        if resource is not None:
            size += len(resource.encode("utf-8"))
    return size


def _detail_json(index: int, detail: Any) -> str:
    if hasattr(detail, "model_dump_json"):  # a pydantic model (the consumer's detail type)
        return str(detail.model_dump_json(by_alias=True))
    if isinstance(detail, str | bytes):
        text = detail.decode("utf-8") if isinstance(detail, bytes) else detail
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise InvalidEntryError(index, f"detail is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise InvalidEntryError(index, "detail must be a JSON object")
        return text
    if isinstance(detail, Mapping):
        return json.dumps(detail, separators=(",", ":"), ensure_ascii=False, default=str)
    raise InvalidEntryError(
        index, f"detail is a {type(detail).__name__}; give a dict, a pydantic model or JSON"
    )


def _pick(data: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in data:
            return data[key]
    return None


def as_event(item: OutgoingEvent | Mapping[str, Any]) -> OutgoingEvent:
    """Accept an :class:`OutgoingEvent` or a mapping in any of the spellings people have at hand:
    ``detail_type`` (Python), ``detail-type`` (an EventBridge event) or ``DetailType``
    (a PutEvents entry)."""
    if isinstance(item, OutgoingEvent):
        return item
    return OutgoingEvent(
        detail_type=_pick(item, "detail_type", "detail-type", "DetailType"),
        detail=_pick(item, "detail", "Detail") or {},
        source=_pick(item, "source", "Source"),
        resources=_pick(item, "resources", "Resources"),
        time=_pick(item, "time", "Time"),
    )


class Publisher:
    """Publishes events to one bus, in batches, retrying transient failures.

    ``client`` is a boto3 EventBridge client (default: one from ``region``/``endpoint_url``
    and the usual credential chain). ``sleep`` and ``rng`` are injectable so tests run
    the backoff without waiting.
    """

    def __init__(
        self,
        bus_name: str,
        *,
        client: Any | None = None,
        source: str | None = None,
        max_attempts: int = 5,
        base_delay: float = 0.1,
        max_delay: float = 5.0,
        sleep: Sleep = _time.sleep,
        rng: Callable[[], float] = random.random,
        region: str | None = None,
        endpoint_url: str | None = None,
    ):
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.bus_name = bus_name
        self.source = source
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._rng = rng
        self._region = region
        self._endpoint_url = endpoint_url
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "events", region_name=self._region, endpoint_url=self._endpoint_url
            )
        return self._client

    def publish(
        self,
        detail_type: str,
        detail: Any,
        *,
        source: str | None = None,
        resources: Sequence[str] | None = None,
        time: datetime | None = None,
    ) -> PublishResult:
        """Publish one event; see :meth:`publish_many` for the result."""
        return self.publish_many([OutgoingEvent(detail_type, detail, source, resources, time)])

    def entries(self, events: Iterable[OutgoingEvent | Mapping[str, Any]]) -> list[dict[str, Any]]:
        """PutEvents entries for ``events``; raises on the first invalid or oversized one,
        so nothing is sent when the input is wrong."""
        entries = []
        for index, item in enumerate(events):
            event = as_event(item)
            source = event.source or self.source
            if not source:
                raise InvalidEntryError(
                    index, "no source: pass source= to the event or to Publisher(...)"
                )
            if not event.detail_type:
                raise InvalidEntryError(index, "no detail_type")
            entry: dict[str, Any] = {
                "EventBusName": self.bus_name,
                "Source": source,
                "DetailType": event.detail_type,
                "Detail": _detail_json(index, event.detail),
            }
            if event.resources:
                entry["Resources"] = list(event.resources)
            if event.time is not None:
                entry["Time"] = event.time
            size = entry_size(entry)
            if size > MAX_REQUEST_BYTES:
                raise EntryTooLargeError(index, size)
            entries.append(entry)
        return entries

    def publish_many(
        self,
        events: Iterable[OutgoingEvent | Mapping[str, Any]],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> PublishResult:
        """Publish ``events`` in as few PutEvents calls as the limits allow.

        Entries failing with a retryable code are sent again, up to ``max_attempts`` in
        all, after a full-jitter exponential backoff. ``progress(n)`` is called with the
        number of events settled (published or finally failed) after each call.
        """
        entries = self.entries(events)
        result = PublishResult(total=len(entries))

        def send_round(pending: list[int], attempt: int, final: bool) -> list[int]:
            retry: list[int] = []
            offset = 0
            for batch in batches([entries[i] for i in pending]):
                indexes = pending[offset : offset + len(batch)]
                offset += len(batch)
                settled_before = result.succeeded + len(result.failures)
                for index, code, message in self._send(batch, indexes, result):
                    if code in RETRYABLE_CODES and not final:
                        retry.append(index)
                    else:
                        result.failures.append(
                            FailedEntry(index, entries[index]["DetailType"], code, message, attempt)
                        )
                if progress is not None:
                    progress(result.succeeded + len(result.failures) - settled_before)
            return retry

        def resend(retry_number: int, count: int) -> None:
            self._backoff(retry_number)
            result.retried += count

        retry_rounds(
            list(range(len(entries))), send_round, max_attempts=self.max_attempts, resend=resend
        )
        result.failures.sort(key=lambda f: f.index)
        return result

    def _send(
        self, batch: list[dict[str, Any]], indexes: list[int], result: PublishResult
    ) -> Iterator[tuple[int, str, str]]:
        """One PutEvents call; records successes, yields ``(index, code, message)`` of
        each failed entry."""
        from botocore.exceptions import ClientError

        result.calls += 1
        try:
            response = self.client.put_events(Entries=batch)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", "ClientError"))
            message = str(error.get("Message", exc))
            if code not in RETRYABLE_CODES:
                raise PublishCallError(code, message, result) from exc
            for index in indexes:
                yield index, code, message
            return
        for index, outcome in zip(indexes, response.get("Entries", []), strict=False):
            if outcome.get("EventId") and not outcome.get("ErrorCode"):
                result.event_ids[index] = outcome["EventId"]
            else:
                yield (
                    index,
                    outcome.get("ErrorCode") or "Unknown",
                    outcome.get("ErrorMessage") or "no error message",
                )
        missing = indexes[len(response.get("Entries", [])) :]
        for index in missing:  # never seen from AWS, but never drop an event silently
            yield index, "MissingResult", "PutEvents returned no result for this entry"

    def _backoff(self, retry_number: int) -> None:
        """Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a random
        delay up to an exponentially growing cap, so throttled producers spread out."""
        self._sleep(full_jitter(retry_number, self.base_delay, self.max_delay, self._rng))


def batches(entries: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Entries in order, in PutEvents calls: at most 10 entries and 1 MiB together, each
    entry weighed by :func:`entry_size`."""
    return split_batches(
        entries, size_of=entry_size, max_bytes=MAX_REQUEST_BYTES, max_entries=MAX_ENTRIES_PER_CALL
    )
