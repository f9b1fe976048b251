"""Logs Insights: the embedded server answers the queries ``eventpipe trace`` runs.

moto's StartQuery keeps only ``fields``, ``sort`` and ``limit`` and ignores ``filter``
(every event of the groups comes back), returns ``@timestamp`` as milliseconds and knows
no field discovered in a JSON log line. This shim answers the subset of the Logs Insights
query language that :mod:`eventpipe.operate.trace` uses, as AWS documents it, and refuses
anything else with AWS's error for a query it cannot parse (``MalformedQueryException``,
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html):

* ``fields f1, f2, ...``: the fields each result row holds
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Fields.html);
* ``filter COND [and|or COND ...]`` where COND is ``name = "text"``, ``name in ["a",
  "b"]`` or ``ispresent(name)``; several ``filter`` commands all apply
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Filter.html,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html);
* ``sort @timestamp asc|desc`` and ``limit N``
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Sort.html,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html).

Fields, as AWS discovers them
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html):
``@message`` (the raw line), ``@timestamp``, ``@logStream``, ``@log``
(``account-id:log-group-name``), ``@ptr``, and the keys of a JSON line, nested ones
joined with dots. ``@timestamp`` reads ``yyyy-MM-dd HH:mm:ss.SSS`` (UTC), as in
GetQueryResults' example
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html).
A row leaves out fields the event does not have, as AWS does. StartQuery's times are
epoch seconds, both ends inclusive (StartQuery's ``startTime``/``endTime``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from eventpipe.local.emulator.shims.scope import install

Condition = Callable[[dict[str, Any]], bool]

_COMMAND = re.compile(r"^\s*(fields|filter|sort|limit)\s+(.*?)\s*$", re.DOTALL)
_EQUALS = re.compile(r'^([@\w.-]+)\s*=\s*"((?:[^"\\]|\\.)*)"$')
_IN = re.compile(r"^([@\w.-]+)\s+in\s+(\[.*\])$")
_PRESENT = re.compile(r"^ispresent\(\s*([@\w.-]+)\s*\)$")
_SORT = re.compile(r"^(@timestamp)(?:\s+(asc|desc))?$")


def malformed(text: str) -> Exception:
    """AWS's error for a query it cannot parse."""
    from moto.logs.exceptions import LogsClientError

    return LogsClientError("MalformedQueryException", text)


def _split_top(text: str, word: str) -> list[str]:
    """``text`` split on `` word `` outside double-quoted strings and brackets."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    token = f" {word} "
    while i < len(text):
        char = text[i]
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char in "[(":
            depth += 1
        elif not quoted and char in "])":
            depth -= 1
        elif not quoted and depth == 0 and text[i : i + len(token)].lower() == token:
            parts.append(text[start:i])
            i += len(token)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _atom(text: str) -> Condition:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        return _condition(text[1:-1])
    if match := _EQUALS.match(text):
        name, wanted = match.group(1), json.loads(f'"{match.group(2)}"')
        return lambda row: row.get(name) == wanted
    if match := _IN.match(text):
        name = match.group(1)
        try:
            values = json.loads(match.group(2))
        except ValueError:
            raise malformed(f"cannot read the list in: {text}") from None
        wanted_set = {str(v) for v in values}
        return lambda row: row.get(name) in wanted_set
    if match := _PRESENT.match(text):
        name = match.group(1)
        return lambda row: name in row
    raise malformed(f"unsupported filter condition (eventpipe's emulator subset): {text}")


def _condition(text: str) -> Condition:
    alternatives = [
        [_atom(part) for part in _split_top(alternative, "and")]
        for alternative in _split_top(text, "or")
    ]
    return lambda row: any(all(test(row) for test in parts) for parts in alternatives)


def _flatten(value: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), into)
    elif prefix:
        into[prefix] = value if isinstance(value, str) else json.dumps(value)


def _row(event: Any, stream: str, group: str, account: str) -> dict[str, Any]:
    """Every field Logs Insights would discover in one log event, as strings."""
    row: dict[str, Any] = {}
    text = str(event.message)
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            _flatten(data, "", row)
    moment = datetime.fromtimestamp(event.timestamp / 1000, UTC)
    row.update(
        {
            "@message": text,
            "@timestamp": moment.strftime("%Y-%m-%d %H:%M:%S.")
            + f"{moment.microsecond // 1000:03d}",
            "@logStream": stream,
            "@log": f"{account}:{group}",
            "@ptr": str(event.event_id),
            "_millis": event.timestamp,
        }
    )
    return row


def run_query(log_groups: list[Any], query: str, start_time: int, end_time: int) -> list[dict]:
    """The result rows of ``query`` over ``log_groups`` between the two epoch seconds."""
    shown: list[str] = []
    conditions: list[Condition] = []
    descending = True  # Logs Insights sorts newest first unless told otherwise
    limit = 10_000
    for command in (part for part in _split_top(query.replace("\n", " "), "|") if part):
        match = _COMMAND.match(command)
        if not match:
            raise malformed(f"unsupported command (eventpipe's emulator subset): {command}")
        verb, argument = match.group(1), match.group(2)
        if verb == "fields":
            shown.extend(name.strip() for name in argument.split(",") if name.strip())
        elif verb == "filter":
            conditions.append(_condition(argument))
        elif verb == "sort":
            sort = _SORT.match(argument)
            if not sort:
                raise malformed(f"unsupported sort (only @timestamp): {argument}")
            descending = sort.group(2) != "asc"
        else:
            if not argument.isdigit():
                raise malformed(f"limit needs a number: {argument}")
            limit = int(argument)
    rows = []
    for group in log_groups:
        account = str(getattr(group, "account_id", "000000000000"))
        for stream_name, stream in group.streams.items():
            for event in stream.events:
                if not start_time * 1000 <= event.timestamp <= end_time * 1000 + 999:
                    continue
                row = _row(event, str(stream_name), str(group.name), account)
                if all(test(row) for test in conditions):
                    rows.append(row)
    rows.sort(key=lambda r: r["_millis"], reverse=descending)
    keep = [*shown, "@ptr"] if shown else [k for k in rows[0] if k != "_millis"] if rows else []
    return [{name: row[name] for name in keep if name in row} for row in rows[:limit]]


def logs_insights_queries() -> None:
    """Answer StartQuery with the documented subset the trace uses."""
    from moto.logs import models as logs_models

    install(logs_models, "execute_query", run_query)
