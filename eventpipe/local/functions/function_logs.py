"""A local execution environment's log stream in the emulator's CloudWatch Logs.

Lambda sends a function's output to the log group ``/aws/lambda/<function name>`` (or the
group the function's logging config names), one log stream per execution environment,
named ``YYYY/MM/DD/[<version>]<environment id>``; each environment writes START, END and
REPORT lines around every invocation
(https://docs.aws.amazon.com/lambda/latest/operatorguide/log-structure.html,
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html). The local
engine does the same in the emulator, so ``eventpipe logs`` reads a local function with
the FilterLogEvents/GetLogEvents calls it makes on AWS.

The worker writes to its own file (so a crash's last words and output from C extensions
are kept too); :class:`LogStream` reads what was added since the last call and sends
it with PutLogEvents, one event per line; lines in the embedded metric format also become
metrics (``on_put``: :class:`.log_metrics.EmfPublisher`), as CloudWatch Logs extracts
them. PutLogEvents takes at most 10,000 events and
1,048,576 bytes per call, each event's size counting its UTF-8 bytes plus 26
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html);
batches stay well below both.

Sending is off the invocation's path: :class:`LogShipper` sends every stream's lines from
a thread of its own, in order per stream, several invocations' lines in one call when
they wait together. On AWS, too, the logs arrive after the invocation, not with it: "It
may take 5 to 10 minutes for logs to show up after a function invocation"
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html). The lines
are read from the worker's file at once, so the poller still has each invocation's lines
for its failure reasons, and each event keeps the time it was read. Not verified against AWS: an event larger than the
per-event limit is cut here (at 256 KiB); AWS documents a 1 MB event limit and
truncation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

MAX_EVENT_BYTES = 256 * 1024
MAX_BATCH_EVENTS = 1_000
MAX_BATCH_BYTES = 900_000
EVENT_OVERHEAD = 26


def stream_name(version: str = "$LATEST", now: dt.datetime | None = None) -> str:
    """``2026/12/02/[$LATEST]0123456789abcdef0123456789abcdef``, as Lambda names them."""
    day = (now or dt.datetime.now(dt.UTC)).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{secrets.token_hex(16)}"


class LogStream:
    """One execution environment's stream: its file on disk and its CloudWatch twin."""

    def __init__(
        self,
        client_factory: Callable[[], Any] | None,
        group: str,
        path: Path,
        name: str | None = None,
        on_error: Callable[[str], None] | None = None,
        on_put: Callable[[list[str]], object] | None = None,
        shipper: LogShipper | None = None,
    ):
        """``shipper`` sends the lines from its own thread; without one ``put`` sends them
        before it returns."""
        self.group = group
        self.name = name or stream_name()
        self.path = path
        self._client_factory = client_factory
        self._client: Any = None
        self._on_error = on_error
        self._on_put = on_put
        self._shipper = shipper
        self._offset = 0
        self._pending = ""
        self._lock = threading.Lock()
        self._created = False
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def _logs(self) -> Any:
        if self._client is None and self._client_factory is not None:
            self._client = self._client_factory()
        return self._client

    def _ensure(self) -> None:
        if self._created:
            return
        logs = self._logs()
        # Lambda creates the default group on first invoke if the stack did not.
        with contextlib.suppress(ClientError):
            logs.create_log_group(logGroupName=self.group)
        with contextlib.suppress(ClientError):
            logs.create_log_stream(logGroupName=self.group, logStreamName=self.name)
        self._created = True

    def read_new(self) -> list[str]:
        """Lines the worker wrote since the last call (a partial last line waits)."""
        with self.path.open("rb") as handle:
            handle.seek(self._offset)
            data = handle.read()
        self._offset += len(data)
        text = self._pending + data.decode("utf-8", errors="replace")
        *lines, self._pending = text.split("\n")
        return [line.replace("\r", "\n") for line in lines if line.strip()]

    def ship(self, before: Sequence[str] = (), after: Sequence[str] = ()) -> list[str]:
        """Send ``before`` + the worker's new lines + ``after`` (through the shipper, if
        any); return the worker's lines.

        ``before``/``after`` are the platform's own lines (START, END, REPORT)."""
        with self._lock:
            lines = self.read_new()
            self.put([*before, *lines, *after])
            return lines

    def put(self, messages: list[str]) -> None:
        if not messages or self._client_factory is None:
            return
        stamp = int(time.time() * 1000)
        if self._shipper is not None:
            self._shipper.submit(self, messages, stamp)
        else:
            self.send(messages, stamp)

    def send(self, messages: list[str], stamp: int) -> None:
        """PutLogEvents now (``stamp``: the events' time in ms), then hand the lines to
        ``on_put``."""
        self.send_many([(messages, stamp)])

    def send_many(self, parts: list[tuple[list[str], int]]) -> None:
        """Several invocations' lines (each with its time), in as few calls as fit."""
        events = [
            {"timestamp": stamp, "message": _trim(message)}
            for messages, stamp in parts
            for message in messages
            if message
        ]
        messages = [message for lines, _ in parts for message in lines]
        try:
            self._ensure()
            for batch in _batches(events):
                self._logs().put_log_events(
                    logGroupName=self.group, logStreamName=self.name, logEvents=batch
                )
        except (BotoCoreError, ClientError) as exc:
            if self._on_error:
                self._on_error(f"cannot write to log group {self.group}: {exc}")
            return
        if self._on_put is not None:
            self._on_put(messages)


def _trim(message: str) -> str:
    data = message.encode()
    if len(data) <= MAX_EVENT_BYTES - EVENT_OVERHEAD:
        return message
    return data[: MAX_EVENT_BYTES - EVENT_OVERHEAD - 20].decode(errors="ignore") + " ...[truncated]"


def _batches(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    batches: list[list[dict[str, Any]]] = [[]]
    size = 0
    for event in events:
        cost = len(event["message"].encode()) + EVENT_OVERHEAD
        if batches[-1] and (len(batches[-1]) >= MAX_BATCH_EVENTS or size + cost > MAX_BATCH_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(event)
        size += cost
    return [batch for batch in batches if batch]


class LogShipper:
    """Sends log streams' lines to CloudWatch Logs from a thread of its own: a stream's
    lines in the order they were read, the lines of several invocations of one stream
    that wait together in one PutLogEvents call. :attr:`pending` counts what is not sent
    yet (the engine is not settled before it is 0); :meth:`flush` waits for it."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[LogStream, list[str], int] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return self._queue.unfinished_tasks

    def submit(self, stream: LogStream, messages: list[str], stamp: int) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="log-shipper", daemon=True)
                self._thread.start()
        self._queue.put((stream, messages, stamp))

    def flush(self) -> None:
        """Wait until every line handed over so far is sent (or its failure reported)."""
        self._queue.join()

    def close(self) -> None:
        """Send what is pending, then stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(30)

    def _run(self) -> None:
        while True:
            taken = [self._queue.get()]
            while True:
                try:
                    taken.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._send([item for item in taken if item is not None])
            finally:
                for _ in taken:
                    self._queue.task_done()
            if None in taken:
                return

    @staticmethod
    def _send(items: list[tuple[LogStream, list[str], int]]) -> None:
        """One call per stream for what waited together (each stream's parts in order,
        each part with its own time)."""
        by_stream: dict[int, tuple[LogStream, list[tuple[list[str], int]]]] = {}
        for stream, messages, stamp in items:
            by_stream.setdefault(id(stream), (stream, []))[1].append((messages, stamp))
        for stream, parts in by_stream.values():
            stream.send_many(parts)
