"""``eventpipe status``: how each consumer's queues and alarms look right now."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from eventpipe import health_signals
from eventpipe.operate.mapping import MappingState, state_or_none
from eventpipe.stack_output import ConsumerOutputs, StackOutputs

QUEUE_ATTRIBUTES = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]


@dataclass(frozen=True)
class ConsumerStatus:
    """One row of ``eventpipe status``. ``None`` means the value is not available."""

    consumer: str
    visible: int | None
    in_flight: int | None
    delayed: int | None
    dlq_depth: int | None
    oldest_age_seconds: float | None
    alarms: dict[str, str]
    """Alarm name -> state (``OK``, ``ALARM``, ``INSUFFICIENT_DATA`` or ``MISSING``)."""
    mapping: MappingState | None = None
    """The event source mapping (None when it cannot be read)."""
    intake_visible: int | None = None
    """Pipe consumers: messages waiting in the intake queue (None for the others)."""
    intake_in_flight: int | None = None
    intake_dlq_depth: int | None = None
    retired: str | None = None
    """Why the consumer is retired (stack output ``retired``): its queues are kept, nothing
    consumes them. None for a deployed consumer."""
    signals: tuple[str, ...] = field(default=())
    """The breaching signals of the consumer's alarm (``eventpipe.health_signals`` keys),
    read from the value it alarmed on; empty when it is not in ALARM or says nothing."""

    @property
    def paused(self) -> bool:
        return self.mapping is not None and self.mapping.paused

    @property
    def mapping_state(self) -> str | None:
        return self.mapping.state if self.mapping is not None else None

    @property
    def alarm_state(self) -> str:
        """The worst state: ALARM beats INSUFFICIENT_DATA beats OK; ``n/a`` if none."""
        if not self.alarms:
            return "n/a"
        for state in ("ALARM", "MISSING", "INSUFFICIENT_DATA"):
            if state in self.alarms.values():
                return state
        return "OK"

    @property
    def firing(self) -> list[str]:
        return sorted(name for name, state in self.alarms.items() if state == "ALARM")

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape (camelCase)."""
        return {
            "consumer": self.consumer,
            "visible": self.visible,
            "inFlight": self.in_flight,
            "delayed": self.delayed,
            "dlqDepth": self.dlq_depth,
            "oldestAgeSeconds": self.oldest_age_seconds,
            "alarms": dict(self.alarms),
            "alarmState": self.alarm_state,
            "mappingState": self.mapping_state,
            "paused": self.paused,
            "intakeVisible": self.intake_visible,
            "intakeInFlight": self.intake_in_flight,
            "intakeDlqDepth": self.intake_dlq_depth,
            "retired": self.retired,
            "signals": list(self.signals),
        }


def _queue_counts(sqs: Any, url: str) -> dict[str, int]:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=QUEUE_ATTRIBUTES)
    return {k: int(v) for k, v in attrs.get("Attributes", {}).items()}


def oldest_message_age(cloudwatch: Any, queue_name: str, now: datetime) -> float | None:
    """Latest ``ApproximateAgeOfOldestMessage`` (AWS/SQS, published each minute while
    the queue is active), or None when CloudWatch has no recent datapoint."""
    response = cloudwatch.get_metric_statistics(
        Namespace="AWS/SQS",
        MetricName="ApproximateAgeOfOldestMessage",
        Dimensions=[{"Name": "QueueName", "Value": queue_name}],
        StartTime=now - timedelta(minutes=15),
        EndTime=now,
        Period=60,
        Statistics=["Maximum"],
    )
    points = sorted(response.get("Datapoints", []), key=lambda p: p["Timestamp"])
    return float(points[-1]["Maximum"]) if points else None


_REASON_VALUE = re.compile(r"\[(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)")


def alarm_value(alarm: dict[str, Any]) -> float | None:
    """The value an alarm last judged: ``StateReasonData``'s ``recentDatapoints`` (JSON),
    else the first number in brackets of ``StateReason`` ("Threshold Crossed: 1 datapoint
    [5.0 (...)] was greater than..."). Neither shape is specified by the API reference
    ("An explanation for the alarm state, in JSON format"), so None when neither reads."""
    try:
        points = json.loads(alarm.get("StateReasonData") or "{}").get("recentDatapoints")
    except (ValueError, AttributeError):
        points = None
    if isinstance(points, list) and points and isinstance(points[-1], int | float):
        return float(points[-1])
    found = _REASON_VALUE.search(alarm.get("StateReason") or "")
    return float(found.group(1)) if found else None


def alarm_readings(cloudwatch: Any, names: list[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """State of each named alarm and, for a consumer alarm in ALARM, its breaching signals
    (``eventpipe.health_signals``); names CloudWatch does not know are ``MISSING``."""
    readings: dict[str, tuple[str, tuple[str, ...]]] = dict.fromkeys(names, ("MISSING", ()))
    for start in range(0, len(names), 100):  # DescribeAlarms takes at most 100 names
        paginator = cloudwatch.get_paginator("describe_alarms")
        for page in paginator.paginate(AlarmNames=names[start : start + 100]):
            for alarm in page.get("MetricAlarms", []) + page.get("CompositeAlarms", []):
                state = alarm["StateValue"]
                signals: tuple[str, ...] = ()
                if state == "ALARM" and alarm.get("Metrics"):
                    value = alarm_value(alarm)
                    signals = tuple(health_signals.decode(value)) if value is not None else ()
                readings[alarm["AlarmName"]] = (state, signals)
    return readings


def consumer_status(
    consumer: ConsumerOutputs,
    sqs: Any,
    cloudwatch: Any,
    alarms: dict[str, tuple[str, tuple[str, ...]]],
    now: datetime,
    lambda_client: Any = None,
) -> ConsumerStatus:
    queue = _queue_counts(sqs, consumer.queue_url)
    dlq = _queue_counts(sqs, consumer.dlq_url)
    intake: dict[str, int] = {}
    intake_dlq: dict[str, int] = {}
    if consumer.has_intake:
        intake = _queue_counts(sqs, str(consumer.intake_queue_url))
        intake_dlq = _queue_counts(sqs, str(consumer.intake_dlq_url))
    mapping = state_or_none(lambda_client, consumer) if lambda_client is not None else None
    return ConsumerStatus(
        consumer=consumer.name,
        visible=queue.get("ApproximateNumberOfMessages"),
        in_flight=queue.get("ApproximateNumberOfMessagesNotVisible"),
        delayed=queue.get("ApproximateNumberOfMessagesDelayed"),
        dlq_depth=dlq.get("ApproximateNumberOfMessages"),
        oldest_age_seconds=oldest_message_age(cloudwatch, consumer.queue_name, now),
        alarms={name: alarms[name][0] for name in consumer.alarm_names},
        mapping=mapping,
        intake_visible=intake.get("ApproximateNumberOfMessages"),
        intake_in_flight=intake.get("ApproximateNumberOfMessagesNotVisible"),
        intake_dlq_depth=intake_dlq.get("ApproximateNumberOfMessages"),
        signals=tuple(sig for name in consumer.alarm_names for sig in alarms[name][1]),
    )


def stack_status(
    outputs: StackOutputs,
    sqs: Any,
    cloudwatch: Any,
    names: list[str] | None = None,
    now: datetime | None = None,
    lambda_client: Any = None,
) -> list[ConsumerStatus]:
    """Status of the named consumers (all when ``names`` is empty); with
    ``lambda_client``, each event source mapping's state too (paused or not)."""
    now = now or datetime.now(UTC)
    # retired consumers' queues too: all of them, or those named
    if names:
        consumers = [outputs.queues_of(name) for name in names]
    else:
        consumers = outputs.select(None) + [
            outputs.queues_of(name) for name in sorted(outputs.retired)
        ]
    all_alarms = [a for c in consumers for a in c.alarm_names]
    alarms = alarm_readings(cloudwatch, all_alarms) if all_alarms else {}
    rows = [consumer_status(c, sqs, cloudwatch, alarms, now, lambda_client) for c in consumers]
    return [
        dataclasses.replace(row, retired=outputs.retired[row.consumer].reason)
        if row.consumer in outputs.retired and row.consumer not in outputs.consumers
        else row
        for row in rows
    ]


def delivery_dlq_depth(outputs: StackOutputs, sqs: Any) -> int | None:
    """Events EventBridge could not deliver to any queue (the bus's delivery DLQ)."""
    if not outputs.bus.delivery_dlq_url:
        return None
    return _queue_counts(sqs, outputs.bus.delivery_dlq_url).get("ApproximateNumberOfMessages")
