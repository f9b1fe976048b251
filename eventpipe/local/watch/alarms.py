"""The stack's CloudWatch alarms, evaluated in the emulator the way CloudWatch would.

moto stores alarms (PutMetricAlarm, DescribeAlarms) but never evaluates them, and the
queues publish no metrics. This evaluator samples the metrics eventpipe alarms on, builds
their datapoints per period and sets each alarm's state with SetAlarmState, so
``eventpipe status --local`` shows ``ALARM`` for a DLQ holding messages.

CloudWatch's rules, reproduced (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html):

* an alarm starts in ``INSUFFICIENT_DATA``
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html);
* each period gives one datapoint, the alarm's statistic (``Maximum``, ``Minimum``,
  ``Average``, ``Sum``, ``SampleCount``) over the period;
* the alarm looks at the last ``EvaluationPeriods`` datapoints and goes to ``ALARM`` when
  at least ``DatapointsToAlarm`` (default: all of them) breach the threshold under the
  ``ComparisonOperator``, to ``OK`` otherwise;
* missing datapoints follow ``TreatMissingData`` (``missing`` is the default: ignored,
  and with no datapoint at all the state is ``INSUFFICIENT_DATA``; ``notBreaching``
  counts them as good, ``breaching`` as bad, ``ignore`` keeps the current state).

Metrics sampled: ``AWS/SQS`` ``ApproximateNumberOfMessagesVisible`` (GetQueueAttributes
``ApproximateNumberOfMessages``, which is what SQS publishes under that name:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html),
``ApproximateNumberOfMessagesNotVisible``, ``ApproximateNumberOfMessagesDelayed``,
``ApproximateAgeOfOldestMessage`` (embedded moto only: read from the queue's messages),
and ``AWS/Lambda`` ``Errors`` and ``Invocations`` (counted by the local pollers; an
invocation that returns an error, times out or crashes is one error, record failures
reported in ``batchItemFailures`` are not, as on AWS:
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
``Throttles`` is always 0 locally (no account concurrency limit). Alarms on other
metrics, or on metric math, are left as they are.

Each state change is also sent to the emulator's default event bus as a ``CloudWatch
Alarm State Change`` event (source ``aws.cloudwatch``, the alarm's ARN in ``resources``,
``detail.alarmName``, ``detail.state`` and ``detail.previousState`` with ``value``,
``reason`` and ``timestamp``), as CloudWatch does on AWS
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html),
so a rule on alarm state changes (the circuit breaker's) sees them locally. Only the
fields above and ``configuration.description`` are filled in. Alarm actions (SNS) are
not run: moto's SetAlarmState does not run them.

Approximated: periods are time-scaled (``Period`` x the engine's time scale, at least one
second); a datapoint is built from samples taken about once a second rather than from
SQS's one-minute publications, so an alarm here reacts sooner than on AWS, where SQS
metrics arrive with a delay of minutes; the evaluation includes the period in progress.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from eventpipe.local.emulator.server import Emulator

SQS_ATTRIBUTES = {
    "ApproximateNumberOfMessagesVisible": "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible": "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed": "ApproximateNumberOfMessagesDelayed",
}
LAMBDA_METRICS = ("Errors", "Invocations", "Throttles")
COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}
SYMBOL = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}
MIN_PERIOD = 1.0

FunctionCounts = Callable[[str], tuple[int, int]]
"""function name -> (invocations, errors) so far."""


def aggregate(statistic: str, samples: list[float]) -> float:
    """One period's datapoint from its samples."""
    if statistic == "Maximum":
        return max(samples)
    if statistic == "Minimum":
        return min(samples)
    if statistic == "Average":
        return sum(samples) / len(samples)
    if statistic == "SampleCount":
        return float(len(samples))
    return sum(samples)


def decide(
    datapoints: list[float | None],
    *,
    threshold: float,
    comparison: str,
    datapoints_to_alarm: int,
    treat_missing: str,
    current: str,
) -> str:
    """The state CloudWatch gives an alarm for the last ``EvaluationPeriods`` datapoints
    (oldest first, ``None`` for a period without data)."""
    compare = COMPARE[comparison]
    breaching = good = 0
    for value in datapoints:
        if value is None:
            if treat_missing == "breaching":
                breaching += 1
            elif treat_missing == "notBreaching":
                good += 1
            continue
        if compare(value, threshold):
            breaching += 1
        else:
            good += 1
    if breaching >= datapoints_to_alarm:
        return "ALARM"
    if breaching + good == 0:
        return current if treat_missing == "ignore" else "INSUFFICIENT_DATA"
    return "OK"


@dataclass
class WatchedAlarm:
    """One alarm and the datapoints built for it so far."""

    name: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str
    period: float
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str
    state: str
    arn: str = ""
    description: str = ""
    reason: str = ""
    buckets: dict[int, list[float]] = field(default_factory=dict)

    @classmethod
    def from_description(cls, alarm: dict[str, Any], time_scale: float) -> WatchedAlarm | None:
        if alarm.get("Metrics") or alarm.get("ComparisonOperator") not in COMPARE:
            return None
        evaluation = int(alarm.get("EvaluationPeriods") or 1)
        return cls(
            name=alarm["AlarmName"],
            namespace=str(alarm.get("Namespace") or ""),
            metric=str(alarm.get("MetricName") or ""),
            dimensions={d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []},
            statistic=str(alarm.get("Statistic") or "Average"),
            period=max(MIN_PERIOD, float(alarm.get("Period") or 60) * time_scale),
            evaluation_periods=evaluation,
            datapoints_to_alarm=int(alarm.get("DatapointsToAlarm") or evaluation),
            threshold=float(alarm.get("Threshold") or 0),
            comparison=alarm["ComparisonOperator"],
            treat_missing=str(alarm.get("TreatMissingData") or "missing"),
            state=str(alarm.get("StateValue") or "INSUFFICIENT_DATA"),
            arn=str(alarm.get("AlarmArn") or ""),
            description=str(alarm.get("AlarmDescription") or ""),
            reason=str(alarm.get("StateReason") or ""),
        )

    def add(self, now: float, value: float) -> None:
        index = int(now // self.period)
        self.buckets.setdefault(index, []).append(value)
        for old in [i for i in self.buckets if i <= index - self.evaluation_periods]:
            del self.buckets[old]

    def datapoints(self, now: float) -> list[float | None]:
        index = int(now // self.period)
        window = range(index - self.evaluation_periods + 1, index + 1)
        return [
            aggregate(self.statistic, self.buckets[i]) if self.buckets.get(i) else None
            for i in window
        ]


class AlarmEvaluator:
    """Samples the metrics of the stack's alarms and sets their states (call ``tick``)."""

    def __init__(
        self,
        emulator: Emulator,
        *,
        account: str,
        time_scale: float = 1.0,
        function_counts: FunctionCounts | None = None,
        on_change: Callable[[str, str, str], None] | None = None,
    ):
        self.emulator = emulator
        self.account = account
        self.time_scale = time_scale
        self.function_counts = function_counts
        self.on_change = on_change
        self.alarms: list[WatchedAlarm] = []
        self._queue_urls: dict[str, str | None] = {}
        self._last_counts: dict[str, tuple[int, int]] = {}
        self._cloudwatch = emulator.client("cloudwatch")
        self._sqs = emulator.client("sqs")
        self._events = emulator.client("events")
        self._since: dict[str, str] = {}

    def load(self) -> list[WatchedAlarm]:
        """Read the stack's alarms from the emulator (DescribeAlarms)."""
        alarms = []
        for page in self._cloudwatch.get_paginator("describe_alarms").paginate(
            AlarmTypes=["MetricAlarm"]
        ):
            for description in page.get("MetricAlarms", []):
                watched = WatchedAlarm.from_description(description, self.time_scale)
                if watched is not None and self._supported(watched):
                    alarms.append(watched)
        self.alarms = alarms
        return alarms

    @staticmethod
    def _supported(alarm: WatchedAlarm) -> bool:
        if alarm.namespace == "AWS/SQS":
            return "QueueName" in alarm.dimensions and (
                alarm.metric in SQS_ATTRIBUTES or alarm.metric == "ApproximateAgeOfOldestMessage"
            )
        if alarm.namespace == "AWS/Lambda":
            return "FunctionName" in alarm.dimensions and alarm.metric in LAMBDA_METRICS
        return False

    def tick(self, now: float | None = None) -> None:
        """Sample every watched metric once, then evaluate every alarm."""
        now = time.time() if now is None else now
        lambda_deltas: dict[str, tuple[int, int]] = {}
        for alarm in self.alarms:
            value = self._sample(alarm, lambda_deltas)
            if value is not None:
                alarm.add(now, value)
            self._evaluate(alarm, now)

    def _sample(self, alarm: WatchedAlarm, deltas: dict[str, tuple[int, int]]) -> float | None:
        if alarm.namespace == "AWS/SQS":
            return self._queue_metric(alarm.dimensions["QueueName"], alarm.metric)
        function = alarm.dimensions["FunctionName"]
        if alarm.metric == "Throttles":
            return 0.0
        if self.function_counts is None:
            return None
        if function not in deltas:
            invocations, errors = self.function_counts(function)
            last = self._last_counts.get(function, (0, 0))
            self._last_counts[function] = (invocations, errors)
            deltas[function] = (invocations - last[0], errors - last[1])
        invocations, errors = deltas[function]
        if not invocations:
            return None  # no invocation in this sample: Lambda publishes no datapoint
        return float(errors if alarm.metric == "Errors" else invocations)

    def _queue_metric(self, queue_name: str, metric: str) -> float | None:
        if metric == "ApproximateAgeOfOldestMessage":
            return self._oldest_age(queue_name)
        if queue_name not in self._queue_urls:
            try:
                url = self._sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
            except ClientError:
                url = None
            self._queue_urls[queue_name] = url
        url = self._queue_urls[queue_name]
        if url is None:
            return None
        attribute = SQS_ATTRIBUTES[metric]
        attributes = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[attribute])
        return float(attributes["Attributes"][attribute])

    def _oldest_age(self, queue_name: str) -> float | None:
        if not self.emulator.embedded:
            return None
        from moto.sqs.models import sqs_backends

        queue = sqs_backends[self.account][self.emulator.region].queues.get(queue_name)
        if queue is None:
            return None
        sent = [int(m.sent_timestamp or 0) for m in list(queue._messages) if m.sent_timestamp]
        if not sent:
            return 0.0
        return max(0.0, time.time() - min(sent) / 1000)

    def _evaluate(self, alarm: WatchedAlarm, now: float) -> None:
        datapoints = alarm.datapoints(now)
        state = decide(
            datapoints,
            threshold=alarm.threshold,
            comparison=alarm.comparison,
            datapoints_to_alarm=alarm.datapoints_to_alarm,
            treat_missing=alarm.treat_missing,
            current=alarm.state,
        )
        if state == alarm.state:
            return
        reason = self._reason(alarm, datapoints, state)
        try:
            self._cloudwatch.set_alarm_state(
                AlarmName=alarm.name, StateValue=state, StateReason=reason
            )
        except (BotoCoreError, ClientError):
            return  # retried on the next tick
        previous = {"value": alarm.state, "reason": alarm.reason}
        if alarm.name in self._since:
            previous["timestamp"] = self._since[alarm.name]
        alarm.state, alarm.reason = state, reason
        self._since[alarm.name] = _timestamp()
        self._announce(alarm, previous)
        if self.on_change is not None:
            self.on_change(alarm.name, state, reason)

    def _announce(self, alarm: WatchedAlarm, previous: dict[str, str]) -> None:
        """The ``CloudWatch Alarm State Change`` event, on the default bus."""
        detail = {
            "alarmName": alarm.name,
            "state": {
                "value": alarm.state,
                "reason": alarm.reason,
                "timestamp": self._since[alarm.name],
            },
            "previousState": previous,
            "configuration": {"description": alarm.description},
        }
        entry = {
            "Source": "aws.cloudwatch",
            "DetailType": "CloudWatch Alarm State Change",
            "Detail": json.dumps(detail),
            "Resources": [alarm.arn] if alarm.arn else [],
            "EventBusName": "default",
        }
        # No default bus in this emulator: the state is set all the same.
        with contextlib.suppress(BotoCoreError, ClientError):
            self._events.put_events(Entries=[entry])

    @staticmethod
    def _reason(alarm: WatchedAlarm, datapoints: list[float | None], state: str) -> str:
        """Worded like CloudWatch's own state reasons."""
        values = [v for v in datapoints if v is not None]
        if not values:
            return "Insufficient Data: no datapoints were received (local evaluation)"
        shown = ", ".join(f"{v:g}" for v in values)
        if state == "ALARM":
            relation = f"was {SYMBOL[alarm.comparison]}"
        else:
            relation = f"was not {SYMBOL[alarm.comparison]}"
        return (
            f"Threshold Crossed: {len(values)} out of the last {alarm.evaluation_periods} "
            f"datapoints [{shown}] {relation} the threshold ({alarm.threshold:g}) "
            f"(local evaluation, periods time-scaled to {alarm.period:g}s)"
        )


def _timestamp() -> str:
    """CloudWatch's event timestamp shape: ``2019-10-02T17:04:40.985+0000``."""
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"
