"""Pulumi side of order-processing: the plugin's own DynamoDB table.

Called by the consumer's pipeline component inside the Pulumi program (never in Lambda).
The function gets the table name in ``ORDERS_TABLE`` and may only read and write items
of this one table.
"""

from __future__ import annotations

import pulumi_aws as aws

import eventpipe

TABLE_ENV = "ORDERS_TABLE"
ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
"""Exactly what handler.py calls: a conditional put (create) and a conditional update."""


def orders_table(ctx: eventpipe.ResourceContext) -> eventpipe.ConsumerResources:
    """On-demand table keyed by ``pk`` (``ORDER#<orderId>``), with point-in-time recovery."""
    table = aws.dynamodb.Table(
        ctx.resource_name("table"),
        billing_mode="PAY_PER_REQUEST",
        hash_key="pk",
        attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
        server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
        tags=dict(ctx.tags),
        opts=ctx.opts(),
    )
    return eventpipe.ConsumerResources(
        environment={TABLE_ENV: table.name},
        statements=[{"Effect": "Allow", "Action": ACTIONS, "Resource": [table.arn]}],
        outputs={"ordersTable": table.name},
    )
