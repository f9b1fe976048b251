"""The breaker function on moto: open, half-open, close, reopen, and what it ignores."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from eventpipe.stack_functions import breaker as breaker_module
from eventpipe.stack_functions.breaker import (
    HALF_OPEN_CONCURRENCY,
    BreakerFunction,
    breaker_description,
    schedule_name,
)
from eventpipe.stack_functions.settings import (
    ENV_BREAKER_SCHEDULE_GROUP,
    ENV_BREAKER_SCHEDULER_ROLE,
)

GROUP = "eventpipe-test-breaker"
ALARM = "eventpipe-test-orders-breaker"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:eventpipe-test-breaker"
NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


@dataclass
class World:
    fn: BreakerFunction
    lam: Any
    scheduler: Any
    cloudwatch: Any
    mapping: str
    role: str

    def mapping_state(self) -> tuple[str, dict[str, Any]]:
        got = self.lam.get_event_source_mapping(UUID=self.mapping)
        return got["State"], got.get("ScalingConfig") or {}

    def schedule(self) -> dict[str, Any] | None:
        try:
            got = self.scheduler.get_schedule(Name=schedule_name("orders"), GroupName=GROUP)
            got.pop("ResponseMetadata", None)
            return dict(got)
        except self.scheduler.exceptions.ResourceNotFoundException:
            return None

    def alarm_event(self, state: str, *, max_concurrency: int | None = 8) -> dict[str, Any]:
        return {
            "version": "0",
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "detail": {
                "alarmName": ALARM,
                "state": {"value": state, "reason": "Threshold Crossed: 12 >= 10"},
                "previousState": {"value": "OK"},
                "configuration": {
                    "description": breaker_description("orders", self.mapping, max_concurrency, 300)
                },
            },
        }


@pytest.fixture
def world() -> World:
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="scheduler", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("h.py", "def h(event, context):\n    return None\n")
    lam = boto3.client("lambda")
    lam.create_function(
        FunctionName="eventpipe-test-orders", Runtime="python3.13", Role=role,
        Handler="h.h", Code={"ZipFile": code.getvalue()},
    )  # fmt: skip
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="eventpipe-test-orders")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn["QueueArn"],
        FunctionName="eventpipe-test-orders",
        ScalingConfig={"MaximumConcurrency": 8},
    )["UUID"]
    scheduler = boto3.client("scheduler")
    scheduler.create_schedule_group(Name=GROUP)
    cloudwatch = boto3.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=ALARM, Namespace="eventpipe", MetricName="RecordsRetried",
        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=10,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )  # fmt: skip
    fn = BreakerFunction(
        lambda_client=lam, scheduler=scheduler, cloudwatch=cloudwatch, group=GROUP,
        scheduler_role_arn=role, now=lambda: NOW,
    )  # fmt: skip
    return World(fn, lam, scheduler, cloudwatch, mapping, role)


def test_alarm_opens_disables_and_schedules_half_open_with_the_reason(world: World) -> None:
    result = world.fn.handle(world.alarm_event("ALARM"), FUNCTION_ARN)
    assert result["action"] == "open"
    assert world.mapping_state()[0] == "Disabled"
    schedule = world.schedule()
    assert schedule is not None
    assert schedule["ScheduleExpression"] == "at(2026-05-01T12:05:00)"  # now + cooldown 300
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["ActionAfterCompletion"] == "NONE"  # kept: the half-open record
    assert "Threshold Crossed: 12 >= 10" in schedule["Description"]
    assert ALARM in schedule["Description"]
    target = schedule["Target"]
    assert target["Arn"] == FUNCTION_ARN and target["RoleArn"] == world.role
    payload = json.loads(target["Input"])
    assert payload == {
        "action": "half-open", "consumer": "orders", "mapping": world.mapping,
        "maxConcurrency": 8, "cooldown": 300, "alarm": ALARM,
    }  # fmt: skip


def test_half_open_enables_at_concurrency_two_and_resets_the_alarm(world: World) -> None:
    world.fn.handle(world.alarm_event("ALARM"), FUNCTION_ARN)
    payload = json.loads(world.schedule()["Target"]["Input"])  # type: ignore[index]
    assert world.fn.handle(payload, FUNCTION_ARN)["action"] == "half-open"
    assert world.mapping_state() == ("Enabled", {"MaximumConcurrency": HALF_OPEN_CONCURRENCY})
    alarm = world.cloudwatch.describe_alarms(AlarmNames=[ALARM])["MetricAlarms"][0]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert world.schedule() is not None  # still the record: half-open, not closed


def test_ok_closes_restoring_the_configured_concurrency(world: World) -> None:
    world.fn.handle(world.alarm_event("ALARM"), FUNCTION_ARN)
    world.fn.handle(json.loads(world.schedule()["Target"]["Input"]), FUNCTION_ARN)  # type: ignore[index]
    assert world.fn.handle(world.alarm_event("OK"), FUNCTION_ARN)["action"] == "closed"
    assert world.mapping_state() == ("Enabled", {"MaximumConcurrency": 8})
    assert world.schedule() is None


def test_closing_a_consumer_without_max_concurrency_removes_the_limit(world: World) -> None:
    world.fn.handle(world.alarm_event("ALARM", max_concurrency=None), FUNCTION_ARN)
    world.fn.handle(json.loads(world.schedule()["Target"]["Input"]), FUNCTION_ARN)  # type: ignore[index]
    world.fn.handle(world.alarm_event("OK", max_concurrency=None), FUNCTION_ARN)
    assert world.mapping_state() == ("Enabled", {})


def test_tripping_again_while_half_open_reopens(world: World) -> None:
    world.fn.handle(world.alarm_event("ALARM"), FUNCTION_ARN)
    world.fn.handle(json.loads(world.schedule()["Target"]["Input"]), FUNCTION_ARN)  # type: ignore[index]
    later = datetime(2026, 5, 1, 12, 30, 0, tzinfo=UTC)
    world.fn._now = lambda: later
    assert world.fn.handle(world.alarm_event("ALARM"), FUNCTION_ARN)["action"] == "open"
    assert world.mapping_state()[0] == "Disabled"
    assert world.schedule()["ScheduleExpression"] == "at(2026-05-01T12:35:00)"  # type: ignore[index]


def test_ok_on_a_closed_breaker_leaves_a_paused_mapping_alone(world: World) -> None:
    world.lam.update_event_source_mapping(UUID=world.mapping, Enabled=False)  # `pause`
    assert world.fn.handle(world.alarm_event("OK"), FUNCTION_ARN)["action"] == "ignored"
    assert world.mapping_state()[0] == "Disabled"


def test_half_open_after_a_manual_close_does_nothing(world: World) -> None:
    world.fn.handle(world.alarm_event("ALARM"), FUNCTION_ARN)
    payload = json.loads(world.schedule()["Target"]["Input"])  # type: ignore[index]
    world.scheduler.delete_schedule(Name=schedule_name("orders"), GroupName=GROUP)  # `resume`
    world.lam.update_event_source_mapping(UUID=world.mapping, Enabled=True)
    assert world.fn.handle(payload, FUNCTION_ARN)["action"] == "ignored"
    assert world.mapping_state() == ("Enabled", {"MaximumConcurrency": 8})


@pytest.mark.parametrize(
    "event",
    [
        {"detail-type": "Something Else", "detail": {}},
        {"detail-type": "CloudWatch Alarm State Change",
         "detail": {"alarmName": "other", "state": {"value": "ALARM"},
                    "configuration": {"description": "a human description"}}},
    ],
)  # fmt: skip
def test_events_that_are_not_breaker_alarms_change_nothing(
    world: World, event: dict[str, Any]
) -> None:
    assert world.fn.handle(event, FUNCTION_ARN)["action"] == "ignored"
    assert world.mapping_state() == ("Enabled", {"MaximumConcurrency": 8})
    assert world.schedule() is None


def test_insufficient_data_changes_nothing(world: World) -> None:
    world.fn.handle(world.alarm_event("ALARM"), FUNCTION_ARN)
    before = world.schedule()
    assert world.fn.handle(world.alarm_event("INSUFFICIENT_DATA"), FUNCTION_ARN)["action"] == (
        "ignored"
    )
    assert world.mapping_state()[0] == "Disabled" and world.schedule() == before


def test_the_lambda_entry_point_reads_its_environment(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_BREAKER_SCHEDULE_GROUP, GROUP)
    monkeypatch.setenv(ENV_BREAKER_SCHEDULER_ROLE, world.role)

    class Context:
        invoked_function_arn = FUNCTION_ARN

    result = breaker_module.handler(world.alarm_event("ALARM"), Context())
    assert result["action"] == "open"
    assert world.schedule()["Target"]["Arn"] == FUNCTION_ARN  # type: ignore[index]


def test_a_failed_disable_leaves_the_half_open_record_in_place(world: World) -> None:
    """The schedule is written before the mapping is disabled: a retried invocation
    finds the record, and no disabled mapping is ever left without its half-open step."""

    class FailingLambda:
        def update_event_source_mapping(self, **_: Any) -> None:
            raise RuntimeError("throttled")

    world.fn.lambda_client = FailingLambda()
    with pytest.raises(RuntimeError):
        world.fn.handle(world.alarm_event("ALARM"), FUNCTION_ARN)
    assert world.schedule() is not None
