"""Removing from the emulator what a redeploy replaces or deletes, before it runs.

``eventpipe dev`` applies a change the way ``pulumi up`` would (:mod:`.plan`): what the
plan deletes, and the old resource of a delete-before-replace, goes first; a retained
resource (``retain_on_delete``) stays, outside the stack, with its messages or items.
The functions, event source mappings and pipes of the previous deploy go too: they hold
no data, the redeploy creates them again with their new settings and the engine starts
fresh workers and pollers for them (a Lambda ``CreateFunction`` or ``CreatePipe`` on a
name in use is refused, so the emulator could not update them in place otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from eventpipe.local.deploy.plan import DELETE, REPLACE, Declared, Plan
from eventpipe.local.deploy.records import DeployState
from eventpipe.local.emulator.server import Emulator


def remove_runners(emulator: Emulator, state: DeployState) -> list[str]:
    """Delete the previous deploy's event source mappings, pipes and functions; returns
    what could not be deleted (already gone is fine)."""
    problems: list[str] = []
    lambda_, pipes = emulator.client("lambda"), emulator.client("pipes")
    for mapping in state.mappings:
        _quietly(problems, f"mapping {mapping.uuid}",
                 partial(lambda_.delete_event_source_mapping, UUID=mapping.uuid))  # fmt: skip
    for pipe in state.pipes:
        _quietly(problems, f"pipe {pipe.name}", partial(pipes.delete_pipe, Name=pipe.name))
    for name in state.functions:
        _quietly(problems, f"function {name}",
                 partial(lambda_.delete_function, FunctionName=name))  # fmt: skip
    return problems


def apply_deletes(
    emulator: Emulator, plan: Plan, before: Mapping[str, Declared]
) -> tuple[list[str], list[str]]:
    """Delete what ``plan`` deletes (``delete``, and the old resource of a ``replace``
    that does not keep it). Returns (what was deleted, what could not be)."""
    deleted: list[str] = []
    problems: list[str] = []
    for step in plan.steps:
        if not (step.action == DELETE or (step.action == REPLACE and step.loses_data)):
            continue
        old = before.get(f"{step.type}::{step.name}")
        if old is None:
            continue
        remove = _REMOVERS.get(old.type)
        if remove is None or (old.physical is None and old.type != _TARGET):
            continue  # functions, mappings and pipes: remove_runners; the rest hold nothing
        label = f"{old.type.split(':')[-1]} {old.physical or old.name}"
        if _quietly(problems, label, partial(remove, emulator, old)):
            deleted.append(label)
    return deleted, problems


def _quietly(problems: list[str], label: str, call: Callable[[], Any]) -> bool:
    try:
        call()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if "NotFound" in code or "NonExistent" in code:
            return False
        problems.append(f"{label}: {code or exc}")
        return False
    return True


def _queue(emulator: Emulator, old: Declared) -> None:
    sqs = emulator.client("sqs")
    name = str(old.inputs.get("name") or "")
    if old.inputs.get("fifoQueue") and not name.endswith(".fifo"):
        name += ".fifo"
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])


def _table(emulator: Emulator, old: Declared) -> None:
    emulator.client("dynamodb").delete_table(TableName=str(old.inputs["name"]))


def _rule(emulator: Emulator, old: Declared) -> None:
    """DeleteRule refuses a rule that still has targets ("Before you can delete the rule,
    you must remove all targets",
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html)."""
    events = emulator.client("events")
    bus = (
        {"EventBusName": str(old.inputs["eventBusName"])} if old.inputs.get("eventBusName") else {}
    )
    name = str(old.inputs["name"])
    targets = events.list_targets_by_rule(Rule=name, **bus).get("Targets", [])
    if targets:
        events.remove_targets(Rule=name, Ids=[t["Id"] for t in targets], **bus)
    events.delete_rule(Name=name, **bus)


def _target(emulator: Emulator, old: Declared) -> None:
    bus = (
        {"EventBusName": str(old.inputs["eventBusName"])} if old.inputs.get("eventBusName") else {}
    )
    emulator.client("events").remove_targets(
        Rule=str(old.inputs["rule"]), Ids=[str(old.inputs["targetId"])], **bus
    )


def _alarm(emulator: Emulator, old: Declared) -> None:
    emulator.client("cloudwatch").delete_alarms(AlarmNames=[str(old.inputs["name"])])


def _log_group(emulator: Emulator, old: Declared) -> None:
    emulator.client("logs").delete_log_group(logGroupName=str(old.inputs["name"]))


_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
_REMOVERS: dict[str, Callable[[Emulator, Declared], None]] = {
    "aws:sqs/queue:Queue": _queue,
    "aws:dynamodb/table:Table": _table,
    "aws:cloudwatch/eventRule:EventRule": _rule,
    _TARGET: _target,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": _alarm,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
}
"""How each stateful or feeding resource type is deleted in the emulator. A rule and its
targets must go, or the emulator would keep feeding a queue the stack no longer reads."""
