"""What one event costs: per consumer (source, queues, pipe, Lambda, DLQ, archive) and
once for the stack (bus ingestion, its archive, schema discovery, each topic's publish).
The model and its sources: :mod:`eventpipe.cost.estimator` and docs/cost.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from eventpipe.cost.assumptions import Assumptions
from eventpipe.cost.lines import MILLION, RECEIVE_MAX, CostLine, LineBuilder, sqs_price_key
from eventpipe.cost.prices import PriceTable
from eventpipe.cost.results import ConsumerCost
from eventpipe.pipes_paths import is_json_path

if TYPE_CHECKING:  # annotations only: `eventpipe cost` starts without pydantic
    from eventpipe.config import DeadLetterArchive, StackSettings
    from eventpipe.consumer import Consumer

IDEMPOTENCY_WRITES = 2
"""Powertools idempotency writes the in-progress record, then the completed one; each
item is under 1 KB, so each is one write request unit."""


def is_pipe_consumer(consumer: Consumer) -> bool:
    """A rule-fed FIFO consumer grouped by a JSON path goes rule -> intake queue -> pipe
    -> FIFO queue (an EventBridge rule target takes only a fixed MessageGroupId)."""
    group = consumer.message_group
    return (
        consumer.fifo and consumer.pattern is not None and group is not None and is_json_path(group)
    )


def consumer_cost(
    consumer: Consumer, settings: StackSettings, prices: PriceTable, a: Assumptions
) -> ConsumerCost:
    """The cost of one event delivered to ``consumer``, line by line."""
    b = LineBuilder(prices)
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
                sqs_price_key(consumer.fifo),
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
                sqs_price_key(consumer.fifo),
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
    b: LineBuilder,
    prices: PriceTable,
    a: Assumptions,
) -> list[CostLine]:
    """Per event: its share of dead letters, seen by every archiver run until they are
    ``after_days`` old (received, then made visible again, 10 a call), then received,
    deleted, written to S3 once and kept ``expire_days`` (none assumed redriven first).
    Without ``expire_days`` an archived dead letter is kept until deleted, so its storage
    has no total: the line gives one month of it, a cost that recurs every month."""
    f = a.failure_rate
    expire_days = archive.expire_days
    if expire_days is None:
        months_kept, kept = 1.0, "kept until deleted (no expiry): one month's storage, each month"
    else:
        months_kept, kept = expire_days * 24 / prices.hours_per_month, f"kept {expire_days} days"
    key = sqs_price_key(consumer.fifo)
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
            kept,
        ),
    ]


def shared_lines(
    settings: StackSettings, consumers: Sequence[Consumer], prices: PriceTable, a: Assumptions
) -> list[CostLine]:
    """Per published event, once for the stack: bus ingestion, archive, each topic."""
    b = LineBuilder(prices)
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
