"""What ``pulumi up`` would do to a stack, computed locally: the plan of a redeploy.

The program runs under mocks that create nothing (a dry run), and a recording monitor
keeps each resource's inputs and the options the engine would receive
(``retain_on_delete``, ``protect``). Two such records, the stack as last deployed and as
it is now, compare the way the Pulumi engine compares state and goals:

* declared now, not before: **create**;
* both, an input that forces a new resource changed: **replace**. The AWS provider
  replaces a resource whose physical name the program sets delete-before-replace
  (pulumi-terraform-bridge ``pkg/tfbridge/provider.go``, ``Diff``;
  ``schema.go``, ``nameRequiresDeleteBeforeReplace``); the old one is then kept if it
  carries ``retain_on_delete`` ("Pulumi will not call through to the resource
  provider's Delete method when deleting or replacing the resource",
  https://www.pulumi.com/docs/iac/concepts/resources/options/retainondelete/), and the
  replacement is refused if it is protected;
* both, other inputs changed: **update** in place;
* declared before, not now: **delete**, or **retain** (kept in AWS, dropped from the
  state) with ``retain_on_delete``, or **refused** with ``protect`` ("it will be an error
  to do a Pulumi deployment which tries to delete a protected resource",
  https://www.pulumi.com/docs/iac/concepts/resources/options/protect/).

Resources are matched by type and logical name, which is how the program's aliases
(``components/retired.py``) make a retired consumer's queues the same resources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eventpipe.contract import LOCAL_STATE_DIR

CREATE, UPDATE, REPLACE, DELETE, RETAIN, REFUSED, SAME = (
    "create", "update", "replace", "delete", "retain", "refused", "same",
)  # fmt: skip
REPLACED_BY = {
    "aws:sqs/queue:Queue": ("name", "fifoQueue"),
    "aws:dynamodb/table:Table": ("name", "hashKey", "rangeKey"),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix"),
    "aws:cloudwatch/logGroup:LogGroup": ("name",),
    "aws:cloudwatch/eventRule:EventRule": ("name", "eventBusName"),
    "aws:cloudwatch/eventTarget:EventTarget": ("rule", "targetId", "eventBusName"),
    "aws:lambda/function:Function": ("name",),
    "aws:iam/role:Role": ("name",),
    "aws:pipes/pipe:Pipe": ("name",),
}
"""Inputs whose change forces a new resource (ForceNew in terraform-provider-aws:
``internal/service/sqs/queue.go`` ``name``, ``fifo_queue``; ``dynamodb/table.go``
``name``, ``hash_key``, ``range_key``; ``s3/bucket.go`` ``bucket``, ``bucket_prefix``;
``logs/group.go`` ``name``; ``events/rule.go`` ``name``, ``event_bus_name``;
``events/target.go`` ``rule``, ``target_id``, ``event_bus_name``;
``lambda/function.go`` ``function_name``; ``iam/role.go`` ``name``; ``pipes/pipe.go``
``name``). Any other type: ``name`` alone."""
NAMED = ("name", "bucket")
"""The auto-nameable inputs: set by the program, they make a replacement
delete-before-replace."""
QUEUE = "aws:sqs/queue:Queue"


@dataclass(frozen=True)
class Declared:
    """One resource as the program declares it."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    retain: bool = False
    protect: bool = False

    @property
    def key(self) -> str:
        return f"{self.type}::{self.name}"

    @property
    def physical(self) -> str | None:
        for key in NAMED:
            if isinstance(self.inputs.get(key), str):
                return str(self.inputs[key])
        return None


@dataclass
class Step:
    """What ``pulumi up`` does to one resource."""

    action: str
    type: str
    name: str
    physical: str | None = None
    detail: str = ""
    messages: int | None = None
    """Messages a queue holds that this step deletes (delete, delete-before-replace)
    or leaves outside the stack (retain): counted in the running emulator."""

    @property
    def loses_data(self) -> bool:
        return self.action == DELETE or (self.action == REPLACE and "old deleted" in self.detail)


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)

    def of(self, action: str) -> list[Step]:
        return [s for s in self.steps if s.action == action]

    @property
    def refused(self) -> bool:
        return bool(self.of(REFUSED))

    def changes(self) -> list[Step]:
        return [s for s in self.steps if s.action != SAME]


def _stable(value: Any) -> Any:
    """A non-JSON input (a function's code archive) by what identifies it: its path."""
    path = getattr(value, "path", None)
    return f"{type(value).__name__}({path})" if path is not None else type(value).__name__


def plain(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs as JSON values, the same in a dry run and read back from :func:`save`."""
    return dict(json.loads(json.dumps(dict(inputs), sort_keys=True, default=_stable)))


def _comparable(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=_stable)


def compute(before: Mapping[str, Declared], after: Mapping[str, Declared]) -> Plan:
    """The steps from the stack ``before`` (last deployed) to ``after`` (declared now)."""
    plan = Plan()
    for key, new in after.items():
        old = before.get(key)
        if old is None:
            plan.steps.append(Step(CREATE, new.type, new.name, new.physical))
            continue
        forcing = [
            k
            for k in REPLACED_BY.get(new.type, ("name",))
            if _comparable(old.inputs.get(k)) != _comparable(new.inputs.get(k))
        ]
        if forcing:
            plan.steps.append(_replace(old, new, forcing))
        elif _comparable(dict(old.inputs)) != _comparable(dict(new.inputs)):
            changed = sorted(
                k
                for k in set(old.inputs) | set(new.inputs)
                if _comparable(old.inputs.get(k)) != _comparable(new.inputs.get(k))
            )
            plan.steps.append(
                Step(UPDATE, new.type, new.name, new.physical, "in place: " + ", ".join(changed))
            )
        else:
            plan.steps.append(Step(SAME, new.type, new.name, new.physical))
    for key, old in before.items():
        if key in after:
            continue
        if old.protect:
            plan.steps.append(
                Step(REFUSED, old.type, old.name, old.physical,
                     "protected: Pulumi refuses to delete it (eventpipe:protect)")
            )  # fmt: skip
        elif old.retain:
            plan.steps.append(
                Step(RETAIN, old.type, old.name, old.physical,
                     "dropped from the stack, kept in AWS (retain_on_delete)")
            )  # fmt: skip
        else:
            plan.steps.append(Step(DELETE, old.type, old.name, old.physical))
    return plan


def _replace(old: Declared, new: Declared, forcing: list[str]) -> Step:
    why = ", ".join(forcing)
    if old.protect:
        return Step(
            REFUSED, new.type, new.name, old.physical,
            f"replacement ({why} changed) of a protected resource: Pulumi refuses it",
        )  # fmt: skip
    order = (
        "delete-before-replace (the program names it)"
        if old.physical is not None and any(k in old.inputs for k in NAMED)
        else "create-before-delete"
    )
    fate = "old kept in AWS (retain_on_delete)" if old.retain else "old deleted"
    target = f" -> {new.physical}" if new.physical != old.physical else ""
    return Step(
        REPLACE, new.type, new.name, f"{old.physical}{target}", f"{why} changed: {order}; {fate}"
    )


def count_messages(plan: Plan, sqs: Any, queue_urls: Mapping[str, str]) -> None:
    """Fill in :attr:`Step.messages` for the queues a step deletes, replaces or retains
    (``queue_urls``: physical queue name -> URL in the emulator)."""
    counted = (
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    )
    for step in plan.steps:
        if step.type != QUEUE or step.action not in (DELETE, RETAIN, REPLACE, REFUSED):
            continue
        name = (step.physical or "").split(" -> ")[0]
        url = queue_urls.get(name)
        if url is None:
            continue
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(counted))
        step.messages = sum(int(attrs["Attributes"].get(k, 0)) for k in counted)


def declared_path(project: Path, stack: str) -> Path:
    """Where the local engine keeps what it last deployed of ``stack``."""
    return project / LOCAL_STATE_DIR / f"declared-{stack}.json"


def save(path: Path, declared: Mapping[str, Declared]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {key: asdict(item) for key, item in declared.items()}
    path.write_text(json.dumps(data, sort_keys=True, default=_stable))


def load(path: Path) -> dict[str, Declared]:
    """What was last deployed; empty when nothing was (or the file is unreadable)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {key: Declared(**item) for key, item in data.items()}
