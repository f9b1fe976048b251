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
import queue
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
    the lines a log stream wrote. The metrics are sent by a thread of its own, in as few
    requests as they fit, so an invocation never waits for them (CloudWatch Logs extracts
    them asynchronously on AWS too); :meth:`flush` waits until everything handed over so
    far is sent. ``client`` makes the CloudWatch client (once)."""

    def __init__(
        self, client: Callable[[], Any], on_error: Callable[[str], None] | None = None
    ) -> None:
        self._client_factory = client
        self._on_error = on_error
        self._pending: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __call__(self, lines: Iterable[str]) -> int:
        """Hand over what ``lines`` carry; the number of metric entries to send."""
        entries = [entry for line in lines for entry in metric_data(line)]
        if entries:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._send, name="emf-metrics", daemon=True
                    )
                    self._thread.start()
            for entry in entries:
                self._pending.put(entry)
        return len(entries)

    def flush(self) -> None:
        """Wait until every metric handed over so far has been sent (or failed)."""
        self._pending.join()

    def close(self) -> None:
        """Send what is pending, then stop the sending thread."""
        if self._thread is not None:
            self._pending.put(None)
            self._thread.join(30)

    def _send(self) -> None:
        client = self._client_factory()
        while True:
            taken = [self._pending.get()]
            while len(taken) < MAX_METRICS:
                try:
                    taken.append(self._pending.get_nowait())
                except queue.Empty:
                    break
            entries = [entry for entry in taken if entry is not None]
            try:
                self._put(client, entries)
            finally:
                for _ in taken:
                    self._pending.task_done()
            if len(entries) < len(taken):
                return

    def _put(self, client: Any, entries: list[tuple[str, dict[str, Any]]]) -> None:
        by_namespace: dict[str, list[dict[str, Any]]] = {}
        for namespace, entry in entries:
            by_namespace.setdefault(namespace, []).append(entry)
        try:
            for namespace, data in by_namespace.items():
                client.put_metric_data(Namespace=namespace, MetricData=data)
        except (BotoCoreError, ClientError) as exc:
            if self._on_error:
                self._on_error(f"cannot publish metrics from the function's log: {exc}")
