"""Pulumi side of inventory-reservation: the stock table (and demo stock on dev stacks).

Called by the consumer's pipeline component inside the Pulumi program (never in Lambda).
The function gets the table name in ``INVENTORY_TABLE`` and may only update and put
items of this one table (a transaction needs the permission of each action it contains).
"""

from __future__ import annotations

import json

import pulumi_aws as aws

import eventpipe

TABLE_ENV = "INVENTORY_TABLE"
ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem"]

DEMO_STACKS = frozenset({"dev", "local", "demo", "test"})
"""Stacks that get ``DEMO_STOCK`` so ``eventpipe demo`` has something to reserve. Real
stacks fill the table from the catalogue system, never from Pulumi."""
DEMO_STOCK = {"SKU-RED-MUG": 25, "SKU-BLUE-TEE": 10, "SKU-LIMITED-PRINT": 1}


def inventory_table(ctx: eventpipe.ResourceContext) -> eventpipe.ConsumerResources:
    """On-demand table of ``SKU#<sku>`` stock items and ``RESERVATION#<orderId>`` records."""
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
    if ctx.stack in DEMO_STACKS:
        for sku, stock in DEMO_STOCK.items():
            aws.dynamodb.TableItem(
                ctx.resource_name(f"stock-{sku.lower()}"),
                table_name=table.name,
                hash_key=table.hash_key,
                item=json.dumps({"pk": {"S": f"SKU#{sku}"}, "stock": {"N": str(stock)}}),
                # Reservations change the stock: a later `pulumi up` must not reset it.
                opts=ctx.opts(ignore_changes=["item"], depends_on=[table]),
            )
    return eventpipe.ConsumerResources(
        environment={TABLE_ENV: table.name},
        statements=[{"Effect": "Allow", "Action": ACTIONS, "Resource": [table.arn]}],
        outputs={"inventoryTable": table.name},
    )


__all__ = ["DEMO_STOCK", "inventory_table"]
