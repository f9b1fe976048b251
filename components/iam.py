"""IAM and resource policy documents of a pipeline.

Kept apart from the components so the least-privilege rules read in one place: each
function may touch only its own queue, its own DLQ, its own log group, the idempotency
table when it is idempotent, ``dynamodb:UpdateItem`` on its own attempt-count items of that
table when it is FIFO, and what its plugin grants explicitly (its statements are linted by ``eventpipe.plugin_resources``). The one ``*`` resource
is X-Ray's, because ``xray:PutTraceSegments`` and ``xray:PutTelemetryRecords`` support no
resource-level permissions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pulumi

from components import json_doc
from components.naming import TAG_STACK
from eventpipe import contract
from eventpipe.plugin_resources import XRAY_ACTIONS

Statement = dict[str, Any]

QUEUE_CONSUME_ACTIONS = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
]
DLQ_SEND_ACTIONS = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]
IDEMPOTENCY_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
]


def document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """A policy JSON document; statement values may be Outputs (ARNs of new resources)."""
    return json_doc.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


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


def write_own_logs(log_group_arn: Any) -> Statement:
    """Write to one log group's streams only (a stream's ARN is the group's ARN + ``:*``)."""
    return {
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": LOG_ACTIONS,
        "Resource": [log_group_arn, pulumi.Output.concat(log_group_arn, ":*")],
    }


def count_own_attempts(table_arn: Any, consumer: str) -> Statement:
    """A FIFO function may update only its own attempt-count items of the stack's table:
    ``dynamodb:LeadingKeys`` (the partition key values a request names) must all match
    ``attempts#<consumer>#*`` ("Using IAM policy conditions for fine-grained access
    control",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
    """
    return {
        "Sid": "CountOwnAttempts",
        "Effect": "Allow",
        "Action": ["dynamodb:UpdateItem"],
        "Resource": table_arn,
        "Condition": {
            "ForAllValues:StringLike": {
                "dynamodb:LeadingKeys": [f"{contract.ATTEMPTS_KEY_PREFIX}{consumer}#*"]
            }
        },
    }


def function_statements(
    *,
    queue_arn: Any,
    dlq_arn: Any,
    log_group_arn: pulumi.Output[str],
    idempotency_table_arn: Any | None,
    tracing: bool,
    extra: Iterable[Statement] = (),
    attempts: tuple[Any, str] | None = None,
) -> list[Statement]:
    """The function role's inline policy: least privilege for one consumer.

    ``attempts`` is ``(table ARN, consumer name)`` for a FIFO consumer
    (:func:`count_own_attempts`)."""
    statements: list[Statement] = [
        {
            "Sid": "ConsumeQueue",
            "Effect": "Allow",
            "Action": QUEUE_CONSUME_ACTIONS,
            "Resource": queue_arn,
        },
        {"Sid": "DeadLetter", "Effect": "Allow", "Action": DLQ_SEND_ACTIONS, "Resource": dlq_arn},
        write_own_logs(log_group_arn),
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
    if attempts is not None:
        statements.append(count_own_attempts(*attempts))
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


def of_this_stack(stack: str) -> dict[str, dict[str, str]]:
    """A condition that the resource carries this stack's ``eventpipe:stack`` tag.

    Name-prefix ARNs alone would also match a stack whose prefix starts with this one's
    (``eventpipe-dev-`` is a prefix of ``eventpipe-dev-x-``); the tag tells them apart.
    ``aws:ResourceTag`` works in identity policies for SQS queues ("ABAC condition keys
    for Amazon SQS", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-abac-condition-keys.html),
    Lambda event source mappings ("Using attribute-based access control in Lambda",
    https://docs.aws.amazon.com/lambda/latest/dg/attribute-based-access-control.html) and
    CloudWatch alarms ("You can also use them to scope user permissions by granting a user
    permission to access or change only resources with certain tag values", TagResource,
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_TagResource.html).
    """
    return {"StringEquals": {f"aws:ResourceTag/{TAG_STACK}": stack}}
