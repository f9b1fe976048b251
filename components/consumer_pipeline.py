"""One consumer's complete pipeline: rule -> queue -> function, with its DLQ and alarm.

    bus --rule(pattern)--> target (retry policy, delivery DLQ) --> queue --ESM--> function
                                                                    | redrive
                                                                    v
                                                                   DLQ
    one alarm over DLQ, queue and function (components/alarms.py) --> the stack's digest

A FIFO consumer whose ``message_group`` is a JSON path is fed through an intake queue and
an EventBridge Pipe instead (``components/intake.py``): a rule target cannot evaluate a
path, a pipe can. Each piece is declared by a small helper module (queues, intake,
function, alarms); this component wires them together and builds its entry of the stack
output (:attr:`ConsumerPipeline.outputs`, an ``eventpipe.stack_output.ConsumerOutputs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components import naming
from components.alarms import declare_alarm
from components.event_bus import EventBus
from components.function import FunctionInputs, declare_function
from components.intake import Intake, declare_intake, missing_field_target, per_key_fifo
from components.kept_intake import keep_intake, keeps_intake, retired_intake
from components.queues import declare_queues, queue_policy
from components.topics import QueueSubscription, subscribe_queue
from eventpipe import group_split
from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer, ResourceContext
from eventpipe.packaging import DEFAULT_BUILD_DIR, build_function_archive
from eventpipe.patterns import to_json
from eventpipe.plugin_resources import run_plugin_resources
from eventpipe.retired_outputs import RetiredOutputs
from eventpipe.stack_output import ConsumerOutputs

TYPE = "eventpipe:index:ConsumerPipeline"
TARGET_MAX_EVENT_AGE = 86_400
"""Seconds EventBridge keeps retrying delivery to the queue (its maximum, 24 h)."""
TARGET_MAX_ATTEMPTS = 185
"""Delivery attempts before the event goes to the delivery DLQ (EventBridge's maximum)."""


@dataclass
class ConsumerPipelineArgs:
    consumer: Consumer
    """The declaration with the stack's overrides applied."""
    plugin: str
    """Entry point name of the plugin that declared it (tags, errors, stack output)."""
    settings: StackSettings
    bus: EventBus
    distribution: str | None = None
    """Distribution of the plugin, whose requirements are bundled; found if None."""
    code: pulumi.Archive | None = None
    """Function code; default: the plugin's package built by eventpipe.packaging."""
    build_dir: Path = DEFAULT_BUILD_DIR


class ConsumerPipeline(pulumi.ComponentResource):
    """Everything one consumer needs, as children of one component.

    Example::

        pipeline = ConsumerPipeline(
            "order-processing",
            ConsumerPipelineArgs(consumer, plugin="orders", settings=settings, bus=bus),
        )
        pulumi.export("queue", pipeline.queue_url)
    """

    rule_name: pulumi.Output[str] | None
    rule_arn: pulumi.Output[str] | None
    intake: Intake | None
    missing_group_rule_name: pulumi.Output[str] | None
    subscription: QueueSubscription | None
    kept_intake: RetiredOutputs[pulumi.Input[str]] | None
    outputs: ConsumerOutputs[pulumi.Input[str]]
    """This consumer's entry of the stack output (without its circuit breaker, which the
    stack's ``CircuitBreaker`` declares after every pipeline)."""

    def __init__(
        self, name: str, args: ConsumerPipelineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        consumer, settings, bus = args.consumer, args.settings, args.bus
        prefix = settings.prefix
        self.consumer, self.plugin = consumer, args.plugin
        tags = naming.consumer_tags(settings, consumer.name, args.plugin)
        child = pulumi.ResourceOptions(parent=self)
        self.resources: dict[str, pulumi.Resource] = {}

        queues = declare_queues(name, consumer, prefix, tags, child)
        queue, dlq = queues.queue, queues.dlq
        self.resources.update(queue=queue, dlq=dlq, redrive_allow=queues.redrive_allow)
        self.queue_url, self.queue_arn = queue.url, queue.arn
        self.dlq_url, self.dlq_arn = dlq.url, dlq.arn
        self.dlq_name = dlq.name
        self.resources["dlq_policy"] = queue_policy(f"{name}-dlq-policy", dlq, None, child)

        self.rule_name = self.rule_arn = self.missing_group_rule_name = None
        self.intake = None
        self.subscription = None
        if per_key_fifo(consumer):
            self.intake = declare_intake(
                name, consumer, settings, fifo_queue=queue, tags=tags, parent=self
            )
            self.resources.update(self.intake.resources)
            # The pipe sends with its role (identity policy); nobody else needs a grant.
            self.resources["queue_policy"] = queue_policy(
                f"{name}-queue-policy", queue, None, child
            )
            self._declare_grouped_rules(name, args, tags, child, self.intake)
        elif consumer.pattern is not None:
            self._declare_rule(name, args, tags, child, queue)
        elif consumer.topic is not None:  # SNS fan-out: components/topics.py
            self.subscription = subscribe_queue(
                name, consumer, bus.topic_arn(consumer.topic), queue, child
            )
            self.resources.update(
                queue_policy=self.subscription.policy, subscription=self.subscription.subscription
            )
        else:
            self.resources["queue_policy"] = queue_policy(
                f"{name}-queue-policy", queue, None, child
            )
        self.kept_intake = None
        """The ``retired`` entry of the intake pair kept after ``message_group`` stopped
        being a JSON path (``components/kept_intake.py``)."""
        if self.intake is None and keeps_intake(settings, consumer.name):
            kept = keep_intake(name, prefix, tags, self)
            self.resources.update({f"kept_{k}": r for k, r in kept.resources.items()})
            self.kept_intake = retired_intake(consumer.name, kept)

        extra = run_plugin_resources(
            args.plugin,
            consumer,
            ResourceContext(
                consumer, settings.stack, prefix, dict(tags), self, pulumi.ResourceOptions
            ),
        )
        self.plugin_outputs = dict(extra.outputs)

        code = args.code or pulumi.FileArchive(
            str(
                build_function_archive(
                    consumer,
                    args.build_dir,
                    architecture=settings.architecture,
                    python_version=settings.python_runtime.removeprefix("python"),
                    distribution=args.distribution,
                )
            )
        )
        table_name, table_arn = bus.idempotency_table() if consumer.idempotent else (None, None)
        attempts_name, attempts_arn = bus.idempotency_table() if consumer.fifo else (None, None)
        inputs = FunctionInputs(
            queue_arn=queue.arn,
            dlq_arn=dlq.arn,
            dlq_url=dlq.url,
            idempotency_table_name=table_name,
            idempotency_table_arn=table_arn,
            layers=[bus.powertools_layer_arn, bus.runtime_layer_arn],
            code=code,
            attempts_table_name=attempts_name,
            attempts_table_arn=attempts_arn,
        )
        side = declare_function(
            name, consumer, args.plugin, settings, inputs, extra, tags=tags, parent=self
        )
        function = side.function
        self.resources.update(
            logs=side.log_group,
            role=side.role,
            policy=side.policy,
            function=function,
            mapping=side.mapping,
        )
        self.function_name, self.function_arn = function.name, function.arn
        self.mapping_uuid = side.mapping.uuid

        self.log_group_name = side.log_group.name
        self.event_source_mapping_uuid = side.mapping.uuid
        intake = self.intake
        names: dict[str, pulumi.Input[str]] = {
            "queue": queue.name, "dlq": dlq.name, "function": function.name,
        }  # fmt: skip
        if intake is not None:
            names.update(intake=intake.queue.name, intake_dlq=intake.dlq.name)
        self.alarm = declare_alarm(name, consumer, prefix, resources=names, tags=tags, opts=child)
        self.resources["alarm"] = self.alarm
        self.alarm_names = [self.alarm.name]

        self.outputs = self._stack_output()
        self.register_outputs(
            {
                "queueUrl": self.queue_url,
                "dlqUrl": self.dlq_url,
                "functionName": self.function_name,
                "ruleName": self.rule_name,
                "logGroupName": self.log_group_name,
                "eventSourceMappingUuid": self.event_source_mapping_uuid,
                "intakeQueueUrl": intake.queue.url if intake else None,
                "intakeDlqUrl": intake.dlq.url if intake else None,
                "pipeName": intake.pipe.name if intake else None,
                "pipeArn": intake.pipe.arn if intake else None,
            }
        )

    def _stack_output(self) -> ConsumerOutputs[pulumi.Input[str]]:
        intake, subscription = self.intake, self.subscription
        return ConsumerOutputs(
            name=self.consumer.name,
            plugin=self.plugin,
            fifo=self.consumer.fifo,
            source=self.consumer.source,
            queue_url=self.queue_url,
            queue_arn=self.queue_arn,
            dlq_url=self.dlq_url,
            dlq_arn=self.dlq_arn,
            function_name=self.function_name,
            function_arn=self.function_arn,
            rule_name=self.rule_name,
            rule_arn=self.rule_arn,
            alarm_names=tuple(self.alarm_names),
            message_group=self.consumer.message_group,
            log_group_name=self.log_group_name,
            event_source_mapping_uuid=self.event_source_mapping_uuid,
            intake_queue_url=intake.queue.url if intake else None,
            intake_queue_arn=intake.queue.arn if intake else None,
            intake_dlq_url=intake.dlq.url if intake else None,
            intake_dlq_arn=intake.dlq.arn if intake else None,
            pipe_name=intake.pipe.name if intake else None,
            pipe_arn=intake.pipe.arn if intake else None,
            pipe_log_group=intake.pipe_log_group.name if intake else None,
            missing_group_rule_name=self.missing_group_rule_name,
            topic_arn=subscription.topic_arn if subscription else None,
            subscription_arn=subscription.subscription.arn if subscription else None,
            resources=self.plugin_outputs,
        )

    def _declare_rule(
        self,
        name: str,
        args: ConsumerPipelineArgs,
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
        queue: aws.sqs.Queue,
    ) -> None:
        consumer, bus = args.consumer, args.bus
        assert consumer.pattern is not None  # only rule-fed consumers get here
        rule = aws.cloudwatch.EventRule(
            f"{name}-rule",
            name=naming.consumer_name(args.settings.prefix, consumer.name, naming.LIMIT_RULE),
            event_bus_name=bus.bus_name,
            event_pattern=to_json(consumer.pattern),
            description=consumer.description or f"eventpipe consumer {consumer.name}",
            state="ENABLED",
            tags=tags,
            opts=child,
        )
        policy = queue_policy(f"{name}-queue-policy", queue, rule.arn, child)
        sqs_target = None
        if consumer.fifo:
            # A fixed id: EventBridge sends SqsParameters.MessageGroupId as written, it
            # never evaluates a JSON path there (API reference, SqsParameters:
            # https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html).
            # A path goes through an EventBridge Pipe instead (_declare_grouped_rules).
            sqs_target = aws.cloudwatch.EventTargetSqsTargetArgs(
                message_group_id=consumer.message_group or consumer.name
            )
        target = aws.cloudwatch.EventTarget(
            f"{name}-target",
            rule=rule.name,
            event_bus_name=bus.bus_name,
            target_id="queue",
            arn=queue.arn,
            retry_policy=retry_policy(),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(
                arn=bus.delivery_dlq_arn
            ),
            sqs_target=sqs_target,
            # Without the policy in place the first deliveries would be refused.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.resources.update(rule=rule, queue_policy=policy, target=target)
        self.rule_name, self.rule_arn = rule.name, rule.arn

    def _declare_grouped_rules(
        self,
        name: str,
        args: ConsumerPipelineArgs,
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
        intake: Intake,
    ) -> None:
        """Intake rule (events with the group field) and missing-field rule (without).

        Both patterns come from ``eventpipe.group_split.group_patterns``; validation has
        checked them with ``eventpipe.patterns`` as PutRule would.
        """
        consumer, bus, prefix = args.consumer, args.bus, args.settings.prefix
        assert consumer.pattern is not None and consumer.message_group is not None
        path = consumer.message_group
        intake_pattern, missing_pattern = group_split.group_patterns(consumer.pattern, path)
        description = consumer.description or f"eventpipe consumer {consumer.name}"
        rule = aws.cloudwatch.EventRule(
            f"{name}-rule",
            name=naming.consumer_name(prefix, consumer.name, naming.LIMIT_RULE),
            event_bus_name=bus.bus_name,
            event_pattern=to_json(intake_pattern),
            description=description,
            state="ENABLED",
            tags=tags,
            opts=child,
        )
        policy = queue_policy(f"{name}-intake-policy", intake.queue, rule.arn, child)
        target = aws.cloudwatch.EventTarget(
            f"{name}-target",
            rule=rule.name,
            event_bus_name=bus.bus_name,
            target_id="intake",
            arn=intake.queue.arn,
            retry_policy=retry_policy(),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(
                arn=bus.delivery_dlq_arn
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.resources.update(rule=rule, intake_policy=policy, target=target)
        self.rule_name, self.rule_arn = rule.name, rule.arn

        missing: aws.cloudwatch.EventRule | None = None
        if missing_pattern is not None:
            missing = aws.cloudwatch.EventRule(
                f"{name}-missing-group-rule",
                name=naming.consumer_name(prefix, consumer.name, naming.LIMIT_RULE, "-nogroup"),
                event_bus_name=bus.bus_name,
                event_pattern=to_json(missing_pattern),
                description=f"{consumer.name}: events without {path} -> intake DLQ with reason",
                state="ENABLED",
                tags=tags,
                opts=child,
            )
            self.missing_group_rule_name = missing.name
            self.resources["missing_group_rule"] = missing
        # Only the missing-field rule may send to the intake DLQ (besides the redrive).
        dlq_policy = queue_policy(
            f"{name}-intake-dlq-policy", intake.dlq, missing.arn if missing else None, child
        )
        self.resources["intake_dlq_policy"] = dlq_policy
        if missing is not None:
            self.resources["missing_group_target"] = missing_field_target(
                name,
                rule=missing,
                bus_name=bus.bus_name,
                dlq=intake.dlq,
                path=path,
                delivery_dlq_arn=bus.delivery_dlq_arn,
                retry_policy=retry_policy(),
                parent=self,
                depends_on=[dlq_policy],
            )


def retry_policy() -> aws.cloudwatch.EventTargetRetryPolicyArgs:
    """Every target retries as long as EventBridge allows before the delivery DLQ."""
    return aws.cloudwatch.EventTargetRetryPolicyArgs(
        maximum_event_age_in_seconds=TARGET_MAX_EVENT_AGE,
        maximum_retry_attempts=TARGET_MAX_ATTEMPTS,
    )
