"""The local engine's mechanics on a raw pulumi_aws program (no eventpipe components).

What is checked here does not depend on the project's own program: every declared
resource lands in the emulator with its attributes, stack config reaches the program,
the event source mapping deletes only what succeeded, redrives by maxReceiveCount, kills
a worker that overruns its timeout, runs the EventBridge Pipe that sets FIFO groups from
the event and keeps group order, and leaves a rule target's MessageGroupId literal.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventpipe.local import LocalEngine
from tests.local.conftest import MINI, copy_project

TIME_SCALE = 0.01


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mini")
    effects = root / "effects.txt"
    return copy_project(MINI, root / "project", {"eventpipe-mini:effectsFile": str(effects)})


@pytest.fixture(scope="module")
def engine(project: Path) -> Iterator[LocalEngine]:
    with LocalEngine(project, "dev", time_scale=TIME_SCALE) as running:
        yield running


@pytest.fixture
def effects(engine: LocalEngine, project: Path) -> Iterator[Path]:
    path = project.parent / "effects.txt"
    path.write_text("")
    yield path


def _lines(path: Path) -> list[list[str]]:
    return [line.split("|") for line in path.read_text().splitlines() if line]


def _attributes(engine: LocalEngine, url: str) -> dict[str, str]:
    return engine.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
        "Attributes"
    ]


def _publish(engine: LocalEngine, detail_type: str, details: list[dict[str, object]]) -> None:
    engine.put_events(
        [{"Source": "mini", "DetailType": detail_type, "Detail": json.dumps(d)} for d in details]
    )


def test_queues_get_every_declared_attribute(engine: LocalEngine) -> None:
    consumers = engine.outputs.consumers
    queue = _attributes(engine, consumers["mini"].queue_url)
    assert queue["VisibilityTimeout"] == "3"  # 300 s declared, time scale 0.01
    assert queue["MessageRetentionPeriod"] == "86400"
    assert queue["ReceiveMessageWaitTimeSeconds"] == "20"
    assert queue["SqsManagedSseEnabled"] == "true"
    redrive = json.loads(queue["RedrivePolicy"])
    dlq = _attributes(engine, consumers["mini"].dlq_url)
    assert redrive == {"deadLetterTargetArn": dlq["QueueArn"], "maxReceiveCount": 2}
    assert dlq["MessageRetentionPeriod"] == "1209600"
    # moto accepts but drops RedriveAllowPolicy: the engine says so rather than pretend.
    assert "RedriveAllowPolicy" not in dlq
    assert any(
        "mini-dlq" in n and "RedriveAllowPolicy" in n for n in engine.deployment.state.notices
    )
    assert json.loads(queue["Policy"])["Statement"][0]["Resource"] == queue["QueueArn"]

    fifo = _attributes(engine, consumers["mini-fifo"].queue_url)
    assert consumers["mini-fifo"].queue_url.endswith(".fifo")  # auto-named like Pulumi
    assert fifo["FifoQueue"] == "true"
    assert fifo["ContentBasedDeduplication"] == "true"
    assert fifo["VisibilityTimeout"] == "2"  # 0.6 s scaled, floored so a batch can finish


def test_rules_targets_and_other_resources_exist(engine: LocalEngine) -> None:
    bus = engine.outputs.bus
    events = engine.client("events")
    all_rules = events.list_rules(EventBusName=bus.name)["Rules"]
    # The archive brings its own managed rule, as on AWS.
    assert any(r["Name"].startswith("Events-Archive-") for r in all_rules)
    rules = [r for r in all_rules if not r["Name"].startswith("Events-Archive-")]
    patterns = sorted(json.loads(r["EventPattern"])["detail-type"][0] for r in rules)
    assert patterns == ["mini", "mini-fifo"]
    targets = {
        t["Arn"]: t
        for r in rules
        for t in events.list_targets_by_rule(Rule=r["Name"], EventBusName=bus.name)["Targets"]
    }
    queue_arn = engine.outputs.consumer("mini").queue_arn
    assert targets[queue_arn]["RetryPolicy"] == {
        "MaximumRetryAttempts": 2,
        "MaximumEventAgeInSeconds": 600,
    }
    literal = engine.client("sqs").get_queue_attributes(
        QueueUrl=engine.deployment.outputs["mini"]["literalFifoUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    assert targets[literal]["SqsParameters"] == {"MessageGroupId": "$.detail.group"}
    fifo_arn = engine.outputs.consumer("mini-fifo").queue_arn
    assert fifo_arn not in targets  # the pipe feeds it, not the rule
    pipe = engine.client("pipes").describe_pipe(Name="mini-pipe")
    assert pipe["Target"] == fifo_arn
    assert pipe["TargetParameters"]["SqsQueueParameters"]["MessageGroupId"] == (
        "$.body.detail.group"
    )
    assert (
        events.describe_archive(ArchiveName=bus.archive_arn.rsplit("/", 1)[-1])["RetentionDays"]
        == 3
    )

    table = engine.deployment.outputs["mini"]["tableName"]
    ttl = engine.client("dynamodb").describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    [group] = engine.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/mini")[
        "logGroups"
    ]
    assert group["retentionInDays"] == 7
    [alarm] = engine.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "mini-dlq"}]
    [topic] = engine.client("sns").list_topics()["Topics"]
    assert alarm["AlarmActions"] == [topic["TopicArn"]]
    assert engine.client("sns").list_subscriptions()["Subscriptions"][0]["Protocol"] == "sqs"
    assert len(engine.client("s3").list_buckets()["Buckets"]) == 1


def test_outputs_and_config_come_from_the_emulator_and_stack_file(engine: LocalEngine) -> None:
    assert engine.outputs.region == "eu-west-1"  # aws:region of Pulumi.dev.yaml
    assert engine.deployment.outputs["mini"]["account"] == "123456789012"
    assert engine.outputs.bus.arn.startswith("arn:aws:events:eu-west-1:123456789012:event-bus/")
    state = engine.deployment.state
    assert state.functions["mini"].environment["MARKER"] == "from-stack-config"
    assert {m.batch_size for m in state.mappings} == {4}  # an object value, JSON-decoded


def test_unsupported_type_is_skipped_with_a_notice(engine: LocalEngine) -> None:
    state = engine.deployment.state
    skipped = [r for r in state.resources if r.status == "skipped"]
    assert [(r.type, r.name) for r in skipped] == [("aws:schemas/registry:Registry", "unsupported")]
    assert any("aws:schemas/registry:Registry" in n for n in state.notices)


def test_only_reported_failures_are_kept_and_redriven(engine: LocalEngine, effects: Path) -> None:
    ok = [{"id": f"ok-{i}"} for i in range(6)]
    bad = [{"id": f"bad-{i}", "fail": True} for i in range(2)]
    _publish(engine, "mini", ok + bad)
    assert engine.wait_until_settled(30)
    handled = sorted(line[1] for line in _lines(effects))
    assert handled == sorted(d["id"] for d in ok)  # each exactly once: deleted after success
    dlq_url = engine.outputs.consumer("mini").dlq_url
    engine.watcher.poll()
    dead = engine.client("sqs").receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)[
        "Messages"
    ]
    assert sorted(json.loads(m["Body"])["detail"]["id"] for m in dead) == ["bad-0", "bad-1"]
    summary = engine.tracker.summary()["mini"]
    assert (summary.succeeded, summary.dead_lettered) >= (6, 2)


def test_timeout_kills_the_worker_and_fails_the_batch(engine: LocalEngine, effects: Path) -> None:
    # The function timeout is 2 s (stack config); 3 s of sleep overruns it every time.
    _publish(engine, "mini", [{"id": "slow", "sleep": 3}])
    time.sleep(0.2)
    _publish(engine, "mini", [{"id": "after-timeout"}])
    assert engine.wait_until_settled(40)
    assert [line[1] for line in _lines(effects)] == ["after-timeout"]  # a fresh worker ran it
    record = next(
        r
        for r in engine.tracker.records.values()
        if "slow" in r.label or r.last_error.startswith("Task timed out")
    )
    assert record.outcome == "dead-lettered"
    assert "timed out" in record.last_error


def test_fifo_groups_set_by_the_pipe_and_kept_in_order(engine: LocalEngine, effects: Path) -> None:
    details = [
        {"id": f"{group}-{n:02d}", "group": group} for n in range(12) for group in ("a", "b", "c")
    ]
    _publish(engine, "mini-fifo", details)
    assert engine.wait_until_settled(60), engine.queue_depths()
    seen: dict[str, list[str]] = {}
    for group, item, _count, _marker in _lines(effects):
        seen.setdefault(group, []).append(item)
    assert sorted(seen) == ["a", "b", "c"]  # "$.body.detail.group" evaluated by the pipe
    for group, items in seen.items():
        # In the order they reached the FIFO queue; EventBridge and the standard intake
        # queue do not keep publish order, so only each group's set is fixed here.
        assert sorted(items) == [f"{group}-{n:02d}" for n in range(12)]
    outputs = engine.outputs.consumer("mini-fifo")
    assert engine.client("pipes").describe_pipe(Name=outputs.pipe_name)["CurrentState"]
    literal = engine.client("sqs").receive_message(
        QueueUrl=engine.deployment.outputs["mini"]["literalFifoUrl"],
        MaxNumberOfMessages=10,
        MessageSystemAttributeNames=["All"],
    )["Messages"]
    # A rule target's group id is literal, as on AWS: every event in one group.
    assert {m["Attributes"]["MessageGroupId"] for m in literal} == {"$.detail.group"}


def test_an_event_without_its_group_ends_in_the_intake_dlq(engine: LocalEngine) -> None:
    _publish(engine, "mini-fifo", [{"id": "no-group"}])
    outputs = engine.outputs.consumer("mini-fifo")
    sqs = engine.client("sqs")
    deadline = time.monotonic() + 90
    moved: list[dict[str, object]] = []
    while not moved:
        assert time.monotonic() < deadline, "the event never reached the intake DLQ"
        moved = sqs.receive_message(QueueUrl=outputs.intake_dlq_url).get("Messages", [])
        time.sleep(0.05)
    assert json.loads(str(moved[0]["Body"]))["detail"] == {"id": "no-group"}
    events = engine.client("logs").filter_log_events(logGroupName=outputs.pipe_log_group)
    steps = {json.loads(e["message"])["messageType"] for e in events["events"]}
    assert "TargetInvocationFailed" in steps  # the pipe logged why, at level ERROR
