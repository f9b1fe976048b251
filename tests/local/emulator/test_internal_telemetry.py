"""The engine's in-process Logs and CloudWatch (``internal_telemetry``) store what their
HTTP twins store: the same log events read back over HTTP, the same metric statistics,
the same errors."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eventpipe.local.emulator.internal_telemetry import (
    InternalCloudWatch,
    InternalLogs,
)
from eventpipe.local.emulator.server import Emulator, start_emulator


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


def _events(http_logs: Any, group: str, stream: str) -> list[tuple[int, str]]:
    found = http_logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    return [(e["timestamp"], e["message"]) for e in found["events"]]


def test_log_events_read_back_as_sent_over_http(emulator: Emulator) -> None:
    http = emulator.client("logs")
    internal = emulator.internal("logs")
    assert isinstance(internal, InternalLogs)
    group = f"/aws/lambda/twin-{uuid.uuid4().hex[:8]}"
    internal.create_log_group(logGroupName=group)
    with pytest.raises(ClientError) as again_inside:
        internal.create_log_group(logGroupName=group)
    with pytest.raises(ClientError) as again_over_http:
        http.create_log_group(logGroupName=group)
    assert (
        again_inside.value.response["Error"]["Code"]
        == (again_over_http.value.response["Error"]["Code"])
    )
    now = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    events = [{"timestamp": now, "message": "START"}, {"timestamp": now + 1, "message": "ü"}]
    for stream, client in (("inside", internal), ("http", http)):
        client.create_log_stream(logGroupName=group, logStreamName=stream)
        answer = client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
        assert answer["nextSequenceToken"]
        assert "rejectedLogEventsInfo" not in answer
    assert (
        _events(http, group, "inside")
        == _events(http, group, "http")
        == [
            (now, "START"),
            (now + 1, "ü"),
        ]
    )
    with pytest.raises(ClientError) as missing_inside:
        internal.put_log_events(logGroupName=group, logStreamName="nope", logEvents=events)
    with pytest.raises(ClientError) as missing_over_http:
        http.put_log_events(logGroupName=group, logStreamName="nope", logEvents=events)
    assert (
        missing_inside.value.response["Error"]["Code"]
        == (missing_over_http.value.response["Error"]["Code"])
    )


def test_metrics_read_back_as_sent_over_http(emulator: Emulator) -> None:
    http = emulator.client("cloudwatch")
    internal = emulator.internal("cloudwatch")
    assert isinstance(internal, InternalCloudWatch)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    statistics = {}
    for namespace, client in (("twin/inside", internal), ("twin/http", http)):
        entry = {
            "MetricName": "RecordsHandled",
            "Dimensions": [{"Name": "consumer", "Value": "orders"}],
            "Values": [1.0, 2.5],
            "Timestamp": now,  # an aware datetime, as the EMF publisher gives it
            "Unit": "Count",
        }
        client.put_metric_data(Namespace=namespace, MetricData=[entry])
        found = http.get_metric_statistics(
            Namespace=namespace,
            MetricName="RecordsHandled",
            Dimensions=[{"Name": "consumer", "Value": "orders"}],
            StartTime=now - dt.timedelta(minutes=5),
            EndTime=now + dt.timedelta(minutes=5),
            Period=60,
            Statistics=["Sum", "SampleCount"],
        )["Datapoints"]
        statistics[namespace] = [(p["Timestamp"], p["Sum"], p["SampleCount"]) for p in found]
    assert statistics["twin/inside"] == statistics["twin/http"]
    assert [(s, c) for _, s, c in statistics["twin/inside"]] == [(3.5, 2.0)]
    with pytest.raises(ClientError) as bad_inside:
        internal.put_metric_data(
            Namespace="twin/x", MetricData=[{"MetricName": "m", "Value": 1.0, "Values": [2.0]}]
        )
    with pytest.raises(ClientError) as bad_over_http:
        http.put_metric_data(
            Namespace="twin/x", MetricData=[{"MetricName": "m", "Value": 1.0, "Values": [2.0]}]
        )
    assert (
        bad_inside.value.response["Error"]["Code"]
        == (bad_over_http.value.response["Error"]["Code"])
    )


def test_another_endpoint_gets_the_http_clients(emulator: Emulator) -> None:
    assert isinstance(emulator.internal("logs"), InternalLogs)  # what the engine asks for
    assert isinstance(emulator.internal("cloudwatch"), InternalCloudWatch)
    other = Emulator(endpoint_url=emulator.endpoint_url, region=emulator.region, embedded=False)
    assert not isinstance(other.internal("logs"), InternalLogs)
    assert not isinstance(other.internal("cloudwatch"), InternalCloudWatch)
