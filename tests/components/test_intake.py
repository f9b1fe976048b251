"""Per-key FIFO through EventBridge Pipes: every resource and policy the intake path adds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi

from components.intake import (
    DEDUPLICATION_PATH,
    EVENT_FIELDS,
    PIPE_LOG_ACTIONS,
    PIPE_SOURCE_ACTIONS,
    PIPE_TARGET_ACTIONS,
    event_input_template,
    missing_field_template,
)
from eventpipe.consumer import Consumer
from eventpipe.patterns import matches, pattern_problems
from eventpipe.pipes_paths import evaluate, missing_field_reason
from eventpipe.testing.pulumi_mocks import AwsMocks, MockResource, policy
from tests.components.helpers import build, settings, settled

PATTERN = {"source": ["shop"], "detail-type": ["Order Created"]}
EVENT = {
    "version": "0",
    "id": "6f1c9b5e-0000-4000-8000-000000000001",
    "detail-type": "Order Created",
    "source": "shop",
    "account": "123456789012",
    "time": "2026-12-01T00:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:x"],
    "detail": {"customerId": "c-7", "lines": [1, 2]},
}


def per_key(name: str = "orders", **fields: Any) -> Consumer:
    values: dict[str, Any] = {
        "name": name,
        "handler": "ep_fixture.handlers:direct",
        "pattern": PATTERN,
        "fifo": True,
        "message_group": "$.detail.customerId",
        **fields,
    }
    return Consumer(**values)


def run_stack(mocks: AwsMocks, build_dir: Path, consumers: list[Consumer], check: Any) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        bus, pipelines = build(
            [("shop", c) for c in consumers], settings(logRetentionDays=14), build_dir
        )
        return settled([bus, *pipelines]).apply(lambda _: check(pipelines))

    run()


def statements(recorded: MockResource) -> list[dict[str, Any]]:
    return list(policy(recorded)["Statement"])


def test_the_intake_queues_are_encrypted_tls_only_and_rule_only(
    mocks: AwsMocks, build_dir: Path
) -> None:
    def check(_: object) -> None:
        intake = mocks.one("aws:sqs/queue:Queue", "orders-intake")
        dlq = mocks.one("aws:sqs/queue:Queue", "orders-intake-dlq")
        rule = mocks.one("aws:cloudwatch/eventRule:EventRule", "orders-rule")
        missing = mocks.one("aws:cloudwatch/eventRule:EventRule", "orders-missing-group-rule")
        for queue in (intake, dlq):
            assert not queue.inputs.get("fifoQueue"), "the intake side is standard SQS"
            assert queue.inputs["sqsManagedSseEnabled"] is True
        assert intake.outputs["name"] == "eventpipe-test-orders-intake"
        assert dlq.outputs["name"] == "eventpipe-test-orders-intake-dlq"
        assert dlq.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
        assert json.loads(intake.inputs["redrivePolicy"]) == {
            "deadLetterTargetArn": dlq.outputs["arn"],
            "maxReceiveCount": 5,
        }
        allow = mocks.one(
            "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "orders-intake-dlq-redrive-allow"
        )
        assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
            "redrivePermission": "byQueue",
            "sourceQueueArns": [intake.outputs["arn"]],
        }
        for logical, queue, source in (
            ("orders-intake-policy", intake, rule),
            ("orders-intake-dlq-policy", dlq, missing),
        ):
            recorded = mocks.one("aws:sqs/queuePolicy:QueuePolicy", logical)
            assert recorded.inputs["queueUrl"] == queue.outputs["url"]
            assert statements(recorded) == [
                {
                    "Sid": "AllowEventBridgeRule",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue.outputs["arn"],
                    "Condition": {"ArnEquals": {"aws:SourceArn": source.outputs["arn"]}},
                },
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sqs:*",
                    "Resource": queue.outputs["arn"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ]
        # the FIFO queue: no EventBridge grant (the pipe sends with its role), TLS only
        fifo_policy = mocks.one("aws:sqs/queuePolicy:QueuePolicy", "orders-queue-policy")
        assert [s["Effect"] for s in statements(fifo_policy)] == ["Deny"]

    run_stack(mocks, build_dir, [per_key()], check)


def test_the_pipe_reads_the_intake_and_sends_to_the_fifo_queue(
    mocks: AwsMocks, build_dir: Path
) -> None:
    def check(_: object) -> None:
        pipe = mocks.one("aws:pipes/pipe:Pipe", "orders-pipe")
        intake = mocks.one("aws:sqs/queue:Queue", "orders-intake")
        fifo = mocks.one("aws:sqs/queue:Queue", "orders-queue")
        role = mocks.one("aws:iam/role:Role", "orders-pipe-role")
        logs = mocks.one("aws:cloudwatch/logGroup:LogGroup", "orders-pipe-logs")
        assert pipe.inputs["name"] == "eventpipe-test-orders"
        assert pipe.inputs["source"] == intake.outputs["arn"]
        assert pipe.inputs["target"] == fifo.outputs["arn"]
        assert fifo.inputs["fifoQueue"] is True
        assert pipe.inputs["roleArn"] == role.outputs["arn"]
        assert pipe.inputs["desiredState"] == "RUNNING"
        assert pipe.inputs["sourceParameters"] == {"sqsQueueParameters": {"batchSize": 10}}
        target = pipe.inputs["targetParameters"]
        assert target["sqsQueueParameters"] == {
            "messageGroupId": "$.body.detail.customerId",
            "messageDeduplicationId": "$.body.id",
        }
        assert target["inputTemplate"] == event_input_template()
        assert pipe.inputs["logConfiguration"] == {
            "level": "ERROR",
            "cloudwatchLogsLogDestination": {"logGroupArn": logs.outputs["arn"]},
        }
        assert logs.inputs["name"] == "/aws/vendedlogs/pipes/eventpipe-test-orders"
        assert logs.inputs["retentionInDays"] == 14

    run_stack(mocks, build_dir, [per_key()], check)


def test_the_pipe_role_has_only_what_the_pipe_needs(mocks: AwsMocks, build_dir: Path) -> None:
    def check(_: object) -> None:
        role = mocks.one("aws:iam/role:Role", "orders-pipe-role")
        assert role.inputs["name"] == "eventpipe-test-orders-pipe"
        assert json.loads(role.inputs["assumeRolePolicy"]) == {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "pipes.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                }
            ],
        }
        intake = mocks.one("aws:sqs/queue:Queue", "orders-intake")
        fifo = mocks.one("aws:sqs/queue:Queue", "orders-queue")
        logs = mocks.one("aws:cloudwatch/logGroup:LogGroup", "orders-pipe-logs").outputs["arn"]
        found = statements(mocks.one("aws:iam/rolePolicy:RolePolicy", "orders-pipe-policy"))
        assert found == [
            {"Sid": "ReadIntake", "Effect": "Allow", "Action": PIPE_SOURCE_ACTIONS,
             "Resource": intake.outputs["arn"]},
            {"Sid": "SendToFifo", "Effect": "Allow", "Action": PIPE_TARGET_ACTIONS,
             "Resource": fifo.outputs["arn"]},
            {"Sid": "WritePipeLog", "Effect": "Allow", "Action": PIPE_LOG_ACTIONS,
             "Resource": [logs, f"{logs}:*"]},
        ]  # fmt: skip
        assert PIPE_LOG_ACTIONS == ["logs:CreateLogStream", "logs:PutLogEvents"]
        for statement in found:
            assert all("*" not in action for action in statement["Action"])
        assert set(PIPE_SOURCE_ACTIONS) == {
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        }
        assert PIPE_TARGET_ACTIONS == ["sqs:SendMessage"]

    run_stack(mocks, build_dir, [per_key()], check)


def test_the_rules_split_events_by_the_group_field(mocks: AwsMocks, build_dir: Path) -> None:
    def check(_: object) -> None:
        intake = mocks.one("aws:sqs/queue:Queue", "orders-intake")
        dlq = mocks.one("aws:sqs/queue:Queue", "orders-intake-dlq")
        delivery = mocks.one("aws:sqs/queue:Queue", "eventpipe-delivery-dlq")
        rule = mocks.one("aws:cloudwatch/eventRule:EventRule", "orders-rule")
        missing = mocks.one("aws:cloudwatch/eventRule:EventRule", "orders-missing-group-rule")
        assert missing.inputs["name"] == "eventpipe-test-orders-nogroup"
        with_field = json.loads(rule.inputs["eventPattern"])
        without = json.loads(missing.inputs["eventPattern"])
        assert pattern_problems(with_field) == [] and pattern_problems(without) == []
        assert with_field == {**PATTERN, "detail": {"customerId": [{"exists": True}]}}
        assert without == {**PATTERN, "detail": {"customerId": [{"exists": False}]}}
        no_group = {**EVENT, "detail": {"lines": []}}
        assert matches(with_field, EVENT) and not matches(without, EVENT)
        assert matches(without, no_group) and not matches(with_field, no_group)

        target = mocks.one("aws:cloudwatch/eventTarget:EventTarget", "orders-target")
        assert target.inputs["arn"] == intake.outputs["arn"]
        assert "sqsTarget" not in target.inputs and "inputTransformer" not in target.inputs
        dead = mocks.one("aws:cloudwatch/eventTarget:EventTarget", "orders-missing-group-target")
        assert dead.inputs["arn"] == dlq.outputs["arn"]
        assert dead.inputs["rule"] == missing.outputs["name"]
        assert dead.inputs["deadLetterConfig"] == {"arn": delivery.outputs["arn"]}
        assert dead.inputs["retryPolicy"]["maximumRetryAttempts"] == 185
        template = dead.inputs["inputTransformer"]["inputTemplate"]
        assert template == missing_field_template("$.detail.customerId")

    run_stack(mocks, build_dir, [per_key()], check)


def test_an_or_pattern_is_split_in_every_branch(mocks: AwsMocks, build_dir: Path) -> None:
    pattern = {"$or": [{"source": ["shop"]}, {"detail-type": ["Order Created"]}]}

    def check(_: object) -> None:
        rule = mocks.one("aws:cloudwatch/eventRule:EventRule", "orders-rule")
        missing = mocks.one("aws:cloudwatch/eventRule:EventRule", "orders-missing-group-rule")
        with_field = json.loads(rule.inputs["eventPattern"])
        without = json.loads(missing.inputs["eventPattern"])
        assert with_field["$or"] == pattern["$or"] == without["$or"]
        for event in (EVENT, {**EVENT, "source": "other"}, {**EVENT, "detail-type": "x"}):
            no_group = {**event, "detail": {}}
            assert matches(with_field, event) and not matches(without, event)
            assert matches(without, no_group) and not matches(with_field, no_group)
        neither = {**EVENT, "source": "other", "detail-type": "x"}
        assert not matches(with_field, neither) and not matches(without, neither)

    run_stack(mocks, build_dir, [per_key(pattern=pattern)], check)


def test_a_pattern_requiring_the_field_needs_no_missing_field_rule(
    mocks: AwsMocks, build_dir: Path
) -> None:
    pattern = {**PATTERN, "detail": {"customerId": [{"prefix": "c-"}]}}

    def check(pipelines: list[Any]) -> None:
        rule = mocks.one("aws:cloudwatch/eventRule:EventRule", "orders-rule")
        assert json.loads(rule.inputs["eventPattern"]) == pattern
        assert not mocks.named("orders-missing-group")
        dlq_policy = mocks.one("aws:sqs/queuePolicy:QueuePolicy", "orders-intake-dlq-policy")
        assert [s["Effect"] for s in statements(dlq_policy)] == ["Deny"]
        assert pipelines[0].outputs.missing_group_rule_name is None

    run_stack(mocks, build_dir, [per_key(pattern=pattern)], check)


def test_a_fixed_group_stays_a_plain_rule_target(mocks: AwsMocks, build_dir: Path) -> None:
    def check(pipelines: list[Any]) -> None:
        target = mocks.one("aws:cloudwatch/eventTarget:EventTarget", "fixed-target")
        queue = mocks.one("aws:sqs/queue:Queue", "fixed-queue")
        assert target.inputs["arn"] == queue.outputs["arn"]
        assert target.inputs["sqsTarget"] == {"messageGroupId": "all-orders"}
        assert not mocks.named("fixed-intake") and not mocks.of_type("aws:pipes/pipe:Pipe")
        entry = pipelines[0].outputs
        assert entry.message_group == "all-orders"
        assert entry.intake_queue_url is None and entry.pipe_name is None

    run_stack(mocks, build_dir, [per_key("fixed", message_group="all-orders")], check)


def test_intake_alarms_and_dashboard_widgets(mocks: AwsMocks, build_dir: Path) -> None:
    def check(_: object) -> None:
        alarm = mocks.one("aws:cloudwatch/metricAlarm:MetricAlarm", "orders-alarm")
        metrics = {q["id"]: q.get("metric") for q in alarm.inputs["metricQueries"]}
        assert metrics["intakedlq"]["dimensions"] == {
            "QueueName": "eventpipe-test-orders-intake-dlq"
        }
        assert metrics["intakedlq"]["metricName"] == "ApproximateNumberOfMessagesVisible"
        assert metrics["intakeage"]["dimensions"] == {"QueueName": "eventpipe-test-orders-intake"}
        assert metrics["intakeage"]["metricName"] == "ApproximateAgeOfOldestMessage"
        dashboard = mocks.one("aws:cloudwatch/dashboard:Dashboard", "eventpipe-dashboard")
        widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
        titles = [w["properties"]["title"] for w in widgets]
        assert "orders: intake queue depth" in titles
        assert "orders: intake oldest message age (s)" in titles
        assert "orders: intake DLQ depth" in titles
        by_title = {w["properties"]["title"]: w for w in widgets}
        assert by_title["orders: intake DLQ depth"]["properties"]["metrics"] == [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName",
             "eventpipe-test-orders-intake-dlq"]
        ]  # fmt: skip

    run_stack(mocks, build_dir, [per_key()], check)


def test_the_input_template_rebuilds_the_event() -> None:
    """Each placeholder is a path Pipes resolves in the SQS record (eventpipe.pipes_paths);
    filling them as Pipes documents (strings quoted, objects and arrays bare) gives back
    the EventBridge event exactly."""
    template = event_input_template()
    record = {"messageId": "m", "body": json.dumps(EVENT), "attributes": {}}
    filled = template
    for field in EVENT_FIELDS:
        value = evaluate(f"$.body.{field}", record)
        filled = filled.replace(f"<$.body.{field}>", str(value))
    for field in ("resources", "detail"):
        filled = filled.replace(
            f"<$.body.{field}>", json.dumps(evaluate(f"$.body.{field}", record))
        )
    assert json.loads(filled) == EVENT
    assert evaluate(DEDUPLICATION_PATH, record) == EVENT["id"]
    assert evaluate("$.body.detail.customerId", record) == "c-7"


def test_the_missing_field_template_wraps_the_whole_event_with_its_reason() -> None:
    template = missing_field_template("$.detail.customerId")
    assert "<aws.events.event.json>" in template
    body = json.loads(template.replace("<aws.events.event.json>", json.dumps(EVENT)))
    assert body == {
        "eventpipe": {"reason": missing_field_reason("$.detail.customerId")},
        "event": EVENT,
    }


def test_the_docs_show_the_templates_the_pipeline_declares() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "components.md").read_text()
    assert event_input_template() in docs
    assert missing_field_template("$.detail.customerId") in docs
