"""EMF log lines become metrics in the emulator's CloudWatch (what CloudWatch Logs does
with a function's EMF output on AWS), read back with GetMetricStatistics."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.functions.log_metrics import EmfPublisher, metric_data

STAMP = 1_760_000_000_000
"""The EMF document's ``_aws.Timestamp`` (milliseconds)."""
EMF = json.dumps(
    {
        "_aws": {
            "Timestamp": STAMP,
            "CloudWatchMetrics": [
                {
                    "Namespace": "eventpipe",
                    "Dimensions": [["service"]],
                    "Metrics": [{"Name": "RecordsRetried", "Unit": "Count"}],
                }
            ],
        },
        "service": "orders",
        "RecordsRetried": [2.0, 1.0],
    }
)
WHEN = dt.datetime.fromtimestamp(STAMP / 1000, dt.UTC)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


def test_emf_line_gives_its_metric_with_the_whole_dimension_set() -> None:
    assert metric_data(EMF) == [
        (
            "eventpipe",
            {
                "MetricName": "RecordsRetried",
                "Dimensions": [{"Name": "service", "Value": "orders"}],
                "Values": [2.0, 1.0],
                "Timestamp": WHEN,
                "Unit": "Count",
            },
        )
    ]
    assert metric_data('{"level": "INFO", "message": "not a metric"}') == []
    assert metric_data("START RequestId: x") == []


def _totals(emulator: Emulator, service: str) -> tuple[float, float]:
    datapoints = emulator.client("cloudwatch").get_metric_statistics(
        Namespace="eventpipe",
        MetricName="RecordsRetried",
        Dimensions=[{"Name": "service", "Value": service}],
        StartTime=WHEN - dt.timedelta(hours=1),
        EndTime=WHEN + dt.timedelta(hours=1),
        Period=86400,
        Statistics=["Sum", "SampleCount"],
    )["Datapoints"]
    return (
        sum(d["Sum"] for d in datapoints),
        sum(d["SampleCount"] for d in datapoints),
    )


def test_published_lines_total_their_values_and_counts_in_cloudwatch(emulator: Emulator) -> None:
    emulator.reset()
    errors: list[str] = []
    publish = EmfPublisher(lambda: emulator.client("cloudwatch"), on_error=errors.append)
    assert publish([EMF, "plain line", EMF]) == 2
    publish.flush()
    assert errors == []
    assert _totals(emulator, "orders") == (6.0, 4)
    assert _totals(emulator, "billing") == (0.0, 0)  # another dimension value: another metric
