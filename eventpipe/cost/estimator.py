"""What a stack costs: its fixed monthly cost and each consumer's cost per million events.

Pure arithmetic over the resolved stack (``StackSettings`` and the enabled ``Consumer``
declarations) and the dated price table; no Pulumi, no AWS calls. Each figure is a
:class:`CostLine` (quantity x price / per), so the command can show, and the tests can
recompute, every step.

The model (docs/cost.md says the same, with the sources):

- **Fixed, per month.** CloudWatch alarms (each standard-resolution alarm is billed per
  month, https://aws.amazon.com/cloudwatch/pricing/); the stack's dashboards (every page
  is charged: the account's 3 free dashboards are assumed spent elsewhere); the event
  source mapping's polling of each consumer queue while it is idle ("For standard
  queues, Lambda uses long polling to poll a queue until it becomes active ... When
  traffic is low, Lambda scales back the processing to five concurrent batches, and can
  optimize to as few as 2": https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html;
  we assume ``idle_pollers`` pollers, each making one ``poll_seconds`` long poll after
  another, each an empty ReceiveMessage billed like any request, per "Short polling is
  billed the same as long polling",
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/best-practices-using-appropriate-polling-mode.html);
  the same polling of a pipe consumer's intake queue by its pipe (an assumption: AWS
  does not document how many pollers a pipe keeps on an idle queue).
- **Per event, per consumer.** The source (an EventBridge custom event, an SNS publish,
  or the producer's SendMessage for a direct queue), then on the consumer's queue one
  SendMessage, a ReceiveMessage shared by the messages it returns (at most 10), a
  DeleteMessageBatch entry (at most 10 a call); a pipe consumer adds the intake queue's
  send/receive/delete, one Pipes request and the pipe's SendMessage to the FIFO queue;
  Lambda: one invocation per full batch, GB-seconds at the consumer's memory and the
  stack's architecture for ``duration_ms`` per record, and ``log_kb`` of logs per
  invocation; an idempotent consumer's two write request units (the in-progress record
  and its completion); ``failure_rate`` of the events sent to the DLQ once more.
  Payloads are billed per 64 KB chunk by EventBridge, SQS, Pipes and SNS alike.
  A topic consumer's source is the SNS publish; SNS's delivery to the queue is free
  (https://aws.amazon.com/sns/pricing/) and the queue's SendMessage is counted like any.
  With ``deadLetterArchive`` each dead letter is also received and deleted by the
  archiver, written once to S3 and stored ``expireDays``.
- **Issue 13's fixed parts.** A consumer with a circuit breaker has one more alarm; the
  breaker function runs only when an alarm changes state (CloudWatch's alarm events on
  the default bus are AWS service events, free to ingest), so it has no idle cost. The
  dead-letter archiver runs on a schedule (``archiver_runs_per_day``): each run is a
  scheduled invocation, a Lambda invocation and one receive per DLQ. SNS topics have no
  standing charge; their publishes are per event.
- **Monthly totals** (``events_per_month`` = N): every consumer receives N events; the
  bus ingests each published event once however many rules match it, and each topic
  is published to once, so those lines are counted once for the stack, not once per
  consumer. Free tiers and volume discounts are not applied.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from eventpipe.config import DeadLetterArchive, StackSettings
from eventpipe.consumer import Consumer
from eventpipe.cost.exceptions import AssumptionError
from eventpipe.cost.prices import PriceTable
from eventpipe.pipes_paths import is_json_path

MILLION = 1_000_000
CHUNK_KB = 64
"""EventBridge, SQS, Pipes and SNS bill each 64 KB of payload as one request/event."""
RECEIVE_MAX = 10
"""ReceiveMessage returns at most 10 messages; DeleteMessageBatch takes at most 10."""
ALARMS_PER_CONSUMER = 5
"""What components/alarms.py ``alarm_specs`` declares per consumer (a test keeps the two
equal; components import Pulumi, which this module must not)."""
CONSUMERS_PER_PAGE = 50
"""components/dashboard.py ``CONSUMERS_PER_PAGE`` (a test keeps the two equal)."""
INTAKE_ALARMS_PER_PIPE = 2
"""A pipe consumer's intake queue gets two alarms of its own, like the consumer queue's
(its depth and its DLQ: components/alarms.py ``intake_alarm_specs``)."""
BREAKER_ALARMS_PER_CONSUMER = 1
"""A consumer with a ``circuit_breaker`` gets its own breaker alarm (RecordsRetried >=
failed_records in period) beside the five, whose state changes drive the stack's breaker function."""
ARCHIVER_RUNS_PER_DAY = 24
"""components/dead_letter_archive.py ``SCHEDULE`` (``rate(1 hour)`` on EventBridge
Scheduler; a test keeps the two equal)."""
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
IDEMPOTENCY_WRITES = 2
"""Powertools idempotency writes the in-progress record, then the completed one; each
item is under 1 KB, so each is one write request unit."""

Service = Literal[
    "EventBridge", "SNS", "SQS", "Pipes", "Lambda", "CloudWatch", "DynamoDB", "S3", "Scheduler"
]


@dataclass(frozen=True)
class Assumptions:
    """What the estimate cannot know from the stack; each is a ``eventpipe cost`` option."""

    event_kb: float = 1.0
    """Payload size of one event (KB); sets the 64 KB chunk count."""
    duration_ms: float = 50.0
    """Handler time per record (ms); an invocation runs batch x this."""
    failure_rate: float = 0.01
    """Fraction of events that end in the DLQ (one more SendMessage each)."""
    idle_pollers: int = 5
    """Long polls kept on an idle queue by its event source mapping (or pipe)."""
    poll_seconds: int = 20
    """Wait time of each long poll (SQS's maximum is 20 s)."""
    log_kb: float = 2.0
    """CloudWatch Logs ingested per invocation (START/END/REPORT and the runtime's EMF
    metrics document)."""
    events_per_month: int | None = None
    """Events each consumer receives in a month: gives monthly totals."""
    archiver_runs_per_day: int = ARCHIVER_RUNS_PER_DAY
    """Runs a day of the dead-letter archiver (with ``deadLetterArchive``)."""

    def check(self) -> None:
        problems = []
        if not 0 < self.event_kb <= 1024:
            problems.append(f"event size {self.event_kb} KB: give 0 < --event-kb <= 1024")
        if not 0 <= self.duration_ms <= 900_000:
            problems.append(f"duration {self.duration_ms} ms: give 0 <= --duration-ms <= 900000")
        if not 0 <= self.failure_rate <= 1:
            problems.append(f"failure rate {self.failure_rate}: give 0 <= --failure-rate <= 1")
        if self.idle_pollers < 0:
            problems.append(f"idle pollers {self.idle_pollers}: give --idle-pollers >= 0")
        if not 1 <= self.poll_seconds <= 20:
            problems.append(
                f"poll wait {self.poll_seconds} s: SQS long polls wait 1 to 20 s (--poll-seconds)"
            )
        if self.log_kb < 0:
            problems.append(f"log size {self.log_kb} KB: give --log-kb >= 0")
        if self.archiver_runs_per_day < 1:
            problems.append(f"{self.archiver_runs_per_day} archiver runs a day: give at least 1")
        if self.events_per_month is not None and self.events_per_month < 0:
            problems.append(f"{self.events_per_month} events a month: give a count >= 0")
        if problems:
            raise AssumptionError("; ".join(problems))

    @property
    def chunks(self) -> int:
        return math.ceil(self.event_kb / CHUNK_KB)


@dataclass(frozen=True)
class CostLine:
    """``quantity`` units at ``price`` USD per ``per`` units: ``cost`` USD."""

    service: Service
    item: str
    quantity: float
    price_key: str
    price: float
    per: float
    note: str = ""

    @property
    def cost(self) -> float:
        return self.quantity * self.price / self.per

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "item": self.item,
            "quantity": self.quantity,
            "priceKey": self.price_key,
            "price": self.price,
            "per": self.per,
            "cost": self.cost,
            "note": self.note,
        }


@dataclass
class ConsumerCost:
    """One consumer's cost of one event, line by line (``shared`` lines are its source's
    ingestion, counted once for the stack in monthly totals)."""

    consumer: Consumer
    queue: Literal["fifo", "standard"]
    source: str
    pipe: bool
    lines: list[CostLine] = field(default_factory=list)
    shared: list[CostLine] = field(default_factory=list)

    @property
    def per_event(self) -> float:
        return sum(line.cost for line in (*self.shared, *self.lines))

    @property
    def per_million(self) -> float:
        return self.per_event * MILLION

    def by_service(self) -> dict[str, float]:
        """USD per million events by service, in a stable order."""
        totals: dict[str, float] = {}
        for line in (*self.shared, *self.lines):
            totals[line.service] = totals.get(line.service, 0.0) + line.cost * MILLION
        return totals


@dataclass
class Estimate:
    stack: str
    region: str
    """The stack's region (the table's prices are the table's region's)."""
    prices: PriceTable
    assumptions: Assumptions
    architecture: str
    fixed: list[CostLine]
    consumers: list[ConsumerCost]
    shared: list[CostLine]
    """Per published event, counted once for the stack: bus ingestion, archive, topics."""
    metrics: list[CostLine] = field(default_factory=list)
    """Monthly custom metrics of consumers that run (only with a volume)."""

    @property
    def fixed_monthly(self) -> float:
        return sum(line.cost for line in self.fixed)

    @property
    def monthly(self) -> dict[str, float] | None:
        """Fixed + events at ``events_per_month``, or None without a volume."""
        n = self.assumptions.events_per_month
        if n is None:
            return None
        shared = sum(line.cost for line in self.shared) * n
        consumers = sum(sum(line.cost for line in c.lines) for c in self.consumers) * n
        metrics = sum(line.cost for line in self.metrics)
        return {
            "fixed": self.fixed_monthly,
            "shared": shared,
            "consumers": consumers,
            "metrics": metrics,
            "total": self.fixed_monthly + shared + consumers + metrics,
        }

    def to_json(self) -> dict[str, Any]:
        a = self.assumptions
        monthly = self.monthly
        return {
            "stack": self.stack,
            "stackRegion": self.region,
            "priceTable": {
                "date": self.prices.date,
                "region": self.prices.region,
                "currency": self.prices.currency,
                "hoursPerMonth": self.prices.hours_per_month,
            },
            "assumptions": {
                "eventKb": a.event_kb,
                "durationMs": a.duration_ms,
                "failureRate": a.failure_rate,
                "idlePollers": a.idle_pollers,
                "pollSeconds": a.poll_seconds,
                "logKb": a.log_kb,
                "eventsPerMonth": a.events_per_month,
                "archiverRunsPerDay": a.archiver_runs_per_day,
                "architecture": self.architecture,
                "freeTiers": False,
            },
            "fixedMonthly": {
                "total": self.fixed_monthly,
                "lines": [line.to_json() for line in self.fixed],
            },
            "consumers": [
                {
                    "consumer": c.consumer.name,
                    "queue": c.queue,
                    "source": c.source,
                    "pipe": c.pipe,
                    "memory": c.consumer.memory,
                    "batchSize": c.consumer.batch_size,
                    "perMillionEvents": c.per_million,
                    "byService": [
                        {"service": service, "perMillionEvents": value}
                        for service, value in c.by_service().items()
                    ],
                    "lines": [line.to_json() for line in (*c.shared, *c.lines)],
                }
                for c in self.consumers
            ],
            "sharedPerEvent": [line.to_json() for line in self.shared],
            "monthlyMetrics": [line.to_json() for line in self.metrics],
            "monthly": None
            if monthly is None
            else {"eventsPerMonth": a.events_per_month, **monthly},
        }


def is_pipe_consumer(consumer: Consumer) -> bool:
    """A rule-fed FIFO consumer grouped by a JSON path goes rule -> intake queue -> pipe
    -> FIFO queue (issue 9: EventBridge rule targets take only a fixed MessageGroupId)."""
    group = consumer.message_group
    return (
        consumer.fifo and consumer.pattern is not None and group is not None and is_json_path(group)
    )


def dashboard_count(consumers: int) -> int:
    """Pages components/dashboard.py declares: one, or an overview plus pages of 50."""
    if consumers == 0:
        return 0
    if consumers <= CONSUMERS_PER_PAGE:
        return 1
    return 1 + math.ceil(consumers / CONSUMERS_PER_PAGE)


def _sqs_key(fifo: bool) -> str:
    return "sqs_fifo_request" if fifo else "sqs_standard_request"


class _Lines:
    """Builds CostLines against one price table."""

    def __init__(self, prices: PriceTable) -> None:
        self.prices = prices

    def line(
        self, service: Service, item: str, quantity: float, key: str, per: float, note: str = ""
    ) -> CostLine:
        return CostLine(service, item, quantity, key, self.prices[key], per, note)

    def queue_traffic(
        self, label: str, fifo: bool, batch: int, a: Assumptions, *, send: bool = True
    ) -> list[CostLine]:
        """Send, receive and delete of one message on one queue, per event."""
        key = _sqs_key(fifo)
        per_receive = min(batch, RECEIVE_MAX)
        receive_chunks = math.ceil(per_receive * a.event_kb / CHUNK_KB)
        lines = []
        if send:
            lines.append(
                self.line("SQS", f"{label} SendMessage", a.chunks, key, MILLION, "per 64 KB chunk")
            )
        lines += [
            self.line(
                "SQS",
                f"{label} ReceiveMessage",
                receive_chunks / per_receive,
                key,
                MILLION,
                f"{per_receive} messages a receive",
            ),
            self.line(
                "SQS",
                f"{label} DeleteMessageBatch",
                1 / per_receive,
                key,
                MILLION,
                f"{per_receive} entries a call",
            ),
        ]
        return lines


def consumer_cost(
    consumer: Consumer, settings: StackSettings, prices: PriceTable, a: Assumptions
) -> ConsumerCost:
    """The cost of one event delivered to ``consumer``, line by line."""
    b = _Lines(prices)
    pipe = is_pipe_consumer(consumer)
    source = consumer.source
    cost = ConsumerCost(consumer, "fifo" if consumer.fifo else "standard", source, pipe)
    if source == "rule":
        cost.shared.append(
            b.line(
                "EventBridge",
                "custom event published",
                a.chunks,
                "eventbridge_custom_event",
                MILLION,
                "once per published event, however many rules match",
            )
        )
    elif source == "topic":
        cost.shared.append(
            b.line("SNS", "publish", a.chunks, "sns_publish", MILLION, "once per topic publish")
        )
        cost.lines.append(
            b.line("SNS", "delivery to SQS", a.chunks, "sns_delivery_sqs", MILLION, "no charge")
        )
    else:
        cost.lines.append(
            b.line(
                "SQS",
                "producer SendMessage",
                a.chunks,
                _sqs_key(consumer.fifo),
                MILLION,
                "direct queue",
            )
        )
    if pipe:
        cost.lines += b.queue_traffic("intake", False, RECEIVE_MAX, a)
        cost.lines.append(
            b.line(
                "Pipes",
                "pipe request",
                a.chunks,
                "eventbridge_pipes_request",
                MILLION,
                "per 64 KB chunk, after filtering",
            )
        )
    # The queue's own SendMessage: the rule target's, the pipe's, SNS's delivery; a
    # direct queue's producer send is the source line above.
    cost.lines += b.queue_traffic(
        "queue", consumer.fifo, consumer.batch_size, a, send=source != "queue"
    )
    if a.failure_rate:
        cost.lines.append(
            b.line(
                "SQS",
                "DLQ SendMessage",
                a.failure_rate * a.chunks,
                _sqs_key(consumer.fifo),
                MILLION,
                f"{a.failure_rate:.2%} of events",
            )
        )
        if settings.dead_letter_archive is not None:
            cost.lines += _archived(consumer, settings.dead_letter_archive, b, prices, a)
    batch = consumer.batch_size
    gb_seconds = consumer.memory / 1024 * a.duration_ms / 1000
    cost.lines += [
        b.line("Lambda", "invocation", 1 / batch, "lambda_request", MILLION, f"batches of {batch}"),
        b.line(
            "Lambda",
            f"GB-seconds ({consumer.memory} MB, {settings.architecture})",
            gb_seconds,
            f"lambda_gb_second_{settings.architecture}",
            1,
            f"{a.duration_ms:g} ms a record",
        ),
        b.line(
            "CloudWatch",
            "logs ingested (GB)",
            a.log_kb / batch / (1024 * 1024),
            "cloudwatch_logs_ingested_gb",
            1,
            f"{a.log_kb:g} KB an invocation",
        ),
    ]
    if consumer.idempotent:
        cost.lines.append(
            b.line(
                "DynamoDB",
                "idempotency writes",
                IDEMPOTENCY_WRITES,
                "dynamodb_write_request_unit",
                MILLION,
                "in progress + completed",
            )
        )
    return cost


def _archived(
    consumer: Consumer,
    archive: DeadLetterArchive,
    b: _Lines,
    prices: PriceTable,
    a: Assumptions,
) -> list[CostLine]:
    """Per event: its share of dead letters, seen by every archiver run until they are
    ``after_days`` old (received, then made visible again, 10 a call), then received,
    deleted, written to S3 once and kept ``expire_days`` (none assumed redriven first)."""
    f = a.failure_rate
    expire_days = archive.expire_days
    months_kept = expire_days * 24 / prices.hours_per_month
    key = _sqs_key(consumer.fifo)
    looks = a.archiver_runs_per_day * archive.after_days
    return [
        b.line(
            "SQS",
            "archiver looks before archiving",
            f * looks * 2 / RECEIVE_MAX,
            key,
            MILLION,
            f"{looks} runs: receive + visibility, 10 a call",
        ),
        b.line(
            "SQS",
            "archiver receive + delete",
            f * (1 / RECEIVE_MAX + 1),
            key,
            MILLION,
            "one receive of 10, one DeleteMessage",
        ),
        b.line("S3", "archive PUT", f, "s3_put_request", 1000, "one object a dead letter"),
        b.line(
            "S3",
            "archive storage (GB-month)",
            f * a.event_kb / (1024 * 1024) * months_kept,
            "s3_standard_storage_gb_month",
            1,
            f"kept {expire_days} days",
        ),
    ]


def fixed_lines(
    settings: StackSettings, consumers: Sequence[Consumer], prices: PriceTable, a: Assumptions
) -> list[CostLine]:
    """What the stack costs a month with no events at all."""
    b = _Lines(prices)
    lines: list[CostLine] = []
    if consumers:
        lines.append(
            b.line(
                "CloudWatch",
                "alarms",
                ALARMS_PER_CONSUMER * len(consumers),
                "cloudwatch_alarm_standard",
                1,
                f"{ALARMS_PER_CONSUMER} per consumer, standard resolution",
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
                f"{pipes} pipe consumer(s)",
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
                    _sqs_key(fifo),
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
    b: _Lines,
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
                    _sqs_key(fifo),
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
    b = _Lines(prices)
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


def shared_lines(
    settings: StackSettings, consumers: Sequence[Consumer], prices: PriceTable, a: Assumptions
) -> list[CostLine]:
    """Per published event, once for the stack: bus ingestion, archive, each topic."""
    b = _Lines(prices)
    lines: list[CostLine] = []
    seen_topics: list[str] = []
    rule_fed = False
    for consumer in consumers:
        topic = consumer.topic
        if topic is not None:
            if topic not in seen_topics:
                seen_topics.append(topic)
        elif consumer.source == "rule":
            rule_fed = True
    if rule_fed:
        lines.append(
            b.line(
                "EventBridge",
                "custom events published",
                a.chunks,
                "eventbridge_custom_event",
                MILLION,
                "per 64 KB chunk",
            )
        )
        if settings.archive:
            lines.append(
                b.line(
                    "EventBridge",
                    "archive processing (GB)",
                    a.event_kb / (1024 * 1024),
                    "eventbridge_archive_processed_gb",
                    1,
                    "every event on the bus is archived",
                )
            )
        if settings.schema_discovery:
            lines.append(
                b.line(
                    "EventBridge",
                    "schema discovery",
                    1,
                    "eventbridge_schema_discovery_event",
                    MILLION,
                    "5M free a month not applied",
                )
            )
    lines += [
        b.line("SNS", f"publish to {topic}", a.chunks, "sns_publish", MILLION, "per 64 KB chunk")
        for topic in seen_topics
    ]
    return lines


def estimate(
    settings: StackSettings,
    consumers: Iterable[Consumer],
    prices: PriceTable,
    assumptions: Assumptions | None = None,
) -> Estimate:
    """The stack's fixed monthly cost, each consumer's cost per event and, with a volume,
    monthly totals."""
    a = assumptions or Assumptions()
    a.check()
    enabled = list(consumers)
    return Estimate(
        stack=settings.stack,
        region=settings.region,
        prices=prices,
        assumptions=a,
        architecture=settings.architecture,
        fixed=fixed_lines(settings, enabled, prices, a),
        consumers=[consumer_cost(c, settings, prices, a) for c in enabled],
        shared=shared_lines(settings, enabled, prices, a),
        metrics=metric_lines(enabled, prices, a),
    )
