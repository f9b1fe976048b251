"""A consumer's health signals, watched by one CloudWatch metric-math alarm.

Each signal that means "messages are stuck or lost" (DLQ not empty, oldest message too
old, queue too deep, function errors, throttles; a per-key FIFO consumer's intake DLQ and
intake age too) is one metric of the consumer's alarm; the alarm's expression adds a
distinct power of two per breaching signal::

    IF(FILL(dlq, 0) > 0, 1, 0) + IF(FILL(age, 0) > 300, 2, 0) + ... >= 1

so one alarm per consumer alarms on every signal, and the value it alarmed on says which
ones (:func:`decode`: 5 = DLQ not empty and queue too deep). One alarm instead of five
matters at scale: CloudWatch takes 3 ``PutMetricAlarm`` calls a second per Region
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html),
so five alarms per consumer alone made a 1,000-consumer stack's first deploy at least 28
minutes. A metric-math alarm holds at most 10 metrics ("The 20 structures can include as
many as 10 structures that contain a MetricStat parameter",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html);
a consumer has at most 7.

``IF``, ``FILL`` and the comparison operators are CloudWatch metric math ("Metric math
syntax and functions",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
``FILL(m, 0)`` makes a period without data (an idle queue, a function not invoked) count
as healthy, as the separate alarms' ``notBreaching`` did.

Every signal is judged on the latest one-minute datapoint. The separate alarms judged
oldest age and depth over three; for the oldest message of a queue that stopped moving,
three minutes above ``alarm_oldest_message_age`` is one minute above it plus 120 s, which
is the threshold used, so that signal keeps its timing. Depth now alarms on its first
minute above ``alarm_queue_depth``.

Pulumi-free: the component declaring the alarm, ``eventpipe status`` (which decodes the
value) and the local engine read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventpipe.pipes_paths import per_key_fifo

if TYPE_CHECKING:  # not imported for the CLI's status and dlq commands: pydantic is slow to load
    from eventpipe.consumer import Consumer

PERIOD = 60
"""Seconds per datapoint: SQS and Lambda publish these metrics each minute."""
SUSTAINED_AGE = 2 * PERIOD
"""Added to the oldest-age threshold: the two minutes the three-period alarm waited."""
MAX_METRICS = 10
"""PutMetricAlarm: at most 10 MetricStat structures in one alarm."""
EXPRESSION_ID = "signals"


WEIGHTS = {"dlq": 1, "age": 2, "depth": 4, "errors": 8, "throttles": 16, "intakedlq": 32,
           "intakeage": 64}  # fmt: skip
"""Each signal's power of two, the same for every consumer (:func:`consumer_signals`)."""
LABELS = {
    "dlq": "DLQ not empty",
    "age": "oldest message too old",
    "depth": "queue too deep",
    "errors": "function errors",
    "throttles": "throttled",
    "intakedlq": "intake DLQ not empty",
    "intakeage": "intake oldest message too old",
}
"""What ``eventpipe status`` prints for each signal."""


@dataclass(frozen=True)
class Signal:
    """One thing the consumer's alarm watches."""

    key: str
    """Metric id in the alarm (lower-case letters: CloudWatch ids start lower-case)."""
    weight: int
    """Its power of two in the expression's value."""
    namespace: str
    metric: str
    statistic: str
    dimension: str
    """``QueueName`` or ``FunctionName``."""
    resource: str
    """Which of the consumer's resources: ``queue``, ``dlq``, ``function``, ``intake``,
    ``intake_dlq`` (the component maps each to its name)."""
    threshold: float
    description: str


def consumer_signals(consumer: Consumer) -> list[Signal]:
    """The signals of one consumer, in a fixed order (the weights never change)."""
    age = consumer.alarm_oldest_message_age + SUSTAINED_AGE
    visible = "ApproximateNumberOfMessagesVisible"
    oldest = "ApproximateAgeOfOldestMessage"
    signals = [
        Signal("dlq", WEIGHTS["dlq"], "AWS/SQS", visible, "Maximum", "QueueName", "dlq", 0,
               "messages are waiting in the DLQ: inspect and redrive them"),
        Signal("age", WEIGHTS["age"], "AWS/SQS", oldest, "Maximum", "QueueName", "queue", age,
               "the oldest message has waited too long: the consumer is falling behind"),
        Signal("depth", WEIGHTS["depth"], "AWS/SQS", visible, "Maximum", "QueueName", "queue",
               consumer.alarm_queue_depth, "the queue is backing up"),
        Signal("errors", WEIGHTS["errors"], "AWS/Lambda", "Errors", "Sum", "FunctionName", "function", 0,
               "the function failed (whole invocations, not record failures)"),
        Signal("throttles", WEIGHTS["throttles"], "AWS/Lambda", "Throttles", "Sum", "FunctionName", "function", 0,
               "the function was throttled: raise reserved concurrency or lower max concurrency"),
    ]  # fmt: skip
    if per_key_fifo(consumer):
        signals += [
            Signal("intakedlq", WEIGHTS["intakedlq"], "AWS/SQS", visible, "Maximum", "QueueName", "intake_dlq", 0,
                   "messages are waiting in the intake DLQ: events without the group field, "
                   "or events the pipe could not send"),
            Signal("intakeage", WEIGHTS["intakeage"], "AWS/SQS", oldest, "Maximum", "QueueName", "intake", age,
                   "the intake queue's oldest message has waited too long: check the pipe"),
        ]  # fmt: skip
    assert len(signals) <= MAX_METRICS
    return signals


def expression(signals: Sequence[Signal]) -> str:
    """The alarm's metric-math expression: the sum of the breaching signals' weights."""
    return " + ".join(
        f"IF(FILL({s.key}, 0) > {_number(s.threshold)}, {s.weight}, 0)" for s in signals
    )


def decode(value: float) -> list[str]:
    """The keys of the signals an expression value says are breaching."""
    bits = round(value)
    return [key for key, weight in WEIGHTS.items() if bits & weight]


def describe(consumer: str, signals: Sequence[Signal]) -> str:
    """The alarm's description: what each weight means (1,024 characters at most)."""
    parts = [f"{s.weight} {s.key} ({s.description.split(':')[0]})" for s in signals]
    return f"{consumer}: value = sum of breaching signals: " + ", ".join(parts)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
