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
* **FIFO groups after a retry.** moto keeps a received message "pending" (blocking its
  group) until a receive finds it visible again, and then releases the group's pending
  messages one at a time while it walks the queue; when several messages of a group come
  back together (a failed batch, or a visibility timeout), it skips the earlier ones and
  delivers a later one first: out of order. The shim releases every visible message
  before a receive starts, and counts a message visible from its exact visibility time
  (moto: one millisecond later), so a group resumes with its oldest message, as on AWS.
* **Queue cost.** moto computes *every* attribute of a queue (message counts included,
  a scan of the queue) for each message sent and received, and reads the clock through
  datetime conversions for each message scanned: 12 messages/s with 2,000 queued. The
  shim reads the retention period directly and gives moto's SQS a plain clock; the
  behaviour is the same, the cost per message stays flat.
"""

from __future__ import annotations

import functools
import time
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
    """Patch the in-process moto (once per process); see the module docstring."""
    global _APPLIED
    if _APPLIED:
        return
    _group_from_event()
    _whole_event()
    _flat_queue_cost()
    _fifo_release()
    _APPLIED = True


def _group_from_event() -> None:
    from moto.events.models import Rule

    original = Rule._send_to_sqs_queue

    @functools.wraps(original)
    def send(
        self: Any, resource_id: str, event: dict[str, Any], group_id: str | None = None
    ) -> None:
        original(self, resource_id, event, message_group(event, group_id))

    Rule._send_to_sqs_queue = send  # type: ignore[method-assign]


def _whole_event() -> None:
    from moto.events.models import EventTemplateParser

    original = EventTemplateParser.parse

    def parse(
        input_template: str, input_paths_map: dict[str, Any], event: dict[str, Any]
    ) -> dict[str, Any]:  # moto calls it with these keyword names
        if not input_template and not input_paths_map:
            return {k: v for k, v in event.items() if k != "ingestion-time"}
        return original(input_template, input_paths_map, event)  # type: ignore[arg-type,no-any-return]

    setattr(EventTemplateParser, "parse", staticmethod(parse))  # noqa: B010


def _flat_queue_cost() -> None:
    from moto.sqs import models as sqs_models

    original_unix_time = sqs_models.unix_time

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else original_unix_time(dt)

    def unix_time_millis(dt: Any = None) -> float:
        return unix_time(dt) * 1000.0

    def retained(self: Any, queue_name: str, message: Any) -> bool:
        period = int(self.get_queue(queue_name).message_retention_period)
        return bool(period + message.sent_timestamp / 1000 > time.time())

    sqs_models.unix_time = unix_time
    sqs_models.unix_time_millis = unix_time_millis
    backend = sqs_models.SQSBackend
    backend.is_message_valid_based_on_retention_period = retained  # type: ignore[method-assign]


def _fifo_release() -> None:
    from moto.sqs import models as sqs_models

    original = sqs_models.SQSBackend.receive_message

    def receive_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        queue = self.get_queue(queue_name)
        for message in [m for m in queue.pending_messages if m.visible]:
            queue.pending_messages.discard(message)
        return original(self, queue_name, *args, **kwargs)

    def visible(message: Any) -> bool:
        return bool(sqs_models.unix_time_millis() >= message.visible_at)

    sqs_models.SQSBackend.receive_message = receive_message  # type: ignore[method-assign]
    setattr(sqs_models.Message, "visible", property(visible))  # noqa: B010
