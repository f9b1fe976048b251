"""Dead letters that never expire: a private bucket and a scheduled archiver.

With ``eventpipe:deadLetterArchive: {afterDays: N, expireDays: M}`` (``expireDays``
optional) the stack declares

- one bucket, private: all four S3 Block Public Access settings on ("Blocking public
  access to your Amazon S3 storage",
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html),
  ACLs disabled (``BucketOwnerEnforced``), default encryption SSE-S3, a bucket policy
  denying any request without TLS (``aws:SecureTransport``), and, with ``expireDays``, a
  lifecycle rule expiring objects M days after they are written ("Expiring objects",
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html).
  Without it there is no lifecycle configuration at all, and S3 keeps every object until
  it is deleted;
- the archiver function (``eventpipe.stack_functions.archiver``), run hourly by
  EventBridge Scheduler rate schedules
  (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), which
  move every DLQ message older than N days (the DLQs keep 14) into the bucket as
  ``<consumer>/<YYYY-MM-DD>/<message id>.json``.

Which DLQs a run archives is in the schedule's input, not in the function's environment
(Lambda allows 4 KB of environment variables, a quota no request raises:
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): one schedule per
page of at most :data:`DLQS_PER_SCHEDULE` DLQs, so no input grows with the stack and each
run's work is bounded (``dlq-archiver``, ``dlq-archiver-2``... as dashboards are paged).

The archiver may receive, delete and re-show messages of this stack's DLQs only (queue
ARNs ``<prefix>*-dlq`` and ``<prefix>*-dlq.fifo``, and the stack's ``eventpipe:stack``
tag: a policy of the same size for any number of consumers, where an inline role policy
holds 10,240 characters, fixed:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), write objects
to the bucket only, publish metrics to the ``eventpipe`` namespace only (``PutMetricData``
has no resource-level permission, so the resource is ``*`` and the ``cloudwatch:namespace``
condition key scopes it: "Actions, resources, and condition keys for Amazon CloudWatch",
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html)
and publish its notice to the alarm topic only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
from eventpipe.config import DeadLetterArchive as ArchiveSettings
from eventpipe.config import StackSettings
from eventpipe.stack_functions import settings as fn_settings
from eventpipe.stack_functions.settings import ARCHIVE_DELIVERY_KEY
from eventpipe.stack_output import DeadLetterArchiveOutputs

TYPE = "eventpipe:index:DeadLetterArchive"
SCHEDULE = "rate(1 hour)"
FUNCTION_TIMEOUT = 300
FUNCTION_MEMORY = 256
DLQ_ACTIONS = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
]
BUCKET_PREFIX_LIMIT = 37
"""Pulumi's ``bucket_prefix`` takes at most 37 characters (it adds a unique suffix)."""
DLQS_PER_SCHEDULE = 100
"""DLQs one archiver run covers: its schedule's input stays near 12 KB (100 names of at
most 80 characters and their consumers), whatever the stack's size."""


@dataclass
class DeadLetterArchiveArgs:
    settings: StackSettings
    archive: ArchiveSettings
    dlqs: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]]
    """Consumer (or ``_delivery``) -> (DLQ name, DLQ ARN)."""
    region: str
    account_id: pulumi.Input[str]
    alarm_topic_arn: pulumi.Input[str]
    code: pulumi.Archive


def bucket_prefix(prefix: str) -> str:
    """A bucket name prefix from the stack prefix: S3 takes lower-case letters, digits,
    '-' and '.' ("General purpose bucket naming rules",
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)."""
    stem = re.sub(r"[^a-z0-9-]", "-", prefix.lower()) + "dead-letters-"
    return stem.lstrip("-")[:BUCKET_PREFIX_LIMIT] or "eventpipe-dead-letters-"


def bucket_policy_statements(bucket_arn: Any) -> list[dict[str, Any]]:
    """Deny every request that does not use TLS."""
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def dlq_arn_patterns(region: str, account_id: Any, prefix: str) -> list[pulumi.Output[str]]:
    """Every DLQ of the stack by name: ``<prefix><consumer>-dlq[.fifo]`` and the bus's
    ``<prefix>delivery-dlq`` (validation keeps consumer names short enough that no queue
    name is shortened, so the suffix is always there)."""
    head = pulumi.Output.concat("arn:aws:sqs:", region, ":", account_id, ":", prefix)
    return [pulumi.Output.concat(head, "*-dlq"), pulumi.Output.concat(head, "*-dlq.fifo")]


def archiver_statements(
    *, dlq_arns: list[Any], stack: str, bucket_arn: Any, topic_arn: Any
) -> list[dict[str, Any]]:
    """The archiver's policy (:func:`declare_stack_function` adds its own logs)."""
    return [
        {
            "Sid": "ReadDeadLetters",
            "Effect": "Allow",
            "Action": DLQ_ACTIONS,
            "Resource": dlq_arns,
            "Condition": iam.of_this_stack(stack),
        },
        {
            "Sid": "WriteArchive",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": pulumi.Output.concat(bucket_arn, "/*"),
        },
        {
            "Sid": "CountArchived",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData"],
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": contract.METRICS_NAMESPACE}},
        },
        {"Sid": "Notify", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": topic_arn},
    ]


@dataclass(frozen=True)
class SchedulePage:
    """One archiver schedule: its name suffix and the input naming its DLQs."""

    key: str
    """``""`` for the first page, ``"-2"``, ``"-3"``... after it."""
    input: pulumi.Output[str]
    """``{"queues": {consumer (or _delivery): DLQ name}}`` as JSON."""


def _keys(pages: Sequence[object]) -> list[str]:
    return ["" if number == 1 else f"-{number}" for number in range(1, len(pages) + 1)]


def schedule_pages(
    dlqs: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]],
) -> list[SchedulePage]:
    """The DLQs in pages of :data:`DLQS_PER_SCHEDULE`, each the input of one schedule."""
    owners = list(dlqs)
    chunks = [owners[i : i + DLQS_PER_SCHEDULE] for i in range(0, len(owners), DLQS_PER_SCHEDULE)]
    return [
        SchedulePage(
            key,
            json_doc.json_dumps(
                {fn_settings.ARCHIVE_RUN_QUEUES: {owner: dlqs[owner][0] for owner in chunk}}
            ),
        )
        for key, chunk in zip(_keys(chunks), chunks, strict=True)
    ]


class DeadLetterArchive(pulumi.ComponentResource):
    """The archive bucket, the archiver and its schedule; :attr:`outputs` is the stack
    output's top-level ``deadLetterArchive``."""

    outputs: DeadLetterArchiveOutputs[pulumi.Input[str]]

    def __init__(
        self, name: str, args: DeadLetterArchiveArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        settings, prefix, archive = args.settings, args.settings.prefix, args.archive
        tags = naming.stack_tags(settings)
        child = pulumi.ResourceOptions(parent=self)
        self.archive = archive

        bucket = aws.s3.Bucket(
            f"{name}-bucket", bucket_prefix=bucket_prefix(prefix), tags=tags, opts=child
        )
        block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        bucket_policy = aws.s3.BucketPolicy(
            f"{name}-bucket-policy",
            bucket=bucket.id,
            policy=iam.document(bucket_policy_statements(bucket.arn)),
            # S3 refuses a policy while the public access block is being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[block]),
        )
        lifecycle = None
        if archive.expire_days is not None:
            lifecycle = aws.s3.BucketLifecycleConfiguration(
                f"{name}-lifecycle",
                bucket=bucket.id,
                rules=[
                    aws.s3.BucketLifecycleConfigurationRuleArgs(
                        id="expire-archived-dead-letters",
                        status="Enabled",
                        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                            days=archive.expire_days
                        ),
                    )
                ],
                opts=child,
            )

        side = declare_stack_function(
            name,
            stem="dlq-archiver",
            settings=settings,
            role_description="eventpipe dead-letter archiver: DLQs -> archive bucket",
            policy_name="eventpipe-dlq-archiver",
            statements=archiver_statements(
                dlq_arns=dlq_arn_patterns(args.region, args.account_id, prefix),
                stack=settings.stack,
                bucket_arn=bucket.arn,
                topic_arn=args.alarm_topic_arn,
            ),
            handler=fn_settings.ARCHIVER_HANDLER,
            code=args.code,
            timeout=FUNCTION_TIMEOUT,
            memory=FUNCTION_MEMORY,
            environment={
                fn_settings.ENV_ARCHIVE_BUCKET: bucket.bucket,
                fn_settings.ENV_ARCHIVE_AFTER_DAYS: str(archive.after_days),
                fn_settings.ENV_ARCHIVE_TOPIC: args.alarm_topic_arn,
            },
            description="eventpipe dead-letter archiver: old dead letters to S3",
            tags=tags,
            parent=self,
        )
        function = side.function
        scheduler_role = declare_scheduler_role(
            name,
            stem="dlq-archiver-scheduler",
            settings=settings,
            account_id=args.account_id,
            description="EventBridge Scheduler runs the eventpipe dead-letter archiver",
            tags=tags,
            parent=self,
        )
        invoke = declare_invoke_policy(
            name, scheduler_role, function, policy_name="eventpipe-dlq-archiver-invoke",
            sid="InvokeArchiver", parent=self,
        )  # fmt: skip
        schedules = [
            aws.scheduler.Schedule(
                f"{name}-schedule{page.key}",
                name=naming.fit(f"{prefix}dlq-archiver{page.key}", 64),
                schedule_expression=SCHEDULE,
                flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
                target=aws.scheduler.ScheduleTargetArgs(
                    arn=function.arn, role_arn=scheduler_role.arn, input=page.input
                ),
                description="eventpipe: archive dead letters before SQS deletes them",
                opts=pulumi.ResourceOptions(parent=self, depends_on=[invoke]),
            )
            for page in schedule_pages(args.dlqs)
        ]
        schedule = schedules[0]
        self.resources: dict[str, pulumi.Resource] = dict(
            bucket=bucket, public_access_block=block, ownership=ownership,
            encryption=encryption, bucket_policy=bucket_policy,
            logs=side.log_group, role=side.role, policy=side.policy, function=function,
            scheduler_role=scheduler_role, scheduler_policy=invoke,
        )  # fmt: skip
        if lifecycle is not None:
            self.resources["lifecycle"] = lifecycle
        keys = _keys(schedules)
        self.resources.update({f"schedule{k}": s for k, s in zip(keys, schedules, strict=True)})
        self.bucket_name, self.function_name = bucket.bucket, function.name
        self.schedule_name = schedule.name
        self.outputs = DeadLetterArchiveOutputs(
            bucket_name=bucket.bucket,
            archiver_function_name=function.name,
            after_days=archive.after_days,
            expire_days=archive.expire_days,
            schedule_name=schedule.name,
        )
        self.register_outputs({"bucketName": bucket.bucket, "functionName": function.name})


def declare_dead_letter_archive(
    bus: EventBus, pipelines: Sequence[ConsumerPipeline], build_dir: Path
) -> DeadLetterArchive | None:
    """The stack's dead-letter archive over every consumer's DLQ and the bus's delivery DLQ,
    a child of ``bus`` (``<bus>-dead-letter-archive``), when the stack config asks for one
    (``eventpipe:deadLetterArchive``); None otherwise."""
    settings = bus.settings
    if settings.dead_letter_archive is None:
        return None
    dlqs: dict[str, tuple[pulumi.Input[str], pulumi.Input[str]]] = {
        p.consumer.name: (p.dlq_name, p.dlq_arn) for p in pipelines
    }
    dlqs[ARCHIVE_DELIVERY_KEY] = (bus.delivery_dlq_name, bus.delivery_dlq_arn)
    return DeadLetterArchive(
        f"{bus.pulumi_resource_name}-dead-letter-archive",
        DeadLetterArchiveArgs(
            settings, settings.dead_letter_archive, dlqs, bus.region, bus.account_id(),
            bus.alarm_topic_arn, stack_functions_code(build_dir),
        ),
        opts=pulumi.ResourceOptions(parent=bus),
    )  # fmt: skip
