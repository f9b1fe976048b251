"""The local alarm evaluator decides as CloudWatch does (pure parts, no emulator)."""

from __future__ import annotations

from eventpipe.local.watch.alarm_rules import WatchedAlarm, aggregate, decide


def _decide(points: list[float | None], **kwargs: object) -> str:
    settings: dict[str, object] = {
        "threshold": 0.0,
        "comparison": "GreaterThanThreshold",
        "datapoints_to_alarm": len(points),
        "treat_missing": "missing",
        "current": "INSUFFICIENT_DATA",
    }
    settings.update(kwargs)
    return decide(points, **settings)  # type: ignore[arg-type]


def test_a_dlq_with_one_message_is_in_alarm_and_an_empty_one_is_ok() -> None:
    assert _decide([1.0]) == "ALARM"
    assert _decide([0.0]) == "OK"


def test_m_out_of_n_datapoints_must_breach() -> None:
    assert _decide([5.0, 0.0, 5.0], datapoints_to_alarm=2) == "ALARM"
    assert _decide([5.0, 0.0, 0.0], datapoints_to_alarm=2) == "OK"
    assert _decide([5.0, 5.0, 0.0]) == "OK"  # default: all 3 of 3
    assert _decide([3.0], comparison="GreaterThanOrEqualToThreshold", threshold=3) == "ALARM"
    assert _decide([3.0], comparison="LessThanThreshold", threshold=3) == "OK"


def test_missing_data_follows_treat_missing_data() -> None:
    assert _decide([None]) == "INSUFFICIENT_DATA"
    assert _decide([None], treat_missing="notBreaching") == "OK"
    assert _decide([None], treat_missing="breaching") == "ALARM"
    assert _decide([None], treat_missing="ignore", current="ALARM") == "ALARM"


def test_statistics_over_a_period() -> None:
    samples = [1.0, 4.0, 2.0]
    assert aggregate("Maximum", samples) == 4.0
    assert aggregate("Minimum", samples) == 1.0
    assert aggregate("Sum", samples) == 7.0
    assert aggregate("Average", samples) == 7.0 / 3
    assert aggregate("SampleCount", samples) == 3.0


def test_periods_are_time_scaled_and_old_datapoints_drop_out() -> None:
    description = {
        "AlarmName": "a",
        "Namespace": "AWS/SQS",
        "MetricName": "ApproximateNumberOfMessagesVisible",
        "Dimensions": [{"Name": "QueueName", "Value": "q"}],
        "Statistic": "Maximum",
        "Period": 300,
        "EvaluationPeriods": 2,
        "Threshold": 0,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    alarm = WatchedAlarm.from_description(description, time_scale=0.01)
    assert alarm is not None
    assert alarm.period == 3.0
    assert alarm.datapoints_to_alarm == 2
    alarm.add(0.5, "m", 2.0)
    alarm.add(1.0, "m", 7.0)
    alarm.add(3.5, "m", 0.0)
    assert alarm.datapoints(3.5) == [7.0, 0.0]
    alarm.add(9.0, "m", 1.0)
    assert alarm.datapoints(9.0) == [None, 1.0]
    assert WatchedAlarm.from_description({**description, "Metrics": [{}]}, 1) is None
