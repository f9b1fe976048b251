"""JSON paths as EventBridge Pipes evaluates them in a dynamic target parameter.

A FIFO consumer whose ``message_group`` is a JSON path (``$.detail.customerId``) is fed
through an EventBridge Pipe, because a rule target's ``SqsParameters.MessageGroupId`` is a
literal string (EventBridge never evaluates a path there). The pipe's
``PipeTargetSqsQueueParameters.MessageGroupId`` is a *dynamic path parameter*: "The entire
value has to be a JSON path, not only part of it ... These paths are replaced dynamically
at runtime with data from the event payload itself at the specified path" (Pipes user
guide, "Dynamic path parameters",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-target.html).

Grammar. "EventBridge does not support all JSON Path syntax ... Supported syntax
includes: dot notation (for example ``$.detail``), dashes, underscores, alphanumeric
characters, array indices, wildcards (*)" (same page, and the input transformation page
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html).
The Pipes API model writes that grammar as its ``JsonPath`` shape:
``\\$(\\.[\\w/_-]+(\\[(\\d+|\\*)\\])*)*``, 1-256 characters (botocore
``data/pipes/2015-10-07/service-2.json``); ``_SEGMENT`` below is that pattern. A
``MessageGroupId`` parameter is at most 100 characters
(https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_PipeTargetSqsQueueParameters.html),
and the limit applies to the parameter as written, i.e. the path itself.

The SQS source record. A pipe reading an SQS queue sees the SQS record (``messageId``,
``body``, ``attributes``, ...; https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html),
and the EventBridge event is the string ``body``. "Implicit body data parsing": "the
Amazon SQS ``body`` object ... EventBridge transforms these fields into valid JSON so
sub-values can be referenced directly"; a body that is not valid JSON is left as it is
for SQS (no base64) (input transformation page). So the path a user writes relative to
the EventBridge event, ``$.detail.customerId``, is ``$.body.detail.customerId`` on the
pipe: :func:`sqs_source_path` is that translation, :func:`evaluate` the evaluation.

What AWS does not say: the Pipes documentation does not state what happens when a
dynamic path does not resolve, or resolves to a non-string (number, object, list). This
module returns :data:`MISSING` for an unresolved path and the raw JSON value otherwise;
the pipeline keeps such events away from the pipe (see ``eventpipe.group_split``,
``components/consumer_pipeline.py`` and docs/components.md).

Pulumi-free and stdlib-only (floor 1): validation, the components and the local Pipe
runner all call it.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from eventpipe.consumer import Consumer

__all__ = [
    "GROUP_PATH_MAX",
    "MISSING",
    "MISSING_FIELD_REASON",
    "PIPES_PATH_MAX",
    "Missing",
    "evaluate",
    "is_json_path",
    "missing_field_reason",
    "path_problems",
    "required_field",
    "sqs_source_path",
    "steps",
]

PIPES_PATH_MAX: Final = 256  # the Pipes API's JsonPath shape
GROUP_PATH_MAX: Final = 100  # PipeTargetSqsQueueParameters.MessageGroupId

# One step of the Pipes JsonPath grammar: ".name" then any "[digits]" or "[*]".
_SEGMENT = re.compile(r"\.([\w/_-]+)((?:\[(?:\d+|\*)\])*)", re.ASCII)
_INDEX = re.compile(r"\[(\d+|\*)\]")
_WHOLE = re.compile(r"\$(?:\.[\w/_-]+(?:\[(?:\d+|\*)\])*)*", re.ASCII)


class Missing:
    """The type of :data:`MISSING`: the path selects nothing in the event."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = Missing()


def per_key_fifo(consumer: Consumer) -> bool:
    """A FIFO consumer fed by a rule whose message group is a JSON path: it needs a pipe
    (and its role, its intake queues and a second rule for events without the field)."""
    return (
        consumer.fifo
        and consumer.pattern is not None
        and consumer.message_group is not None
        and is_json_path(consumer.message_group)
    )


def is_json_path(value: str) -> bool:
    """Whether ``value`` is meant as a path (starts with ``$``) rather than a literal id."""
    return value.startswith("$")


def steps(path: str) -> list[str | int]:
    """The keys and indices of a grammatical path (``"*"`` for a wildcard index).

    ``$.detail.items[0]`` -> ``["detail", "items", 0]``. Raises ``ValueError`` on a path
    Pipes would not accept; call :func:`path_problems` first for a readable reason.
    """
    if len(path) > PIPES_PATH_MAX or not _WHOLE.fullmatch(path):
        raise ValueError(f"{path!r} is not a JSON path EventBridge Pipes accepts")
    out: list[str | int] = []
    for match in _SEGMENT.finditer(path, 1):
        out.append(match.group(1))
        for index in _INDEX.findall(match.group(2)):
            out.append("*" if index == "*" else int(index))
    return out


def sqs_source_path(path: str) -> str:
    """The pipe's path for a path written relative to the EventBridge event.

    The pipe's event is the SQS record and the EventBridge event is its ``body``:
    ``$.detail.customerId`` -> ``$.body.detail.customerId``.
    """
    return "$.body" + path[1:]


def required_field(path: str) -> str:
    """The pattern field name a path requires: ``$.detail.customerId`` -> ``detail.customerId``.

    Used to write an ``exists`` pattern for the events that lack the group field; only
    meaningful for paths without indices (:func:`path_problems` refuses those).
    """
    return ".".join(str(step) for step in steps(path))


def path_problems(path: str) -> list[str]:
    """Why ``path`` cannot be a FIFO message group path on the pipe (empty list = fine).

    ``path`` is written relative to the EventBridge event (``$.detail.customerId``). It
    must be Pipes' JsonPath grammar; its SQS-source form (``$.body...``) must fit the
    100-character ``MessageGroupId`` parameter; and it must select one value, so no
    wildcard (a wildcard selects a list) and not the whole event. Array indices are
    refused too: the events missing the group field are routed to the DLQ by an
    EventBridge ``exists`` pattern, and a pattern cannot name one array element.
    """
    problems: list[str] = []
    if not path.startswith("$"):
        return [f"{path!r} does not start with '$'; write it like $.detail.customerId"]
    if len(path) > PIPES_PATH_MAX or not _WHOLE.fullmatch(path):
        bad = _first_bad_char(path)
        where = f" (first character Pipes does not accept: {bad!r})" if bad else ""
        problems.append(
            f"{path!r} is not JSON path syntax EventBridge Pipes accepts{where}: use dot "
            "notation with letters, digits, '_', '-' and '/' in each name, like "
            "$.detail.customerId"
        )
        return problems
    if path == "$":
        problems.append(
            "'$' selects the whole event, not one value; name a field like $.detail.customerId"
        )
        return problems
    pipe_path = sqs_source_path(path)
    if len(pipe_path) > GROUP_PATH_MAX:
        problems.append(
            f"the pipe's path {pipe_path!r} is {len(pipe_path)} characters; "
            f"MessageGroupId takes at most {GROUP_PATH_MAX}: use a shorter path"
        )
    if "*" in path:
        problems.append(
            f"{path!r} has a wildcard, which selects a list; a message group needs one value"
        )
    elif "[" in path:
        problems.append(
            f"{path!r} has an array index; eventpipe routes events without the group field "
            "to the DLQ with an EventBridge 'exists' pattern, which cannot name an array "
            "element: group by an object field"
        )
    return problems


def evaluate(path: str, event: Mapping[str, object]) -> object:
    """The value Pipes takes for ``path`` from ``event``, or :data:`MISSING`.

    ``path`` is the pipe's path (``$.body.detail.customerId``) and ``event`` the pipe's
    source event: the SQS record, whose ``body`` is a string. Implicit body data parsing:
    a ``body`` that is valid JSON is parsed before the path is followed; one that is not
    stays a string (so a path into it selects nothing). A ``body`` already parsed is
    used as given. A wildcard index returns the list of the values it selects.
    """
    current: object = dict(event)
    if isinstance(current, dict) and isinstance(current.get("body"), str):
        with contextlib.suppress(ValueError):
            current["body"] = json.loads(current["body"])
    return _follow(current, steps(path))


def _follow(value: object, rest: Sequence[str | int]) -> object:
    if not rest:
        return value
    step, tail = rest[0], rest[1:]
    if isinstance(step, str) and step != "*":
        if isinstance(value, Mapping) and step in value:
            return _follow(value[step], tail)
        return MISSING
    if not isinstance(value, list):
        return MISSING
    if step == "*":
        found = [_follow(item, tail) for item in value]
        return [item for item in found if item is not MISSING]
    assert isinstance(step, int)
    if step < len(value):
        return _follow(value[step], tail)
    return MISSING


def _first_bad_char(path: str) -> str | None:
    for char in path[1:]:
        if not (char.isascii() and (char.isalnum() or char in "._-/[]*")):
            return char
    return None


# --- Rule patterns that split a consumer's events by whether they have the group field ---

MISSING_FIELD_REASON: Final = "no message group"
"""Start of the reason the missing-field rule writes (see :func:`missing_field_reason`)."""


def missing_field_reason(path: str) -> str:
    """The reason text the DLQ copy of an event without the group field carries.

    No quote marks: EventBridge's InputTemplate refuses quote marks inside a JSON object
    value (API reference ``InputTransformer``,
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html).
    """
    return (
        f"{MISSING_FIELD_REASON}: the event has no {path} field, so the pipe cannot "
        "choose a FIFO message group; add the field and publish the event again"
    )
