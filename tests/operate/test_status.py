"""Reading a consumer's alarm: its state and the signals its value says are breaching."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from eventpipe.aws_clients import fake_credentials_environment
from eventpipe.consumer import Consumer
from eventpipe.health_signals import EXPRESSION_ID, consumer_signals, expression
from eventpipe.operate.status import alarm_readings, alarm_value


@pytest.fixture
def cloudwatch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key, value in fake_credentials_environment().items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="us-east-1")


def put_consumer_alarm(cloudwatch: Any, name: str) -> None:
    """A consumer alarm as components/alarms.py declares it."""
    consumer = Consumer(name="orders", handler="x:y", pattern={"source": ["s"]})
    signals = consumer_signals(consumer)
    metrics: list[dict[str, Any]] = [
        {
            "Id": s.key,
            "ReturnData": False,
            "MetricStat": {
                "Metric": {
                    "Namespace": s.namespace,
                    "MetricName": s.metric,
                    "Dimensions": [{"Name": s.dimension, "Value": f"q-{s.resource}"}],
                },
                "Period": 60,
                "Stat": s.statistic,
            },
        }
        for s in signals
    ]
    metrics.append({"Id": EXPRESSION_ID, "Expression": expression(signals), "ReturnData": True})
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Metrics=metrics,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


def test_the_value_is_read_from_the_reason_data_or_the_reason() -> None:
    assert alarm_value({"StateReasonData": json.dumps({"recentDatapoints": [5.0]})}) == 5.0
    reason = "Threshold Crossed: 1 datapoint [9.0 (01/01/26 10:00:00)] was greater than"
    assert alarm_value({"StateReason": reason}) == 9.0
    assert alarm_value({"StateReason": "Unchecked: Initial alarm creation"}) is None


def test_a_consumer_alarm_in_alarm_names_its_signals(cloudwatch: Any) -> None:
    put_consumer_alarm(cloudwatch, "p-orders-alarm")
    put_consumer_alarm(cloudwatch, "p-mail-alarm")
    cloudwatch.set_alarm_state(
        AlarmName="p-orders-alarm",
        StateValue="ALARM",
        StateReason="Threshold Crossed",
        StateReasonData=json.dumps({"recentDatapoints": [5.0], "threshold": 1.0}),
    )
    cloudwatch.set_alarm_state(AlarmName="p-mail-alarm", StateValue="OK", StateReason="ok")
    readings = alarm_readings(cloudwatch, ["p-orders-alarm", "p-mail-alarm", "p-gone-alarm"])
    assert readings == {
        "p-orders-alarm": ("ALARM", ("dlq", "depth")),  # 5 = 1 + 4
        "p-mail-alarm": ("OK", ()),
        "p-gone-alarm": ("MISSING", ()),
    }
