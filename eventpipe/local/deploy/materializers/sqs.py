"""SQS queues, their policies and redrive settings."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from eventpipe.local.deploy.materializers.base import (
    Context,
    Outputs,
    as_bool_str,
    as_int,
    as_json,
    materializer,
    physical_name,
)
from eventpipe.local.deploy.records import QueueInfo

MIN_SCALED_VISIBILITY = 2
"""Floor of a time-scaled visibility timeout: a batch (a cold start included) must finish
before its messages become visible again, or they would be delivered twice."""

# pulumi_aws input -> SQS attribute. Booleans become "true"/"false", the rest strings.
_ATTRIBUTES = {
    "visibilityTimeoutSeconds": "VisibilityTimeout",
    "messageRetentionSeconds": "MessageRetentionPeriod",
    "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "delaySeconds": "DelaySeconds",
    "maxMessageSize": "MaximumMessageSize",
    "fifoQueue": "FifoQueue",
    "contentBasedDeduplication": "ContentBasedDeduplication",
    "sqsManagedSseEnabled": "SqsManagedSseEnabled",
    "kmsMasterKeyId": "KmsMasterKeyId",
    "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds",
    "deduplicationScope": "DeduplicationScope",
    "fifoThroughputLimit": "FifoThroughputLimit",
    "redrivePolicy": "RedrivePolicy",
    "redriveAllowPolicy": "RedriveAllowPolicy",
    "policy": "Policy",
}
_BOOLEAN = {"fifoQueue", "contentBasedDeduplication", "sqsManagedSseEnabled"}
_JSON = {"redrivePolicy", "redriveAllowPolicy", "policy"}


def _attributes(ctx: Context, inputs: dict[str, Any]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for key, attribute in _ATTRIBUTES.items():
        value = inputs.get(key)
        if value is None or value == "":
            continue
        if key in _BOOLEAN:
            if key == "fifoQueue" and not value:
                continue  # FifoQueue=false is rejected by SQS on create
            attributes[attribute] = as_bool_str(value)
        elif key in _JSON:
            attributes[attribute] = as_json(value)
        else:
            attributes[attribute] = str(as_int(value))
    declared = as_int(inputs.get("visibilityTimeoutSeconds"), 30) or 0
    if ctx.state.time_scale != 1:
        attributes["VisibilityTimeout"] = str(ctx.scaled(declared, MIN_SCALED_VISIBILITY))
    return attributes


def _create(ctx: Context, name: str, attributes: dict[str, str], tags: dict[str, str]) -> str:
    sqs = ctx.client("sqs")
    try:
        return str(sqs.create_queue(QueueName=name, Attributes=attributes, tags=tags)["QueueUrl"])
    except ClientError as exc:
        # An emulator that lacks one attribute (KMS, throughput limits...) still gets the
        # queue; the notice says what was dropped.
        optional = {
            "KmsMasterKeyId",
            "KmsDataKeyReusePeriodSeconds",
            "FifoThroughputLimit",
            "DeduplicationScope",
            "SqsManagedSseEnabled",
            "RedriveAllowPolicy",
        }
        dropped = sorted(optional & attributes.keys())
        if not dropped:
            raise
        ctx.notice(f"queue {name}: emulator rejected {', '.join(dropped)} ({exc}); created without")
        kept = {k: v for k, v in attributes.items() if k not in optional}
        return str(sqs.create_queue(QueueName=name, Attributes=kept, tags=tags)["QueueUrl"])


def _check_kept(ctx: Context, url: str, attributes: dict[str, str]) -> dict[str, str]:
    """Note attributes the emulator accepted but does not keep (moto drops
    RedriveAllowPolicy, for one), so nobody relies on them locally unknowingly. Returns
    every attribute the queue has (``QueueArn`` among them)."""
    kept: dict[str, str] = ctx.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["All"]
    )["Attributes"]
    dropped = sorted(
        set(attributes) - set(kept) - {"KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds"}
    )
    if dropped:
        ctx.notice(
            f"queue {url.rsplit('/', 1)[-1]}: the emulator does not keep {', '.join(dropped)}"
        )
    return kept


def _redrive(info: QueueInfo, policy: str | None) -> None:
    if not policy:
        return
    parsed = json.loads(policy)
    info.max_receive_count = as_int(parsed.get("maxReceiveCount"))
    info.dlq_arn = parsed.get("deadLetterTargetArn")


@materializer("aws:sqs/queue:Queue")
def queue(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    fifo = bool(inputs.get("fifoQueue"))
    queue_name = physical_name(name, inputs, suffix=".fifo" if fifo else "")
    attributes = _attributes(ctx, inputs)
    tags = {str(k): str(v) for k, v in (inputs.get("tags") or {}).items()}
    try:
        url = _create(ctx, queue_name, attributes, tags)
    except ClientError as exc:
        if not (ctx.redeploy and exc.response.get("Error", {}).get("Code") == "QueueAlreadyExists"):
            raise
        url = _update_in_place(ctx, queue_name, attributes)
    arn = _check_kept(ctx, url, attributes)["QueueArn"]  # one read for both
    info = QueueInfo(
        name=queue_name,
        url=url,
        arn=arn,
        fifo=fifo,
        visibility_timeout=int(attributes.get("VisibilityTimeout", "30")),
        declared_visibility_timeout=as_int(inputs.get("visibilityTimeoutSeconds"), 30) or 0,
    )
    _redrive(info, attributes.get("RedrivePolicy"))
    ctx.state.queues[arn] = info
    return url, {"arn": arn, "url": url, "name": queue_name, "id": url}


def _update_in_place(ctx: Context, name: str, attributes: dict[str, str]) -> str:
    """A queue of the previous deploy whose attributes changed: SetQueueAttributes, as the
    AWS provider updates a queue in place (only ``name`` and ``fifo_queue`` force a new
    one, terraform-provider-aws ``internal/service/sqs/queue.go``). Messages stay.
    CreateQueue refuses an existing name with different attributes ("If you provide the
    name of an existing queue along with the exact names and values of all the queue's
    attributes, CreateQueue returns the queue URL for the existing queue. If the queue
    name, attribute names, or attribute values don't match an existing queue, CreateQueue
    returns an error",
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html)."""
    sqs = ctx.client("sqs")
    url = str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    changed = {k: v for k, v in attributes.items() if k != "FifoQueue"}
    if changed:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=changed)
    ctx.notice(f"queue {name}: updated in place (SetQueueAttributes), messages kept")
    return url


def _set_attribute(ctx: Context, url: str, attribute: str, value: str) -> None:
    ctx.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={attribute: value})


@materializer("aws:sqs/queuePolicy:QueuePolicy")
def queue_policy(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    url = str(inputs["queueUrl"])
    _set_attribute(ctx, url, "Policy", as_json(inputs["policy"]))
    return url, {}


@materializer("aws:sqs/redrivePolicy:RedrivePolicy")
def redrive_policy(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    url = str(inputs["queueUrl"])
    policy = as_json(inputs["redrivePolicy"])
    _set_attribute(ctx, url, "RedrivePolicy", policy)
    info = ctx.state.queue_by_url(url)
    if info is not None:
        _redrive(info, policy)
    return url, {}


@materializer("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")
def redrive_allow_policy(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    url = str(inputs["queueUrl"])
    attributes = {"RedriveAllowPolicy": as_json(inputs["redriveAllowPolicy"])}
    ctx.client("sqs").set_queue_attributes(QueueUrl=url, Attributes=attributes)
    _check_kept(ctx, url, attributes)
    return url, {}
