"""The stack's CloudWatch dashboard body: one row per consumer.

Built from physical names (known before anything exists) so the dashboard needs no
outputs of the pipelines and stays one small JSON document.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from components import naming
from eventpipe.consumer import Consumer

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
) -> dict[str, object]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": WIDGET_WIDTH,
        "height": ROW_HEIGHT,
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stat": stat,
            "period": 60,
            "metrics": [[namespace, metric, dimension, value]],
        },
    }


def dashboard_body(consumers: Sequence[Consumer], prefix: str, region: str) -> str:
    """Queue depth, oldest message age, DLQ depth, invocations, errors and duration."""
    widgets: list[dict[str, object]] = []
    for row, consumer in enumerate(consumers):
        y = row * ROW_HEIGHT
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
            ("errors", "AWS/Lambda", "Errors", "FunctionName", function, "Sum"),
            ("duration (ms)", "AWS/Lambda", "Duration", "FunctionName", function, "p99"),
        ]
        for column, (title, namespace, metric, dimension, value, stat) in enumerate(cells):
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
                )
            )
    return json.dumps({"widgets": widgets}, sort_keys=True)
