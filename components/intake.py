"""Per-key FIFO: the intake queue and the EventBridge Pipe that choose each event's group.

A rule target's ``SqsParameters.MessageGroupId`` is a fixed string: EventBridge never
evaluates a JSON path there (EventBridge API reference, ``SqsParameters``,
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html). A
pipe's ``PipeTargetSqsQueueParameters.MessageGroupId`` is a dynamic path parameter, so a
FIFO consumer whose ``message_group`` is a path is fed like this::

    bus --intake rule (pattern + group field exists)--> intake queue (standard, SSE)
          |                                               | pipe (role: this queue -> FIFO)
          |                                               v
          |                                        FIFO queue --ESM--> function
          +--missing-field rule (pattern + field absent)--> intake DLQ, body:
                 {"eventpipe": {"reason": ...}, "event": <the event>}

The intake queue redrives to the intake DLQ after ``max_receive_count`` receives: "A
pipe inherits dead-letter queue (DLQ) behavior from the source. If the source Amazon SQS
queue has a configured DLQ, messages are automatically delivered there after the
configured number of attempts" (Pipes user guide, error handling,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html).

The pipe reads the SQS record, whose ``body`` is the EventBridge event; paths into it
are ``$.body...`` (:mod:`eventpipe.pipes_paths`). The fields set on the pipe (the local
engine's Pipe runner reads exactly these Pulumi inputs): ``source``, ``target``,
``sourceParameters.sqsQueueParameters.batchSize``,
``targetParameters.sqsQueueParameters.messageGroupId`` / ``messageDeduplicationId``,
``targetParameters.inputTemplate``, ``logConfiguration``, ``roleArn``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam, json_doc, naming
from components.queues import DLQ_RETENTION
from eventpipe import pipes_paths
from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer
from eventpipe.pipes_paths import per_key_fifo

INTAKE_VISIBILITY_TIMEOUT = 180
"""Seconds an intake message stays hidden while the pipe sends it on. The Pipes guide
asks for six times the pipe's timeout; a SendMessage target has none to configure, so
this is a generous bound (Pipes SQS source, "Configuring a queue",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html)."""
PIPE_BATCH_SIZE = 10
"""Records the pipe reads per batch (the SQS source's default is 10 on that same page)."""
PIPE_LOG_LEVEL = "ERROR"
"""Pipes log levels are OFF | ERROR | INFO | TRACE (API reference,
``PipeLogConfigurationParameters``); ERROR records every failed target call, and no
execution data (payloads) is logged."""
PIPE_SOURCE_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
"""What a pipe needs on an SQS source (Pipes SQS source, "Execution role permissions")."""
PIPE_TARGET_ACTIONS = ["sqs:SendMessage"]
"""What a pipe needs on an SQS target: it calls SendMessage."""
PIPE_LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]
"""What a pipe needs to write to its CloudWatch Logs destination. The Pipes API reference
(``PipeLogConfiguration``) names no permission; AWS's own CDK grants the pipe role write
access to the log group (``CloudwatchLogsLogDestination.grantPush`` ->
``logGroup.grantWrite``: these two actions), which is what is followed here. Not verified
against a deployed pipe (docs/components.md says so)."""
DEDUPLICATION_PATH = "$.body.id"
"""The FIFO deduplication id: the EventBridge event id, so a redelivered intake message
(at-least-once) is dropped by SQS's 5-minute deduplication window."""

EVENT_FIELDS = ("version", "id", "detail-type", "source", "account", "time", "region")
"""String fields of the EventBridge envelope (``resources`` is a list, ``detail`` an
object): https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html."""


def event_input_template() -> str:
    """The pipe's input template: the FIFO message body is the original EventBridge event.

    Pipes parses the SQS ``body`` so sub-values can be referenced (``<$.body.key>``);
    ``<$.body>`` alone is not used because "If the original payload is a valid JSON
    string ... use of the input transformer with source specific body data will result
    in the quotes within the original source payload being removed", and the fix the
    guide gives is to wrap the reference in JSON. So the envelope is rebuilt field by
    field: string paths quoted, object and array paths not ("put quotes around variables
    that refer to JSON path parameters, but do not put quotes around variables that
    refer to JSON objects or arrays"). Source of all three quotes: Pipes input
    transformation,
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html.
    Fields outside the standard envelope (a replay's ``replay-name``) are not carried.
    """
    parts = [f'"{field}": "<$.body.{field}>"' for field in EVENT_FIELDS]
    parts += ['"resources": <$.body.resources>', '"detail": <$.body.detail>']
    return "{" + ", ".join(parts) + "}"


def missing_field_template(path: str) -> str:
    """The missing-field rule's InputTemplate: the event wrapped with its reason.

    ``<aws.events.event.json>`` is "the full original event payload as JSON (with the
    detail field)"; ``<aws.events.event>`` would drop ``detail`` (EventBridge input
    transformation, predefined variables,
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
    """
    reason = pipes_paths.missing_field_reason(path)
    return '{"eventpipe": {"reason": ' + json.dumps(reason) + '}, "event": <aws.events.event.json>}'


@dataclass
class Intake:
    """What :func:`declare_intake` declared for one per-key FIFO consumer."""

    queue: aws.sqs.Queue
    dlq: aws.sqs.Queue
    pipe: aws.pipes.Pipe
    pipe_log_group: aws.cloudwatch.LogGroup
    resources: dict[str, pulumi.Resource]


def pipe_role_statements(
    intake_arn: Any, fifo_arn: Any, log_group_arn: Any
) -> list[dict[str, Any]]:
    """The pipe role's policy: read the intake queue, send to the FIFO queue, write its
    own log group, nothing else.

    The queues use SSE-SQS (service-managed keys), so no KMS permission is needed; a
    customer-managed key would need ``kms:Decrypt``/``kms:GenerateDataKey`` (Pipes error
    handling, "Custom encryption failures").
    """
    return [
        {"Sid": "ReadIntake", "Effect": "Allow", "Action": PIPE_SOURCE_ACTIONS,
         "Resource": intake_arn},
        {"Sid": "SendToFifo", "Effect": "Allow", "Action": PIPE_TARGET_ACTIONS,
         "Resource": fifo_arn},
        # The streams of this log group only (log-stream ARNs are the group's ARN + ":*").
        {"Sid": "WritePipeLog", "Effect": "Allow", "Action": PIPE_LOG_ACTIONS,
         "Resource": [log_group_arn, pulumi.Output.concat(log_group_arn, ":*")]},
    ]  # fmt: skip


def pipe_trust_policy(account: pulumi.Input[str]) -> pulumi.Output[str]:
    """Only EventBridge Pipes, on behalf of this account, may assume the pipe's role.

    The ``aws:SourceAccount`` condition guards against the confused deputy
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html); the
    provider's own Pipe example uses the same trust policy
    (https://www.pulumi.com/registry/packages/aws/api-docs/pipes/pipe/).
    """
    return json_doc.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "pipes.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            ],
        }
    )


def declare_intake(
    name: str,
    consumer: Consumer,
    settings: StackSettings,
    *,
    fifo_queue: aws.sqs.Queue,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> Intake:
    """Intake queue and DLQ, the pipe with its role and log group (rules: the caller)."""
    assert consumer.message_group is not None
    prefix = settings.prefix
    child = pulumi.ResourceOptions(parent=parent)
    stem = f"{consumer.name}-intake"
    dlq = aws.sqs.Queue(
        f"{name}-intake-dlq",
        name=naming.queue_name(prefix, stem, dlq=True, fifo=False),
        message_retention_seconds=DLQ_RETENTION,
        sqs_managed_sse_enabled=True,
        tags=tags,
        opts=child,
    )
    queue = aws.sqs.Queue(
        f"{name}-intake",
        name=naming.queue_name(prefix, stem, dlq=False, fifo=False),
        visibility_timeout_seconds=INTAKE_VISIBILITY_TIMEOUT,
        receive_wait_time_seconds=20,
        message_retention_seconds=consumer.retention,
        sqs_managed_sse_enabled=True,
        redrive_policy=json_doc.json_dumps(
            {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": consumer.max_receive_count}
        ),
        tags=tags,
        opts=child,
    )
    redrive_allow = aws.sqs.RedriveAllowPolicy(
        f"{name}-intake-dlq-redrive-allow",
        queue_url=dlq.url,
        redrive_allow_policy=json_doc.json_dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [queue.arn]}
        ),
        opts=child,
    )
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-pipe-logs",
        name=f"/aws/vendedlogs/pipes/{naming.consumer_name(prefix, consumer.name, naming.LIMIT_PIPE)}",
        retention_in_days=settings.log_retention_days,
        tags=tags,
        opts=child,
    )
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    role = aws.iam.Role(
        f"{name}-pipe-role",
        name=naming.consumer_name(prefix, consumer.name, naming.LIMIT_ROLE, "-pipe"),
        assume_role_policy=pipe_trust_policy(account.account_id),
        description=f"EventBridge Pipe of eventpipe consumer {consumer.name}",
        tags=tags,
        opts=child,
    )
    policy = aws.iam.RolePolicy(
        f"{name}-pipe-policy",
        role=role.id,
        name="eventpipe-pipe",
        policy=iam.document(pipe_role_statements(queue.arn, fifo_queue.arn, log_group.arn)),
        opts=child,
    )
    group_path = pipes_paths.sqs_source_path(consumer.message_group)
    pipe = aws.pipes.Pipe(
        f"{name}-pipe",
        name=naming.consumer_name(prefix, consumer.name, naming.LIMIT_PIPE),
        description=f"eventpipe consumer {consumer.name}: message group {consumer.message_group}",
        role_arn=role.arn,
        source=queue.arn,
        target=fifo_queue.arn,
        desired_state="RUNNING",
        source_parameters=aws.pipes.PipeSourceParametersArgs(
            sqs_queue_parameters=aws.pipes.PipeSourceParametersSqsQueueParametersArgs(
                batch_size=PIPE_BATCH_SIZE
            )
        ),
        target_parameters=aws.pipes.PipeTargetParametersArgs(
            input_template=event_input_template(),
            sqs_queue_parameters=aws.pipes.PipeTargetParametersSqsQueueParametersArgs(
                message_group_id=group_path,
                message_deduplication_id=DEDUPLICATION_PATH,
            ),
        ),
        log_configuration=aws.pipes.PipeLogConfigurationArgs(
            level=PIPE_LOG_LEVEL,
            cloudwatch_logs_log_destination=(
                aws.pipes.PipeLogConfigurationCloudwatchLogsLogDestinationArgs(
                    log_group_arn=log_group.arn
                )
            ),
        ),
        tags=tags,
        # Pipes checks the role can read the source when the pipe is created.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[policy, log_group]),
    )
    resources: dict[str, pulumi.Resource] = {
        "intake": queue,
        "intake_dlq": dlq,
        "intake_redrive_allow": redrive_allow,
        "pipe_logs": log_group,
        "pipe_role": role,
        "pipe_policy": policy,
        "pipe": pipe,
    }
    return Intake(queue, dlq, pipe, log_group, resources)


def missing_field_target(
    name: str,
    *,
    rule: aws.cloudwatch.EventRule,
    bus_name: pulumi.Input[str],
    dlq: aws.sqs.Queue,
    path: str,
    delivery_dlq_arn: pulumi.Input[str],
    retry_policy: aws.cloudwatch.EventTargetRetryPolicyArgs,
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource],
) -> aws.cloudwatch.EventTarget:
    """The missing-field rule's target: the intake DLQ, the event wrapped with its reason."""
    return aws.cloudwatch.EventTarget(
        f"{name}-missing-group-target",
        rule=rule.name,
        event_bus_name=bus_name,
        target_id="intake-dlq",
        arn=dlq.arn,
        input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
            input_template=missing_field_template(path)
        ),
        retry_policy=retry_policy,
        dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=delivery_dlq_arn),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on),
    )


__all__ = [
    "DEDUPLICATION_PATH",
    "Intake",
    "declare_intake",
    "event_input_template",
    "missing_field_target",
    "missing_field_template",
    "per_key_fifo",
    "pipe_role_statements",
    "pipe_trust_policy",
]
