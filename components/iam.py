"""IAM and resource policy documents of a pipeline.

Kept apart from the components so the least-privilege rules read in one place: each
function may touch only its own queue, its own DLQ, its own log group, the idempotency
table when it is idempotent, and what its plugin grants explicitly. The one ``*`` resource
is X-Ray's, because ``xray:PutTraceSegments`` and ``xray:PutTelemetryRecords`` support no
resource-level permissions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pulumi

from eventpipe.exceptions import ConfigurationError, Problem

Statement = dict[str, Any]

QUEUE_CONSUME_ACTIONS = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
]
DLQ_SEND_ACTIONS = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
IDEMPOTENCY_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
]
WILDCARD_RESOURCE_ACTIONS = frozenset(XRAY_ACTIONS)
"""Actions AWS only authorises on ``"*"``; the only ones allowed a wildcard resource."""


def document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """A policy JSON document; statement values may be Outputs (ARNs of new resources)."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def assume_role_policy(service: str = "lambda.amazonaws.com") -> str:
    """Trust policy letting ``service`` (Lambda) assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def function_statements(
    *,
    queue_arn: Any,
    dlq_arn: Any,
    log_group_arn: pulumi.Output[str],
    idempotency_table_arn: Any | None,
    tracing: bool,
    extra: Iterable[Statement] = (),
) -> list[Statement]:
    """The function role's inline policy: least privilege for one consumer."""
    statements: list[Statement] = [
        {
            "Sid": "ConsumeQueue",
            "Effect": "Allow",
            "Action": QUEUE_CONSUME_ACTIONS,
            "Resource": queue_arn,
        },
        {"Sid": "DeadLetter", "Effect": "Allow", "Action": DLQ_SEND_ACTIONS, "Resource": dlq_arn},
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": LOG_ACTIONS,
            "Resource": [log_group_arn, pulumi.Output.concat(log_group_arn, ":*")],
        },
    ]
    if tracing:
        statements.append(
            {"Sid": "XRay", "Effect": "Allow", "Action": XRAY_ACTIONS, "Resource": "*"}
        )
    if idempotency_table_arn is not None:
        statements.append(
            {
                "Sid": "Idempotency",
                "Effect": "Allow",
                "Action": IDEMPOTENCY_ACTIONS,
                "Resource": idempotency_table_arn,
            }
        )
    statements.extend(extra)
    return statements


def tls_only(queue_arn: Any) -> Statement:
    """Deny any request to the queue that does not use TLS (aws:SecureTransport false)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": queue_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def events_send(queue_arn: Any, source_arn: Any, *, like: bool = False) -> Statement:
    """Let EventBridge send to the queue, only on behalf of ``source_arn`` (the rule, or
    an ``ArnLike`` pattern of this stack's rules)."""
    operator = "ArnLike" if like else "ArnEquals"
    return {
        "Sid": "AllowEventBridgeRule",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {operator: {"aws:SourceArn": source_arn}},
    }


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def lint_statements(statements: Iterable[Mapping[str, Any]], *, plugin: str, consumer: str) -> None:
    """Reject wildcard actions/resources in a plugin's statements before anything deploys.

    Only plain strings can be checked here; Output values are ARNs of resources the plugin
    declared, which are never wildcards.
    """
    problems: list[Problem] = []
    for index, statement in enumerate(statements):
        where = f"resources.statements[{index}]"
        if not isinstance(statement, Mapping) or "Action" not in statement:
            problems.append(
                Problem(
                    plugin,
                    consumer,
                    where,
                    "is not an IAM statement with an Action",
                    'write {"Effect": "Allow", "Action": [...], "Resource": [...]}',
                )
            )
            continue
        actions = [a for a in _as_list(statement["Action"]) if isinstance(a, str)]
        if any(a == "*" or a.endswith(":*") for a in actions):
            problems.append(
                Problem(
                    plugin,
                    consumer,
                    where,
                    f"wildcard action in {actions}",
                    "name the actions the handler calls, e.g. dynamodb:PutItem",
                )
            )
        resources = [r for r in _as_list(statement.get("Resource", [])) if isinstance(r, str)]
        wildcard_ok = set(actions) <= WILDCARD_RESOURCE_ACTIONS
        if "*" in resources and not wildcard_ok:
            problems.append(
                Problem(
                    plugin,
                    consumer,
                    where,
                    "wildcard resource '*'",
                    "scope the statement to the ARNs of the resources you created",
                )
            )
    if problems:
        raise ConfigurationError(problems)
