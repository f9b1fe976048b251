"""A deployed-looking stack in moto: the resources, its outputs file, a CLI runner.

The resources mirror what ``pulumi up`` creates for three consumers (two fed by rules,
one fed directly), named as the stack output describes them, so every command runs
its real AWS calls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from eventpipe.cli import app
from eventpipe.operate import dlq as dlq_ops

PREFIX = "eventpipe-dev-"
CONSUMERS: dict[str, dict[str, Any] | None] = {
    "orders": {"source": ["ecommerce.orders"], "detail-type": ["Order Created"]},
    "inventory": {"source": ["ecommerce.orders", "ecommerce.stock"]},
    "mailer": None,  # fed directly by producers: no rule
}


def _arn(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attrs["Attributes"]["QueueArn"])


def build_stack(session: Any, endpoint_url: str | None = None, archive: bool = True) -> dict:
    """Create bus, archive, queues with redrive, rules, alarms; return the stack output."""
    events = session.client("events", endpoint_url=endpoint_url)
    sqs = session.client("sqs", endpoint_url=endpoint_url)
    cloudwatch = session.client("cloudwatch", endpoint_url=endpoint_url)
    bus_name = f"{PREFIX}bus"
    bus_arn = events.create_event_bus(Name=bus_name)["EventBusArn"]
    archive_arn = None
    if archive:
        archive_arn = events.create_archive(ArchiveName=f"{PREFIX}archive", EventSourceArn=bus_arn)[
            "ArchiveArn"
        ]
    delivery_url = sqs.create_queue(QueueName=f"{PREFIX}delivery-dlq")["QueueUrl"]
    consumers = {}
    for name, pattern in CONSUMERS.items():
        dlq_url = sqs.create_queue(QueueName=f"{PREFIX}{name}-dlq")["QueueUrl"]
        dlq_arn = _arn(sqs, dlq_url)
        queue_url = sqs.create_queue(
            QueueName=f"{PREFIX}{name}",
            Attributes={
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}
                )
            },
        )["QueueUrl"]
        queue_arn = _arn(sqs, queue_url)
        rule_name = rule_arn = None
        if pattern is not None:
            rule_name = f"{PREFIX}{name}"
            rule_arn = events.put_rule(
                Name=rule_name, EventBusName=bus_name, EventPattern=json.dumps(pattern)
            )["RuleArn"]
            events.put_targets(
                Rule=rule_name,
                EventBusName=bus_name,
                Targets=[{"Id": "queue", "Arn": queue_arn}],
            )
        alarms = [f"{PREFIX}{name}-dlq-not-empty", f"{PREFIX}{name}-oldest-age"]
        for alarm, (metric, queue) in zip(
            alarms,
            [
                ("ApproximateNumberOfMessagesVisible", dlq_url),
                ("ApproximateAgeOfOldestMessage", queue_url),
            ],
            strict=True,
        ):
            cloudwatch.put_metric_alarm(
                AlarmName=alarm,
                Namespace="AWS/SQS",
                MetricName=metric,
                Dimensions=[{"Name": "QueueName", "Value": queue.rsplit("/", 1)[-1]}],
                Statistic="Maximum",
                Period=60,
                EvaluationPeriods=1,
                Threshold=0,
                ComparisonOperator="GreaterThanThreshold",
            )
        consumers[name] = {
            "plugin": "tests",
            "fifo": False,
            "source": "rule" if pattern is not None else "queue",
            "queueUrl": queue_url,
            "queueArn": queue_arn,
            "dlqUrl": dlq_url,
            "dlqArn": dlq_arn,
            "functionName": f"{PREFIX}{name}",
            "functionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{PREFIX}{name}",
            "ruleName": rule_name,
            "ruleArn": rule_arn,
            "alarmNames": alarms,
        }
    return {
        "project": "eventpipe",
        "stack": "dev",
        "region": "us-east-1",
        "bus": {
            "name": bus_name,
            "arn": bus_arn,
            "archiveName": f"{PREFIX}archive" if archive else None,
            "archiveArn": archive_arn,
            "deliveryDlqUrl": delivery_url,
            "deliveryDlqArn": _arn(sqs, delivery_url),
            "alarmTopicArn": "arn:aws:sns:us-east-1:123456789012:eventpipe-dev-alarms",
            "idempotencyTable": None,
            "dashboardName": "eventpipe-dev",
        },
        "consumers": consumers,
    }


@dataclass
class Stack:
    """The moto stack of a test: its output, the outputs file, clients, a CLI runner."""

    output: dict[str, Any]
    outputs_file: Path
    sqs: Any
    events: Any
    cloudwatch: Any
    runner: CliRunner

    def cli(self, *args: str, input: str | None = None, outputs: bool = True) -> Result:
        extra = ["--outputs", str(self.outputs_file)] if outputs else []
        return self.runner.invoke(app, [*args, *extra], input=input)

    def consumer(self, name: str) -> dict[str, Any]:
        return dict(self.output["consumers"][name])

    def depth(self, url: str) -> int:
        return dlq_ops.depth(self.sqs, url)

    def dead_letter(self, name: str, body: dict | str, reason: str | None = None) -> str:
        """Put a message in a consumer's DLQ as the runtime does (with its reason)."""
        attributes = {}
        if reason:
            attributes = {
                "eventpipe.error_type": {"DataType": "String", "StringValue": "PermanentError"},
                "eventpipe.error_message": {"DataType": "String", "StringValue": reason},
                "eventpipe.consumer": {"DataType": "String", "StringValue": name},
                "eventpipe.receive_count": {"DataType": "Number", "StringValue": "1"},
            }
        text = body if isinstance(body, str) else json.dumps(body)
        return str(
            self.sqs.send_message(
                QueueUrl=self.consumer(name)["dlqUrl"],
                MessageBody=text,
                MessageAttributes=attributes,
            )["MessageId"]
        )
