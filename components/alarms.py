"""A pipeline's alarms: everything that means "messages are stuck or lost".

All of them notify the stack's alarm topic on ALARM and on OK, and treat missing data as
not breaching (an idle queue publishes no datapoints and is healthy).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from eventpipe.consumer import Consumer


@dataclass(frozen=True)
class AlarmSpec:
    suffix: str
    namespace: str
    metric: str
    statistic: str
    threshold: float
    evaluation_periods: int
    description: str


def alarm_specs(consumer: Consumer) -> list[AlarmSpec]:
    return [
        AlarmSpec("dlq-not-empty", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum",
                  0, 1, "Messages are waiting in the DLQ: inspect and redrive them"),
        AlarmSpec("oldest-message-age", "AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum",
                  consumer.alarm_oldest_message_age, 3,
                  "The oldest message has waited too long: the consumer is falling behind"),
        AlarmSpec("queue-depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum",
                  consumer.alarm_queue_depth, 3, "The queue is backing up"),
        AlarmSpec("function-errors", "AWS/Lambda", "Errors", "Sum", 0, 1,
                  "The function failed (not record failures: whole invocations)"),
        AlarmSpec("function-throttles", "AWS/Lambda", "Throttles", "Sum", 0, 1,
                  "The function was throttled: raise reserved concurrency or lower max concurrency"),
    ]  # fmt: skip


def _alarm(
    name: str,
    consumer: Consumer,
    prefix: str,
    spec: AlarmSpec,
    dimensions: dict[str, pulumi.Input[str]],
    *,
    topic_arn: pulumi.Input[str],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    """One alarm of ``spec`` over one minute, notifying ``topic_arn`` on ALARM and OK."""
    return aws.cloudwatch.MetricAlarm(
        f"{name}-{spec.suffix}",
        name=naming.consumer_name(prefix, consumer.name, naming.LIMIT_ALARM, f"-{spec.suffix}"),
        namespace=spec.namespace,
        metric_name=spec.metric,
        statistic=spec.statistic,
        period=60,
        evaluation_periods=spec.evaluation_periods,
        threshold=spec.threshold,
        comparison_operator="GreaterThanThreshold",
        dimensions=dimensions,
        treat_missing_data="notBreaching",
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        alarm_description=f"{consumer.name}: {spec.description}",
        tags=tags,
        opts=opts,
    )


def declare_alarms(
    name: str,
    consumer: Consumer,
    prefix: str,
    *,
    queue_name: pulumi.Input[str],
    dlq_name: pulumi.Input[str],
    function_name: pulumi.Input[str],
    topic_arn: pulumi.Input[str],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, aws.cloudwatch.MetricAlarm]:
    """The five alarms, by suffix (``dlq-not-empty``, ``function-errors``...)."""
    alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
    for spec in alarm_specs(consumer):
        if spec.namespace == "AWS/Lambda":
            dimensions = {"FunctionName": function_name}
        else:
            dimensions = {"QueueName": dlq_name if spec.suffix.startswith("dlq") else queue_name}
        alarms[spec.suffix] = _alarm(
            name, consumer, prefix, spec, dimensions, topic_arn=topic_arn, tags=tags, opts=opts
        )
    return alarms


def intake_alarm_specs(consumer: Consumer) -> list[AlarmSpec]:
    """A per-key FIFO consumer's intake queue: its DLQ (the pipe could not deliver, or the
    event had no group field) and its age (the pipe is stopped or failing)."""
    return [
        AlarmSpec("intake-dlq-not-empty", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                  "Maximum", 0, 1,
                  "Messages are waiting in the intake DLQ: events without the group field, "
                  "or events the pipe could not send to the FIFO queue"),
        AlarmSpec("intake-oldest-message-age", "AWS/SQS", "ApproximateAgeOfOldestMessage",
                  "Maximum", consumer.alarm_oldest_message_age, 3,
                  "The intake queue's oldest message has waited too long: check the pipe"),
    ]  # fmt: skip


def declare_intake_alarms(
    name: str,
    consumer: Consumer,
    prefix: str,
    *,
    intake_name: pulumi.Input[str],
    intake_dlq_name: pulumi.Input[str],
    topic_arn: pulumi.Input[str],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, aws.cloudwatch.MetricAlarm]:
    """The intake queue's two alarms, like the consumer queue's, by suffix."""
    alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
    for spec in intake_alarm_specs(consumer):
        queue = intake_dlq_name if spec.suffix.startswith("intake-dlq") else intake_name
        alarms[spec.suffix] = _alarm(
            name, consumer, prefix, spec, {"QueueName": queue}, topic_arn=topic_arn, tags=tags,
            opts=opts,
        )  # fmt: skip
    return alarms
