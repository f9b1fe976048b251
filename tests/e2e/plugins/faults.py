"""Test plugin (Pulumi side) for fault injection: an idempotent consumer and a FIFO one.

Registered for the end-to-end tests only, through a throwaway ``.dist-info`` entry point
(see ``tests/e2e/conftest.py``). Both handlers record their effects in a DynamoDB table
of the plugin's own, so a test reads the outcome from the emulator, not from memory.
"""

from __future__ import annotations

import eventpipe

HANDLERS = "tests.e2e.plugins.fault_handlers"
TABLE_ENV = "EFFECTS_TABLE"


def effects_table(ctx: eventpipe.ResourceContext) -> eventpipe.ConsumerResources:
    import pulumi_aws as aws

    table = aws.dynamodb.Table(
        ctx.resource_name("effects"),
        billing_mode="PAY_PER_REQUEST",
        hash_key="pk",
        attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
        opts=ctx.opts(),
    )
    return eventpipe.ConsumerResources(
        environment={TABLE_ENV: table.name},
        statements=[
            {"Effect": "Allow", "Action": ["dynamodb:UpdateItem"], "Resource": [table.arn]}
        ],
        outputs={"effectsTable": table.name},
    )


@eventpipe.hookimpl
def eventpipe_consumers() -> list[eventpipe.Consumer]:
    return [
        eventpipe.Consumer(
            name="e2e-faults",
            pattern={"source": ["e2e.faults"]},
            handler=f"{HANDLERS}:apply_once",
            idempotent=True,
            max_receive_count=3,
            timeout=20,
            max_concurrency=2,
            resources=effects_table,
        ),
        eventpipe.Consumer(
            name="e2e-fifo",
            pattern={"source": ["e2e.fifo"]},
            handler=f"{HANDLERS}:append_in_order",
            fifo=True,
            message_group="$.detail.group",
            max_receive_count=5,
            timeout=20,
            max_concurrency=2,
            resources=effects_table,
        ),
    ]
