"""SNS fan-out: the stack's own topics, and a consumer queue subscribed to one.

    publisher --Publish--> topic --subscription(protocol sqs, filter policy)--> queue --ESM--> function

A topic listed in ``eventpipe:topics`` is created by the stack: encrypted at rest with
the AWS managed key for SNS (``alias/aws/sns``, "Encryption at rest",
https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html), and its
policy lets only principals of this account publish or subscribe, and only over TLS. A
consumer with ``topic`` gets a subscription with protocol ``sqs`` and its filter policy
(scope ``MessageAttributes``, SNS's default: "Amazon SNS message filtering",
https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html); raw message
delivery stays off, so the queue receives SNS's JSON envelope (``Type``, ``MessageId``,
``TopicArn``, ``Message``, ``MessageAttributes``...) and the runtime decodes it
(``EVENTPIPE_SOURCE=topic``). The queue's policy lets SNS send only on behalf of that
topic (``aws:SourceArn``, "Subscribing an Amazon SQS queue to an Amazon SNS topic",
https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer

SNS_MANAGED_KEY = "alias/aws/sns"
FILTER_POLICY_SCOPE = "MessageAttributes"
RAW_MESSAGE_DELIVERY = False
"""Raw delivery off: the body is SNS's envelope, which keeps the topic, the message id
and the message attributes beside the message (docs/sns.md)."""
TOPIC_OWNER_ACTIONS = [
    "sns:Publish",
    "sns:Subscribe",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
]


def declare_topics(
    name: str,
    settings: StackSettings,
    account_id: pulumi.Input[str],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> tuple[dict[str, aws.sns.Topic], dict[str, pulumi.Resource]]:
    """One topic per name in ``eventpipe:topics`` and its policy; (topics, all resources)."""
    topics: dict[str, aws.sns.Topic] = {}
    resources: dict[str, pulumi.Resource] = {}
    for topic_name in settings.topics:
        fifo = topic_name.endswith(".fifo")
        topic = aws.sns.Topic(
            f"{name}-topic-{topic_name}",
            name=settings.topic_name(topic_name),
            kms_master_key_id=SNS_MANAGED_KEY,
            fifo_topic=True if fifo else None,
            # A FIFO topic needs a deduplication id per message, or content-based dedup.
            content_based_deduplication=True if fifo else None,
            tags=tags,
            opts=opts,
        )
        topics[topic_name] = topic
        resources[f"topic-{topic_name}"] = topic
        resources[f"topic-{topic_name}-policy"] = aws.sns.TopicPolicy(
            f"{name}-topic-{topic_name}-policy",
            arn=topic.arn,
            policy=iam.document(topic_policy_statements(topic.arn, account_id)),
            opts=opts,
        )
    return topics, resources


def topic_policy_statements(topic_arn: Any, account_id: Any) -> list[dict[str, Any]]:
    """Only this account's principals, only over TLS."""
    return [
        {
            "Sid": "AccountOnly",
            "Effect": "Allow",
            "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account_id, ":root")},
            "Action": TOPIC_OWNER_ACTIONS,
            "Resource": topic_arn,
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]


def sns_send(queue_arn: Any, topic_arn: Any) -> dict[str, Any]:
    """Let SNS send to the queue, only on behalf of ``topic_arn``."""
    return {
        "Sid": "AllowTopicSubscription",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
    }


@dataclass
class QueueSubscription:
    """What :func:`subscribe_queue` declared, and the topic the queue listens to."""

    topic_arn: pulumi.Input[str]
    policy: aws.sqs.QueuePolicy
    subscription: aws.sns.TopicSubscription


def subscribe_queue(
    name: str,
    consumer: Consumer,
    topic_arn: pulumi.Input[str],
    queue: aws.sqs.Queue,
    opts: pulumi.ResourceOptions,
) -> QueueSubscription:
    """The queue's policy (only this topic may send) and its subscription."""
    policy = aws.sqs.QueuePolicy(
        f"{name}-queue-policy",
        queue_url=queue.url,
        policy=iam.document([sns_send(queue.arn, topic_arn), iam.tls_only(queue.arn)]),
        opts=opts,
    )
    subscription = aws.sns.TopicSubscription(
        f"{name}-subscription",
        topic=topic_arn,
        protocol="sqs",
        endpoint=queue.arn,
        raw_message_delivery=RAW_MESSAGE_DELIVERY,
        filter_policy=(
            json.dumps(consumer.filter_policy, sort_keys=True)
            if consumer.filter_policy is not None
            else None
        ),
        filter_policy_scope=FILTER_POLICY_SCOPE if consumer.filter_policy is not None else None,
        # Without the policy in place the first deliveries would be refused.
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[policy])),
    )
    return QueueSubscription(topic_arn, policy, subscription)
