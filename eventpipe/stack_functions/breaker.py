"""The circuit breaker: stop polling a consumer's queue while its downstream fails.

States, and where each is recorded (no store of its own, so no permission for one):

- **closed**: no schedule ``breaker-<consumer>`` in the stack's breaker schedule group;
  the event source mapping runs with the consumer's configured concurrency.
- **open**: the mapping is disabled (messages wait in the queue, nothing is
  dead-lettered) and the one-time schedule exists, its time in the future. The
  schedule's description is the record of why: when it opened and the alarm's reason.
- **half-open**: the schedule has fired (it is kept: ``ActionAfterCompletion`` ``NONE``);
  the mapping is enabled with ``MaximumConcurrency`` 2, the lowest Lambda accepts
  (ScalingConfig, https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html).

Transitions come from two sources:

- the consumer's breaker alarm, whose state changes CloudWatch sends to the default
  event bus as ``CloudWatch Alarm State Change`` events ("Alarm events and EventBridge",
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html):
  ``ALARM`` opens (or reopens) the breaker; ``OK`` closes it if it is open or half-open;
  ``INSUFFICIENT_DATA`` changes nothing. The alarm's description carries what the
  function needs (consumer, mapping UUID, configured concurrency, cooldown) as JSON, so
  the function's environment does not grow with the number of consumers;
- the one-time schedule (EventBridge Scheduler ``at()`` expression, "Schedule types in
  EventBridge Scheduler",
  https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), which
  invokes this function with a ``half-open`` payload after the cooldown.

The alarm treats missing data as ``ignore`` (it keeps its state): while the mapping is
disabled there are no invocations and no datapoints, so the alarm stays in ``ALARM``.
The half-open step therefore sets the alarm to ``INSUFFICIENT_DATA`` (SetAlarmState,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html)
before it re-enables the mapping: the next evaluation with traffic moves it to ``OK``
(close) or ``ALARM`` (reopen), either of which is a state change and an event.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventpipe.stack_functions import settings

logger = logging.getLogger("eventpipe.breaker")
logger.setLevel(logging.INFO)

HALF_OPEN_CONCURRENCY = 2
"""The lowest ``ScalingConfig.MaximumConcurrency`` Lambda accepts (API_ScalingConfig)."""
ALARM_EVENT = "CloudWatch Alarm State Change"
HALF_OPEN = "half-open"
DESCRIPTION_MARK = "eventpipe-circuit-breaker"
"""The ``kind`` of the JSON an alarm's description holds for this function."""
SCHEDULE_DESCRIPTION_LIMIT = 512
"""CreateSchedule ``Description``: at most 512 characters
(https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html)."""


@dataclass(frozen=True)
class Breaker:
    """What the alarm's description tells the function about one consumer's breaker."""

    consumer: str
    mapping: str
    """UUID of the consumer's event source mapping."""
    max_concurrency: int | None
    """The consumer's configured ``max_concurrency`` (None: no ScalingConfig)."""
    cooldown: int
    alarm: str

    def description(self) -> str:
        return breaker_description(self.consumer, self.mapping, self.max_concurrency, self.cooldown)


def breaker_description(
    consumer: str, mapping: str, max_concurrency: int | None, cooldown: int
) -> str:
    """The alarm description the function reads (JSON; built by components.breaker)."""
    return json.dumps(
        {
            "kind": DESCRIPTION_MARK,
            "consumer": consumer,
            "mapping": mapping,
            "maxConcurrency": max_concurrency,
            "cooldown": cooldown,
        },
        separators=(",", ":"),
    )


def schedule_name(consumer: str) -> str:
    """The breaker's one-time schedule of a consumer (at most 64 characters)."""
    return f"breaker-{consumer}"


def parse_description(alarm: str, description: str | None) -> Breaker | None:
    """The breaker an alarm describes, or None when it is not one of ours."""
    try:
        data = json.loads(description or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("kind") != DESCRIPTION_MARK:
        return None
    return Breaker(
        consumer=str(data["consumer"]),
        mapping=str(data["mapping"]),
        max_concurrency=data.get("maxConcurrency"),
        cooldown=int(data["cooldown"]),
        alarm=alarm,
    )


class BreakerFunction:
    """The handler's logic on injectable clients (tests pass moto-backed ones)."""

    def __init__(
        self,
        *,
        lambda_client: Any,
        scheduler: Any,
        cloudwatch: Any,
        group: str,
        scheduler_role_arn: str,
        now: Any = None,
    ) -> None:
        self.lambda_client = lambda_client
        self.scheduler = scheduler
        self.cloudwatch = cloudwatch
        self.group = group
        self.scheduler_role_arn = scheduler_role_arn
        self._now = now or (lambda: datetime.now(UTC))

    # -- entry ---------------------------------------------------------------------------
    def handle(self, event: dict[str, Any], function_arn: str) -> dict[str, Any]:
        if event.get("action") == HALF_OPEN:
            return self.half_open(
                Breaker(
                    consumer=event["consumer"],
                    mapping=event["mapping"],
                    max_concurrency=event.get("maxConcurrency"),
                    cooldown=int(event["cooldown"]),
                    alarm=event["alarm"],
                )
            )
        if event.get("detail-type") != ALARM_EVENT:
            logger.warning("ignored an event that is neither an alarm change nor half-open")
            return {"action": "ignored", "why": "not an alarm state change"}
        detail = event.get("detail") or {}
        alarm = detail.get("alarmName", "")
        breaker = parse_description(alarm, (detail.get("configuration") or {}).get("description"))
        if breaker is None:
            return {"action": "ignored", "why": f"alarm {alarm!r} is not a breaker alarm"}
        state = (detail.get("state") or {}).get("value")
        reason = (detail.get("state") or {}).get("reason", "")
        if state == "ALARM":
            return self.open(breaker, reason, function_arn)
        if state == "OK":
            return self.close(breaker)
        return {"action": "ignored", "consumer": breaker.consumer, "why": f"state {state}"}

    # -- transitions -----------------------------------------------------------------------
    def open(self, breaker: Breaker, reason: str, function_arn: str) -> dict[str, Any]:
        """(Re)create the half-open schedule with the reason, then disable the mapping.

        In that order: if disabling fails, the invocation fails and is retried with the
        record in place; the other order could leave a disabled mapping with no schedule
        to half-open it."""
        now = self._now()
        at = (now + timedelta(seconds=breaker.cooldown)).replace(microsecond=0)
        record = (f"open since {now:%Y-%m-%dT%H:%M:%SZ} (alarm {breaker.alarm}): {reason}")[
            :SCHEDULE_DESCRIPTION_LIMIT
        ]
        self._delete_schedule(breaker.consumer)  # a reopen replaces the half-open record
        self.scheduler.create_schedule(
            Name=schedule_name(breaker.consumer),
            GroupName=self.group,
            ScheduleExpression=f"at({at:%Y-%m-%dT%H:%M:%S})",
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="NONE",
            Description=record,
            Target={
                "Arn": function_arn,
                "RoleArn": self.scheduler_role_arn,
                "Input": json.dumps(
                    {
                        "action": HALF_OPEN,
                        "consumer": breaker.consumer,
                        "mapping": breaker.mapping,
                        "maxConcurrency": breaker.max_concurrency,
                        "cooldown": breaker.cooldown,
                        "alarm": breaker.alarm,
                    }
                ),
            },
        )
        self.lambda_client.update_event_source_mapping(UUID=breaker.mapping, Enabled=False)
        logger.info(
            json.dumps({"breaker": "open", "consumer": breaker.consumer, "halfOpenAt": str(at),
                        "reason": reason})
        )  # fmt: skip
        return {"action": "open", "consumer": breaker.consumer, "halfOpenAt": at.isoformat()}

    def half_open(self, breaker: Breaker) -> dict[str, Any]:
        """Let a trickle through: judged afresh by the alarm's next evaluation."""
        if not self._schedule_exists(breaker.consumer):
            # Closed by hand (`eventpipe resume`) while open: nothing to do.
            return {"action": "ignored", "consumer": breaker.consumer, "why": "closed already"}
        self.cloudwatch.set_alarm_state(
            AlarmName=breaker.alarm,
            StateValue="INSUFFICIENT_DATA",
            StateReason="eventpipe circuit breaker half-open: judged on the next evaluation",
        )
        self.lambda_client.update_event_source_mapping(
            UUID=breaker.mapping,
            Enabled=True,
            ScalingConfig={"MaximumConcurrency": HALF_OPEN_CONCURRENCY},
        )
        logger.info(json.dumps({"breaker": HALF_OPEN, "consumer": breaker.consumer}))
        return {"action": HALF_OPEN, "consumer": breaker.consumer}

    def close(self, breaker: Breaker) -> dict[str, Any]:
        """Restore the configured concurrency and drop the record, if the breaker was not
        closed already (a paused consumer is left alone: only an open breaker is closed)."""
        if not self._schedule_exists(breaker.consumer):
            return {"action": "ignored", "consumer": breaker.consumer, "why": "closed already"}
        self.lambda_client.update_event_source_mapping(
            UUID=breaker.mapping, Enabled=True, ScalingConfig=configured(breaker.max_concurrency)
        )
        self._delete_schedule(breaker.consumer)
        logger.info(json.dumps({"breaker": "closed", "consumer": breaker.consumer}))
        return {"action": "closed", "consumer": breaker.consumer}

    # -- the record ------------------------------------------------------------------------
    def _schedule_exists(self, consumer: str) -> bool:
        try:
            self.scheduler.get_schedule(Name=schedule_name(consumer), GroupName=self.group)
        except self.scheduler.exceptions.ResourceNotFoundException:
            return False
        return True

    def _delete_schedule(self, consumer: str) -> None:
        with contextlib.suppress(self.scheduler.exceptions.ResourceNotFoundException):
            self.scheduler.delete_schedule(Name=schedule_name(consumer), GroupName=self.group)


def configured(max_concurrency: int | None) -> dict[str, Any]:
    """The mapping's ScalingConfig as the consumer declares it; an empty value removes the
    limit (API_ScalingConfig: "To remove the configuration, pass an empty value")."""
    return {"MaximumConcurrency": max_concurrency} if max_concurrency else {}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point (``eventpipe.stack_functions.breaker.handler``)."""
    import boto3

    function = BreakerFunction(
        lambda_client=boto3.client("lambda"),
        scheduler=boto3.client("scheduler"),
        cloudwatch=boto3.client("cloudwatch"),
        group=os.environ[settings.ENV_BREAKER_SCHEDULE_GROUP],
        scheduler_role_arn=os.environ[settings.ENV_BREAKER_SCHEDULER_ROLE],
    )
    return function.handle(event, context.invoked_function_arn)
