"""The emulator's EventBridge Scheduler schedules, fired by the engine, time-scaled.

moto stores schedules (CreateSchedule, GetSchedule, ListSchedules, DeleteSchedule) but
never fires them. This runner reads them about four times a second, as Scheduler reads its
own schedules: in process in the embedded emulator (:mod:`..emulator.internal_scheduler`),
and invokes each due schedule's Lambda target through the engine's asynchronous invoker
(:mod:`eventpipe.local.functions.async_invoke`) with the target's ``Input`` as the event.
That Scheduler invokes a Lambda target asynchronously is from memory of its templated
Lambda target (``Invoke`` with ``InvocationType`` ``Event``), not verified in AWS's docs.

What it reproduces ("Schedule types in EventBridge Scheduler",
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):

* a **one-time** schedule ``at(yyyy-mm-ddThh:mm:ss)`` in its
  ``ScheduleExpressionTimezone`` (UTC by default) invokes its target once, at that time;
  afterwards ``ActionAfterCompletion`` ``DELETE`` deletes it, ``NONE`` (the default)
  keeps it ("Deleting a schedule in EventBridge Scheduler": "For one-time schedules, this
  occurs after the schedule has invoked its target once",
  https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-delete.html);
* a **rate** schedule ``rate(value unit)`` (``minute(s)``, ``hour(s)``, ``day(s)``)
  invokes its target every period, the first time one period after it was created;
* a schedule whose ``State`` is ``DISABLED`` does not fire.

Time-scaled: the wait from a schedule's creation to its ``at`` time, and a rate's period,
are multiplied by the engine's time scale (a breaker's 300 s cooldown is 3 s at 0.01; a
scaled rate is at least :data:`MIN_RATE_PERIOD`),
so the breaker's half-open step and the archiver's hourly run happen in seconds. A
schedule re-created under the same name (a breaker reopening) is a new schedule.

Not reproduced: ``cron()`` expressions (noted, never fired), flexible time windows (a
schedule fires at the start of its window), ``StartDate``/``EndDate``, the target's retry
policy and dead-letter queue, and targets other than Lambda functions.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from botocore.exceptions import BotoCoreError, ClientError

from eventpipe.local.emulator.server import Emulator

POLL_INTERVAL = 0.25
"""Seconds between two reads of the emulator's schedules."""
MIN_RATE_PERIOD = 1.0
"""A time-scaled rate period is at least this many seconds (as a scaled alarm period is),
so a function slower than its scaled period is not invoked faster than it can run."""
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86_400}

Submit = Callable[[str, Any], bool]
"""(function ARN, event) -> whether a local function took it."""


@dataclass(frozen=True)
class Expression:
    kind: str
    """``at``, ``rate`` or ``cron`` (the last is not fired)."""
    at: datetime | None = None
    period: float = 0.0


def parse_expression(expression: str, timezone: str | None = None) -> Expression:
    """A schedule expression as the runner needs it."""
    text = expression.strip()
    match = _AT.match(text)
    if match:
        zone = ZoneInfo(timezone) if timezone and timezone != "UTC" else UTC
        local = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=zone)
        return Expression("at", at=local.astimezone(UTC))
    match = _RATE.match(text)
    if match:
        unit = match.group(2).rstrip("s")
        return Expression("rate", period=int(match.group(1)) * float(_UNIT_SECONDS[unit]))
    return Expression("cron")


def due_at(created: datetime, at: datetime, time_scale: float) -> datetime:
    """When a one-time schedule fires locally: its wait from creation, time-scaled."""
    wait = max(0.0, (at - created).total_seconds())
    return created + timedelta(seconds=wait * time_scale)


@dataclass
class _Seen:
    created: datetime
    expression: Expression
    fired: int = 0
    next_fire: datetime | None = None


class ScheduleRunner:
    """Fires the emulator's due schedules (call :meth:`start`, :meth:`stop`)."""

    def __init__(
        self,
        emulator: Emulator,
        submit: Submit,
        *,
        time_scale: float = 1.0,
        on_error: Callable[[str], None] | None = None,
    ):
        self.emulator = emulator
        self.submit = submit
        self.time_scale = time_scale
        self.on_error = on_error
        self.fired: list[tuple[str, str, datetime]] = []
        """(group, name, when) of every invocation the runner made."""
        # Scheduler's own reading of its schedules, in process in the embedded emulator.
        self._client = emulator.internal("scheduler")
        self._seen: dict[tuple[str, str, str], _Seen] = {}
        self._noted: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="schedules", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.wait(POLL_INTERVAL):
            try:
                self.tick()
            except (BotoCoreError, ClientError) as exc:  # the emulator is stopping
                if not self._stop.is_set() and self.on_error:
                    self.on_error(f"schedules: {exc}")

    def _schedules(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self._client.list_schedules(**({"NextToken": token} if token else {}))
            found += page.get("Schedules", [])
            token = page.get("NextToken")
            if not token:
                return found

    def tick(self, now: datetime | None = None) -> None:
        """Fire every schedule that is due now."""
        now = now or datetime.now(UTC)
        alive: set[tuple[str, str, str]] = set()
        for summary in self._schedules():
            group, name = summary.get("GroupName") or "default", summary["Name"]
            if summary.get("State") == "DISABLED":
                continue
            try:
                schedule = self._client.get_schedule(Name=name, GroupName=group)
            except ClientError as exc:
                if not _not_found(exc):
                    raise
                continue  # deleted between the list and the get
            created = _utc(schedule.get("CreationDate")) or now
            key = (group, name, created.isoformat())
            alive.add(key)
            seen = self._seen.get(key)
            if seen is None:
                seen = self._seen[key] = self._first_sight(schedule, created, now)
            if seen.next_fire is None or now < seen.next_fire:
                continue
            self._fire(group, name, schedule, now)
            seen.fired += 1
            if seen.expression.kind == "rate":
                seen.next_fire = now + timedelta(seconds=self._rate(seen.expression))
                continue
            seen.next_fire = None  # a one-time schedule fires once
            if schedule.get("ActionAfterCompletion") == "DELETE":
                try:
                    self._client.delete_schedule(Name=name, GroupName=group)
                except ClientError as exc:
                    if not _not_found(exc):
                        raise
        for key in [k for k in self._seen if k not in alive]:
            del self._seen[key]

    def _first_sight(self, schedule: dict[str, Any], created: datetime, now: datetime) -> _Seen:
        expression = parse_expression(
            str(schedule.get("ScheduleExpression") or ""),
            schedule.get("ScheduleExpressionTimezone"),
        )
        seen = _Seen(created=created, expression=expression)
        if expression.kind == "at" and expression.at is not None:
            seen.next_fire = due_at(created, expression.at, self.time_scale)
        elif expression.kind == "rate":
            seen.next_fire = created + timedelta(seconds=self._rate(expression))
        elif schedule["Name"] not in self._noted and self.on_error:
            self._noted.add(schedule["Name"])
            self.on_error(
                f"schedule {schedule['Name']}: {schedule.get('ScheduleExpression')} is not "
                "fired locally (only at() and rate() are)"
            )
        return seen

    def _rate(self, expression: Expression) -> float:
        return max(MIN_RATE_PERIOD, expression.period * self.time_scale)

    def _fire(self, group: str, name: str, schedule: dict[str, Any], now: datetime) -> None:
        target = schedule.get("Target") or {}
        raw = target.get("Input")
        try:
            event = json.loads(raw) if raw else {}
        except ValueError:
            event = raw
        self.fired.append((group, name, now))
        if not self.submit(str(target.get("Arn", "")), event) and self.on_error:
            self.on_error(
                f"schedule {group}/{name}: target {target.get('Arn')} is not a local function"
            )


def _not_found(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ResourceNotFoundException")


def _utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None
