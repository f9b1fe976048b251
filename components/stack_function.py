"""A stack-level Lambda function: its log group, role, inline policy and the function.

The circuit breaker and the dead-letter archiver each run one function for the whole
stack (not per consumer), which EventBridge Scheduler also invokes. Both declare the same
resources the same way, so they are declared here once: the log group is ``/aws/lambda/<function name>`` (where Lambda
writes), the role trusts Lambda only, the policy is what the caller grants plus writing
to that log group, and the function waits for both so its first log lines land.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam, json_doc, naming
from components.function import declare_log_group
from eventpipe.config import StackSettings
from eventpipe.packaging import build_stack_functions_archive


def stack_functions_code(build_dir: Path) -> pulumi.FileArchive:
    """The code of both stack-level functions: one archive, built into ``build_dir``."""
    return pulumi.FileArchive(str(build_stack_functions_archive(build_dir)))


@dataclass
class StackFunction:
    """What :func:`declare_stack_function` declared."""

    log_group: aws.cloudwatch.LogGroup
    role: aws.iam.Role
    policy: aws.iam.RolePolicy
    function: aws.lambda_.Function


def declare_stack_function(
    name: str,
    *,
    stem: str,
    settings: StackSettings,
    role_description: str,
    policy_name: str,
    statements: Sequence[iam.Statement],
    handler: str,
    code: pulumi.Archive,
    timeout: int,
    memory: int,
    environment: Mapping[str, pulumi.Input[str]],
    description: str,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> StackFunction:
    """Declare ``<name>-logs``, ``<name>-role``, ``<name>-policy`` and ``<name>-function``.

    ``stem`` names the function and the role (``naming.stack_name(prefix, stem, ...)``);
    the policy is ``statements`` followed by ``WriteOwnLogs`` on the new log group.
    """
    prefix = settings.prefix
    child = pulumi.ResourceOptions(parent=parent)
    function_name = naming.stack_name(prefix, stem, naming.LIMIT_FUNCTION)
    log_group = declare_log_group(name, function_name, settings, tags=tags, opts=child)
    role = aws.iam.Role(
        f"{name}-role",
        name=naming.stack_name(prefix, stem, naming.LIMIT_ROLE),
        assume_role_policy=iam.assume_role_policy(),
        description=role_description,
        tags=tags,
        opts=child,
    )
    policy = aws.iam.RolePolicy(
        f"{name}-policy",
        role=role.id,
        name=policy_name,
        policy=iam.document([*statements, iam.write_own_logs(log_group.arn)]),
        opts=child,
    )
    function = aws.lambda_.Function(
        f"{name}-function",
        name=function_name,
        role=role.arn,
        runtime=settings.python_runtime,
        architectures=[settings.architecture],
        handler=handler,
        code=code,
        timeout=timeout,
        memory_size=memory,
        environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(environment)),
        description=description,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[log_group, policy]),
    )
    return StackFunction(log_group, role, policy, function)


def scheduler_trust(account_id: Any) -> pulumi.Output[str]:
    """EventBridge Scheduler may assume the role, for schedules of this account only
    ("Set up the execution role", https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html)."""
    return json_doc.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "scheduler.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    )


def declare_scheduler_role(
    name: str,
    *,
    stem: str,
    settings: StackSettings,
    account_id: pulumi.Input[str],
    description: str,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> aws.iam.Role:
    """``<name>-scheduler-role``: the role EventBridge Scheduler assumes to invoke it."""
    return aws.iam.Role(
        f"{name}-scheduler-role",
        name=naming.stack_name(settings.prefix, stem, naming.LIMIT_ROLE),
        assume_role_policy=scheduler_trust(account_id),
        description=description,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def declare_invoke_policy(
    name: str,
    role: aws.iam.Role,
    function: aws.lambda_.Function,
    *,
    policy_name: str,
    sid: str,
    parent: pulumi.Resource,
) -> aws.iam.RolePolicy:
    """``<name>-scheduler-policy``: the scheduler role may invoke this function only."""
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": ["lambda:InvokeFunction"],
        "Resource": function.arn,
    }
    return aws.iam.RolePolicy(
        f"{name}-scheduler-policy",
        role=role.id,
        name=policy_name,
        policy=iam.document([statement]),
        opts=pulumi.ResourceOptions(parent=parent),
    )
