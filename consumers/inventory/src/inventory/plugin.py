"""The inventory plugin: reserve stock for every created order.

Runs inside the Pulumi program (and ``eventpipe consumers``); the table is declared by
``inventory.infra`` when the pipeline is built.
"""

from __future__ import annotations

import eventpipe

CONSUMER = "inventory-reservation"


@eventpipe.hookimpl
def eventpipe_consumers() -> list[eventpipe.Consumer]:
    return [
        eventpipe.Consumer(
            name=CONSUMER,
            description="Reserves the stock of each created order, all lines or none",
            # The same events reach order-processing too: one event, two consumers.
            pattern={"source": ["ecommerce.orders"], "detail-type": ["Order Created"]},
            handler="inventory.handler:reserve",
            batch_size=10,
            timeout=30,
            resources="inventory.infra:inventory_table",
        )
    ]


def _order(order_id: str, **lines: int) -> dict[str, object]:
    return {
        "orderId": order_id,
        "customerId": "customer-321",
        "customerEmail": "customer-321@example.com",
        "amount": 60.0,
        "items": [{"sku": sku.replace("_", "-"), "quantity": qty} for sku, qty in lines.items()],
    }


@eventpipe.hookimpl
def eventpipe_sample_events() -> list[eventpipe.SampleEvent]:
    """One order that fits the demo stock, one that cannot (the last limited print)."""
    return [
        eventpipe.SampleEvent(
            description="two mugs and a tee: reserved",
            source="ecommerce.orders",
            detail_type="Order Created",
            detail=_order("order-inv-1", SKU_RED_MUG=2, SKU_BLUE_TEE=1),
            expect={CONSUMER: "succeeded"},
        ),
        eventpipe.SampleEvent(
            description="five limited prints, one in stock: PermanentError -> DLQ with reason",
            source="ecommerce.orders",
            detail_type="Order Created",
            detail=_order("order-inv-2", SKU_LIMITED_PRINT=5),
            expect={CONSUMER: "dead-lettered"},
        ),
    ]
