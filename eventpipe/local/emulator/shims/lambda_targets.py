"""EventBridge rule targets that are Lambda functions: invoked in the local function pool.

On AWS a rule whose target is a function invokes it **asynchronously** with the event
(the whole event when the target has no ``Input``/``InputPath``/``InputTransformer``:
EventBridge API reference, ``Target``,
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html; "EventBridge
invokes your function asynchronously", Lambda developer guide, "Invoking a Lambda function
with Amazon EventBridge",
https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge.html and "Asynchronous
invocation", https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).

moto delivers to SQS, logs, archives and buses, and fails the PutEvents call with
``NotImplementedError`` on a Lambda target (its ``Rule.send_to_targets`` has no branch for
it; invoking moto's own Lambda would need Docker). The shim keeps moto's delivery to the
other targets and, for each Lambda target of a matching rule, hands the event (after the
target's ``Input`` or input transformer, as moto computes it for other targets) to the
invoker registered for that function ARN by the engine
(:class:`eventpipe.local.functions.async_invoke.AsyncInvoker`). A Lambda target whose
function has no local invoker is dropped and counted in :data:`UNDELIVERED`.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from typing import Any

from eventpipe.local.emulator.shims.scope import install

Invoke = Callable[[dict[str, Any]], None]

_INVOKERS: dict[str, Invoke] = {}
_LOCK = threading.Lock()
UNDELIVERED: dict[str, int] = {}
"""Function ARN -> events a rule sent it that no local invoker took."""


def register(function_arn: str, invoke: Invoke) -> None:
    """Route events of rules targeting ``function_arn`` to ``invoke`` (non-blocking)."""
    with _LOCK:
        _INVOKERS[function_arn] = invoke


def unregister(function_arn: str) -> None:
    with _LOCK:
        _INVOKERS.pop(function_arn, None)


def _payload(target: dict[str, Any], event: dict[str, Any]) -> Any:
    from moto.events.models import EventTemplateParser

    if target.get("Input"):
        return json.loads(target["Input"])
    transformer = target.get("InputTransformer") or {}
    return EventTemplateParser.parse(
        input_template=transformer.get("InputTemplate"),  # type: ignore[arg-type]
        input_paths_map=transformer.get("InputPathsMap", {}),
        event=event,  # type: ignore[arg-type]
    )


def lambda_delivery() -> None:
    """Patch moto's ``Rule.send_to_targets`` to invoke Lambda targets locally too."""
    from moto.events.models import Rule

    original = Rule.send_to_targets

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        functions = [t for t in self.targets if str(t.get("Arn", "")).startswith("arn:aws:lambda:")]
        if not functions:
            original(self, original_event, transform_input)
            return
        # moto raises NotImplementedError for a target type it does not know: it gets a
        # shallow copy of the rule holding only its other targets (the rule itself is
        # shared by concurrent PutEvents calls, so it is not changed).
        others = copy.copy(self)
        others.targets = [t for t in self.targets if t not in functions]
        original(others, original_event, transform_input)
        if not self.event_pattern.matches_event(original_event):
            return
        for target in functions:
            arn = str(target["Arn"])
            with _LOCK:
                invoke = _INVOKERS.get(arn)
            if invoke is None:
                UNDELIVERED[arn] = UNDELIVERED.get(arn, 0) + 1
                continue
            event = _payload(target, original_event) if transform_input else original_event
            invoke(dict(event) if isinstance(event, dict) else event)

    install(Rule, "send_to_targets", send_to_targets)
