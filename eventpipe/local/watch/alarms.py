"""The stack's CloudWatch alarms, evaluated in the emulator the way CloudWatch would.

moto stores alarms (PutMetricAlarm, DescribeAlarms) but never evaluates them, and the
queues publish no metrics. This evaluator samples the metrics eventpipe alarms on, builds
their datapoints per period and decides each alarm's state by CloudWatch's rules
(:mod:`.alarm_rules`), then sets it with SetAlarmState, so ``eventpipe status --local``
shows ``ALARM`` for a DLQ holding messages.

Metrics sampled:

* ``AWS/SQS`` ``ApproximateNumberOfMessagesVisible`` (GetQueueAttributes
  ``ApproximateNumberOfMessages``, which is what SQS publishes under that name:
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html),
  ``ApproximateNumberOfMessagesNotVisible``, ``ApproximateNumberOfMessagesDelayed``, and
  ``ApproximateAgeOfOldestMessage`` (embedded moto only: the oldest message the queue
  holds, :mod:`eventpipe.local.emulator.queue_contents`);
* ``AWS/Lambda`` ``Errors`` and ``Invocations`` (counted by the local pollers; an
  invocation that returns an error, times out or crashes is one error, record failures
  reported in ``batchItemFailures`` are not, as on AWS:
  https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html);
  ``Throttles`` is always 0 locally (no account concurrency limit);
* any other namespace (the runtime's ``eventpipe`` metrics, which the breaker alarms on):
  read from the emulator's CloudWatch with GetMetricStatistics, where the functions' EMF
  log lines put them (:mod:`eventpipe.local.functions.log_metrics`). A sample is the sum
  of the values published since the previous sample, none when nothing was published (so
  ``TreatMissingData`` applies, as on AWS where no invocation means no datapoint).

A metric-math alarm reads each of its metrics the same way and computes its value with
its expression (:mod:`.metric_math`: ``IF``, ``FILL``, comparisons, arithmetic...); the
values judged are set as the state reason data's ``recentDatapoints``, as CloudWatch's
state reason data carries them, which is where ``eventpipe status`` reads a consumer
alarm's signals. An expression it does not reproduce leaves that alarm as it is.
Composite alarms (created through the embedded server's ``PutCompositeAlarm`` shim) are
evaluated after the metric alarms of each tick, on their rule
(:mod:`.composite_rules`); their state changes are announced the same way.

Each state change is also sent to the emulator's default event bus as a ``CloudWatch
Alarm State Change`` event (source ``aws.cloudwatch``, the alarm's ARN in ``resources``,
``detail.alarmName``, ``detail.state`` and ``detail.previousState`` with ``value``,
``reason`` and ``timestamp``), as CloudWatch does on AWS
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html),
so a rule on alarm state changes (the circuit breaker's) sees them locally. Only the
fields above and ``configuration.description`` are filled in. Alarm actions (SNS) are
not run: moto's SetAlarmState does not run them.

The evaluator also follows ``SetAlarmState`` calls made by others (the breaker's
half-open step sets its alarm to ``INSUFFICIENT_DATA``): the state read from the emulator
becomes the alarm's state, a state-change event is sent for it, and the next evaluation
with data decides afresh, as CloudWatch does after SetAlarmState ("the alarm state ...
returns to its actual state" at the next evaluation:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html).

Approximated: a datapoint is built from samples taken about once a second rather than
from SQS's one-minute publications, so an alarm here reacts sooner than on AWS, where SQS
metrics arrive with a delay of minutes. moto's GetMetricStatistics matches a metric whose
dimensions include the alarm's (CloudWatch: exactly the alarm's); the runtime publishes
each metric with one dimension set, so the two agree for eventpipe's metrics.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from eventpipe.local.emulator.queue_contents import stored_messages
from eventpipe.local.emulator.server import Emulator
from eventpipe.local.watch.alarm_rules import WatchedAlarm, WatchedMetric, decide, state_reason
from eventpipe.local.watch.composite_rules import RuleError, rule_is_true

SQS_ATTRIBUTES = {
    "ApproximateNumberOfMessagesVisible": "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible": "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed": "ApproximateNumberOfMessagesDelayed",
}
LAMBDA_METRICS = ("Errors", "Invocations", "Throttles")
METRIC_WINDOW = dt.timedelta(days=1)
"""Period of the GetMetricStatistics call that totals a custom metric: one datapoint a day."""

FunctionCounts = Callable[[str], tuple[int, int]]
"""function name -> (invocations, errors) so far."""


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
        self.composites: dict[str, dict[str, str]] = {}
        """Composite alarm name -> its rule, ARN, description, state and reason."""
        self._queue_urls: dict[str, str | None] = {}
        self._last_counts: dict[str, tuple[int, int]] = {}
        self._cloudwatch = emulator.client("cloudwatch")
        self._sqs = emulator.client("sqs")
        self._queue_counts = emulator.internal("sqs")
        """SQS's own metrics come from inside SQS: the embedded backend in process."""
        self._events = emulator.client("events")
        self._since: dict[str, str] = {}
        self._started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        self._totals: dict[str, tuple[float, float]] = {}
        self._sampled: dict[str, dict[str, str]] = {}
        """Queue URL -> its attributes, read once in a tick for every alarm on it."""

    def load(self) -> list[WatchedAlarm]:
        """Read the stack's alarms from the emulator (DescribeAlarms): metric alarms, on
        one metric or on metric math, and composite alarms."""
        alarms = []
        self.composites = {}
        for page in self._cloudwatch.get_paginator("describe_alarms").paginate(
            AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        ):
            for description in page.get("MetricAlarms", []):
                watched = WatchedAlarm.from_description(description, self.time_scale)
                if watched is not None and all(map(self._supported, watched.metrics)):
                    alarms.append(watched)
            for composite in page.get("CompositeAlarms", []):
                self.composites[composite["AlarmName"]] = {
                    "rule": str(composite.get("AlarmRule") or ""),
                    "arn": str(composite.get("AlarmArn") or ""),
                    "description": str(composite.get("AlarmDescription") or ""),
                    "state": str(composite.get("StateValue") or "INSUFFICIENT_DATA"),
                    "reason": str(composite.get("StateReason") or ""),
                }
        self.alarms = alarms
        return alarms

    @staticmethod
    def _supported(metric: WatchedMetric) -> bool:
        if metric.namespace == "AWS/SQS":
            return "QueueName" in metric.dimensions and (
                metric.metric in SQS_ATTRIBUTES or metric.metric == "ApproximateAgeOfOldestMessage"
            )
        if metric.namespace == "AWS/Lambda":
            return "FunctionName" in metric.dimensions and metric.metric in LAMBDA_METRICS
        return bool(metric.namespace) and not metric.namespace.startswith("AWS/")

    def tick(self, now: float | None = None) -> None:
        """Sample every watched metric once, then evaluate every alarm, then every
        composite alarm on the states that gives."""
        self._follow_external_states()
        self._sampled = {}
        now = time.time() if now is None else now
        lambda_deltas: dict[str, tuple[int, int]] = {}
        for alarm in self.alarms:
            for metric in alarm.metrics:
                value = self._sample(alarm.name, metric, lambda_deltas)
                if value is not None:
                    alarm.add(now, metric.id, value)
            self._evaluate(alarm, now)
        self._evaluate_composites()

    def _sample(
        self, alarm: str, metric: WatchedMetric, deltas: dict[str, tuple[int, int]]
    ) -> float | None:
        if metric.namespace == "AWS/SQS":
            return self._queue_metric(metric.dimensions["QueueName"], metric.metric)
        if metric.namespace != "AWS/Lambda":
            return self._published_metric(f"{alarm}/{metric.id}", metric)
        function = metric.dimensions["FunctionName"]
        if metric.metric == "Throttles":
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
        return float(errors if metric.metric == "Errors" else invocations)

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
        if url not in self._sampled:  # one GetQueueAttributes per queue and tick
            self._sampled[url] = self._queue_counts.get_queue_attributes(
                QueueUrl=url, AttributeNames=list(SQS_ATTRIBUTES.values())
            )["Attributes"]
        return float(self._sampled[url][SQS_ATTRIBUTES[metric]])

    def _oldest_age(self, queue_name: str) -> float | None:
        messages = stored_messages(self.emulator, self.account, queue_name)
        if messages is None:
            return None
        sent = [m.sent_at for m in messages if m.sent_at]
        if not sent:
            return 0.0
        return max(0.0, time.time() - min(sent))

    def _published_metric(self, key: str, metric: WatchedMetric) -> float | None:
        """The sum of the values published to the alarm's metric since the last sample
        (None when none were), from the emulator's CloudWatch. Totals since the evaluator
        started are read each time, so a value stamped before a sample but stored after it
        is counted in the next one."""
        try:
            datapoints = self._cloudwatch.get_metric_statistics(
                Namespace=metric.namespace,
                MetricName=metric.metric,
                Dimensions=[{"Name": k, "Value": v} for k, v in metric.dimensions.items()],
                StartTime=self._started,
                EndTime=dt.datetime.now(dt.UTC) + METRIC_WINDOW,
                Period=int(METRIC_WINDOW.total_seconds()),
                Statistics=["Sum", "SampleCount"],
            )["Datapoints"]
        except (BotoCoreError, ClientError):
            return None
        total = sum(float(d.get("Sum") or 0) for d in datapoints)
        count = sum(float(d.get("SampleCount") or 0) for d in datapoints)
        last_total, last_count = self._totals.get(key, (0.0, 0.0))
        self._totals[key] = (total, count)
        if count == last_count:
            return None  # nothing published since the last sample: no datapoint
        return total - last_total

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
        reason = state_reason(alarm, datapoints, state)
        # The values judged, as CloudWatch's own state reason data carries them
        # (``recentDatapoints``): `eventpipe status` reads a metric-math alarm's signals there.
        data = {"version": "1.0", "threshold": alarm.threshold,
                "recentDatapoints": [v for v in datapoints if v is not None]}  # fmt: skip
        try:
            self._cloudwatch.set_alarm_state(
                AlarmName=alarm.name,
                StateValue=state,
                StateReason=reason,
                StateReasonData=json.dumps(data),
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
        self._send_change(
            alarm.name, alarm.state, alarm.reason, alarm.arn, alarm.description, previous
        )

    def _send_change(
        self,
        name: str,
        state: str,
        reason: str,
        arn: str,
        description: str,
        previous: dict[str, str],
    ) -> None:
        """The ``CloudWatch Alarm State Change`` event, on the default bus."""
        detail = {
            "alarmName": name,
            "state": {"value": state, "reason": reason, "timestamp": self._since[name]},
            "previousState": previous,
            "configuration": {"description": description},
        }
        entry = {
            "Source": "aws.cloudwatch",
            "DetailType": "CloudWatch Alarm State Change",
            "Detail": json.dumps(detail),
            "Resources": [arn] if arn else [],
            "EventBusName": "default",
        }
        # No default bus in this emulator: the state is set all the same.
        with contextlib.suppress(BotoCoreError, ClientError):
            self._events.put_events(Entries=[entry])

    def _evaluate_composites(self) -> None:
        """Each composite alarm in ``ALARM`` while its rule holds, ``OK`` otherwise
        (:mod:`.composite_rules`), on the states of the alarms it names; a composite over
        composites follows in the same tick (the digest's tree)."""
        states = {a.name: a.state for a in self.alarms} | {a.arn: a.state for a in self.alarms}
        for name, composite in self.composites.items():
            states[name] = states[composite["arn"]] = composite["state"]
        for _ in range(len(self.composites)):  # at most one pass per level of the tree
            changed = False
            for name, composite in self.composites.items():
                try:
                    holds = rule_is_true(composite["rule"], states)
                except RuleError:
                    continue  # a rule the evaluator cannot read: the alarm is left as it is
                state = "ALARM" if holds else "OK"
                if state == composite["state"]:
                    continue
                reason = f"{composite['rule']} is {str(holds).upper()} (local evaluation)"
                try:
                    self._cloudwatch.set_alarm_state(
                        AlarmName=name, StateValue=state, StateReason=reason
                    )
                except (BotoCoreError, ClientError):
                    continue  # retried on the next tick
                previous = {"value": composite["state"], "reason": composite["reason"]}
                if name in self._since:
                    previous["timestamp"] = self._since[name]
                composite.update(state=state, reason=reason)
                states[name] = states[composite["arn"]] = state
                self._since[name] = _timestamp()
                self._send_change(
                    name, state, reason, composite["arn"], composite["description"], previous
                )
                if self.on_change is not None:
                    self.on_change(name, state, reason)
                changed = True
            if not changed:
                return

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


def _timestamp() -> str:
    """CloudWatch's event timestamp shape: ``2019-10-02T17:04:40.985+0000``."""
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"
