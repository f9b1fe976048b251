"""The stack's CloudWatch dashboards: one row of six widgets per consumer.

Every signal of the consumer's alarm (``eventpipe.health_signals``) has its graph, with a
line at the alarm's threshold.

Built from physical names (known before anything exists) so the dashboards need no
outputs of the pipelines and stay small JSON documents.

CloudWatch allows at most 500 widgets and 2,500 metrics per dashboard (CloudWatch service
quotas, "Dashboards" rows: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html),
so a stack with more consumers than fit one page gets an overview dashboard that links to
pages of at most :data:`CONSUMERS_PER_PAGE` consumers each, every page linking back. A
stack that fits one page keeps one dashboard, as before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from components import naming
from components.intake import per_key_fifo
from eventpipe.consumer import Consumer
from eventpipe.health_signals import LABELS, Signal, consumer_signals

MAX_WIDGETS = 500
"""CloudWatch: widgets per dashboard."""
MAX_METRICS = 2500
"""CloudWatch: metrics per dashboard."""
WIDGETS_PER_CONSUMER = 6
"""Plus 3 for a per-key FIFO consumer's intake queue (a second row)."""
CONSUMERS_PER_PAGE = 50
"""At most 450 widgets and 500 metrics a page (every consumer per-key FIFO): inside both
quotas, and a page an operator can still scroll."""
DASHBOARD = "pipelines"
"""The overview (or the only) dashboard's name after the prefix; pages add ``-<n>``."""


@dataclass(frozen=True)
class DashboardPage:
    """One dashboard to declare: its physical name, its body and the consumers on it."""

    key: str
    """Suffix of the Pulumi resource name: ``""`` for the overview, ``"-2"``... for pages."""
    name: str
    body: str
    consumers: tuple[str, ...]


WIDGET_SIGNALS = {
    "queue depth": "depth",
    "oldest message age (s)": "age",
    "DLQ depth": "dlq",
    "errors, throttles": "errors",
    "intake oldest message age (s)": "intakeage",
    "intake DLQ depth": "intakedlq",
}
"""Widget title -> the alarm signal it shows (``eventpipe.health_signals``)."""

ROW_HEIGHT = 6
WIDGET_WIDTH = 4  # six widgets fill the 24-column grid


def _widget(
    title: str,
    x: int,
    y: int,
    namespace: str,
    metric: str,
    dimension: str,
    value: str,
    stat: str,
    region: str,
    signal: Signal | None = None,
) -> dict[str, object]:
    """One graph; when it shows an alarm signal, a line at the alarm's threshold (and, for
    errors, throttles beside them: both alarm at any count above 0)."""
    metrics = [[namespace, metric, dimension, value]]
    properties: dict[str, object] = {
        "title": title,
        "region": region,
        "view": "timeSeries",
        "stat": stat,
        "period": 60,
        "metrics": metrics,
    }
    if signal is not None:
        if signal.key == "errors":
            metrics.append([namespace, "Throttles", dimension, value])
        properties["annotations"] = {
            "horizontal": [{"label": f"alarm: {LABELS[signal.key]}", "value": signal.threshold}]
        }
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": WIDGET_WIDTH,
        "height": ROW_HEIGHT,
        "properties": properties,
    }


def console_link(name: str, region: str) -> str:
    """The CloudWatch console address of a dashboard (commercial partition)."""
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#dashboards/dashboard/{name}"
    )


def _text(markdown: str, y: int, height: int = 2) -> dict[str, object]:
    return {
        "type": "text",
        "x": 0,
        "y": y,
        "width": 24,
        "height": height,
        "properties": {"markdown": markdown},
    }


def dashboard_pages(consumers: Sequence[Consumer], prefix: str, region: str) -> list[DashboardPage]:
    """Every dashboard the stack declares, the overview (or only one) first."""
    overview = naming.stack_name(prefix, DASHBOARD, naming.LIMIT_DASHBOARD)
    if len(consumers) <= CONSUMERS_PER_PAGE:
        body = json.dumps({"widgets": consumer_rows(consumers, prefix, region)}, sort_keys=True)
        return [DashboardPage("", overview, body, tuple(c.name for c in consumers))]
    chunks = [
        consumers[start : start + CONSUMERS_PER_PAGE]
        for start in range(0, len(consumers), CONSUMERS_PER_PAGE)
    ]
    names = [
        naming.stack_name(prefix, f"{DASHBOARD}-{number}", naming.LIMIT_DASHBOARD)
        for number in range(1, len(chunks) + 1)
    ]
    lines = [
        f"# {overview}",
        f"{len(consumers)} consumers on {len(chunks)} dashboards of at most "
        f"{CONSUMERS_PER_PAGE} (CloudWatch allows {MAX_WIDGETS} widgets a dashboard).",
        "",
    ]
    lines += [
        f"* [{name}]({console_link(name, region)}): {chunk[0].name} ... {chunk[-1].name}"
        for name, chunk in zip(names, chunks, strict=True)
    ]
    pages = [
        DashboardPage(
            "",
            overview,
            json.dumps({"widgets": [_text("\n".join(lines), 0, 2 + len(chunks))]}, sort_keys=True),
            (),
        )
    ]
    for number, (name, chunk) in enumerate(zip(names, chunks, strict=True), start=1):
        header = (
            f"[back to {overview}]({console_link(overview, region)}) | page {number} of "
            f"{len(chunks)}: {chunk[0].name} ... {chunk[-1].name}"
        )
        widgets = [_text(header, 0, 1), *consumer_rows(chunk, prefix, region, top=1)]
        pages.append(
            DashboardPage(
                f"-{number}",
                name,
                json.dumps({"widgets": widgets}, sort_keys=True),
                tuple(c.name for c in chunk),
            )
        )
    return pages


def consumer_rows(
    consumers: Sequence[Consumer], prefix: str, region: str, *, top: int = 0
) -> list[dict[str, object]]:
    """Queue depth, oldest message age, DLQ depth, invocations, errors and duration.

    A per-key FIFO consumer gets a second row for its intake queue (depth, oldest message
    age, intake DLQ depth): the queue its rule feeds and its pipe reads.
    """
    widgets: list[dict[str, object]] = []
    y = top - ROW_HEIGHT
    for consumer in consumers:
        y += ROW_HEIGHT
        queue = naming.queue_name(prefix, consumer.name, dlq=False, fifo=consumer.fifo)
        dlq = naming.queue_name(prefix, consumer.name, dlq=True, fifo=consumer.fifo)
        function = naming.consumer_name(prefix, consumer.name, naming.LIMIT_FUNCTION)
        cells = [
            (
                "queue depth",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "QueueName",
                queue,
                "Maximum",
            ),
            (
                "oldest message age (s)",
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                "QueueName",
                queue,
                "Maximum",
            ),
            (
                "DLQ depth",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "QueueName",
                dlq,
                "Maximum",
            ),
            ("invocations", "AWS/Lambda", "Invocations", "FunctionName", function, "Sum"),
            ("errors, throttles", "AWS/Lambda", "Errors", "FunctionName", function, "Sum"),
            ("duration (ms)", "AWS/Lambda", "Duration", "FunctionName", function, "p99"),
        ]
        rows = [cells]
        if per_key_fifo(consumer):
            intake = naming.queue_name(prefix, f"{consumer.name}-intake", dlq=False, fifo=False)
            intake_dlq = naming.queue_name(prefix, f"{consumer.name}-intake", dlq=True, fifo=False)
            visible = "ApproximateNumberOfMessagesVisible"
            rows.append(
                [
                    ("intake queue depth", "AWS/SQS", visible, "QueueName", intake, "Maximum"),
                    (
                        "intake oldest message age (s)",
                        "AWS/SQS",
                        "ApproximateAgeOfOldestMessage",
                        "QueueName",
                        intake,
                        "Maximum",
                    ),
                    ("intake DLQ depth", "AWS/SQS", visible, "QueueName", intake_dlq, "Maximum"),
                ]
            )
        signals = {s.key: s for s in consumer_signals(consumer)}
        for number, row in enumerate(rows):
            y += ROW_HEIGHT if number else 0
            for column, (title, namespace, metric, dimension, value, stat) in enumerate(row):
                shown = WIDGET_SIGNALS.get(title)
                widgets.append(
                    _widget(
                        f"{consumer.name}: {title}",
                        column * WIDGET_WIDTH,
                        y,
                        namespace,
                        metric,
                        dimension,
                        value,
                        stat,
                        region,
                        signals.get(shown) if shown else None,
                    )
                )
    return widgets
