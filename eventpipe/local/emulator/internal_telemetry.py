"""Function logs and their metrics as AWS delivers them in the embedded emulator: in process.

Lambda ships a function's output to CloudWatch Logs itself, and CloudWatch Logs extracts
the metrics of embedded-metric-format lines itself
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format.html):
neither is a client of the public endpoint a user calls. What a user observes is the log
group's streams and events (``eventpipe logs``, FilterLogEvents) and the metrics
(GetMetricStatistics, the alarms); so the engine's log shipper
(:mod:`eventpipe.local.functions.function_logs`) and EMF publisher
(:mod:`eventpipe.local.functions.log_metrics`) call the embedded moto server's Logs and
CloudWatch backends directly, with the arguments moto's HTTP layer gives them for the
same request, instead of a round trip through botocore, werkzeug and Flask for every
invocation's lines. Every call runs as a request of the embedded server
(:func:`~.in_process.as_request`: the shims' mark, moto's errors as the
:class:`botocore.exceptions.ClientError` a client gets). Against any other endpoint
:meth:`.server.Emulator.internal` gives the ordinary HTTP client. Tests hold each call against its
HTTP twin (``tests/local/emulator/test_internal_telemetry.py``).

moto methods relied on (moto pinned in ``constraints.txt``):
``moto.logs.models.logs_backends[account][region]`` with ``create_log_group(name, tags,
kmsKeyId=...)``, ``create_log_stream(group, stream)``, ``put_log_events(group, stream,
events)``; ``moto.cloudwatch.models.cloudwatch_backends[account][region]`` with
``put_metric_data(namespace, metric_data)`` (timestamps as naive UTC datetimes, which is
how moto's HTTP layer parses them). The account is the one moto gives the engine's fake
credentials (``moto.core.DEFAULT_ACCOUNT_ID``), as over HTTP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from eventpipe.local.emulator.in_process import call_as_request


def _account() -> str:
    from moto.core import DEFAULT_ACCOUNT_ID

    return str(DEFAULT_ACCOUNT_ID)


class InternalLogs:
    """The embedded emulator's CloudWatch Logs for the engine's log shipper."""

    def __init__(self, region: str):
        self.region = region

    def _backend(self) -> Any:
        from moto.logs.models import logs_backends

        return logs_backends[_account()][self.region]  # looked up each call: reset

    def create_log_group(self, *, logGroupName: str) -> dict[str, Any]:
        """CreateLogGroup (ResourceAlreadyExistsException when it exists)."""

        def work() -> dict[str, Any]:
            self._backend().create_log_group(logGroupName, None, kmsKeyId=None)
            return {}

        return call_as_request("CreateLogGroup", work)

    def create_log_stream(self, *, logGroupName: str, logStreamName: str) -> dict[str, Any]:
        """CreateLogStream in an existing group."""

        def work() -> dict[str, Any]:
            self._backend().create_log_stream(logGroupName, logStreamName)
            return {}

        return call_as_request("CreateLogStream", work)

    def put_log_events(
        self,
        *,
        logGroupName: str,
        logStreamName: str,
        logEvents: Sequence[dict[str, Any]],
    ) -> dict[str, Any]:
        """PutLogEvents: ``nextSequenceToken``, and ``rejectedLogEventsInfo`` when any
        event was refused (too old or too far in the future), as the API answers."""

        def work() -> dict[str, Any]:
            token, rejected = self._backend().put_log_events(
                logGroupName, logStreamName, [dict(e) for e in logEvents]
            )
            answer: dict[str, Any] = {"nextSequenceToken": token}
            if rejected:
                answer["rejectedLogEventsInfo"] = rejected
            return answer

        return call_as_request("PutLogEvents", work)


class InternalCloudWatch:
    """The embedded emulator's CloudWatch for the engine's EMF publisher."""

    def __init__(self, region: str):
        self.region = region

    def put_metric_data(
        self,
        *,
        Namespace: str,
        MetricData: Sequence[dict[str, Any]],
    ) -> dict[str, Any]:
        """PutMetricData; a timestamp is stored as moto's HTTP layer stores it."""
        from moto.cloudwatch.models import cloudwatch_backends

        def work() -> dict[str, Any]:
            data = [_as_parsed(entry) for entry in MetricData]
            cloudwatch_backends[_account()][self.region].put_metric_data(Namespace, data)
            return {}

        return call_as_request("PutMetricData", work)


def _as_parsed(entry: dict[str, Any]) -> dict[str, Any]:
    """A MetricData entry as moto's HTTP layer hands it to the backend: the timestamp a
    naive UTC datetime."""
    parsed = dict(entry)
    stamp = parsed.get("Timestamp")
    if isinstance(stamp, dt.datetime) and stamp.tzinfo is not None:
        parsed["Timestamp"] = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed
