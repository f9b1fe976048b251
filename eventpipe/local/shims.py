"""Small fixes to the embedded moto server where it differs from AWS on our path.

Each shim is applied only to the moto running in this process (``eventpipe dev``,
``demo``, tests), is idempotent, and is listed in docs/local.md.

* **FIFO message group from the event.** A rule target's ``SqsParameters.MessageGroupId``
  may be a JSON path such as ``$.detail.customerId`` that EventBridge resolves per event
  (what :attr:`eventpipe.Consumer.message_group` promises). moto passes the string through
  literally, which would put every event of a FIFO consumer in one group named
  ``$.detail.customerId``; the shim resolves the path against the event first.
* **The whole event, account included.** A target without an input transformer gets the
  event as published, with its ``account`` field; moto rebuilds it from a template that
  leaves ``account`` out (and evaluates JSON paths per event, which is slow). The shim
  passes the event through unchanged, as AWS does.
* **Queue cost.** moto computes *every* attribute of a queue (message counts included,
  a scan of the queue) for each message sent and received, and reads the clock through
  datetime conversions for each message scanned: 12 messages/s with 2,000 queued. The
  shim reads the retention period directly and gives moto's SQS a plain clock; the
  behaviour is the same, the cost per message stays flat.
"""

from __future__ import annotations

import functools
from typing import Any

_APPLIED = False


def resolve_path(event: dict[str, Any], path: str) -> str | None:
    """The value at ``$.a.b`` in ``event`` as a string, or None when absent."""
    value: Any = event
    for part in path[2:].split(".") if path.startswith("$.") else []:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def message_group(event: dict[str, Any], group_id: str | None) -> str | None:
    """The MessageGroupId EventBridge would use for ``event`` with this target setting."""
    if group_id and group_id.startswith("$."):
        # An event without the field still needs a group on a FIFO queue; AWS fails the
        # delivery (it ends in the target's DLQ). Locally the event id keeps it flowing
        # unordered, which docs/local.md states.
        return resolve_path(event, group_id) or str(event.get("id", "unknown"))
    return group_id


def apply_moto_shims() -> None:
    """Patch the in-process moto EventBridge model (once per process)."""
    global _APPLIED
    if _APPLIED:
        return
    from moto.events.models import EventTemplateParser, Rule

    original = Rule._send_to_sqs_queue
    original_parse = EventTemplateParser.parse

    def parse(
        input_template: str, input_paths_map: dict[str, Any], event: dict[str, Any]
    ) -> dict[str, Any]:
        if not input_template and not input_paths_map:
            return {k: v for k, v in event.items() if k != "ingestion-time"}
        return original_parse(input_template, input_paths_map, event)  # type: ignore[no-any-return]

    @functools.wraps(original)
    def send(
        self: Any, resource_id: str, event: dict[str, Any], group_id: str | None = None
    ) -> None:
        original(self, resource_id, event, message_group(event, group_id))

    import time

    from moto.sqs import models as sqs_models
    from moto.sqs.models import SQSBackend

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else original_unix_time(dt)

    def unix_time_millis(dt: Any = None) -> float:
        return unix_time(dt) * 1000.0

    original_unix_time = sqs_models.unix_time
    sqs_models.unix_time = unix_time
    sqs_models.unix_time_millis = unix_time_millis

    def retained(self: Any, queue_name: str, message: Any) -> bool:
        period = int(self.get_queue(queue_name).message_retention_period)
        return bool(period + message.sent_timestamp / 1000 > unix_time())

    SQSBackend.is_message_valid_based_on_retention_period = retained  # type: ignore[method-assign]
    Rule._send_to_sqs_queue = send  # type: ignore[method-assign]
    EventTemplateParser.parse = staticmethod(parse)  # type: ignore[method-assign]
    _APPLIED = True
