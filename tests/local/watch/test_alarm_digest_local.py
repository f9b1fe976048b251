"""A consumer's metric-math alarm and the digest's composite alarms, evaluated by the local
engine: the alarm reads each signal's metric, its value names the breaching signals
(where `eventpipe status` reads them), and the composite follows its rule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from eventpipe.consumer import Consumer
from eventpipe.health_signals import EXPRESSION_ID, consumer_signals, expression
from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.watch.alarms import AlarmEvaluator
from eventpipe.operate.status import alarm_readings

ACCOUNT = "123456789012"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


def put_consumer_alarm(cloudwatch: Any, name: str, queues: dict[str, str], **fields: Any) -> None:
    """The alarm components/alarms.py declares for one consumer, on these queue names."""
    consumer = Consumer(name="orders", handler="x:y", pattern={"source": ["s"]}, **fields)
    signals = consumer_signals(consumer)
    metrics: list[dict[str, Any]] = [
        {
            "Id": s.key,
            "ReturnData": False,
            "MetricStat": {
                "Metric": {
                    "Namespace": s.namespace,
                    "MetricName": s.metric,
                    "Dimensions": [{"Name": s.dimension, "Value": queues[s.resource]}],
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
        TreatMissingData="notBreaching",
    )


def states(cloudwatch: Any, *names: str) -> dict[str, str]:
    return {name: state for name, (state, _) in alarm_readings(cloudwatch, list(names)).items()}


def test_the_consumer_alarm_and_the_digest_follow_the_dlq(emulator: Emulator) -> None:
    sqs, cloudwatch = emulator.client("sqs"), emulator.client("cloudwatch")
    for name in ("orders", "orders-dlq"):
        sqs.create_queue(QueueName=name)
    names = {"queue": "orders", "dlq": "orders-dlq", "function": "orders"}
    put_consumer_alarm(cloudwatch, "p-orders-alarm", names)
    cloudwatch.put_composite_alarm(AlarmName="p-alarms", AlarmRule='ALARM("p-orders-alarm")')
    changes: list[tuple[str, str]] = []
    evaluator = AlarmEvaluator(
        emulator, account=ACCOUNT, on_change=lambda n, s, _r: changes.append((n, s))
    )
    assert [a.name for a in evaluator.load()] == ["p-orders-alarm"]
    assert list(evaluator.composites) == ["p-alarms"]

    dlq = sqs.get_queue_url(QueueName="orders-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=dlq, MessageBody="poison")
    evaluator.tick(now=1000.0)
    assert states(cloudwatch, "p-orders-alarm", "p-alarms") == {
        "p-orders-alarm": "ALARM",
        "p-alarms": "ALARM",
    }
    [(_, (_, signals))] = alarm_readings(cloudwatch, ["p-orders-alarm"]).items()
    assert signals == ("dlq",)  # the value it alarmed on: 1, the DLQ signal

    [message] = sqs.receive_message(QueueUrl=dlq)["Messages"]
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
    evaluator.tick(now=1060.0)
    assert states(cloudwatch, "p-orders-alarm", "p-alarms") == {
        "p-orders-alarm": "OK",
        "p-alarms": "OK",
    }
    assert changes == [
        ("p-orders-alarm", "ALARM"),
        ("p-alarms", "ALARM"),
        ("p-orders-alarm", "OK"),
        ("p-alarms", "OK"),
    ]


def test_a_composite_over_composites_follows_in_the_same_tick(emulator: Emulator) -> None:
    cloudwatch = emulator.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="leaf",
        Namespace="eventpipe",
        MetricName="RecordsRetried",
        Dimensions=[{"Name": "service", "Value": "x"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="ignore",  # no datapoint: the state set by hand stays
    )
    cloudwatch.put_composite_alarm(AlarmName="page", AlarmRule='ALARM("leaf")')
    cloudwatch.put_composite_alarm(AlarmName="root", AlarmRule='ALARM("page")')
    evaluator = AlarmEvaluator(emulator, account=ACCOUNT)
    evaluator.load()
    cloudwatch.set_alarm_state(AlarmName="leaf", StateValue="ALARM", StateReason="test")
    evaluator.tick(now=5000.0)  # the leaf's state is followed, then the tree
    assert states(cloudwatch, "page", "root") == {"page": "ALARM", "root": "ALARM"}


def test_the_state_reason_data_holds_the_values_judged(emulator: Emulator) -> None:
    sqs, cloudwatch = emulator.client("sqs"), emulator.client("cloudwatch")
    for name in ("q", "q-dlq"):
        sqs.create_queue(QueueName=name)
    names = {"queue": "q", "dlq": "q-dlq", "function": "f"}
    put_consumer_alarm(cloudwatch, "a", names, alarm_queue_depth=2)
    evaluator = AlarmEvaluator(emulator, account=ACCOUNT)
    evaluator.load()
    queue = sqs.get_queue_url(QueueName="q")["QueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=queue, MessageBody=str(n))
    evaluator.tick(now=3000.0)
    [alarm] = cloudwatch.describe_alarms(AlarmNames=["a"])["MetricAlarms"]
    # 3 messages pass a depth threshold of 2: the depth signal (4) alone breaches
    assert json.loads(alarm["StateReasonData"])["recentDatapoints"] == [4.0]
    assert alarm["StateValue"] == "ALARM"
