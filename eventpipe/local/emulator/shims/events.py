"""EventBridge delivery fixes: the FIFO message group from the event, and the whole event.

* **FIFO message group from the event: NOT what AWS does, slated for removal (issue 9).**
  On AWS a rule target's ``SqsParameters.MessageGroupId`` is a fixed string of at most 100
  characters; EventBridge never evaluates a JSON path there (EventBridge API reference,
  ``SqsParameters``: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html;
  aws/aws-cdk#32965). moto's literal pass-through is AWS's behaviour; this shim resolves a
  ``$.detail.x`` path per event, which hides that a path-based ``message_group`` puts every
  event in one group on AWS. Per-key groups need EventBridge Pipes
  (aws-samples/serverless-patterns#2764); until the pipeline uses them, local mode here
  disagrees with AWS, and docs/local.md says so.
* **The whole event, account included.** A target without an input transformer gets the
  event as published, with its ``account`` field; moto rebuilds it from a template that
  leaves ``account`` out (and evaluates JSON paths per event, which is slow). The shim
  passes the event through unchanged, as AWS does: "If none of Input, InputPath, and
  InputTransformer are specified, then the entire event is passed to the target in JSON
  format" (EventBridge API reference, ``Target``:
  https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html).
"""

from __future__ import annotations

import functools
from typing import Any


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


def group_from_event() -> None:
    """Resolve a JSON-path MessageGroupId per event before moto sends to the queue."""
    from moto.events.models import Rule

    original = Rule._send_to_sqs_queue

    @functools.wraps(original)
    def send(
        self: Any, resource_id: str, event: dict[str, Any], group_id: str | None = None
    ) -> None:
        original(self, resource_id, event, message_group(event, group_id))

    Rule._send_to_sqs_queue = send  # type: ignore[method-assign]


def whole_event() -> None:
    """Deliver the event as published (``account`` included) when there is no transformer."""
    from moto.events.models import EventTemplateParser

    original = EventTemplateParser.parse

    def parse(
        input_template: str, input_paths_map: dict[str, Any], event: dict[str, Any]
    ) -> dict[str, Any]:  # moto calls it with these keyword names
        if not input_template and not input_paths_map:
            return {k: v for k, v in event.items() if k != "ingestion-time"}
        return original(input_template, input_paths_map, event)  # type: ignore[arg-type,no-any-return]

    setattr(EventTemplateParser, "parse", staticmethod(parse))  # noqa: B010
