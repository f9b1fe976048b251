"""``status`` shows each circuit breaker's state and ``resume`` closes one by hand,
against moto (Lambda mappings, EventBridge Scheduler), at 80 columns.

The breaker's state is made by the breaker function itself
(:class:`eventpipe.stack_functions.breaker.BreakerFunction` on moto clients), so these
tests read what the deployed function really leaves behind.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from eventpipe.stack_functions.breaker import BreakerFunction, breaker_description, schedule_name
from eventpipe.stack_output import BreakerOutputs, CircuitBreakerOutputs
from tests.cli.stack import Stack
from tests.cli.terminal import TERMINAL_80, plain_lines, too_wide
from tests.cli.test_pause import deploy_function, mapping

GROUP = "eventpipe-dev-breaker"
ALARM = "eventpipe-dev-orders-breaker"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:eventpipe-dev-breaker"


@pytest.fixture(autouse=True)
def eighty_columns(stack: Stack) -> None:
    stack.runner = CliRunner(env=TERMINAL_80)


def with_breaker(stack: Stack, max_concurrency: int | None = 5) -> tuple[str, BreakerFunction]:
    """Give ``orders`` a deployed mapping and a breaker, as `pulumi up` declares them."""
    uuid = deploy_function(stack, "orders", uuid_in_output=True)
    awslambda = boto3.client("lambda", region_name="us-east-1")
    if max_concurrency:
        awslambda.update_event_source_mapping(
            UUID=uuid, ScalingConfig={"MaximumConcurrency": max_concurrency}
        )
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    scheduler.create_schedule_group(Name=GROUP)
    stack.change_consumer(
        "orders",
        circuit_breaker=CircuitBreakerOutputs(
            failed_records=5, period=60, cooldown=300, alarm_name=ALARM
        ),
    )
    stack.change(
        breaker=BreakerOutputs(
            function_name="eventpipe-dev-breaker",
            rule_name="eventpipe-dev-breaker",
            schedule_group=GROUP,
        )
    )
    function = BreakerFunction(
        lambda_client=awslambda,
        scheduler=scheduler,
        cloudwatch=boto3.client("cloudwatch", region_name="us-east-1"),
        group=GROUP,
        scheduler_role_arn="arn:aws:iam::123456789012:role/eventpipe-dev-breaker-scheduler",
    )
    return uuid, function


def alarm_event(uuid: str, state: str, max_concurrency: int | None = 5) -> dict[str, Any]:
    return {
        "detail-type": "CloudWatch Alarm State Change",
        "detail": {
            "alarmName": ALARM,
            "configuration": {
                "description": breaker_description("orders", uuid, max_concurrency, 300)
            },
            "state": {"value": state, "reason": "Threshold Crossed: 7 datapoints >= 5"},
        },
    }


def status(stack: Stack) -> dict[str, Any]:
    result = stack.cli("status", "--json", "-c", "orders")
    assert result.exit_code == 0, result.output
    row: dict[str, Any] = json.loads(result.stdout)["consumers"][0]
    return row


def schedule_exists() -> bool:
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    try:
        scheduler.get_schedule(Name=schedule_name("orders"), GroupName=GROUP)
    except scheduler.exceptions.ResourceNotFoundException:
        return False
    return True


def test_closed_breaker_is_shown_closed(stack: Stack) -> None:
    with_breaker(stack)
    row = status(stack)
    assert row["breaker"]["state"] == "closed"
    assert row["breaker"]["alarmName"] == ALARM and row["breaker"]["maxConcurrency"] == 5
    others = json.loads(stack.cli("status", "--json").stdout)["consumers"]
    assert [r["breaker"] for r in others if r["consumer"] != "orders"] == [None, None]


def test_open_breaker_shows_since_reason_and_how_to_close(stack: Stack) -> None:
    uuid, function = with_breaker(stack)
    function.handle(alarm_event(uuid, "ALARM"), FUNCTION_ARN)
    row = status(stack)
    breaker = row["breaker"]
    assert breaker["state"] == "open" and row["paused"] is True
    assert breaker["reason"] == "Threshold Crossed: 7 datapoints >= 5"
    assert breaker["since"] and breaker["since"].endswith("Z")
    assert breaker["halfOpenAt"] > breaker["since"]

    table = stack.cli("status")
    assert table.exit_code == 0, table.output
    assert too_wide(table.stdout) == []
    text = " ".join(" ".join(plain_lines(table.stdout)).split())
    assert "breaker open" in text
    assert f"orders: circuit breaker open since {breaker['since']} (alarm {ALARM})" in text
    assert "Threshold Crossed: 7 datapoints >= 5" in text
    assert "eventpipe resume orders --outputs" in text
    assert "orders is paused" not in text  # the breaker line says it, once


def test_half_open_breaker_is_shown_half_open(stack: Stack) -> None:
    uuid, function = with_breaker(stack)
    function.handle(alarm_event(uuid, "ALARM"), FUNCTION_ARN)
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_alarm(
        AlarmName=ALARM,
        Namespace="eventpipe",
        MetricName="RecordsRetried",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=5,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    function.half_open(
        function_breaker(uuid),
    )
    row = status(stack)
    assert row["breaker"]["state"] == "half-open" and row["paused"] is False
    assert row["breaker"]["maxConcurrency"] == 2
    table = stack.cli("status")
    assert too_wide(table.stdout) == []
    text = " ".join(" ".join(plain_lines(table.stdout)).split())
    assert "orders: circuit breaker half-open" in text and f"alarm {ALARM} returns to OK" in text


def function_breaker(uuid: str) -> Any:
    from eventpipe.stack_functions.breaker import Breaker

    return Breaker(consumer="orders", mapping=uuid, max_concurrency=5, cooldown=300, alarm=ALARM)


@pytest.mark.parametrize("half_open", [False, True], ids=["open", "half-open"])
def test_resume_closes_the_breaker_as_its_close_step_does(stack: Stack, half_open: bool) -> None:
    uuid, function = with_breaker(stack)
    function.handle(alarm_event(uuid, "ALARM"), FUNCTION_ARN)
    if half_open:
        boto3.client("cloudwatch", region_name="us-east-1").put_metric_alarm(
            AlarmName=ALARM,
            Namespace="eventpipe",
            MetricName="RecordsRetried",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=5,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
        function.half_open(function_breaker(uuid))
    assert schedule_exists()

    result = stack.cli("resume", "orders")
    assert result.exit_code == 0, result.output
    assert too_wide(result.stdout) == []
    text = " ".join(result.stdout.split())
    expected = "half-open" if half_open else "open"
    assert f"Closed the circuit breaker of orders by hand (it was {expected}" in text
    assert "maximum concurrency 5" in text
    assert not schedule_exists()
    now = mapping(uuid)
    assert now["State"] in ("Enabling", "Enabled")
    assert now["ScalingConfig"] == {"MaximumConcurrency": 5}
    assert status(stack)["breaker"]["state"] == "closed"
    # The breaker's own later steps find it closed and do nothing.
    assert function.half_open(function_breaker(uuid))["action"] == "ignored"


def test_resume_json_reports_the_closed_breaker(stack: Stack) -> None:
    uuid, function = with_breaker(stack, max_concurrency=None)
    function.handle(alarm_event(uuid, "ALARM", max_concurrency=None), FUNCTION_ARN)
    result = stack.cli("resume", "orders", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["breaker"]["was"] == "open"
    assert data["breaker"]["reason"] == "Threshold Crossed: 7 datapoints >= 5"
    assert data["breaker"]["restoredMaxConcurrency"] is None
    assert data["paused"] is False
    assert not mapping(uuid).get("ScalingConfig", {}).get("MaximumConcurrency")


def test_resume_without_a_tripped_breaker_just_enables(stack: Stack) -> None:
    uuid, _ = with_breaker(stack)
    assert stack.cli("pause", "orders").exit_code == 0
    result = stack.cli("resume", "orders", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["breaker"] is None and data["paused"] is False
    assert mapping(uuid)["ScalingConfig"] == {"MaximumConcurrency": 5}
