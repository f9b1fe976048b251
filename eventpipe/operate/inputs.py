"""Reading JSON from the command line: an argument, ``@file``, ``-`` (stdin), or a file
of events (a JSON object, a JSON array, or JSON lines)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from eventpipe.operate.exceptions import OperateError


def read_json_argument(text: str, stdin: IO[str] | None = None) -> Any:
    """``'{"a": 1}'`` as given, ``@event.json`` from a file, ``-`` from stdin."""
    where = "argument"
    if text == "-":
        text, where = (stdin or sys.stdin).read(), "stdin"
    elif text.startswith("@"):
        path = Path(text[1:])
        if not path.exists():
            raise OperateError(
                f"no such file: {path}. An event file holds one JSON object with "
                'EventBridge\'s keys: {"source": ..., "detail-type": ..., "detail": {...}}; '
                "the project's examples/order-created.json is one"
            )
        text, where = path.read_text(), str(path)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise OperateError(f"the {where} is not JSON: {exc}") from None


def read_events(text: str, where: str) -> list[dict[str, Any]]:
    """Events from a whole document: one object, an array of objects, or JSON lines
    (one object per line; blank lines ignored). Errors name the line."""
    stripped = text.strip()
    if not stripped:
        return []
    try:
        data = json.loads(stripped)
    except ValueError:
        data = None
        events = []
        for number, line in enumerate(stripped.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except ValueError as exc:
                raise OperateError(f"{where}, line {number}: not JSON ({exc})") from None
    else:
        events = data if isinstance(data, list) else [data]
    for position, event in enumerate(events):
        if not isinstance(event, dict):
            raise OperateError(f"{where}: event {position} is not a JSON object")
    return events


def iter_file_events(path: str, stdin: IO[str] | None = None) -> Iterator[dict[str, Any]]:
    """Events from ``path`` (``-`` = stdin)."""
    if path == "-":
        yield from read_events((stdin or sys.stdin).read(), "stdin")
        return
    file = Path(path)
    if not file.exists():
        raise OperateError(f"no such file: {file}")
    yield from read_events(file.read_text(), str(file))
