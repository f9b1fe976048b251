"""The local engine's mechanics on a raw pulumi_aws program (no eventpipe components).

What is checked here does not depend on the project's own program: every declared
resource lands in the emulator with its attributes, stack config reaches the program,
the event source mapping deletes only what succeeded, redrives by maxReceiveCount, kills
a worker that overruns its timeout, never hands a message out twice however slow the
engine's own work, runs the EventBridge Pipe that sets FIFO groups from the event and
keeps group order, and leaves a rule target's MessageGroupId literal.

One engine serves the module (a deploy costs seconds on a busy machine). It proves the
same as one engine per test because each flow test owns its events: ids (and FIFO groups)
carry a tag of the test's own, the test waits on the engine's tracker for exactly those
events to reach a final outcome, and it reads only its own lines of the effects file and
its own messages of a DLQ. Nothing waits a fixed time.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventpipe.local import LocalEngine
from eventpipe.local.functions.function_logs import LogStream
from eventpipe.local.watch.tracker import message_key
from tests.local.conftest import MINI, copy_project

TIME_SCALE = 0.01
DEADLINE = 120.0
"""Seconds a test waits for the engine's record of its events (a busy machine)."""
FINAL = ("succeeded", "retried", "dead-lettered")


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
def effects(engine: LocalEngine, project: Path) -> Path:
    return project.parent / "effects.txt"


@pytest.fixture
def tag() -> str:
    """This test's own prefix for event ids and FIFO groups."""
    return uuid.uuid4().hex[:8]


def _lines(path: Path, tag: str) -> list[list[str]]:
    """This test's effect lines (``group|id|receive count|marker|sequence``), in order."""
    lines = [line.split("|") for line in path.read_text().splitlines() if line]
    return [line for line in lines if line[1].startswith(tag)]


def _attributes(engine: LocalEngine, url: str) -> dict[str, str]:
    return engine.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
        "Attributes"
    ]


def _publish(engine: LocalEngine, detail_type: str, details: list[dict[str, Any]]) -> list[str]:
    """Publish; the tracker's keys of the events, in order."""
    ids = engine.put_events(
        [{"Source": "mini", "DetailType": detail_type, "Detail": json.dumps(d)} for d in details]
    )
    return [f"event:{event_id}" for event_id in ids]


def _final(engine: LocalEngine, consumer: str, keys: list[str]) -> dict[str, str]:
    """Wait until the tracker holds a final outcome for every key, then until the engine
    is settled (nothing queued or in flight: a second delivery would show); key ->
    outcome."""

    def outcomes() -> dict[str, str | None]:
        return {key: engine.tracker.outcome(consumer, key) for key in keys}

    done = engine.tracker.wait_for(lambda: all(o in FINAL for o in outcomes().values()), DEADLINE)
    assert done, f"no final outcome within {DEADLINE:g}s: {outcomes()}"
    assert engine.wait_until_settled(DEADLINE), engine.queue_depths()
    return {key: str(outcome) for key, outcome in outcomes().items()}


def _own_dead_letters(engine: LocalEngine, url: str, tag: str, count: int) -> list[dict[str, Any]]:
    """This test's ``count`` messages of a DLQ (other tests' stay, made visible again)."""
    sqs = engine.client("sqs")
    mine: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + DEADLINE
    while len(mine) < count:
        assert time.monotonic() < deadline, f"only {len(mine)} of {count} in the DLQ"
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            detail = json.loads(message["Body"])["detail"]
            if str(detail.get("id", "")).startswith(tag):
                mine[message["MessageId"]] = detail
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
    return list(mine.values())


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


def test_only_reported_failures_are_kept_and_redriven(
    engine: LocalEngine, effects: Path, tag: str
) -> None:
    ok = [{"id": f"{tag}-ok-{i}"} for i in range(6)]
    bad = [{"id": f"{tag}-bad-{i}", "fail": True} for i in range(2)]
    keys = _publish(engine, "mini", ok + bad)
    outcomes = _final(engine, "mini", keys)
    assert list(outcomes.values()) == ["succeeded"] * 6 + ["dead-lettered"] * 2
    handled = sorted(line[1] for line in _lines(effects, tag))
    assert handled == sorted(d["id"] for d in ok)  # each exactly once: deleted after success
    dlq_url = engine.outputs.consumer("mini").dlq_url
    dead = _own_dead_letters(engine, dlq_url, tag, 2)
    assert sorted(d["id"] for d in dead) == [f"{tag}-bad-0", f"{tag}-bad-1"]
    for key in keys[6:]:  # redriven by maxReceiveCount 2: two attempts, then the DLQ
        record = engine.tracker.records[("mini", key)]
        assert (record.attempts, record.failures) == (2, 2)


def test_timeout_kills_the_worker_and_fails_the_batch(
    engine: LocalEngine, effects: Path, tag: str
) -> None:
    # The function timeout is 2 s (stack config); 3 s of sleep overruns it every time.
    [slow] = _publish(engine, "mini", [{"id": f"{tag}-slow", "sleep": 3}])
    assert _final(engine, "mini", [slow]) == {slow: "dead-lettered"}
    record = engine.tracker.records[("mini", slow)]
    assert "timed out" in record.last_error
    assert _lines(effects, tag) == []  # killed before it could note anything
    [after] = _publish(engine, "mini", [{"id": f"{tag}-after-timeout"}])
    assert _final(engine, "mini", [after]) == {after: "succeeded"}
    assert [line[1] for line in _lines(effects, tag)] == [f"{tag}-after-timeout"]  # fresh worker


def test_a_crashed_attempt_is_retried_after_the_time_scaled_visibility_timeout(
    engine: LocalEngine, effects: Path, tag: str
) -> None:
    """The function timeout (900 s) is the queue's whole visibility timeout, which the
    time scale makes 9 s: a worker that dies on the first delivery leaves the message to
    come back after those 9 s, not after the 900 s the queue keeps while a batch runs.
    Without that, the deadline below (120 s) would pass before the second attempt."""
    state = engine.deployment.state
    [mapping] = [m for m in state.mappings if m.function_name == "mini-crash"]
    queue = state.queues[mapping.queue_arn]
    assert queue.declared_visibility_timeout == 900
    assert queue.visibility_timeout == 900  # covers the running batch
    url = engine.deployment.outputs["mini"]["crashQueueUrl"]
    body = json.dumps({"id": f"{tag}-crash", "exit_first": True})
    engine.client("sqs").send_message(QueueUrl=url, MessageBody=body)
    key = message_key(body)
    done = engine.tracker.wait_for(
        lambda: engine.tracker.outcome("mini-crash", key) == "retried", DEADLINE
    )
    assert done, f"no second attempt in {DEADLINE:g}s: {engine.tracker.outcome('mini-crash', key)}"
    record = engine.tracker.records[("mini-crash", key)]
    assert (record.attempts, record.failures) == (2, 1)
    assert "worker died" in record.last_error
    assert [line[1:3] for line in _lines(effects, tag)] == [[f"{tag}-crash", "2"]]


def test_fifo_groups_set_by_the_pipe_and_kept_in_order(
    engine: LocalEngine, effects: Path, tag: str
) -> None:
    groups = [f"{tag}-{g}" for g in "abc"]
    details = [{"id": f"{group}-{n:02d}", "group": group} for n in range(12) for group in groups]
    keys = _publish(engine, "mini-fifo", details)
    assert set(_final(engine, "mini-fifo", keys).values()) == {"succeeded"}
    seen: dict[str, list[tuple[str, int, str]]] = {}
    for group, item, count, _marker, sequence in _lines(effects, tag):
        seen.setdefault(group, []).append((item, int(sequence), count))
    assert sorted(seen) == groups  # "$.body.detail.group" evaluated by the pipe
    for group, handled in seen.items():
        items = [item for item, _, _ in handled]
        # Each once, on its first receive...
        assert sorted(items) == [f"{group}-{n:02d}" for n in range(12)]
        assert {count for _, _, count in handled} == {"1"}
        # ...in the order the FIFO queue holds them: EventBridge and the standard intake
        # queue do not keep publish order, so the queue's sequence numbers are the order.
        sequence = [number for _, number, _ in handled]
        assert sequence == sorted(sequence) and len(set(sequence)) == 12
    outputs = engine.outputs.consumer("mini-fifo")
    assert engine.client("pipes").describe_pipe(Name=outputs.pipe_name)["CurrentState"] == (
        "RUNNING"
    )
    literal = engine.client("sqs").receive_message(
        QueueUrl=engine.deployment.outputs["mini"]["literalFifoUrl"],
        MaxNumberOfMessages=10,
        MessageSystemAttributeNames=["All"],
    )["Messages"]
    # A rule target's group id is literal, as on AWS: every event in one group.
    assert {m["Attributes"]["MessageGroupId"] for m in literal} == {"$.detail.group"}


def test_a_slow_engine_never_hands_a_message_out_twice(
    engine: LocalEngine, effects: Path, tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The FIFO queue's visibility timeout is 2 s here (time-scaled, floored at the
    function timeout). Shipping the function's log is made to take longer than that, as a
    loaded machine can: the records are deleted when the function returns, so none comes
    back to be handled again."""
    queue_url = engine.outputs.consumer("mini-fifo").queue_url
    visibility = int(_attributes(engine, queue_url)["VisibilityTimeout"])
    ship = LogStream.ship

    def slow_ship(self: LogStream, *args: Any, **kwargs: Any) -> list[str]:
        if self.group.endswith("/mini-fifo"):
            time.sleep(visibility + 1)  # the load being emulated, not a wait of the test's
        return ship(self, *args, **kwargs)

    monkeypatch.setattr(LogStream, "ship", slow_ship)
    group = f"{tag}-slow"
    keys = _publish(engine, "mini-fifo", [{"id": f"{group}-{n}", "group": group} for n in range(4)])
    assert set(_final(engine, "mini-fifo", keys).values()) == {"succeeded"}
    handled = _lines(effects, tag)
    assert sorted(line[1] for line in handled) == [f"{group}-{n}" for n in range(4)]
    assert {line[2] for line in handled} == {"1"}  # no second receive
    assert [engine.tracker.records[("mini-fifo", key)].attempts for key in keys] == [1] * 4


def test_an_event_without_its_group_ends_in_the_intake_dlq(engine: LocalEngine, tag: str) -> None:
    [key] = _publish(engine, "mini-fifo", [{"id": f"{tag}-no-group"}])
    assert _final(engine, "mini-fifo", [key]) == {key: "dead-lettered"}
    outputs = engine.outputs.consumer("mini-fifo")
    [moved] = _own_dead_letters(engine, outputs.intake_dlq_url, tag, 1)
    assert moved == {"id": f"{tag}-no-group"}
    events = engine.client("logs").filter_log_events(logGroupName=outputs.pipe_log_group)
    steps = {json.loads(e["message"])["messageType"] for e in events["events"]}
    assert "TargetInvocationFailed" in steps  # the pipe logged why, at level ERROR
