"""``eventpipe replay``: send archived events through chosen consumers' rules again.

EventBridge replays an archive into its bus; ``Destination.FilterArns`` limits which
rules see the replayed events. eventpipe always passes the rule ARNs of the chosen
consumers (all of its consumers when none are named), so rules on a shared bus that
eventpipe does not own never receive a replay by accident.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventpipe.operate.aws import error_code
from eventpipe.operate.exceptions import NoArchiveError, OperateError, OperationFailedError
from eventpipe.stack_output import StackOutputs

_RELATIVE = re.compile(r"^-?(\d+)\s*([smhd])(?:\s+ago)?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
TERMINAL_STATES = ("COMPLETED", "CANCELLED", "FAILED")
POLL_SECONDS = 5.0
"""Pause between DescribeReplay polls (module-level so tests can shorten it)."""


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """A point in time from the command line, in UTC.

    Accepts ISO 8601 (``2026-11-22``, ``2026-11-22T08:00``, with or without offset;
    naive times are UTC), ``now``, ``today``, ``yesterday`` (midnight UTC), and
    durations back from now: ``-2h``, ``90m``, ``1d ago``.
    """
    now = now or datetime.now(UTC)
    word = text.strip().lower()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if word == "now":
        return now
    if word == "today":
        return midnight
    if word == "yesterday":
        return midnight - timedelta(days=1)
    relative = _RELATIVE.match(word)
    if relative:
        amount, unit = int(relative.group(1)), _UNITS[relative.group(2)]
        return now - timedelta(**{unit: amount})
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise OperateError(
            f"cannot read time {text!r}: use ISO 8601 (2026-11-22T08:00:00Z), now, today, "
            "yesterday, or a duration back from now (-2h, 30m, 1d ago)"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class ReplayPlan:
    """What will be replayed: checked before StartReplay is called."""

    name: str
    archive_arn: str
    bus_arn: str
    start: datetime
    end: datetime
    consumers: list[str]
    rule_arns: list[str]

    def request(self) -> dict[str, Any]:
        return {
            "ReplayName": self.name,
            "Description": f"eventpipe replay into {', '.join(self.consumers)}"[:512],
            "EventSourceArn": self.archive_arn,
            "EventStartTime": self.start,
            "EventEndTime": self.end,
            "Destination": {"Arn": self.bus_arn, "FilterArns": self.rule_arns},
        }


def plan_replay(
    outputs: StackOutputs,
    start: datetime,
    end: datetime,
    consumers: list[str] | None = None,
    now: datetime | None = None,
) -> ReplayPlan:
    """Validate the request; every problem an operator can fix is raised here."""
    now = now or datetime.now(UTC)
    if not outputs.bus.archive_arn:
        raise NoArchiveError(
            f"the bus {outputs.bus.name} of stack {outputs.stack!r} has no archive, so there "
            f"is nothing to replay. Set `eventpipe:archive: true` in Pulumi.{outputs.stack}.yaml "
            f"and run `pulumi up --stack {outputs.stack}`; events published from then on can "
            "be replayed"
        )
    if start >= end:
        raise OperateError(f"--from ({start.isoformat()}) must be before --to ({end.isoformat()})")
    if end > now:
        end = now  # EventBridge rejects an end time in the future
    chosen = outputs.select(consumers)
    direct = [c.name for c in chosen if not c.rule_arn]
    if consumers and direct:
        raise OperateError(
            f"consumer(s) {', '.join(direct)} are fed directly by producers (no rule), so "
            "a replay cannot reach them; choose consumers with an event pattern"
        )
    with_rules = [c for c in chosen if c.rule_arn]
    if not with_rules:
        raise OperateError(f"stack {outputs.stack!r} has no rule-fed consumer to replay into")
    label = consumers[0] if consumers and len(consumers) == 1 else "all"
    # Replay names are unique per account and region, and kept after the replay ends:
    # a timestamp plus a random suffix never collides, and the label stays readable.
    suffix = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"
    name = re.sub(r"[^.\-_A-Za-z0-9]", "-", f"{outputs.stack}-{label}")[: 64 - len(suffix) - 1]
    name = f"{name}-{suffix}"
    return ReplayPlan(
        name=name,
        archive_arn=outputs.bus.archive_arn,
        bus_arn=outputs.bus.arn,
        start=start,
        end=end,
        consumers=[c.name for c in with_rules],
        rule_arns=[str(c.rule_arn) for c in with_rules],
    )


def start_replay(events: Any, plan: ReplayPlan) -> str:
    """Start the replay; returns its name. A missing archive becomes NoArchiveError."""
    from botocore.exceptions import ClientError

    try:
        events.start_replay(**plan.request())
    except ClientError as exc:
        message = str(exc)
        if error_code(exc) == "ResourceNotFoundException" or "Archive" in message:
            raise NoArchiveError(
                f"EventBridge cannot replay from {plan.archive_arn}: {message}. Run "
                "`pulumi up` so the archive exists again"
            ) from None
        raise
    return plan.name


@dataclass(frozen=True)
class ReplayProgress:
    state: str
    fraction: float
    """Share of the time window replayed so far (0..1)."""
    reason: str | None = None
    last_replayed: datetime | None = None
    """``EventLastReplayedTime``: the time of the last event the replay sent."""


def watch_replay(
    events: Any,
    plan: ReplayPlan,
    *,
    interval: float | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Iterator[ReplayProgress]:
    """Poll DescribeReplay until the replay ends; progress is the share of the window
    up to ``EventLastReplayedTime``. Raises OperationFailedError when it FAILED."""
    span = (plan.end - plan.start).total_seconds() or 1.0
    while True:
        replay = events.describe_replay(ReplayName=plan.name)
        state = str(replay.get("State", "RUNNING"))
        last = replay.get("EventLastReplayedTime")
        fraction = 0.0
        if state == "COMPLETED":
            fraction = 1.0
        elif isinstance(last, datetime):
            done = (last.astimezone(UTC) - plan.start).total_seconds()
            fraction = min(1.0, max(0.0, done / span))
        progress = ReplayProgress(
            state,
            fraction,
            replay.get("StateReason"),
            last.astimezone(UTC) if isinstance(last, datetime) else None,
        )
        yield progress
        if state == "FAILED":
            raise OperationFailedError(
                f"replay {plan.name} failed: {progress.reason or 'no reason given'}"
            )
        if state in TERMINAL_STATES:
            return
        (sleep or time.sleep)(POLL_SECONDS if interval is None else interval)
