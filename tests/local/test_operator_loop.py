"""The operator's loop on the local engine: function logs, pause/resume, the dev console's
outcomes and the local alarms, through the project's own program and runtime.

Every wait is on a condition with a generous deadline (the suite runs on busy CPUs).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.local import LocalEngine
from eventpipe.local.watch.tracker import LogEntry
from eventpipe.operate.stack_outputs import write_announcement
from tests.local.conftest import PluginEnv, real_project

STACK = "ops"
CONSUMER = "ops-orders"
DEADLINE = 120.0
STREAM_NAME = re.compile(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")


class Run:
    def __init__(self, engine: LocalEngine, project: Path, effects: Path, log: list[LogEntry]):
        self.engine = engine
        self.project = project
        self.effects = effects
        self.log = log
        self.consumer = engine.outputs.consumer(CONSUMER)

    def publish(self, *details: dict[str, Any]) -> list[str]:
        return self.engine.put_events(
            [{"Source": "ops.loop", "DetailType": "Op", "Detail": json.dumps(d)} for d in details]
        )

    def effects_of(self) -> list[str]:
        return [line for line in self.effects.read_text().splitlines() if line]

    def depth(self, url: str) -> int:
        attributes = self.engine.client("sqs").get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())

    def entries(self, key: str) -> list[LogEntry]:
        return [e for e in list(self.log) if e.key == key]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("ops")
    effects = root / "effects.txt"
    effects.write_text("")
    project = real_project(
        root / "project",
        STACK,
        {
            "aws:region": "us-east-1",
            "eventpipe:publishSchemas": False,
            "eventpipe:dashboard": False,
            "eventpipe:archive": False,
        },
    )
    saved = os.environ.get("OPS_EFFECTS_FILE")
    os.environ["OPS_EFFECTS_FILE"] = str(effects)
    log: list[LogEntry] = []
    try:
        with PluginEnv("ops-loop") as plugins:
            plugins.install(
                root / "site",
                "eventpipe-ops-loop",
                {"ops-loop": "tests.local.fixtures.plugins.ops_loop"},
            )
            with LocalEngine(project, STACK, time_scale=0.01, on_log=log.append) as engine:
                yield Run(engine, project, effects, log)
    finally:
        if saved is None:
            os.environ.pop("OPS_EFFECTS_FILE", None)
        else:
            os.environ["OPS_EFFECTS_FILE"] = saved


def _events(run: Run, **kwargs: Any) -> list[dict[str, Any]]:
    group = f"/aws/lambda/{run.consumer.function_name}"
    pages = run.engine.client("logs").get_paginator("filter_log_events")
    return [e for page in pages.paginate(logGroupName=group, **kwargs) for e in page["events"]]


def test_function_output_reaches_its_cloudwatch_log_group(run: Run) -> None:
    run.publish({"n": 1})
    wait_for(lambda: "1|1" in run.effects_of(), "event 1 handled")
    group = f"/aws/lambda/{run.consumer.function_name}"
    logs = run.engine.client("logs")
    streams = wait_for(
        lambda: logs.describe_log_streams(logGroupName=group)["logStreams"], "a log stream"
    )
    assert all(STREAM_NAME.match(s["logStreamName"]) for s in streams), streams
    messages = wait_for(
        lambda: (
            [e["message"] for e in _events(run) if e["message"].startswith("REPORT")]
            and [e["message"] for e in _events(run)]
        ),
        "a REPORT line",
    )
    assert any(m.startswith("START RequestId: ") and "Version: $LATEST" in m for m in messages)
    assert any(m.startswith("END RequestId: ") for m in messages)
    powertools = [json.loads(m) for m in messages if m.startswith("{")]
    assert powertools, messages  # the runtime's JSON log lines, one event each
    assert any("level" in line for line in powertools)  # Powertools logs (and EMF metrics)
    # GetLogEvents reads one stream as on AWS.
    stream = streams[0]["logStreamName"]
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert got["events"]


def test_a_dead_lettered_record_is_reported_once_with_its_reason(run: Run) -> None:
    [event_id] = run.publish({"n": 2, "mode": "permanent"})
    key = f"event:{event_id}"
    wait_for(lambda: run.entries(key), "the poisoned event's outcome")
    assert run.engine.wait_until_settled(DEADLINE)
    entries = run.entries(key)
    assert [e.outcome for e in entries] == ["dead-letter"], entries
    assert "PermanentError" in entries[0].detail and "order 2 is poisoned" in entries[0].detail
    assert f"/aws/lambda/{run.consumer.function_name}" in entries[0].log
    assert run.engine.tracker.outcome(CONSUMER, key) == "dead-lettered"

    # Redriven by hand (back to the queue), it fails again: a second dead-letter line.
    sqs = run.engine.client("sqs")
    dlq = run.consumer.dlq_url
    message = wait_for(
        lambda: sqs.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"]).get("Messages"),
        "the DLQ copy",
    )[0]
    sqs.send_message(QueueUrl=run.consumer.queue_url, MessageBody=message["Body"])
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
    wait_for(lambda: len(run.entries(key)) >= 2, "the redriven record's outcome")
    assert run.engine.wait_until_settled(DEADLINE)
    assert [e.outcome for e in run.entries(key)] == ["dead-letter", "dead-letter"]
    assert "ok" not in {e.outcome for e in run.entries(key)}


def test_a_retried_record_shows_its_error_and_then_ok(run: Run) -> None:
    [event_id] = run.publish({"n": 3, "mode": "flaky"})
    key = f"event:{event_id}"
    wait_for(lambda: "3|2" in run.effects_of(), "event 3 handled on its second delivery")
    wait_for(lambda: len(run.entries(key)) >= 2, "both outcomes of event 3")
    first, second = run.entries(key)
    assert first.outcome == "retry"
    assert "ValueError: amount of order 3 is not a number" in first.detail
    assert first.log.startswith(f"/aws/lambda/{run.consumer.function_name} ")
    assert second.outcome == "ok" and second.attempt == 2


def _mapping(run: Run) -> dict[str, Any]:
    lam = run.engine.client("lambda")
    [mapping] = lam.list_event_source_mappings(FunctionName=run.consumer.function_name)[
        "EventSourceMappings"
    ]
    return dict(mapping)


def test_pause_stops_polling_and_resume_delivers_everything(run: Run) -> None:
    assert run.engine.wait_until_settled(DEADLINE)
    lam = run.engine.client("lambda")
    dead_before = run.depth(run.consumer.dlq_url)
    mapping = _mapping(run)
    assert mapping["State"] == "Enabled"
    assert mapping["EventSourceArn"] == run.consumer.queue_arn
    # The mapping in the emulator is the one the deploy made: the stack output's UUID.
    assert (run.consumer.event_source_mapping_uuid or mapping["UUID"]) == mapping["UUID"]
    assert mapping["UUID"] in {m.uuid for m in run.engine.deployment.state.mappings}
    answer = lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    assert answer["State"] in {"Disabling", "Disabled"}  # AWS answers Disabling first
    wait_for(lambda: _mapping(run)["State"] == "Disabled", "the mapping to read Disabled")

    before = run.effects_of()
    run.publish(*({"n": 100 + i} for i in range(5)))
    # Disabled is reported only once the poller has stopped receiving: nothing can be
    # consumed now, and the five messages wait in the queue.
    assert run.depth(run.consumer.queue_url) == 5
    assert run.effects_of() == before
    assert run.depth(run.consumer.dlq_url) == dead_before
    assert not run.engine.settled()

    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    wait_for(lambda: _mapping(run)["State"] == "Enabled", "the mapping to read Enabled")
    assert run.engine.wait_until_settled(DEADLINE)
    handled = {line.split("|")[0] for line in run.effects_of()}
    assert {str(100 + i) for i in range(5)} <= handled
    assert run.depth(run.consumer.dlq_url) == dead_before  # nothing dead-lettered


def _drain(run: Run, url: str) -> None:
    """Empty a queue by receiving and deleting (PurgeQueue works once a minute)."""
    sqs = run.engine.client("sqs")

    def empty() -> bool:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return run.depth(url) == 0

    wait_for(empty, f"{url} to be empty")


def test_a_dlq_with_messages_puts_its_alarm_in_alarm_and_status_shows_it(run: Run) -> None:
    cloudwatch = run.engine.client("cloudwatch")
    [dlq_alarm] = run.consumer.alarm_names  # the consumer's one alarm, over every signal

    def state() -> str:
        return str(
            cloudwatch.describe_alarms(AlarmNames=[dlq_alarm])["MetricAlarms"][0]["StateValue"]
        )

    # Earlier tests left a dead letter: empty the DLQ, the alarm returns to OK.
    _drain(run, run.consumer.dlq_url)
    wait_for(lambda: state() == "OK", "the DLQ alarm to be OK")

    # A rule on the default bus sees the alarm's state changes, as on AWS.
    sqs, events = run.engine.client("sqs"), run.engine.client("events")
    changes = sqs.create_queue(QueueName="alarm-changes")["QueueUrl"]
    changes_arn = sqs.get_queue_attributes(QueueUrl=changes, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(
        Name="alarm-changes",
        EventPattern=json.dumps(
            {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}
        ),
    )
    events.put_targets(Rule="alarm-changes", Targets=[{"Id": "q", "Arn": changes_arn}])

    run.publish({"n": 4, "mode": "permanent"})
    wait_for(lambda: state() == "ALARM", "the DLQ alarm to go to ALARM")
    alarm = cloudwatch.describe_alarms(AlarmNames=[dlq_alarm])["MetricAlarms"][0]
    assert "Threshold Crossed" in alarm["StateReason"]

    def alarm_events() -> list[dict[str, Any]]:
        received = sqs.receive_message(QueueUrl=changes, MaxNumberOfMessages=10)
        found = [json.loads(m["Body"]) for m in received.get("Messages", [])]
        seen.extend(e for e in found if e["detail"]["alarmName"] == dlq_alarm)
        return [e for e in seen if e["detail"]["state"]["value"] == "ALARM"]

    seen: list[dict[str, Any]] = []
    [change] = wait_for(alarm_events, "the alarm's state change event")
    assert change["source"] == "aws.cloudwatch"
    assert change["resources"] == [alarm["AlarmArn"]]
    assert change["detail"]["previousState"]["value"] == "OK"
    assert change["detail"]["state"]["reason"] == alarm["StateReason"]

    write_announcement(
        run.project,
        STACK,
        endpoint_url=run.engine.emulator.endpoint_url,
        region=run.engine.emulator.region,
        outputs=run.engine.outputs,
    )
    result = CliRunner().invoke(
        app,
        ["status", "--local", "--stack", STACK, "--project-dir", str(run.project)],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert "ALARM" in result.output
    assert f"{dlq_alarm}: DLQ not empty" in result.output  # the signal, read from its value

    _drain(run, run.consumer.dlq_url)
    wait_for(lambda: state() == "OK", "the DLQ alarm to return to OK")
