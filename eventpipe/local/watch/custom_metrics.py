"""Custom metrics from the functions' embedded metric format logs, and alarms on them.

On AWS a function's metrics in the CloudWatch embedded metric format (EMF: one JSON log
line whose ``_aws.CloudWatchMetrics`` names the namespace, the dimension sets and the
metrics, the values being top-level keys) are extracted by CloudWatch Logs into metrics
("Specification: Embedded metric format",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
The runtime publishes its per-invocation counts that way (``RecordsRetried`` and the
others, namespace ``eventpipe``, dimension ``service``), and the circuit breaker's alarm
is on ``RecordsRetried``.

Locally :class:`MeteredPool` reads the EMF lines of every invocation's output (the lines
that also go to the function's log group) into a :class:`MetricStore`, and
:class:`StackAlarmEvaluator` adds alarms on those metrics to the local alarm evaluator
(:mod:`.alarms`): a sample is the sum of the values published since the previous sample,
none when nothing was published (so ``TreatMissingData`` applies, as on AWS where no
invocation means no datapoint). A metric is identified, as in CloudWatch, by namespace,
name and its whole dimension set.

The evaluator also follows ``SetAlarmState`` calls made by others (the breaker's
half-open step sets its alarm to ``INSUFFICIENT_DATA``): the state read from the emulator
becomes the alarm's state, a ``CloudWatch Alarm State Change`` event is sent for it, and
the next evaluation with data decides afresh, as CloudWatch does after SetAlarmState
("the alarm state ... returns to its actual state" at the next evaluation:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from eventpipe.local.functions.pool import FunctionPool, Invocation
from eventpipe.local.watch.alarms import AlarmEvaluator, WatchedAlarm, _timestamp

MetricKey = tuple[str, str, frozenset[tuple[str, str]]]
"""(namespace, metric name, dimension set)."""


def extract(line: str) -> list[tuple[MetricKey, list[float]]]:
    """The metrics one EMF log line carries (none for any other line)."""
    if not line.startswith("{") or '"_aws"' not in line:
        return []
    try:
        document = json.loads(line)
    except ValueError:
        return []
    meta = document.get("_aws") if isinstance(document, dict) else None
    if not isinstance(meta, dict):
        return []
    found: list[tuple[MetricKey, list[float]]] = []
    for directive in meta.get("CloudWatchMetrics") or []:
        namespace = str(directive.get("Namespace", ""))
        for dimension_set in directive.get("Dimensions") or [[]]:
            dimensions = frozenset((str(d), str(document.get(d, ""))) for d in dimension_set)
            for metric in directive.get("Metrics") or []:
                value = document.get(metric.get("Name"))
                values = value if isinstance(value, list) else [value]
                numbers = [float(v) for v in values if isinstance(v, int | float)]
                if numbers:
                    found.append(((namespace, str(metric["Name"]), dimensions), numbers))
    return found


class MetricStore:
    """Running totals per metric: (sum of values, number of values published)."""

    def __init__(self) -> None:
        self._totals: dict[MetricKey, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def ingest(self, lines: Iterable[str]) -> None:
        for line in lines:
            for key, values in extract(line):
                with self._lock:
                    total, count = self._totals.get(key, (0.0, 0))
                    self._totals[key] = (total + sum(values), count + len(values))

    def totals(self, key: MetricKey) -> tuple[float, int]:
        with self._lock:
            return self._totals.get(key, (0.0, 0))

    def namespaces(self) -> set[str]:
        with self._lock:
            return {key[0] for key in self._totals}


class MeteredPool(FunctionPool):
    """A function pool whose invocations' EMF lines feed a :class:`MetricStore`."""

    metrics: MetricStore | None = None

    def invoke(self, event: dict[str, Any]) -> Invocation:
        invocation = super().invoke(event)
        if self.metrics is not None:
            self.metrics.ingest(invocation.logs)
        return invocation


def alarm_key(alarm: WatchedAlarm) -> MetricKey:
    return (alarm.namespace, alarm.metric, frozenset(alarm.dimensions.items()))


class StackAlarmEvaluator(AlarmEvaluator):
    """The local alarm evaluator, plus alarms on EMF metrics and external state changes."""

    metrics: MetricStore | None = None

    def __init__(self, *args: Any, metrics: MetricStore | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.metrics = metrics
        self._cursors: dict[str, tuple[float, int]] = {}

    def _supported(self, alarm: WatchedAlarm) -> bool:  # type: ignore[override]
        if alarm.namespace and not alarm.namespace.startswith("AWS/"):
            return self.metrics is not None
        return AlarmEvaluator._supported(alarm)

    def _sample(self, alarm: WatchedAlarm, deltas: dict[str, tuple[int, int]]) -> float | None:
        if alarm.namespace.startswith("AWS/") or self.metrics is None:
            return super()._sample(alarm, deltas)
        total, count = self.metrics.totals(alarm_key(alarm))
        last_total, last_count = self._cursors.get(alarm.name, (0.0, 0))
        self._cursors[alarm.name] = (total, count)
        if count == last_count:
            return None  # nothing published since the last sample: no datapoint
        return total - last_total

    def tick(self, now: float | None = None) -> None:
        self._follow_external_states()
        super().tick(now)

    def _follow_external_states(self) -> None:
        if not self.alarms:
            return
        try:
            described = {
                a["AlarmName"]: a
                for page in self._cloudwatch.get_paginator("describe_alarms").paginate(
                    AlarmNames=[a.name for a in self.alarms][:100]
                )
                for a in page.get("MetricAlarms", [])
            }
        except (BotoCoreError, ClientError):
            return
        for alarm in self.alarms:
            current = described.get(alarm.name)
            if current is None or current.get("StateValue") == alarm.state:
                continue
            previous = {"value": alarm.state, "reason": alarm.reason}
            if alarm.name in self._since:
                previous["timestamp"] = self._since[alarm.name]
            alarm.state = str(current["StateValue"])
            alarm.reason = str(current.get("StateReason") or "")
            self._since[alarm.name] = _timestamp()
            self._announce(alarm, previous)
            if self.on_change is not None:
                self.on_change(alarm.name, alarm.state, alarm.reason)
