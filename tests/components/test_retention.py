"""retain_on_delete and protect on the stateful resources, as the engine receives them.

``MockResourceArgs`` carries no resource options, so these tests put a recording monitor
under the mocks: it sees each ``RegisterResourceRequest`` exactly as the Pulumi engine
would, options included.
"""

from __future__ import annotations

import functools
import json
import runpy
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ep_fixture.plugin
import pulumi
import pytest
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockMonitor

from components import retention
from eventpipe import contract, pulumi_stack
from eventpipe.testing.pulumi_mocks import AwsMocks
from tests.components.helpers import run_to_completion, settings

PROJECT = Path(__file__).resolve().parents[2]
MAIN = PROJECT / "__main__.py"
FIXTURE = [("fixture", ep_fixture.plugin)]
ARCHIVE = {"deadLetterArchive": {"afterDays": 10, "expireDays": 365}}


@dataclass(frozen=True)
class Registered:
    type: str
    name: str
    protect: bool
    retain_on_delete: bool
    parent: str = ""
    aliases: int = 0


class RecordingMonitor(MockMonitor):
    """The mock monitor, keeping every registration request's options."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registered: list[Registered] = []

    def RegisterResource(self, request: Any) -> Any:
        self.registered.append(
            Registered(
                request.type,
                request.name,
                bool(request.protect),
                bool(request.retainOnDelete),
                request.parent,
                len(request.aliases) + len(request.aliasURNs),
            )
        )
        return super().RegisterResource(request)

    def of_type(self, type_: str) -> list[Registered]:
        return [r for r in self.registered if r.type == type_]


@pytest.fixture
def monitor(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingMonitor]:
    pulumi_settings.ROOT.set(None)
    recording = RecordingMonitor(AwsMocks())
    pulumi.runtime.set_mocks(
        recording.mocks, project="eventpipe", stack="test", preview=False, monitor=recording
    )
    original = pulumi_stack.resolve_from_pulumi
    monkeypatch.setattr(
        pulumi_stack,
        "resolve_from_pulumi",
        functools.partial(original, extra_plugins=FIXTURE, entry_points=False),
    )
    yield recording
    pulumi_settings.ROOT.set(None)
    pulumi.runtime.set_all_config({})


def _run(values: dict[str, Any]) -> dict[str, Any]:
    flat = {"aws:region": "us-east-1"}
    flat.update(
        {f"eventpipe:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    )
    pulumi.runtime.set_all_config(flat)
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))

    def program() -> Any:
        runpy.run_path(str(MAIN), run_name="__main__")
        root = pulumi_settings.get_root_resource()
        return dict(root.outputs)[contract.STACK_OUTPUT]  # type: ignore[union-attr]

    return dict(run_to_completion(program))


STATEFUL = (
    "aws:sqs/queue:Queue",
    "aws:dynamodb/table:Table",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
)


def test_every_stateful_resource_is_retained_and_nothing_protected_by_default(
    monitor: RecordingMonitor,
) -> None:
    _run(ARCHIVE)
    for type_ in STATEFUL:
        declared = monitor.of_type(type_)
        assert declared, type_
        assert all(r.retain_on_delete and not r.protect for r in declared), declared
    queues = {r.name for r in monitor.of_type("aws:sqs/queue:Queue")}
    # the consumers' queues, DLQs, the per-key FIFO intake pair and the delivery DLQ
    assert {"fixture-fifo-queue", "fixture-fifo-dlq", "fixture-direct-dlq"} <= queues
    assert {"fixture-fifo-intake-queue", "fixture-fifo-intake-dlq"} & queues
    # the idempotency table is the bus's; every table the fixture plugin declares too
    assert len(monitor.of_type("aws:dynamodb/table:Table")) >= 1
    # what can be re-created is deleted as usual: functions, rules, mappings, roles
    for type_ in (
        "aws:lambda/function:Function",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:iam/role:Role",
        "aws:cloudwatch/logGroup:LogGroup",
    ):
        declared = monitor.of_type(type_)
        assert declared and not any(r.retain_on_delete or r.protect for r in declared), type_
    # components carry neither option: they would pass it to every child
    components = [r for r in monitor.registered if r.type.startswith("eventpipe:")]
    assert components and not any(r.retain_on_delete or r.protect for r in components)


def test_protect_covers_stateful_resources_and_what_configures_them(
    monitor: RecordingMonitor,
) -> None:
    output = _run({**ARCHIVE, "protect": True})
    assert output["protect"] is True
    for type_ in (*STATEFUL, "aws:sqs/queuePolicy:QueuePolicy", "aws:cloudwatch/logGroup:LogGroup"):
        declared = monitor.of_type(type_)
        assert declared and all(r.protect for r in declared), type_
    # the archive bucket's settings are protected with it, so `destroy --skip-preview`
    # cannot strip them off a bucket it then fails to delete
    archive_parts = [r for r in monitor.registered if r.type.startswith("aws:s3/")]
    assert len(archive_parts) >= 6 and all(r.protect and r.retain_on_delete for r in archive_parts)
    for type_ in ("aws:lambda/function:Function", "aws:cloudwatch/eventRule:EventRule"):
        assert not any(r.protect for r in monitor.of_type(type_)), type_


def test_options_for_names_each_kind() -> None:
    plain, guarded = settings(), settings(protect=True)
    queue = retention.options_for("aws:sqs/queue:Queue", plain)
    assert queue is not None and queue.retain_on_delete is True and queue.protect is None
    assert retention.options_for("aws:lambda/function:Function", guarded) is None
    policy = retention.options_for("aws:sqs/queuePolicy:QueuePolicy", guarded)
    assert policy is not None and policy.protect is True and policy.retain_on_delete is None
    assert retention.options_for("aws:sqs/queuePolicy:QueuePolicy", plain) is None
