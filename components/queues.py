"""A consumer's queue, its DLQ and their policies.

The DLQ has the queue's type (SQS redrives a FIFO queue only to a FIFO DLQ), keeps
messages 14 days (longer than the source queue, so a message never expires in the DLQ
before it would have in the queue) and accepts redrives from its own source only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam, json_doc, naming
from eventpipe.consumer import Consumer

DLQ_RETENTION = 1_209_600
"""14 days, the SQS maximum: every DLQ (the consumers' and the bus's delivery DLQ)."""
LONG_POLL = 20


@dataclass
class Queues:
    queue: aws.sqs.Queue
    dlq: aws.sqs.Queue
    redrive_allow: aws.sqs.RedriveAllowPolicy


def declare_queues(
    name: str,
    consumer: Consumer,
    prefix: str,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> Queues:
    fifo = consumer.fifo
    # FIFO queues need content-based deduplication: EventBridge sends no deduplication id.
    fifo_queue = True if fifo else None
    dedup = True if fifo else None
    dlq = aws.sqs.Queue(
        f"{name}-dlq",
        name=naming.queue_name(prefix, consumer.name, dlq=True, fifo=fifo),
        message_retention_seconds=DLQ_RETENTION,
        sqs_managed_sse_enabled=True,
        tags=tags,
        fifo_queue=fifo_queue,
        content_based_deduplication=dedup,
        opts=opts,
    )
    queue = aws.sqs.Queue(
        f"{name}-queue",
        name=naming.queue_name(prefix, consumer.name, dlq=False, fifo=fifo),
        visibility_timeout_seconds=consumer.effective_visibility_timeout,
        receive_wait_time_seconds=LONG_POLL,
        message_retention_seconds=consumer.retention,
        sqs_managed_sse_enabled=True,
        redrive_policy=json_doc.json_dumps(
            {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": consumer.queue_max_receive_count}
        ),
        tags=tags,
        fifo_queue=fifo_queue,
        content_based_deduplication=dedup,
        opts=opts,
    )
    # A separate resource because the DLQ exists before the queue whose ARN it names.
    redrive_allow = aws.sqs.RedriveAllowPolicy(
        f"{name}-dlq-redrive-allow",
        queue_url=dlq.url,
        redrive_allow_policy=json_doc.json_dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [queue.arn]}
        ),
        opts=opts,
    )
    return Queues(queue, dlq, redrive_allow)


def queue_policy(
    name: str,
    queue: aws.sqs.Queue,
    rule_arn: pulumi.Output[str] | None,
    opts: pulumi.ResourceOptions,
) -> aws.sqs.QueuePolicy:
    """EventBridge may send from this consumer's rule only; nobody may use plain HTTP.

    A directly fed queue gets only the TLS deny: producers are granted access by IAM.
    """
    statements = [iam.tls_only(queue.arn)]
    if rule_arn is not None:
        statements.insert(0, iam.events_send(queue.arn, rule_arn))
    return aws.sqs.QueuePolicy(
        name, queue_url=queue.url, policy=iam.document(statements), opts=opts
    )
