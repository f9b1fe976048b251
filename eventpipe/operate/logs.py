"""``eventpipe logs``: a consumer function's CloudWatch log, read and followed.

The log group is the stack output's ``logGroupName``, else Lambda's default
``/aws/lambda/<function name>``
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html). The local
engine writes its workers' output to the emulator's CloudWatch Logs in the same group,
so one code path serves AWS and ``--local``.

Reading uses ``FilterLogEvents``
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html):
it searches every stream of the group for a time range and a filter pattern, pages with
``nextToken`` (a page may be empty while more remain), and returns events sorted by
timestamp. ``--follow`` polls it. ``StartLiveTail``
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html)
would push events, but it answers with an HTTP/2 event stream that moto (and so the
local engine) does not serve, a session ends after three hours, and Live Tail is billed
per session-minute; polling works the same against both targets. Follow polls ask again
from the newest timestamp seen (inclusive, since later events may share it) and drop
event ids already shown, so nothing is printed twice and nothing between polls is
skipped.

The runtime logs with Powertools' JSON logger (eventpipe/runtime/observability.py):
each line is a JSON object with ``level``, ``message``, ``timestamp``, ``service``,
``correlation_id`` (the EventBridge event id), the record's ``message_id`` as an extra
key, and ``exception`` (the formatted traceback) when a record failed. Lambda's own lines
(``START``/``END``/``REPORT RequestId: ...``) and anything a handler prints are plain text
and shown as they are.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventpipe.operate.aws import error_code
from eventpipe.operate.exceptions import OperateError
from eventpipe.stack_output import ConsumerOutputs

POLL_SECONDS = 2.0
"""Pause between FilterLogEvents polls of ``--follow`` (module-level so tests can
shorten it). Well within FilterLogEvents' request quota for one operator."""

PLATFORM_PREFIXES = (
    "START RequestId:",
    "END RequestId:",
    "REPORT RequestId:",
    "INIT_START",
    "INIT_REPORT",
    "EXTENSION",
    "TELEMETRY",
)
"""How Lambda's own log lines begin
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html)."""
PLANNED_ERRORS = frozenset({"RetryableError", "PermanentError", "InvalidEventError"})
"""Errors a handler (or the runtime's decoding) raises on purpose."""
FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')

MAX_PAGES = 1000
"""Safety stop for one read: FilterLogEvents may hand back empty pages with a token."""


@dataclass(frozen=True)
class LogLine:
    """One CloudWatch log event of the function, parsed when it is a Powertools line."""

    timestamp: int
    """Milliseconds since the epoch (CloudWatch's event timestamp)."""
    stream: str
    event_id: str
    raw: str
    record: dict[str, Any] | None
    """The JSON object of a structured (Powertools) line, else None."""

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, UTC)

    def _field(self, key: str) -> str | None:
        if self.record is None or self.record.get(key) in (None, ""):
            return None
        return str(self.record[key])

    @property
    def level(self) -> str | None:
        return self._field("level")

    @property
    def message(self) -> str:
        text = self._field("message")
        return text if text is not None else self.raw.rstrip("\n")

    @property
    def exception(self) -> str | None:
        """The traceback Powertools logged with ``exc_info``."""
        return self._field("exception")

    @property
    def message_id(self) -> str | None:
        """The SQS message id of the record the line is about."""
        return self._field("message_id")

    @property
    def correlation_id(self) -> str | None:
        """The event id of the record the line is about: the runtime's ``event_id`` key
        (set on every line about a record, none on lines about no record), else
        Powertools' ``correlation_id`` (a plugin's own Logger lines)."""
        return self._field("event_id") or self._field("correlation_id")

    @property
    def error(self) -> str | None:
        """``ErrorType: message`` when the runtime logged a failed record."""
        kind, text = self._field("error_type"), self._field("error")
        if kind and text:
            return f"{kind}: {text}"
        return kind or text

    @property
    def is_metrics(self) -> bool:
        """An embedded-metric-format object (Powertools metrics: the ``_aws`` key,
        https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html)."""
        return self.record is not None and "_aws" in self.record

    @property
    def is_platform(self) -> bool:
        """A line Lambda itself writes around each invocation (``START``, ``END``,
        ``REPORT``, ``INIT_START``...), not the handler or the runtime."""
        return self.record is None and self.raw.startswith(PLATFORM_PREFIXES)

    @property
    def is_planned_failure(self) -> bool:
        """A failure the handler raised on purpose (a retry or a dead letter it asked
        for): its message says why, so its traceback is detail."""
        return (self._field("error_type") or "") in PLANNED_ERRORS

    @property
    def raise_site(self) -> str | None:
        """``file:line in function`` of the traceback's innermost frame (where the
        exception was raised), or None without a traceback."""
        if not self.exception:
            return None
        frames = FRAME.findall(self.exception)
        if not frames:
            return None
        path, line, function = frames[-1]
        return f"{path}:{line} in {function}"

    @property
    def is_error(self) -> bool:
        if self.level in ("ERROR", "CRITICAL") or self.exception:
            return True
        return self.record is None and (
            self.raw.startswith("[ERROR]") or "Task timed out after" in self.raw
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape (camelCase, one object per line)."""
        return {
            "timestamp": self.time.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "stream": self.stream,
            "eventId": self.event_id,
            "level": self.level,
            "message": self.message,
            "messageId": self.message_id,
            "correlationId": self.correlation_id,
            "error": self.error,
            "exception": self.exception,
            "record": self.record,
        }


def parse_event(event: dict[str, Any]) -> LogLine:
    """A FilterLogEvents event as a :class:`LogLine`."""
    raw = str(event.get("message", ""))
    record: dict[str, Any] | None = None
    stripped = raw.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
        if isinstance(data, dict):
            record = data
    return LogLine(
        timestamp=int(event.get("timestamp", 0)),
        stream=str(event.get("logStreamName", "")),
        event_id=str(event.get("eventId", "")),
        raw=raw,
        record=record,
    )


def log_group(consumer: ConsumerOutputs) -> str:
    """The consumer function's log group, or an error saying why there is none."""
    group = consumer.log_group
    if group is None:
        raise OperateError(
            f"the stack output names no function (nor log group) for consumer "
            f"{consumer.name!r}: deploy it again with this eventpipe version (`pulumi up`)"
        )
    return group


def pipe_log_group(consumer: ConsumerOutputs) -> str:
    """The log group of the consumer's pipe (FIFO consumers grouped by a JSON path)."""
    if not consumer.pipe_log_group:
        raise OperateError(
            f"{consumer.name} has no pipe: only a FIFO consumer whose message_group is a "
            "JSON path is fed through EventBridge Pipes; drop --pipe"
        )
    return consumer.pipe_log_group


def filter_pattern(text: str | None) -> str | None:
    """``--filter TEXT`` as a CloudWatch filter pattern matching the text as a phrase.

    A quoted term matches lines containing it exactly, spaces and punctuation included
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html);
    a pattern already in filter syntax (starting with ``{``, ``[``, ``"``, ``?`` or ``%``)
    is passed as given.
    """
    if text is None or not text.strip():
        return None
    stripped = text.strip()
    if stripped[0] in '{["?%':
        return stripped
    return '"' + stripped.replace('"', '\\"') + '"'


def read(
    logs: Any,
    group: str,
    *,
    start_ms: int,
    end_ms: int | None = None,
    pattern: str | None = None,
) -> Iterator[LogLine]:
    """Every event of ``group`` from ``start_ms`` (inclusive), all pages, in time order.

    The pages are gathered and sorted by timestamp before anything is yielded: a group
    has a stream per execution environment, and not every service (moto among them)
    interleaves the streams' events by time."""
    from botocore.exceptions import ClientError

    params: dict[str, Any] = {"logGroupName": group, "startTime": start_ms}
    if end_ms is not None:
        params["endTime"] = end_ms
    if pattern:
        params["filterPattern"] = pattern
    token: str | None = None
    events: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        call = dict(params, nextToken=token) if token else params
        try:
            response = logs.filter_log_events(**call)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                raise NoLogGroupError(group) from None
            raise
        events += response.get("events", [])
        token = response.get("nextToken")
        if not token:
            break
    events.sort(key=lambda event: int(event.get("timestamp", 0)))
    for event in events:
        yield parse_event(event)


class NoLogGroupError(OperateError):
    """Raised when the function's log group does not exist (yet)."""

    def __init__(self, group: str):
        self.group = group
        super().__init__(
            f"log group {group} does not exist: Lambda creates it when the function first "
            "runs (and the stack declares it on deploy); check the consumer has been "
            "deployed and invoked"
        )


def follow(
    logs: Any,
    group: str,
    *,
    start_ms: int,
    pattern: str | None = None,
    interval: float | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Iterator[LogLine]:
    """Events of ``group`` as they arrive, until the caller stops iterating (Ctrl-C).

    Each poll reads from the newest timestamp already seen, inclusive, and skips event
    ids already yielded: events written between two polls with the same millisecond are
    neither lost nor repeated. A group that does not exist yet is waited for.
    """
    since = start_ms
    seen: set[str] = set()
    while True:
        newest = since
        fresh: set[str] = set()
        try:
            for line in read(logs, group, start_ms=since, pattern=pattern):
                if line.event_id in seen:
                    continue
                fresh.add(line.event_id)
                if line.timestamp > newest:
                    newest = line.timestamp
                yield line
        except NoLogGroupError:
            pass
        if newest > since:
            seen = set()
        seen |= fresh
        since = newest
        (sleep or _pause)(POLL_SECONDS if interval is None else interval)


def _pause(seconds: float) -> None:
    """The wait between follow polls (a module function so tests can replace it)."""
    time.sleep(seconds)


def to_millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
