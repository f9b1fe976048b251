"""Embedded-metric-format log lines become metrics in the emulator's CloudWatch.

On AWS a function's log events in the CloudWatch embedded metric format (EMF: one JSON
log line whose ``_aws.CloudWatchMetrics`` names the namespace, the dimension sets and the
metrics, the values being top-level keys, ``_aws.Timestamp`` the time in milliseconds)
are extracted by CloudWatch Logs into metrics, one per namespace, name and dimension set
("Specification: Embedded metric format",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
The runtime publishes its per-invocation counts that way (``RecordsRetried`` and the
others, namespace ``eventpipe``, dimension ``service``); the circuit breaker's alarm is on
``RecordsRetried``.

The emulator's CloudWatch Logs keeps log events but extracts nothing, so the function's
log stream (:class:`.function_logs.LogStream`) hands every batch of lines it writes to
:class:`EmfPublisher`, which sends the metrics they carry to the emulator's own
CloudWatch with ``PutMetricData``: up to 150 values per metric and 1,000 metrics per
request ("PutMetricData",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
From there they are read like any metric (``GetMetricStatistics``), by the local alarm
evaluator (:mod:`eventpipe.local.watch.alarms`) as by an operator.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

MAX_VALUES = 150
"""Values (with their counts) of one metric in one PutMetricData entry."""
MAX_METRICS = 1000
"""Metrics in one PutMetricData request."""


def metric_data(line: str) -> list[tuple[str, dict[str, Any]]]:
    """The metrics one EMF log line carries, as (namespace, PutMetricData ``MetricData``
    entry); none for any other line. Each dimension set of a directive is a metric of its
    own, as CloudWatch Logs extracts it."""
    if not line.startswith("{") or '"_aws"' not in line:
        return []
    try:
        document = json.loads(line)
    except ValueError:
        return []
    meta = document.get("_aws") if isinstance(document, dict) else None
    if not isinstance(meta, dict):
        return []
    stamp = meta.get("Timestamp")
    when = (
        dt.datetime.fromtimestamp(stamp / 1000, dt.UTC)
        if isinstance(stamp, int | float)
        else dt.datetime.now(dt.UTC)
    )
    found: list[tuple[str, dict[str, Any]]] = []
    for directive in meta.get("CloudWatchMetrics") or []:
        namespace = str(directive.get("Namespace", ""))
        for dimension_set in directive.get("Dimensions") or [[]]:
            dimensions = [
                {"Name": str(name), "Value": str(document.get(name, ""))} for name in dimension_set
            ]
            for metric in directive.get("Metrics") or []:
                value = document.get(metric.get("Name"))
                values = value if isinstance(value, list) else [value]
                numbers = [float(v) for v in values if isinstance(v, int | float)]
                for start in range(0, len(numbers), MAX_VALUES):
                    entry: dict[str, Any] = {
                        "MetricName": str(metric["Name"]),
                        "Dimensions": dimensions,
                        "Values": numbers[start : start + MAX_VALUES],
                        "Timestamp": when,
                    }
                    if metric.get("Unit"):
                        entry["Unit"] = str(metric["Unit"])
                    found.append((namespace, entry))
    return found


class EmfPublisher:
    """Sends the metrics of EMF log lines to CloudWatch (``PutMetricData``); call it with
    the lines a log stream wrote. ``client`` makes the CloudWatch client (once)."""

    def __init__(
        self, client: Callable[[], Any], on_error: Callable[[str], None] | None = None
    ) -> None:
        self._client_factory = client
        self._client: Any = None
        self._lock = threading.Lock()
        self._on_error = on_error

    def __call__(self, lines: Iterable[str]) -> int:
        """Publish what ``lines`` carry; the number of metric entries sent."""
        by_namespace: dict[str, list[dict[str, Any]]] = {}
        for line in lines:
            for namespace, entry in metric_data(line):
                by_namespace.setdefault(namespace, []).append(entry)
        if not by_namespace:
            return 0
        with self._lock:
            if self._client is None:
                self._client = self._client_factory()
        sent = 0
        try:
            for namespace, entries in by_namespace.items():
                for start in range(0, len(entries), MAX_METRICS):
                    chunk = entries[start : start + MAX_METRICS]
                    self._client.put_metric_data(Namespace=namespace, MetricData=chunk)
                    sent += len(chunk)
        except (BotoCoreError, ClientError) as exc:
            if self._on_error:
                self._on_error(f"cannot publish metrics from the function's log: {exc}")
        return sent
