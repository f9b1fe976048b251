"""eventpipe.operate.breakers: reading a breaker's state from its schedule and mapping,
on stub clients (the moto-backed flows are in tests/cli/test_breakers.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from eventpipe.operate import breakers
from eventpipe.operate.stack_outputs import parse_outputs
from eventpipe.stack_output import ConsumerOutputs, StackOutputs

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
RECORD = "open since 2026-12-02T00:58:00Z (alarm p-orders-breaker): Threshold Crossed: 9 >= 5"


class NotFound(Exception):
    pass


class Scheduler:
    class exceptions:
        ResourceNotFoundException = NotFound

    def __init__(self, schedule: dict[str, Any] | None = None, error: str | None = None):
        self.schedule, self.error = schedule, error

    def get_schedule(self, **_: Any) -> dict[str, Any]:
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "no"}}, "GetSchedule")
        if self.schedule is None:
            raise NotFound()
        return self.schedule


def outputs() -> tuple[StackOutputs, ConsumerOutputs]:
    data = {
        "bus": {"name": "b", "arn": "arn:aws:events:us-east-1:1:event-bus/b"},
        "breaker": {"functionName": "f", "ruleName": "r", "scheduleGroup": "p-breaker"},
        "consumers": {
            "orders": {
                "queueUrl": "q",
                "queueArn": "arn:aws:sqs:us-east-1:1:q",
                "dlqUrl": "d",
                "dlqArn": "arn:aws:sqs:us-east-1:1:d",
                "eventSourceMappingUuid": "u-1",
                "circuitBreaker": {"failedRecords": 5, "period": 60, "cooldown": 300,
                                   "alarmName": "p-orders-breaker"},
            }
        },
    }  # fmt: skip
    parsed = parse_outputs(data, origin="test", stack="dev")
    return parsed, parsed.consumers["orders"]


def schedule(at: str) -> dict[str, Any]:
    return {"ScheduleExpression": f"at({at})", "Description": RECORD}


def test_no_schedule_is_closed() -> None:
    _, orders = outputs()
    state = breakers.breaker_state(Scheduler(), None, "p-breaker", orders, NOW)
    assert state.state == "closed" and not state.tripped


def test_record_is_parsed() -> None:
    _, orders = outputs()
    state = breakers.breaker_state(
        Scheduler(schedule("2026-12-02T01:03:00")), None, "p-breaker", orders, NOW
    )
    assert state.state == "open"
    assert state.since == "2026-12-02T00:58:00Z" and state.alarm_name == "p-orders-breaker"
    assert state.reason == "Threshold Crossed: 9 >= 5"
    assert state.half_open_at == "2026-12-02T01:03:00Z"


def test_without_the_mapping_the_schedule_time_decides() -> None:
    _, orders = outputs()
    past = breakers.breaker_state(
        Scheduler(schedule("2026-12-02T00:59:00")), None, "p-breaker", orders, NOW
    )
    assert past.state == "half-open"


class Lambda:
    def __init__(self, state: str, concurrency: int | None) -> None:
        self.mapping = {"UUID": "u-1", "State": state}
        if concurrency:
            self.mapping["ScalingConfig"] = {"MaximumConcurrency": concurrency}

    def get_event_source_mapping(self, UUID: str) -> dict[str, Any]:
        return self.mapping


def test_the_mapping_decides_when_readable() -> None:
    _, orders = outputs()
    future = Scheduler(schedule("2026-12-02T01:03:00"))
    assert (
        breakers.breaker_state(future, Lambda("Disabled", None), "g", orders, NOW).state == "open"
    )
    half = breakers.breaker_state(future, Lambda("Enabled", 2), "g", orders, NOW)
    assert half.state == "half-open" and half.max_concurrency == 2


def test_an_unreadable_schedule_is_unknown_not_a_failed_status() -> None:
    out, orders = outputs()
    found = breakers.breaker_states(Scheduler(error="AccessDeniedException"), None, out, [orders])
    assert found["orders"].state == "unknown" and not found["orders"].tripped
    assert "AccessDeniedException" in str(found["orders"].reason)
