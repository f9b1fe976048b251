"""The intake queue and DLQ a consumer keeps after it stopped using them.

A FIFO consumer grouped by a JSON path is fed through an intake queue (``components/
intake.py``). When it leaves (``components/retired.py``), or its ``message_group``
becomes a fixed id while it stays, the pipe, its role and the rule target go, but the
intake pair is declared again under the logical names ``declare_intake`` gave it and
with the same parent type, so Pulumi sees the same resources (a URN is the parent's
type and the logical name) and ``pulumi up`` neither deletes nor replaces them. Their
attributes are left as deployed (``ignore_changes``) and their policies become
TLS-only: nothing sends to them any more; a redrive runs with the operator's IAM.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import json_doc, naming
from components.queues import DLQ_RETENTION, queue_policy
from eventpipe.config import StackSettings
from eventpipe.retired_outputs import RetiredOutputs

KEPT_AS_DEPLOYED = [
    "visibilityTimeoutSeconds",
    "messageRetentionSeconds",
    "receiveWaitTimeSeconds",
    "redrivePolicy",
    "contentBasedDeduplication",
    "sqsManagedSseEnabled",
]
"""Queue attributes a kept queue keeps as its pipeline last set them."""
CREATED_RETENTION = 345_600
CREATED_MAX_RECEIVES = 5
"""Used only when the queues do not exist yet (a consumer retired before it deployed)."""
REASON_INTAKE = "message_group no longer a JSON path (eventpipe:retired, intake: true)"


@dataclass
class KeptIntake:
    queue: aws.sqs.Queue
    dlq: aws.sqs.Queue
    resources: dict[str, pulumi.Resource]


def redrive_allow(
    name: str, dlq: aws.sqs.Queue, source: aws.sqs.Queue, opts: pulumi.ResourceOptions
) -> aws.sqs.RedriveAllowPolicy:
    """The DLQ still accepts redrives from its own source only, as its pipeline set it."""
    return aws.sqs.RedriveAllowPolicy(
        name,
        queue_url=dlq.url,
        redrive_allow_policy=json_doc.json_dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [source.arn]}
        ),
        opts=opts,
    )


def keep_intake(
    name: str, prefix: str, tags: dict[str, str], parent: pulumi.Resource
) -> KeptIntake:
    """Declare consumer ``name``'s intake pair again, kept, under ``parent``."""
    child = pulumi.ResourceOptions(parent=parent)
    kept = pulumi.ResourceOptions(parent=parent, ignore_changes=KEPT_AS_DEPLOYED)
    stem = f"{name}-intake"
    dlq = aws.sqs.Queue(
        f"{name}-intake-dlq",
        name=naming.queue_name(prefix, stem, dlq=True, fifo=False),
        message_retention_seconds=DLQ_RETENTION,
        tags=tags,
        opts=kept,
    )
    queue = aws.sqs.Queue(
        f"{name}-intake",
        name=naming.queue_name(prefix, stem, dlq=False, fifo=False),
        message_retention_seconds=CREATED_RETENTION,
        redrive_policy=json_doc.json_dumps(
            {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": CREATED_MAX_RECEIVES}
        ),
        tags=tags,
        opts=kept,
    )
    resources: dict[str, pulumi.Resource] = {"intake": queue, "intake_dlq": dlq}
    resources["intake_dlq_redrive_allow"] = redrive_allow(
        f"{name}-intake-dlq-redrive-allow", dlq, queue, child
    )
    resources["intake_policy"] = queue_policy(f"{name}-intake-policy", queue, None, child)
    resources["intake_dlq_policy"] = queue_policy(f"{name}-intake-dlq-policy", dlq, None, child)
    return KeptIntake(queue, dlq, resources)


def keeps_intake(settings: StackSettings, name: str) -> bool:
    """Whether ``eventpipe:retired`` lists live consumer ``name`` with ``intake: true``
    (and not ``discard``): its ``message_group`` was a JSON path, its intake pair stays."""
    return any(e.name == name and e.intake and not e.discard for e in settings.retired)


def retired_intake(name: str, intake: KeptIntake) -> RetiredOutputs[pulumi.Input[str]]:
    """The ``retired`` entry of the intake pair a consumer kept when its ``message_group``
    stopped being a JSON path: listed as ``NAME-intake``, so ``dlq peek NAME-intake``
    reaches the old intake DLQ while ``NAME`` stays the live consumer."""
    return RetiredOutputs(
        name=f"{name}-intake",
        consumer=name,
        reason=REASON_INTAKE,
        intake_queue_url=intake.queue.url,
        intake_queue_arn=intake.queue.arn,
        intake_dlq_url=intake.dlq.url,
        intake_dlq_arn=intake.dlq.arn,
    )
