"""A pipeline's alarm: everything that means "messages are stuck or lost", in one alarm.

One CloudWatch metric-math alarm per consumer (``<prefix><consumer>-alarm``) watches every
signal of ``eventpipe.health_signals`` (DLQ not empty, oldest message age, queue depth,
function errors and throttles, and a per-key FIFO consumer's intake DLQ and intake age);
its value says which signals breach, which ``eventpipe status`` prints.

It has no actions of its own: the stack's alarm digest (``components/alarm_digest.py``)
notifies the alarm topic once for an incident across any number of consumers, where one
email per consumer alarm would pass SNS's 10 messages a second per email endpoint and
suspend the subscription
(https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components import naming
from eventpipe import health_signals
from eventpipe.consumer import Consumer

ALARM_SUFFIX = "-alarm"


def alarm_name(prefix: str, consumer: str) -> str:
    """The physical name of a consumer's alarm."""
    return naming.consumer_name(prefix, consumer, naming.LIMIT_ALARM, ALARM_SUFFIX)


def declare_alarm(
    name: str,
    consumer: Consumer,
    prefix: str,
    *,
    resources: Mapping[str, pulumi.Input[str]],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    """``<name>-alarm``: the consumer's one alarm. ``resources`` maps each signal's
    resource (``queue``, ``dlq``, ``function``, ``intake``, ``intake_dlq``) to its name."""
    signals = health_signals.consumer_signals(consumer)
    queries = [
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=signal.key,
            return_data=False,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=signal.namespace,
                metric_name=signal.metric,
                dimensions={signal.dimension: resources[signal.resource]},
                period=health_signals.PERIOD,
                stat=signal.statistic,
            ),
        )
        for signal in signals
    ]
    queries.append(
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=health_signals.EXPRESSION_ID,
            expression=health_signals.expression(signals),
            label="breaching signals (sum of weights)",
            return_data=True,
        )
    )
    return aws.cloudwatch.MetricAlarm(
        f"{name}-alarm",
        name=alarm_name(prefix, consumer.name),
        metric_queries=queries,
        evaluation_periods=1,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="notBreaching",
        alarm_description=health_signals.describe(consumer.name, signals),
        tags=tags,
        opts=opts,
    )
