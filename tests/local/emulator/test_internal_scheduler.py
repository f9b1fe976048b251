"""The engine's in-process Scheduler (``internal_scheduler``) answers what its HTTP twin
answers: the same schedules listed and read, the same errors, a delete seen over HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eventpipe.local.emulator.internal_scheduler import InternalScheduler
from eventpipe.local.emulator.server import Emulator, start_emulator

COMPARED = ("Arn", "Name", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone",
            "Target", "ActionAfterCompletion", "State", "FlexibleTimeWindow")  # fmt: skip


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


def _create(http: Any, name: str, group: str | None = None) -> None:
    http.create_schedule(
        Name=name,
        **({"GroupName": group} if group else {}),
        ScheduleExpression="at(2030-01-01T00:00:00)",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": "arn:aws:lambda:us-east-1:123456789012:function:fn",
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"consumer": name}),
        },
    )


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_schedules_listed_and_read_as_over_http(emulator: Emulator) -> None:
    http = emulator.client("scheduler")
    internal = emulator.internal("scheduler")  # what the schedule runner asks for
    assert isinstance(internal, InternalScheduler)
    group = f"twins-{uuid.uuid4().hex[:8]}"
    http.create_schedule_group(Name=group)
    names = [f"twin-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    _create(http, names[0])
    _create(http, names[1], group)

    def listed(client: Any) -> dict[str, dict[str, Any]]:
        page = client.list_schedules()
        assert "NextToken" not in page
        return {s["Name"]: s for s in page["Schedules"] if s["Name"] in names}

    over_http, inside = listed(http), listed(internal)
    assert set(inside) == set(over_http) == set(names)
    for name in names:
        assert set(inside[name]) == set(over_http[name])  # a summary: the same members
        assert {k: inside[name].get(k) for k in COMPARED} == {
            k: over_http[name].get(k) for k in COMPARED
        }
        assert isinstance(inside[name]["CreationDate"], datetime)
        assert inside[name]["CreationDate"] == over_http[name]["CreationDate"]

    for name, in_group in ((names[0], None), (names[1], group)):
        where = {"GroupName": in_group} if in_group else {}
        read_http = http.get_schedule(Name=name, **where)
        read_inside = internal.get_schedule(Name=name, **where)
        assert {k: read_inside.get(k) for k in COMPARED} == {k: read_http.get(k) for k in COMPARED}
        assert json.loads(read_inside["Target"]["Input"]) == {"consumer": name}
        assert read_inside["CreationDate"] == read_http["CreationDate"]


def test_a_missing_schedule_is_the_same_error_and_a_delete_is_seen_over_http(
    emulator: Emulator,
) -> None:
    http = emulator.client("scheduler")
    internal = emulator.internal("scheduler")
    name = f"gone-{uuid.uuid4().hex[:8]}"
    with pytest.raises(ClientError) as inside:
        internal.get_schedule(Name=name)
    with pytest.raises(ClientError) as over_http:
        http.get_schedule(Name=name)
    assert _code(inside) == _code(over_http) == "ResourceNotFoundException"

    _create(http, name)
    assert internal.delete_schedule(Name=name) == {}
    with pytest.raises(ClientError) as after:
        http.get_schedule(Name=name)
    assert _code(after) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as twice:
        internal.delete_schedule(Name=name)
    assert _code(twice) == "ResourceNotFoundException"
