"""Pulumi side of priority-orders: the topic high-value orders are published to.

The function gets the topic ARN in ``PRIORITY_TOPIC_ARN`` and may publish to this one
topic only. Subscriptions are left to the teams that consume it (the topic ARN is in the
stack output under the consumer).
"""

from __future__ import annotations

import pulumi_aws as aws

import eventpipe

TOPIC_ENV = "PRIORITY_TOPIC_ARN"


def priority_topic(ctx: eventpipe.ResourceContext) -> eventpipe.ConsumerResources:
    topic = aws.sns.Topic(ctx.resource_name("topic"), tags=dict(ctx.tags), opts=ctx.opts())
    return eventpipe.ConsumerResources(
        environment={TOPIC_ENV: topic.arn},
        statements=[{"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [topic.arn]}],
        outputs={"priorityTopicArn": topic.arn},
    )
