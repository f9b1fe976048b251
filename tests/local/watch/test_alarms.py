"""The local alarm evaluator against the emulator: an alarm on a metric the functions
publish (EMF -> the emulator's CloudWatch) goes to ALARM and back, and a SetAlarmState
made by someone else is followed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.functions.log_metrics import EmfPublisher
from eventpipe.local.watch.alarms import AlarmEvaluator

ALARM = "orders-breaker"


def emf(retried: int) -> str:
    return json.dumps(
        {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": "eventpipe",
                        "Dimensions": [["service"]],
                        "Metrics": [{"Name": "RecordsRetried", "Unit": "Count"}],
                    }
                ],
            },
            "service": "orders",
            "RecordsRetried": retried,
        }
    )


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    running.client("cloudwatch").put_metric_alarm(
        AlarmName=ALARM,
        Namespace="eventpipe",
        MetricName="RecordsRetried",
        Dimensions=[{"Name": "service", "Value": "orders"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=2,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
    )
    yield running
    running.stop()


def _state(emulator: Emulator) -> str:
    alarms = emulator.client("cloudwatch").describe_alarms(AlarmNames=[ALARM])["MetricAlarms"]
    return str(alarms[0]["StateValue"])


def test_an_alarm_on_a_published_metric_follows_what_the_functions_publish(
    emulator: Emulator,
) -> None:
    changes: list[tuple[str, str]] = []
    evaluator = AlarmEvaluator(
        emulator, account="123456789012", on_change=lambda n, s, _r: changes.append((n, s))
    )
    assert [a.name for a in evaluator.load()] == [ALARM]
    publish = EmfPublisher(lambda: emulator.client("cloudwatch"))
    publish([emf(1), emf(2)])  # 3 records retried in this period
    publish.flush()
    evaluator.tick(now=1000.0)
    assert _state(emulator) == "ALARM"
    publish([emf(0)])
    publish.flush()
    evaluator.tick(now=1060.0)  # the next period: 0 retried
    assert _state(emulator) == "OK"
    evaluator.tick(now=1120.0)  # nothing published: missing, treated as not breaching
    assert _state(emulator) == "OK"
    assert changes == [(ALARM, "ALARM"), (ALARM, "OK")]


def test_a_state_set_by_someone_else_is_followed_then_decided_afresh(emulator: Emulator) -> None:
    changes: list[tuple[str, str]] = []
    evaluator = AlarmEvaluator(
        emulator, account="123456789012", on_change=lambda n, s, _r: changes.append((n, s))
    )
    evaluator.load()
    publish = EmfPublisher(lambda: emulator.client("cloudwatch"))
    publish([emf(5)])
    publish.flush()
    evaluator.tick(now=2000.0)
    assert _state(emulator) == "ALARM"
    emulator.client("cloudwatch").set_alarm_state(
        AlarmName=ALARM, StateValue="INSUFFICIENT_DATA", StateReason="half-open"
    )
    evaluator.tick(now=2001.0)  # followed, then the period's datapoint decides again
    assert changes == [(ALARM, "ALARM"), (ALARM, "INSUFFICIENT_DATA"), (ALARM, "ALARM")]
    assert _state(emulator) == "ALARM"
