"""Metric math as alarms use it, on one period's values: each case from AWS's "Metric
math syntax and functions" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html)."""

from __future__ import annotations

import pytest

from eventpipe.consumer import Consumer
from eventpipe.health_signals import consumer_signals, decode, expression
from eventpipe.local.watch.metric_math import MetricMathError, evaluate

CASES = [
    # (expression, values, result, what the guide says)
    ("m1 + m2", {"m1": 2, "m2": 3}, 5.0, "arithmetic between metrics"),
    ("m1 / m2", {"m1": 1, "m2": 0}, None, "division by zero gives no value"),
    ("m1 * 100", {"m1": None}, None, "a missing datapoint stays missing"),
    ("m1 > 5", {"m1": 7}, 1.0, "comparison operators return 1 or 0"),
    ("m1 >= 5 AND m2 < 1", {"m1": 5, "m2": 0}, 1.0, "AND of two comparisons"),
    ("m1 == 1 OR NOT m2", {"m1": 0, "m2": 0}, 1.0, "OR and NOT"),
    ("IF(m1 > 0, 10, 20)", {"m1": 1}, 10.0, "IF(condition, trueValue, falseValue)"),
    ("IF(m1 > 0, 10)", {"m1": 0}, None, "IF without falseValue: no value when false"),
    ("FILL(m1, 0)", {"m1": None}, 0.0, "FILL(m, value) fills missing values"),
    ("FILL(m1, 0)", {"m1": 4}, 4.0, "FILL keeps a present value"),
    ("MAX([m1, m2])", {"m1": 1, "m2": None}, 1.0, "MAX of an array skips missing"),
    ("SUM([m1, m2, 3])", {"m1": 1, "m2": 2}, 6.0, "SUM of an array"),
    ("-m1 + ABS(m2)", {"m1": 1, "m2": -4}, 3.0, "unary minus and ABS"),
]


@pytest.mark.parametrize(("text", "values", "result", "why"), CASES, ids=[c[3] for c in CASES])
def test_metric_math(text: str, values: dict, result: float | None, why: str) -> None:
    assert evaluate(text, values) == result


@pytest.mark.parametrize("text", ["RATE(m1)", "m1 +", "SEARCH('x', 'Sum', 60)", "m9"])
def test_what_is_not_reproduced_is_an_error(text: str) -> None:
    with pytest.raises(MetricMathError):
        evaluate(text, {"m1": 1})


def test_a_consumer_alarm_expression_names_its_breaching_signals() -> None:
    consumer = Consumer(name="c", handler="m:f", pattern={"source": ["s"]}, alarm_queue_depth=10)
    signals = consumer_signals(consumer)
    quiet = dict.fromkeys((s.key for s in signals), None)  # an idle consumer: no datapoints
    assert evaluate(expression(signals), quiet) == 0.0
    backed_up = {**quiet, "dlq": 2.0, "depth": 11.0, "errors": 0.0}
    assert decode(evaluate(expression(signals), backed_up) or 0) == ["dlq", "depth"]
