"""The runtime's outcome lines, read through CloudWatch Logs Insights.

One query runs over the functions' log groups of the stack (StartQuery, then
GetQueryResults until its status is ``Complete``,
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html,
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html).
StartQuery takes at most 50 log groups (``logGroupNames``, same page), so a stack with
more consumers runs one query per 50 groups and joins the rows. Its ``startTime`` and
``endTime`` are epoch seconds. A query runs asynchronously; it times out after 60
minutes. Each row is a list of ``{"field", "value"}``; ``@log`` is
``account-id:log-group-name``
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html).

The runtime's lines are Powertools JSON (``eventpipe/runtime/record_log.py``), whose keys
Logs Insights discovers as fields: the query filters on ``event_id`` / ``message_id`` /
``correlation_id`` and reads ``@message`` whole, then parses it here, so the keys a row
carries are the line's own. Cost: Logs Insights bills the bytes each query scans, every
byte of the selected groups in the time range (docs/operations.md, "Find an event").
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventpipe.operate.aws import error_code
from eventpipe.operate.exceptions import OperateError
from eventpipe.operate.trace.model import QueryRun

MAX_GROUPS_PER_QUERY = 50
"""StartQuery's ``logGroupNames`` limit (API reference)."""

ROW_LIMIT = 10_000
"""Logs Insights' largest ``limit`` (the default when a query names none is 10,000 for
the console, 1,000 for StartQuery's ``limit`` parameter): the trace names it."""

POLL_SECONDS = 0.5
"""Pause between GetQueryResults calls while a query runs."""

TIMEOUT_SECONDS = 300.0
"""How long the trace waits for one query before giving up (AWS stops it at 60 min)."""

OUTPUT_FIELDS = "@timestamp, @logStream, @log, @message"
DONE = ("Complete", "Failed", "Cancelled", "Timeout", "Unknown")


def quote(text: str) -> str:
    """A Logs Insights string literal."""
    return json.dumps(text)


def trace_query(event_id: str) -> str:
    """Every runtime line naming the event (or the SQS message) ``event_id``."""
    value = quote(event_id)
    return (
        f"fields {OUTPUT_FIELDS}\n"
        f"| filter event_id = {value} or message_id = {value} or correlation_id = {value}\n"
        f"| sort @timestamp asc\n"
        f"| limit {ROW_LIMIT}"
    )


def recent_query(outcomes: Sequence[str]) -> str:
    """The newest outcome lines (of the given outcomes)."""
    listed = ", ".join(quote(o) for o in outcomes)
    return (
        f"fields {OUTPUT_FIELDS}\n"
        f"| filter ispresent(outcome) and outcome in [{listed}]\n"
        f"| sort @timestamp desc\n"
        f"| limit {ROW_LIMIT}"
    )


@dataclass(frozen=True)
class LogRow:
    """One runtime line a query returned."""

    time: datetime
    group: str
    stream: str | None
    line: dict[str, Any]
    """The line's JSON object ({} for a plain-text line)."""

    def text(self, key: str) -> str | None:
        value = self.line.get(key)
        return None if value in (None, "") else str(value)

    def number(self, key: str) -> float | None:
        value = self.line.get(key)
        try:
            return None if value in (None, "") else float(value)
        except (TypeError, ValueError):
            return None


def parse_time(value: str) -> datetime:
    """``@timestamp`` as Logs Insights returns it (``yyyy-MM-dd HH:mm:ss.SSS``, UTC), or
    epoch milliseconds (an emulator that returns them raw)."""
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


def parse_row(row: Iterable[dict[str, str]]) -> LogRow | None:
    fields = {cell["field"]: cell.get("value", "") for cell in row}
    message = fields.get("@message", "")
    try:
        line = json.loads(message) if message.lstrip().startswith("{") else {}
    except ValueError:
        line = {}
    if not isinstance(line, dict) or "@timestamp" not in fields:
        return None
    group = fields.get("@log", "")
    group = group.split(":", 1)[1] if ":" in group else group
    return LogRow(parse_time(fields["@timestamp"]), group, fields.get("@logStream"), line)


def run(
    logs: Any,
    groups: Sequence[str],
    query: str,
    since: datetime,
    until: datetime,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[list[LogRow], QueryRun]:
    """Run ``query`` over ``groups`` (50 at a time); the rows in time order, and the run."""
    from botocore.exceptions import ClientError

    started = clock()
    existing = list(groups)
    rows: list[LogRow] = []
    matched = scanned = 0.0
    stats = False
    for start in range(0, len(existing), MAX_GROUPS_PER_QUERY):
        chunk = existing[start : start + MAX_GROUPS_PER_QUERY]
        try:
            query_id = logs.start_query(
                logGroupNames=chunk,
                startTime=int(since.timestamp()),
                endTime=int(until.timestamp()),
                queryString=query,
            )["queryId"]
        except ClientError as exc:
            code = error_code(exc)
            if code == "ResourceNotFoundException":
                missing = [g for g in chunk if not _exists(logs, g)]
                chunk = [g for g in chunk if g not in missing]
                if not chunk:
                    continue
                query_id = logs.start_query(
                    logGroupNames=chunk,
                    startTime=int(since.timestamp()),
                    endTime=int(until.timestamp()),
                    queryString=query,
                )["queryId"]
            elif code in ("UnknownOperationException", "NotImplemented", "InvalidAction"):
                raise OperateError(
                    "this endpoint does not answer CloudWatch Logs Insights (StartQuery); "
                    "trace the local engine with `--local` (its emulator does)"
                ) from None
            else:
                raise
        response = _wait(logs, query_id, sleep=sleep, clock=clock)
        if response.get("status") != "Complete":
            raise OperateError(
                f"the Logs Insights query ended {response.get('status')}: try a shorter "
                "time range (--since)"
            )
        for row in response.get("results", []):
            parsed = parse_row(row)
            if parsed is not None:
                rows.append(parsed)
        statistics = response.get("statistics")
        if statistics:
            stats = True
            matched += float(statistics.get("recordsMatched", 0))
            scanned += float(statistics.get("bytesScanned", 0))
    rows.sort(key=lambda r: r.time)
    return rows, QueryRun(
        text=query,
        log_groups=list(groups),
        seconds=clock() - started,
        records_matched=matched if stats else None,
        bytes_scanned=scanned if stats else None,
    )


def _exists(logs: Any, group: str) -> bool:
    found = logs.describe_log_groups(logGroupNamePrefix=group).get("logGroups", [])
    return any(g.get("logGroupName") == group for g in found)


def _wait(
    logs: Any, query_id: str, *, sleep: Callable[[float], None], clock: Callable[[], float]
) -> dict[str, Any]:
    deadline = clock() + TIMEOUT_SECONDS
    while True:
        response: dict[str, Any] = logs.get_query_results(queryId=query_id)
        if response.get("status") in DONE:
            return response
        if clock() > deadline:
            logs.stop_query(queryId=query_id)
            raise OperateError(
                f"the Logs Insights query ran over {TIMEOUT_SECONDS:.0f} s: try a shorter "
                "time range (--since)"
            )
        sleep(POLL_SECONDS)
