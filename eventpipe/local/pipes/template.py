"""A Pipes ``InputTemplate`` rendered against one source event, as Pipes renders it.

What the Pipes user guide says ("Amazon EventBridge Pipes input transformation",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html):

* A template is free text, a JSON path (``<$.body>``) or JSON with inline paths
  (``{"k": <$.body.key>}``); placeholders are ``<...>`` around a JSON path or a reserved
  variable.
* "EventBridge replaces input transformers at runtime to ensure a valid JSON output.
  Because of this, put quotes around variables that refer to JSON path parameters, but
  do not put quotes around variables that refer to JSON objects or arrays": a string
  value goes in as its text (JSON-escaped when the placeholder sits inside quotes), an
  object or array as its JSON.
* Implicit body data parsing: an SQS ``body`` that is valid JSON is parsed, so
  ``<$.body.detail>`` reaches into it (paths: :func:`eventpipe.pipes_paths.evaluate`).
* Reserved variables: ``aws.pipes.pipe-arn``, ``aws.pipes.pipe-name``,
  ``aws.pipes.source-arn``, ``aws.pipes.enrichment-arn``, ``aws.pipes.target-arn``,
  ``aws.pipes.event.ingestion-time``, ``aws.pipes.event`` (the event as received) and
  ``aws.pipes.event.json`` (the same, with the body parsed; a JSON value only).

Not stated by AWS, so chosen here and listed in docs/local.md as unverified: a path that
selects nothing renders as ``null`` outside quotes and as nothing inside them; a number,
boolean or null renders as its JSON text.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from eventpipe.pipes_paths import MISSING, evaluate

_PLACEHOLDER = re.compile(r"<(\$[^<>\s]*|aws\.pipes\.[a-z.\-]+)>")


@dataclass(frozen=True)
class TemplateContext:
    """The pipe's own values the reserved variables name."""

    pipe_arn: str
    pipe_name: str
    source_arn: str
    target_arn: str
    enrichment_arn: str = ""


def _parsed_event(event: Mapping[str, object]) -> dict[str, object]:
    parsed = dict(event)
    body = parsed.get("body")
    if isinstance(body, str):
        with contextlib.suppress(ValueError):
            parsed["body"] = json.loads(body)
    return parsed


def _value(name: str, event: Mapping[str, object], context: TemplateContext) -> object:
    if name.startswith("$"):
        return evaluate(name, event)
    reserved: dict[str, object] = {
        "aws.pipes.pipe-arn": context.pipe_arn,
        "aws.pipes.pipe-name": context.pipe_name,
        "aws.pipes.source-arn": context.source_arn,
        "aws.pipes.enrichment-arn": context.enrichment_arn,
        "aws.pipes.target-arn": context.target_arn,
        "aws.pipes.event.ingestion-time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "aws.pipes.event": json.dumps(dict(event)),
        "aws.pipes.event.json": _parsed_event(event),
    }
    return reserved.get(name, MISSING)


def render_template(template: str, event: Mapping[str, object], context: TemplateContext) -> str:
    """The text Pipes sends to the target for ``event`` (the source record)."""

    def substitute(match: re.Match[str]) -> str:
        start, end = match.span()
        quoted = template[start - 1 : start] == '"' and template[end : end + 1] == '"'
        value = _value(match.group(1), event, context)
        if value is MISSING:
            return "" if quoted else "null"
        if isinstance(value, str):
            return json.dumps(value)[1:-1] if quoted else value
        return json.dumps(value)

    return _PLACEHOLDER.sub(substitute, template)
