"""What a stack costs a month with no events: alarms, dashboards, idle polling, the
dead-letter archiver's runs; and the runtime's custom metrics, billed in any month a
consumer runs. The model and its sources: :mod:`eventpipe.cost.estimator` and docs/cost.md."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from eventpipe.cost.assumptions import Assumptions
from eventpipe.cost.lines import MILLION, CostLine, LineBuilder, sqs_price_key
from eventpipe.cost.per_event import is_pipe_consumer
from eventpipe.cost.prices import PriceTable

if TYPE_CHECKING:  # annotations only: `eventpipe cost` starts without pydantic
    from eventpipe.config import StackSettings
    from eventpipe.consumer import Consumer

ALARMS_PER_CONSUMER = 5
"""Metrics of a consumer's alarm (components/alarms.py: ``eventpipe.health_signals``):
a metric-math alarm is billed per metric in it, as the five alarms it replaced were
(a test keeps the two equal; components import Pulumi, which this module must not)."""
CONSUMERS_PER_PAGE = 50
"""components/dashboard.py ``CONSUMERS_PER_PAGE`` (a test keeps the two equal)."""
INTAKE_ALARMS_PER_PIPE = 2
"""A pipe consumer's alarm has two more metrics, its intake queue's age and its intake
DLQ (``eventpipe.health_signals``)."""
ALARMS_PER_COMPOSITE = 100
"""components/alarm_digest.py ``MAX_CHILDREN``: alarms one composite alarm's rule names."""
BREAKER_ALARMS_PER_CONSUMER = 1
"""A consumer with a ``circuit_breaker`` gets its own breaker alarm (RecordsRetried >=
failed_records in period) beside the five, whose state changes drive the stack's breaker function."""
ARCHIVER_MEMORY_MB = 256
"""components/dead_letter_archive.py ``FUNCTION_MEMORY`` (a test keeps the two equal)."""
ARCHIVER_RUN_SECONDS = 1.0
"""Assumed length of one archiver run (a receive per DLQ, a few objects written)."""
RUNTIME_METRICS = (
    "RecordsSucceeded",
    "RecordsRetried",
    "RecordsDeadLettered",
    "HandlerDuration",
    "EventAge",
)
"""The EMF metrics eventpipe/runtime/observability.py publishes for every consumer (plus
``DuplicatesSkipped`` for an idempotent one): each is a custom metric, billed for the
hours it receives data (https://aws.amazon.com/cloudwatch/pricing/)."""
IDEMPOTENT_METRICS = 1
ARCHIVED_METRICS = 1
"""The archiver publishes ``DeadLettersArchived`` per consumer on every run, zero included."""


def dashboard_count(consumers: int) -> int:
    """Pages components/dashboard.py declares: one, or an overview plus pages of 50."""
    if consumers == 0:
        return 0
    if consumers <= CONSUMERS_PER_PAGE:
        return 1
    return 1 + math.ceil(consumers / CONSUMERS_PER_PAGE)


def digest_count(alarms: int) -> int:
    """Composite alarms components/alarm_digest.py declares over ``alarms`` alarms: pages of
    100 while there is more than one, then the root (names short enough that no page is
    cut by the rule's 10,240 characters first)."""
    total = 0
    while alarms > ALARMS_PER_COMPOSITE:
        alarms = math.ceil(alarms / ALARMS_PER_COMPOSITE)
        total += alarms
    return total + 1


def fixed_lines(
    settings: StackSettings, consumers: Sequence[Consumer], prices: PriceTable, a: Assumptions
) -> list[CostLine]:
    """What the stack costs a month with no events at all."""
    b = LineBuilder(prices)
    lines: list[CostLine] = []
    if consumers:
        lines.append(
            b.line(
                "CloudWatch",
                "alarms",
                ALARMS_PER_CONSUMER * len(consumers),
                "cloudwatch_alarm_standard",
                1,
                f"one alarm of {ALARMS_PER_CONSUMER} metrics per consumer, standard resolution",
            )
        )
    pipes = sum(1 for c in consumers if is_pipe_consumer(c))
    if pipes:
        lines.append(
            b.line(
                "CloudWatch",
                "intake alarms",
                INTAKE_ALARMS_PER_PIPE * pipes,
                "cloudwatch_alarm_standard",
                1,
                f"2 more metrics in each of {pipes} pipe consumer(s)' alarm",
            )
        )
    breakers = sum(1 for c in consumers if c.circuit_breaker is not None)
    if breakers:
        lines.append(
            b.line(
                "CloudWatch",
                "breaker alarms",
                BREAKER_ALARMS_PER_CONSUMER * breakers,
                "cloudwatch_alarm_standard",
                1,
                f"{breakers} consumer(s) with a circuit breaker",
            )
        )
    watched = len(consumers) + breakers
    if watched:
        lines.append(
            b.line(
                "CloudWatch",
                "alarm digest",
                digest_count(watched),
                "cloudwatch_alarm_composite",
                1,
                "composite alarms over every alarm (one email per incident)",
            )
        )
    pages = dashboard_count(len(consumers)) if settings.dashboard else 0
    if pages:
        lines.append(
            b.line(
                "CloudWatch",
                "dashboards",
                pages,
                "cloudwatch_dashboard",
                1,
                "account's 3 free dashboards assumed used elsewhere",
            )
        )
    polls = a.idle_pollers * prices.seconds_per_month / a.poll_seconds
    for queue_type, fifo in (("standard", False), ("fifo", True)):
        count = sum(1 for c in consumers if c.fifo == fifo)
        if fifo is False:
            count += sum(1 for c in consumers if is_pipe_consumer(c))  # intake queues
        if count:
            lines.append(
                b.line(
                    "SQS",
                    f"idle polling, {count} {queue_type} queue(s)",
                    polls * count,
                    sqs_price_key(fifo),
                    MILLION,
                    f"{a.idle_pollers} pollers x {a.poll_seconds} s long polls",
                )
            )
    if settings.dead_letter_archive is not None and consumers:
        lines += _archiver_runs(settings, consumers, prices, a, b)
    return lines


def _archiver_runs(
    settings: StackSettings,
    consumers: Sequence[Consumer],
    prices: PriceTable,
    a: Assumptions,
    b: LineBuilder,
) -> list[CostLine]:
    """The scheduled archiver, idle: each run is one scheduled invocation, one Lambda
    invocation and at least one ReceiveMessage on every DLQ."""
    runs = a.archiver_runs_per_day * prices.hours_per_month / 24
    note = f"{a.archiver_runs_per_day} runs a day"
    lines = [
        b.line(
            "Scheduler",
            "archiver schedule",
            runs,
            "eventbridge_scheduler_invocation",
            MILLION,
            f"{note}; 14M free not applied",
        ),
        b.line("Lambda", "archiver invocations", runs, "lambda_request", MILLION, note),
        b.line(
            "Lambda",
            f"archiver GB-seconds ({ARCHIVER_MEMORY_MB} MB)",
            runs * ARCHIVER_MEMORY_MB / 1024 * ARCHIVER_RUN_SECONDS,
            f"lambda_gb_second_{settings.architecture}",
            1,
            f"{ARCHIVER_RUN_SECONDS:g} s a run",
        ),
    ]
    lines += [
        b.line(
            "SQS",
            f"archiver GetQueueUrl, {len(consumers)} DLQ(s)",
            runs * len(consumers),
            "sqs_standard_request",
            MILLION,
            note,
        ),
        b.line(
            "CloudWatch", "archiver PutMetricData", runs, "cloudwatch_put_metric_data", 1000, note
        ),
        b.line(
            "CloudWatch",
            "DeadLettersArchived metrics",
            ARCHIVED_METRICS * len(consumers),
            "cloudwatch_custom_metric",
            1,
            "one per consumer, published every run",
        ),
    ]
    for queue_type, fifo in (("standard", False), ("fifo", True)):
        count = sum(1 for c in consumers if c.fifo == fifo)
        if count:
            lines.append(
                b.line(
                    "SQS",
                    f"archiver receives, {count} {queue_type} DLQ(s)",
                    runs * count,
                    sqs_price_key(fifo),
                    MILLION,
                    note,
                )
            )
    return lines


def metric_lines(
    consumers: Sequence[Consumer], prices: PriceTable, a: Assumptions
) -> list[CostLine]:
    """The runtime's EMF custom metrics: billed in any month a consumer runs at all, so
    they count in monthly totals (with a volume above 0), not in the idle cost."""
    if not a.events_per_month:
        return []
    b = LineBuilder(prices)
    count = sum(
        len(RUNTIME_METRICS) + (IDEMPOTENT_METRICS if c.idempotent else 0) for c in consumers
    )
    return [
        b.line(
            "CloudWatch",
            "runtime metrics (EMF)",
            count,
            "cloudwatch_custom_metric",
            1,
            f"{len(RUNTIME_METRICS)} per consumer, +1 idempotent",
        )
    ]
