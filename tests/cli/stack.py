"""A deployed-looking stack in moto: the resources, its outputs file, a CLI runner.

The resources mirror what ``pulumi up`` creates for three consumers (two fed by rules,
one fed directly), named as the stack output describes them, so every command runs
its real AWS calls. The output is built with the stack-output contract's own types
(:mod:`eventpipe.stack_output`) and saved as their JSON, as the program exports it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from eventpipe.cli import app
from eventpipe.operate import dlq as dlq_ops
from eventpipe.stack_output import BusOutputs, ConsumerOutputs, StackOutputs

PREFIX = "eventpipe-dev-"
CONSUMERS: dict[str, dict[str, Any] | None] = {
    "orders": {"source": ["ecommerce.orders"], "detail-type": ["Order Created"]},
    "inventory": {"source": ["ecommerce.orders", "ecommerce.stock"]},
    "mailer": None,  # fed directly by producers: no rule
}


def _arn(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attrs["Attributes"]["QueueArn"])


def build_stack(
    session: Any, endpoint_url: str | None = None, archive: bool = True
) -> StackOutputs[str]:
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
    consumers: dict[str, ConsumerOutputs[str]] = {}
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
        consumers[name] = ConsumerOutputs(
            name=name,
            plugin="tests",
            fifo=False,
            source="rule" if pattern is not None else "queue",
            queue_url=queue_url,
            queue_arn=queue_arn,
            dlq_url=dlq_url,
            dlq_arn=dlq_arn,
            function_name=f"{PREFIX}{name}",
            function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{PREFIX}{name}",
            rule_name=rule_name,
            rule_arn=rule_arn,
            alarm_names=tuple(alarms),
        )
    return StackOutputs(
        project="eventpipe",
        stack="dev",
        region="us-east-1",
        bus=BusOutputs(
            name=bus_name,
            arn=bus_arn,
            archive_name=f"{PREFIX}archive" if archive else None,
            archive_arn=archive_arn,
            delivery_dlq_url=delivery_url,
            delivery_dlq_arn=_arn(sqs, delivery_url),
            alarm_topic_arn="arn:aws:sns:us-east-1:123456789012:eventpipe-dev-alarms",
            dashboard_name="eventpipe-dev",
        ),
        consumers=consumers,
    )


@dataclass
class Stack:
    """The moto stack of a test: its output, the outputs file, clients, a CLI runner."""

    output: StackOutputs[str]
    outputs_file: Path
    sqs: Any
    events: Any
    cloudwatch: Any
    runner: CliRunner

    def cli(self, *args: str, input: str | None = None, outputs: bool = True) -> Result:
        extra = ["--outputs", str(self.outputs_file)] if outputs else []
        return self.runner.invoke(app, [*args, *extra], input=input)

    def consumer(self, name: str) -> ConsumerOutputs[str]:
        return self.output.consumer(name)

    def save(self, output: StackOutputs[str]) -> None:
        """Make ``output`` the stack's output, in its outputs file too (as
        ``pulumi stack output --json`` prints it, beside another export)."""
        self.output = output
        self.outputs_file.write_text(json.dumps({"eventpipe": output.to_json(), "other": 1}))

    def change(self, **changes: Any) -> None:
        """:meth:`save` the output with ``changes`` (``breaker=...``)."""
        self.save(dataclasses.replace(self.output, **changes))

    def change_consumer(self, name: str, **changes: Any) -> None:
        """:meth:`save` the output with ``changes`` to one consumer's entry."""
        entry = dataclasses.replace(self.consumer(name), **changes)
        self.change(consumers={**self.output.consumers, name: entry})

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
                QueueUrl=self.consumer(name).dlq_url,
                MessageBody=text,
                MessageAttributes=attributes,
            )["MessageId"]
        )
