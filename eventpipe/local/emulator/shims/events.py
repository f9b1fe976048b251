"""EventBridge delivery fix: the whole event, ``account`` included, and the event as
published in ``<aws.events.event.json>``.

A target without an input transformer gets the event as published, with its ``account``
field; moto rebuilds it from a template that leaves ``account`` out (and evaluates JSON
paths per event, which is slow). The shim passes the event through unchanged, as AWS
does: "If none of Input, InputPath, and InputTransformer are specified, then the entire
event is passed to the target in JSON format" (EventBridge API reference, ``Target``:
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html).

The same holds for an input transformer's predefined variable ``<aws.events.event.json>``:
"The full original event payload as JSON (with the detail field)" (EventBridge user
guide, "Amazon EventBridge input transformation", predefined variables:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
moto substitutes its internal copy, which carries an extra ``ingestion-time`` field; the
shim substitutes the event as published.

What this module does NOT do: resolve a rule target's ``SqsParameters.MessageGroupId``.
On AWS that value is a fixed string of at most 100 characters; EventBridge never
evaluates a JSON path there (EventBridge API reference, ``SqsParameters``:
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html;
aws/aws-cdk#32965). moto's literal pass-through is AWS's behaviour, so it is left alone:
a consumer whose ``message_group`` is a JSON path is fed through an EventBridge Pipe,
which the local engine runs (:mod:`eventpipe.local.pipes`).
"""

from __future__ import annotations

import json
from typing import Any

from eventpipe.local.emulator.shims.scope import install

_EVENT_JSON = "<aws.events.event.json>"


def published(event: dict[str, Any]) -> dict[str, Any]:
    """The event as published: moto's internal ``ingestion-time`` left out."""
    return {k: v for k, v in event.items() if k != "ingestion-time"}


def whole_event() -> None:
    """Deliver the event as published (``account`` included) when there is no transformer."""
    from moto.events.models import EventTemplateParser

    original = EventTemplateParser.parse

    def parse(
        input_template: str, input_paths_map: dict[str, Any], event: dict[str, Any]
    ) -> dict[str, Any]:  # moto calls it with these keyword names
        if not input_template and not input_paths_map:
            return published(event)
        if input_template and _EVENT_JSON in input_template:
            input_template = input_template.replace(_EVENT_JSON, json.dumps(published(event)))
        return original(input_template, input_paths_map, event)  # type: ignore[arg-type,no-any-return]

    install(EventTemplateParser, "parse", parse)
