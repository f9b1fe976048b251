"""Circuit breakers from the operator's side: each one's state, and closing one by hand.

The breaker function (:mod:`eventpipe.stack_functions.breaker`) keeps no store of its
own; its state is what it leaves behind (docs/circuit-breaker.md, "States and where they
are recorded"), and this module reads exactly that:

- no one-time schedule ``breaker-<consumer>`` in the stack's breaker schedule group:
  **closed**;
- the schedule exists and the event source mapping is disabled: **open**; the
  schedule's description is the record ("open since T (alarm A): reason") and its
  ``at()`` expression the time of the half-open step;
- the schedule exists (its time past, kept with ``ActionAfterCompletion`` ``NONE``) and
  the mapping is enabled, at ``MaximumConcurrency`` 2: **half-open**.

Closing by hand (``eventpipe resume``) is the breaker's own close step,
:meth:`~eventpipe.stack_functions.breaker.BreakerFunction.close`, called on the
operator's clients: restore the configured ``ScalingConfig`` and enable the mapping
(UpdateEventSourceMapping,
https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html), then
delete the schedule (DeleteSchedule,
https://docs.aws.amazon.com/scheduler/latest/APIReference/API_DeleteSchedule.html). The
configured concurrency comes from the schedule's target input, which the breaker wrote
when it opened, so the hand close restores what the breaker would.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventpipe.operate.exceptions import OperateError
from eventpipe.operate.mapping import PAUSED_STATES, mapping_uuid
from eventpipe.stack_functions.breaker import (
    HALF_OPEN_CONCURRENCY,
    Breaker,
    BreakerFunction,
    schedule_name,
)
from eventpipe.stack_output import ConsumerOutputs, StackOutputs

CLOSED, OPEN, HALF_OPEN, UNKNOWN = "closed", "open", "half-open", "unknown"
_AT = re.compile(r"^at\((?P<time>[0-9T:\-]+)\)$")
_RECORD = re.compile(
    r"^open since (?P<since>\S+) \(alarm (?P<alarm>[^)]*)\): (?P<reason>.*)$", re.S
)


@dataclass(frozen=True)
class BreakerState:
    """One consumer's circuit breaker, as its schedule and mapping record it."""

    consumer: str
    state: str
    """``closed``, ``open``, ``half-open``, or ``unknown`` when its schedule cannot be
    read (``reason`` says why)."""
    alarm_name: str | None = None
    since: str | None = None
    """When it (last) opened, ISO 8601 UTC, from the schedule's description."""
    reason: str | None = None
    """The alarm's reason when it opened."""
    half_open_at: str | None = None
    """The schedule's time: when the breaker goes (or went) half-open."""
    max_concurrency: int | None = None
    """The mapping's ``ScalingConfig.MaximumConcurrency`` now (None: no limit / unread)."""
    record: str | None = None
    """The schedule's description as written by the breaker function."""

    @property
    def tripped(self) -> bool:
        """Open or half-open: ``eventpipe resume`` would close it."""
        return self.state in (OPEN, HALF_OPEN)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape (camelCase)."""
        return {
            "state": self.state,
            "alarmName": self.alarm_name,
            "since": self.since,
            "reason": self.reason,
            "halfOpenAt": self.half_open_at,
            "maxConcurrency": self.max_concurrency,
        }


def schedule_group(outputs: StackOutputs) -> str:
    """The stack's breaker schedule group (``breaker.scheduleGroup`` of the output)."""
    group = outputs.breaker.schedule_group if outputs.breaker else None
    if not group:
        raise OperateError(
            f"the stack output of {outputs.stack!r} names no breaker schedule group "
            "(`breaker.scheduleGroup`): deploy again with this eventpipe version (`pulumi up`)"
        )
    return str(group)


def has_breaker(consumer: ConsumerOutputs) -> bool:
    return consumer.circuit_breaker is not None


def _at_time(expression: str | None) -> datetime | None:
    match = _AT.match(expression or "")
    if not match:
        return None
    return datetime.fromisoformat(match["time"]).replace(tzinfo=UTC)


def _schedule(scheduler: Any, group: str, consumer: str) -> dict[str, Any] | None:
    try:
        return dict(scheduler.get_schedule(Name=schedule_name(consumer), GroupName=group))
    except scheduler.exceptions.ResourceNotFoundException:
        return None


def _mapping(lambda_client: Any, consumer: ConsumerOutputs) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    from eventpipe.operate.mapping import NoMappingError

    try:
        uuid = mapping_uuid(lambda_client, consumer)
        return dict(lambda_client.get_event_source_mapping(UUID=uuid))
    except NoMappingError:
        return None
    except ClientError as exc:
        if "AccessDenied" in str(exc.response.get("Error", {}).get("Code", "")):
            raise
        return None


def breaker_state(
    scheduler: Any,
    lambda_client: Any,
    group: str,
    consumer: ConsumerOutputs,
    now: datetime | None = None,
) -> BreakerState:
    """The state of ``consumer``'s breaker (which must have one)."""
    alarm = consumer.circuit_breaker.alarm_name if consumer.circuit_breaker else None
    schedule = _schedule(scheduler, group, consumer.name)
    mapping = _mapping(lambda_client, consumer) if lambda_client is not None else None
    concurrency = ((mapping or {}).get("ScalingConfig") or {}).get("MaximumConcurrency")
    if schedule is None:
        return BreakerState(consumer.name, CLOSED, alarm, max_concurrency=concurrency)
    at = _at_time(schedule.get("ScheduleExpression"))
    record = str(schedule.get("Description") or "")
    parsed = _RECORD.match(record)
    if mapping is not None:
        disabled = mapping.get("State") in PAUSED_STATES
    else:  # the mapping cannot be read: the schedule's time says which side it is on
        disabled = at is None or at > (now or datetime.now(UTC))
    return BreakerState(
        consumer=consumer.name,
        state=OPEN if disabled else HALF_OPEN,
        alarm_name=(parsed["alarm"] if parsed else None) or alarm,
        since=parsed["since"] if parsed else None,
        reason=parsed["reason"] if parsed else (record or None),
        half_open_at=at.strftime("%Y-%m-%dT%H:%M:%SZ") if at else None,
        max_concurrency=concurrency,
        record=record or None,
    )


def breaker_states(
    scheduler: Any,
    lambda_client: Any,
    outputs: StackOutputs,
    consumers: list[ConsumerOutputs],
    now: datetime | None = None,
) -> dict[str, BreakerState]:
    """The breaker of each of ``consumers`` that has one (none when the stack has none)."""
    with_breaker = [c for c in consumers if has_breaker(c)]
    if not with_breaker:
        return {}
    from botocore.exceptions import ClientError

    group = schedule_group(outputs)
    found = {}
    for consumer in with_breaker:
        try:
            found[consumer.name] = breaker_state(scheduler, lambda_client, group, consumer, now)
        except ClientError as exc:  # e.g. no scheduler:GetSchedule: say so, show the rest
            error = exc.response.get("Error", {})
            found[consumer.name] = BreakerState(
                consumer.name,
                UNKNOWN,
                consumer.circuit_breaker.alarm_name if consumer.circuit_breaker else None,
                reason=f"its schedule cannot be read: {error.get('Code')}: {error.get('Message')}",
            )
    return found


@dataclass(frozen=True)
class ClosedBreaker:
    """What closing a breaker by hand did."""

    consumer: str
    was: BreakerState
    restored_concurrency: int | None
    """The ``MaximumConcurrency`` restored (None: the limit removed, as configured)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "was": self.was.state,
            "since": self.was.since,
            "reason": self.was.reason,
            "restoredMaxConcurrency": self.restored_concurrency,
        }


def close_breaker(
    scheduler: Any, lambda_client: Any, outputs: StackOutputs, consumer: ConsumerOutputs
) -> ClosedBreaker | None:
    """Close ``consumer``'s open or half-open breaker as the breaker's close step does;
    None when it has no breaker or it is closed (nothing done)."""
    if not has_breaker(consumer):
        return None
    group = schedule_group(outputs)
    was = breaker_state(scheduler, lambda_client, group, consumer)
    if not was.tripped:
        return None
    schedule = _schedule(scheduler, group, consumer.name) or {}
    try:
        data = json.loads((schedule.get("Target") or {}).get("Input") or "{}")
    except ValueError:
        data = {}
    breaker = Breaker(
        consumer=consumer.name,
        mapping=str(data.get("mapping") or mapping_uuid(lambda_client, consumer)),
        max_concurrency=data.get("maxConcurrency"),
        cooldown=int(
            data.get("cooldown")
            or (consumer.circuit_breaker.cooldown if consumer.circuit_breaker else 0)
        ),
        alarm=str(data.get("alarm") or was.alarm_name or ""),
    )
    if "maxConcurrency" not in data:
        raise OperateError(
            f"the breaker schedule of {consumer.name} ({schedule_name(consumer.name)} in "
            f"{group}) does not say the consumer's configured concurrency, so it cannot be "
            f"restored by hand: wait for the breaker to close, or `pulumi up` the stack"
        )
    # The breaker's own close step: the same calls in the same order. It needs neither
    # CloudWatch nor the scheduler role (those are for opening and half-opening).
    BreakerFunction(
        lambda_client=lambda_client,
        scheduler=scheduler,
        cloudwatch=None,
        group=group,
        scheduler_role_arn="",
    ).close(breaker)
    return ClosedBreaker(consumer.name, was, breaker.max_concurrency)


__all__ = [
    "CLOSED",
    "HALF_OPEN",
    "HALF_OPEN_CONCURRENCY",
    "OPEN",
    "UNKNOWN",
    "BreakerState",
    "ClosedBreaker",
    "breaker_state",
    "breaker_states",
    "close_breaker",
    "schedule_group",
]
