"""A consumer's function side: log group, role, policy, Lambda function and event source mapping.

Every consumer runs the same entry point (``eventpipe.runtime.handler``) from the shared
runtime layer; the plugin's handler is named in the environment, which
``eventpipe.function_env`` computes (the test kit sets the same one). The mapping always
reports batch item failures and never has a filter: a filter on an SQS mapping deletes
the messages it does not match, so filtering belongs in the rule's pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam, naming
from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer, ConsumerResources
from eventpipe.function_env import function_environment

ENTRY_POINT = "eventpipe.runtime.handler"


@dataclass
class FunctionSide:
    """What :func:`declare_function` declared."""

    log_group: aws.cloudwatch.LogGroup
    role: aws.iam.Role
    policy: aws.iam.RolePolicy
    function: aws.lambda_.Function
    mapping: aws.lambda_.EventSourceMapping


@dataclass
class FunctionInputs:
    """Addresses and artifacts the function side needs from the rest of the stack."""

    queue_arn: pulumi.Input[str]
    dlq_arn: pulumi.Input[str]
    dlq_url: pulumi.Input[str]
    idempotency_table_name: pulumi.Input[str] | None
    idempotency_table_arn: pulumi.Input[str] | None
    layers: list[pulumi.Input[str]]
    code: pulumi.Archive
    attempts_table_name: pulumi.Input[str] | None = None
    """FIFO: the stack's table, where each record's own failed attempts are counted."""
    attempts_table_arn: pulumi.Input[str] | None = None


def declare_log_group(
    name: str,
    function_name: str,
    settings: StackSettings,
    *,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.LogGroup:
    """``<name>-logs``: the function's log group (``/aws/lambda/<function name>``), with the
    stack's retention; shared by consumer and stack-level functions."""
    return aws.cloudwatch.LogGroup(
        f"{name}-logs",
        name=naming.log_group_name(function_name),
        retention_in_days=settings.log_retention_days,
        tags=tags,
        opts=opts,
    )


def declare_function(
    name: str,
    consumer: Consumer,
    plugin: str,
    settings: StackSettings,
    inputs: FunctionInputs,
    extra: ConsumerResources,
    *,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> FunctionSide:
    """Log group, least-privilege role and policy, function and event source mapping."""
    prefix = settings.prefix
    child = pulumi.ResourceOptions(parent=parent)
    function_name = naming.consumer_name(prefix, consumer.name, naming.LIMIT_FUNCTION)
    log_group = declare_log_group(name, function_name, settings, tags=tags, opts=child)
    role = aws.iam.Role(
        f"{name}-role",
        name=naming.consumer_name(prefix, consumer.name, naming.LIMIT_ROLE),
        assume_role_policy=iam.assume_role_policy(),
        description=f"eventpipe consumer {consumer.name} (plugin {plugin})",
        tags=tags,
        opts=child,
    )
    policy = aws.iam.RolePolicy(
        f"{name}-policy",
        role=role.id,
        name="eventpipe-consumer",
        policy=iam.document(
            iam.function_statements(
                queue_arn=inputs.queue_arn,
                dlq_arn=inputs.dlq_arn,
                log_group_arn=log_group.arn,
                idempotency_table_arn=inputs.idempotency_table_arn,
                tracing=settings.tracing,
                extra=extra.statements,
                attempts=(
                    (inputs.attempts_table_arn, consumer.name)
                    if inputs.attempts_table_arn is not None
                    else None
                ),
            )
        ),
        opts=child,
    )
    function = aws.lambda_.Function(
        f"{name}-function",
        name=function_name,
        role=role.arn,
        runtime=settings.python_runtime,
        architectures=[settings.architecture],
        handler=ENTRY_POINT,
        code=inputs.code,
        timeout=consumer.timeout,
        memory_size=consumer.memory,
        reserved_concurrent_executions=(
            consumer.reserved_concurrency if consumer.reserved_concurrency is not None else -1
        ),
        layers=inputs.layers,
        environment=aws.lambda_.FunctionEnvironmentArgs(
            variables=function_environment(
                consumer,
                dlq_url=inputs.dlq_url,
                idempotency_table=inputs.idempotency_table_name,
                attempts_table=inputs.attempts_table_name,
                plugin_env=extra.environment,
            )
        ),
        tracing_config=aws.lambda_.FunctionTracingConfigArgs(
            mode="Active" if settings.tracing else "PassThrough"
        ),
        description=consumer.description or f"eventpipe consumer {consumer.name}",
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[log_group, policy]),
    )
    mapping = event_source_mapping(
        f"{name}-esm",
        consumer,
        queue_arn=inputs.queue_arn,
        function_arn=function.arn,
        tags=tags,
        # Lambda checks the role can read the queue when the mapping is created.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[policy]),
    )
    return FunctionSide(log_group, role, policy, function, mapping)


OPERATOR_OWNED_MAPPING_FIELDS = ["enabled"]
"""Fields of the event source mapping that ``pulumi up`` leaves alone once it exists.

``eventpipe pause`` and the circuit breaker disable a mapping with
UpdateEventSourceMapping(Enabled=false); without this, the next ``pulumi up`` would see
drift and re-enable it, ending a pause or an open breaker behind the operator's back.
``eventpipe resume`` (or the breaker closing) is the way back. The concurrency the breaker
lowers while half-open is not listed: a ``pulumi up`` then restores the configured value,
the same thing closing the breaker does."""


def event_source_mapping(
    name: str,
    consumer: Consumer,
    *,
    queue_arn: pulumi.Input[str],
    function_arn: pulumi.Input[str],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.lambda_.EventSourceMapping:
    scaling = (
        aws.lambda_.EventSourceMappingScalingConfigArgs(
            maximum_concurrency=consumer.max_concurrency
        )
        if consumer.max_concurrency is not None
        else None
    )
    return aws.lambda_.EventSourceMapping(
        name,
        event_source_arn=queue_arn,
        function_name=function_arn,
        batch_size=consumer.batch_size,
        maximum_batching_window_in_seconds=consumer.batching_window or None,
        function_response_types=["ReportBatchItemFailures"],
        scaling_config=scaling,
        tags=tags,
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(ignore_changes=OPERATOR_OWNED_MAPPING_FIELDS)
        ),
    )
