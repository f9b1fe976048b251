"""Test plugin (Lambda side): handlers that fail on request and count their effects.

``detail.mode``: ``ok``; ``transient`` (RetryableError for the first ``failures``
deliveries); ``permanent`` (PermanentError: the runtime dead-letters it at once);
``crash`` (an unexpected exception every time: SQS redrives it after maxReceiveCount).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3

from eventpipe.runtime import Event, PermanentError, RecordInfo, RetryableError


@cache
def _table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["EFFECTS_TABLE"])


def _fail_as_asked(detail: dict[str, Any], info: RecordInfo) -> None:
    mode = detail.get("mode", "ok")
    if mode == "permanent":
        raise PermanentError(f"event {detail['n']} is poisoned")
    if mode == "crash":
        raise RuntimeError(f"event {detail['n']} always crashes")
    if mode == "transient" and info.receive_count <= int(detail.get("failures", 1)):
        raise RetryableError(f"event {detail['n']} fails on delivery {info.receive_count}")


def apply_once(event: Event, info: RecordInfo) -> None:
    """Count one effect per call; idempotency must keep it at one per event."""
    _fail_as_asked(event.detail, info)
    _table().update_item(
        Key={"pk": f"n#{event.detail['n']}"},
        UpdateExpression="ADD effects :one",
        ExpressionAttributeValues={":one": 1},
    )


def append_in_order(event: Event, info: RecordInfo) -> None:
    """Append the event's sequence number to its group's list: the order of effects."""
    _fail_as_asked(event.detail, info)
    _table().update_item(
        Key={"pk": f"group#{event.detail['group']}"},
        UpdateExpression="SET seqs = list_append(if_not_exists(seqs, :empty), :seq)",
        ExpressionAttributeValues={":empty": [], ":seq": [event.detail["seq"]]},
    )


def reject(event: Event) -> None:
    """Reject every event: the runtime sends it to the DLQ with this reason."""
    raise PermanentError(f"rejected {event.id}")
