"""CloudWatch's alarm rules: datapoints per period, M out of N, missing data, the wording;
a metric-math alarm's value computed from its metrics (:mod:`.metric_math`).

What CloudWatch does with an alarm's datapoints, reproduced for the local evaluator
(:mod:`.alarms`), with no I/O
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html,
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

Approximated: periods are time-scaled (``Period`` x the engine's time scale, at least one
second), and the evaluation includes the period in progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventpipe.local.watch.metric_math import MetricMathError, evaluate

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
"""Seconds: the shortest time-scaled period."""


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


@dataclass(frozen=True)
class WatchedMetric:
    """One metric an alarm reads: the alarm's own, or one of a metric-math alarm's."""

    id: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str


@dataclass
class WatchedAlarm:
    """One alarm and the datapoints built for it so far (per metric, per period).

    A metric-math alarm (``Metrics``) reads each ``MetricStat`` and computes its value with
    the returned expression (:mod:`.metric_math`); an alarm on one metric reads that one."""

    name: str
    metrics: list[WatchedMetric]
    expression: str | None
    """The metric math giving the alarm's value; None: the one metric's datapoint."""
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
    buckets: dict[str, dict[int, list[float]]] = field(default_factory=dict)

    @classmethod
    def from_description(cls, alarm: dict[str, Any], time_scale: float) -> WatchedAlarm | None:
        """The alarm DescribeAlarms returned, or None when it cannot be evaluated here (a
        comparison to a band, an expression :mod:`.metric_math` does not reproduce)."""
        if alarm.get("ComparisonOperator") not in COMPARE:
            return None
        read = _metric_math(alarm) if alarm.get("Metrics") else _one_metric(alarm)
        if read is None:
            return None
        metrics, expression, period = read
        evaluation = int(alarm.get("EvaluationPeriods") or 1)
        return cls(
            name=alarm["AlarmName"],
            metrics=metrics,
            expression=expression,
            period=max(MIN_PERIOD, period * time_scale),
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

    def add(self, now: float, metric_id: str, value: float) -> None:
        index = int(now // self.period)
        buckets = self.buckets.setdefault(metric_id, {})
        buckets.setdefault(index, []).append(value)
        for old in [i for i in buckets if i <= index - self.evaluation_periods]:
            del buckets[old]

    def datapoints(self, now: float) -> list[float | None]:
        index = int(now // self.period)
        return [self._value(i) for i in range(index - self.evaluation_periods + 1, index + 1)]

    def _value(self, index: int) -> float | None:
        values: dict[str, float | None] = {}
        for metric in self.metrics:
            samples = self.buckets.get(metric.id, {}).get(index)
            values[metric.id] = aggregate(metric.statistic, samples) if samples else None
        if self.expression is None:
            return values[self.metrics[0].id]
        return evaluate(self.expression, values)


def _one_metric(alarm: dict[str, Any]) -> tuple[list[WatchedMetric], None, float]:
    metric = WatchedMetric(
        id="m",
        namespace=str(alarm.get("Namespace") or ""),
        metric=str(alarm.get("MetricName") or ""),
        dimensions={d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []},
        statistic=str(alarm.get("Statistic") or "Average"),
    )
    return [metric], None, float(alarm.get("Period") or 60)


def _metric_math(alarm: dict[str, Any]) -> tuple[list[WatchedMetric], str, float] | None:
    metrics: list[WatchedMetric] = []
    returned: str | None = None
    period = 60.0
    for query in alarm["Metrics"]:
        stat = query.get("MetricStat")
        if stat:
            metric = stat.get("Metric") or {}
            metrics.append(
                WatchedMetric(
                    id=query["Id"],
                    namespace=str(metric.get("Namespace") or ""),
                    metric=str(metric.get("MetricName") or ""),
                    dimensions={d["Name"]: d["Value"] for d in metric.get("Dimensions") or []},
                    statistic=str(stat.get("Stat") or "Average"),
                )
            )
            period = float(stat.get("Period") or period)
        if query.get("ReturnData"):
            returned = query.get("Expression") or query["Id"]
    if returned is None or not metrics:
        return None
    try:  # an expression this evaluator does not reproduce leaves the alarm as it is
        evaluate(returned, dict.fromkeys((m.id for m in metrics), None))
    except MetricMathError:
        return None
    return metrics, returned, period


def state_reason(alarm: WatchedAlarm, datapoints: list[float | None], state: str) -> str:
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
