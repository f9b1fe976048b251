"""Fixture plugin: one rule-fed FIFO consumer with its own table, one direct queue."""

from __future__ import annotations

import eventpipe
from eventpipe import Consumer, ConsumerResources, ResourceContext


def bucket(ctx: ResourceContext) -> ConsumerResources:
    import pulumi_aws as aws

    store = aws.s3.BucketV2(ctx.resource_name("store"), tags=dict(ctx.tags), opts=ctx.opts())
    return ConsumerResources(
        environment={"STORE_BUCKET": store.bucket},
        statements=[
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": [store.arn.apply(lambda a: f"{a}/*")],
            }
        ],
        outputs={"bucket": store.bucket},
    )


def consumers() -> list[Consumer]:
    return [
        Consumer(
            name="fixture-fifo",
            pattern={"source": ["fixture"], "detail-type": ["Thing Happened"]},
            handler="ep_fixture.handlers:process",
            fifo=True,
            message_group="$.detail.thingId",
            idempotent=True,
            timeout=20,
            resources=bucket,
        ),
        Consumer(name="fixture-direct", handler="ep_fixture.handlers:direct", batch_size=5),
    ]


@eventpipe.hookimpl
def eventpipe_consumers() -> list[Consumer]:
    return consumers()
