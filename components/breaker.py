"""The stack's circuit breaker: per-consumer alarms, one rule, one function, one group.

    consumer function --RecordsRetried--> <consumer>-breaker alarm
        --state change (default bus)--> breaker rule --> breaker function
            --> UpdateEventSourceMapping (disable / half-open at 2 / restore)
            --> one-time schedule breaker-<consumer> (group <prefix>breaker) --> breaker function

The alarm counts the runtime's ``RecordsRetried`` metric (namespace ``eventpipe``,
dimension ``service`` = the consumer, which Powertools metrics add:
https://docs.powertools.aws.dev/lambda/python/latest/core/metrics/), not Lambda's
``Errors``: the runtime reports failed records as batch item failures, so an invocation
whose every record failed still counts as a success in ``Errors`` ("Handling errors for
an SQS event source in Lambda",
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html). Missing
data is ``ignore``: a disabled mapping has no invocations, and the alarm keeps its state
(see ``eventpipe.stack_functions.breaker``). CloudWatch sends alarm state changes to the
account's default event bus ("Alarm events and EventBridge",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html),
so the rule lives there whatever bus the consumers use.

Least privilege, in a policy whose size does not grow with the consumers (an inline role
policy holds 10,240 characters, a quota no request raises:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): the function
may update only the mappings of this stack's functions (``lambda:FunctionArn`` by the
stack's name prefix, and the stack's tag), get, create and delete schedules only in its
own group, pass only the scheduler role and only to Scheduler, and set the state of only
this stack's breaker alarms (name prefix and suffix, and the tag) for the half-open step.
No action has a wildcard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam, json_doc, naming
from components.consumer_pipeline import ConsumerPipeline
from components.event_bus import EventBus
from components.stack_function import (
    declare_invoke_policy,
    declare_scheduler_role,
    declare_stack_function,
    stack_functions_code,
)
from eventpipe import contract
from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer
from eventpipe.stack_functions import breaker as handler_module
from eventpipe.stack_functions import settings as fn_settings
from eventpipe.stack_output import BreakerOutputs, CircuitBreakerOutputs

TYPE = "eventpipe:index:CircuitBreaker"
ALARM_SUFFIX = "-breaker"
METRIC = "RecordsRetried"
FUNCTION_TIMEOUT = 30
FUNCTION_MEMORY = 128
SCHEDULE_ACTIONS = ["scheduler:GetSchedule", "scheduler:CreateSchedule", "scheduler:DeleteSchedule"]


@dataclass
class BreakerTarget:
    """One consumer with a breaker: what the alarm and the policy need of its pipeline."""

    consumer: Consumer
    function_name: pulumi.Input[str]
    mapping_uuid: pulumi.Input[str]


@dataclass
class CircuitBreakerArgs:
    settings: StackSettings
    targets: Sequence[BreakerTarget]
    region: str
    account_id: pulumi.Input[str]
    code: pulumi.Archive


def alarm_name(prefix: str, consumer: str) -> str:
    return naming.consumer_name(prefix, consumer, naming.LIMIT_ALARM, ALARM_SUFFIX)


def alarm_pattern(alarm_arn_prefix: Any) -> dict[str, Any]:
    """The rule's pattern: state changes of this stack's breaker alarms only.

    Matched without a wildcard: EventBridge allows 30 rules with wildcards per bus, a
    quota no request raises (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html),
    and the default bus is the whole account's. The alarm's ARN (the event's
    ``resources``) starts with this stack's alarm ARN prefix and its name ends in
    ``-breaker``: a prefix and a suffix on two fields, both plain string matches
    ("Content filtering in Amazon EventBridge event patterns",
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
    """
    return {
        "source": ["aws.cloudwatch"],
        "detail-type": [handler_module.ALARM_EVENT],
        "resources": [{"prefix": alarm_arn_prefix}],
        "detail": {"alarmName": [{"suffix": ALARM_SUFFIX}]},
    }


def stack_arn(region: str, account_id: Any, service: str, resource: str) -> pulumi.Output[str]:
    """``arn:aws:<service>:<region>:<account>:<resource>``."""
    return pulumi.Output.concat("arn:aws:", service, ":", region, ":", account_id, ":", resource)


def breaker_statements(
    *,
    region: str,
    account_id: Any,
    prefix: str,
    stack: str,
    schedule_arn_pattern: Any,
    scheduler_role_arn: Any,
) -> list[dict[str, Any]]:
    """The breaker function's policy (:func:`declare_stack_function` adds its own logs).

    The same size for one consumer as for a thousand: the mappings and alarms are matched
    by this stack's name prefix and ``eventpipe:stack`` tag, never listed. A mapping's ARN
    holds a UUID, not a name, so mappings are matched by the function they feed: "You can
    also use the ``lambda:FunctionArn`` condition to restrict actions by associated
    function" ("Resources and conditions for Lambda actions",
    https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html).
    """
    functions = stack_arn(region, account_id, "lambda", f"function:{prefix}*")
    return [
        {
            "Sid": "SwitchMappings",
            "Effect": "Allow",
            "Action": ["lambda:UpdateEventSourceMapping"],
            "Resource": stack_arn(region, account_id, "lambda", "event-source-mapping:*"),
            "Condition": {"ArnLike": {"lambda:FunctionArn": functions}, **iam.of_this_stack(stack)},
        },
        {
            "Sid": "HalfOpenSchedules",
            "Effect": "Allow",
            "Action": SCHEDULE_ACTIONS,
            "Resource": schedule_arn_pattern,
        },
        {
            "Sid": "PassSchedulerRole",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": scheduler_role_arn,
            "Condition": {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        },
        {
            "Sid": "ResetBreakerAlarms",
            "Effect": "Allow",
            "Action": ["cloudwatch:SetAlarmState"],
            "Resource": stack_arn(
                region, account_id, "cloudwatch", f"alarm:{prefix}*{ALARM_SUFFIX}"
            ),
            "Condition": iam.of_this_stack(stack),
        },
    ]


def _description(consumer: Consumer, cooldown: int, uuid: pulumi.Input[str]) -> pulumi.Output[str]:
    """The alarm's description: what the breaker function needs, as JSON."""
    return pulumi.Output.from_input(uuid).apply(
        lambda value: handler_module.breaker_description(
            consumer.name, value, consumer.max_concurrency, cooldown
        )
    )


class CircuitBreaker(pulumi.ComponentResource):
    """Every breaker of the stack (declared only when a consumer has one).

    Its stack output entries: :attr:`outputs` (the top-level ``breaker``) and
    :attr:`consumer_outputs` (each consumer's ``circuitBreaker``), which the program
    adds to the pipelines' entries.
    """

    outputs: BreakerOutputs[pulumi.Input[str]]
    consumer_outputs: dict[str, CircuitBreakerOutputs[pulumi.Input[str]]]

    def __init__(
        self, name: str, args: CircuitBreakerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        settings, prefix = args.settings, args.settings.prefix
        tags = naming.stack_tags(settings)
        child = pulumi.ResourceOptions(parent=self)
        self.resources: dict[str, pulumi.Resource] = {}
        self.consumer_outputs = {}
        stem = f"{prefix}breaker"

        group = aws.scheduler.ScheduleGroup(
            f"{name}-schedules", name=naming.fit(stem, 64), tags=tags, opts=child
        )
        scheduler_role = declare_scheduler_role(
            name,
            stem="breaker-scheduler",
            settings=settings,
            account_id=args.account_id,
            description="EventBridge Scheduler invokes the eventpipe circuit breaker",
            tags=tags,
            parent=self,
        )

        alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for target in args.targets:
            consumer = target.consumer
            breaker = consumer.circuit_breaker
            assert breaker is not None  # only consumers with a breaker are targets
            alarm = aws.cloudwatch.MetricAlarm(
                f"{name}-{consumer.name}-alarm",
                name=alarm_name(prefix, consumer.name),
                alarm_description=_description(consumer, breaker.cooldown, target.mapping_uuid),
                namespace=contract.METRICS_NAMESPACE,
                metric_name=METRIC,
                dimensions={"service": consumer.name},
                statistic="Sum",
                period=breaker.period,
                evaluation_periods=1,
                threshold=breaker.failed_records,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="ignore",
                # No actions: the stack's alarm digest notifies (components/alarm_digest.py).
                tags=naming.consumer_tags(settings, consumer.name, "eventpipe"),
                opts=child,
            )
            alarms[consumer.name] = alarm
            self.resources[f"alarm-{consumer.name}"] = alarm
            self.consumer_outputs[consumer.name] = CircuitBreakerOutputs(
                failed_records=breaker.failed_records,
                period=breaker.period,
                cooldown=breaker.cooldown,
                alarm_name=alarm.name,
            )

        schedule_arns = pulumi.Output.concat(
            "arn:aws:scheduler:", args.region, ":", args.account_id, ":schedule/", group.name, "/*"
        )
        side = declare_stack_function(
            name,
            stem="breaker",
            settings=settings,
            role_description="eventpipe circuit breaker: switches this stack's event source mappings",
            policy_name="eventpipe-breaker",
            statements=breaker_statements(
                region=args.region,
                account_id=args.account_id,
                prefix=prefix,
                stack=settings.stack,
                schedule_arn_pattern=schedule_arns,
                scheduler_role_arn=scheduler_role.arn,
            ),
            handler=fn_settings.BREAKER_HANDLER,
            code=args.code,
            timeout=FUNCTION_TIMEOUT,
            memory=FUNCTION_MEMORY,
            environment={
                fn_settings.ENV_BREAKER_SCHEDULE_GROUP: group.name,
                fn_settings.ENV_BREAKER_SCHEDULER_ROLE: scheduler_role.arn,
            },
            description="eventpipe circuit breaker: opens, half-opens and closes consumers",
            tags=tags,
            parent=self,
        )
        function = side.function
        invoke = declare_invoke_policy(
            name, scheduler_role, function, policy_name="eventpipe-breaker-invoke",
            sid="InvokeBreaker", parent=self,
        )  # fmt: skip
        rule = aws.cloudwatch.EventRule(
            f"{name}-rule",
            name=naming.stack_name(prefix, "breaker", naming.LIMIT_RULE),
            event_bus_name="default",
            event_pattern=json_doc.json_dumps(
                alarm_pattern(
                    stack_arn(args.region, args.account_id, "cloudwatch", f"alarm:{prefix}")
                )
            ),
            description="eventpipe circuit breaker: state changes of this stack's breaker alarms",
            tags=tags,
            opts=child,
        )
        permission = aws.lambda_.Permission(
            f"{name}-permission",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
            opts=child,
        )
        target_resource = aws.cloudwatch.EventTarget(
            f"{name}-target",
            rule=rule.name,
            event_bus_name="default",
            target_id="breaker",
            arn=function.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )
        self.resources.update(
            schedules=group, logs=side.log_group, scheduler_role=scheduler_role, role=side.role,
            policy=side.policy, function=function, scheduler_policy=invoke, rule=rule,
            permission=permission, target=target_resource,
        )  # fmt: skip
        self.function_name, self.rule_name, self.group_name = function.name, rule.name, group.name
        self.alarms = alarms
        self.outputs = BreakerOutputs(
            function_name=function.name, rule_name=rule.name, schedule_group=group.name
        )
        self.register_outputs({"functionName": function.name, "ruleName": rule.name})


def declare_circuit_breaker(
    bus: EventBus, pipelines: Sequence[ConsumerPipeline], build_dir: Path
) -> CircuitBreaker | None:
    """The stack's circuit breaker, a child of ``bus`` (``<bus>-breaker``), when a consumer
    has one; None otherwise."""
    with_breaker = [p for p in pipelines if p.consumer.circuit_breaker is not None]
    if not with_breaker:
        return None
    targets = [BreakerTarget(p.consumer, p.function_name, p.mapping_uuid) for p in with_breaker]
    settings = bus.settings
    return CircuitBreaker(
        f"{bus.pulumi_resource_name}-breaker",
        CircuitBreakerArgs(
            settings, targets, bus.region, bus.account_id(), stack_functions_code(build_dir),
        ),
        opts=pulumi.ResourceOptions(parent=bus),
    )  # fmt: skip
