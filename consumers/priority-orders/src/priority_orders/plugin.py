"""The priority-orders plugin: a numeric pattern routes only orders above 1000.

Runs inside the Pulumi program (and ``eventpipe consumers``); the topic is declared by
``priority_orders.infra`` when the pipeline is built.
"""

from __future__ import annotations

import eventpipe

CONSUMER = "priority-orders"


@eventpipe.hookimpl
def eventpipe_consumers() -> list[eventpipe.Consumer]:
    return [
        eventpipe.Consumer(
            name=CONSUMER,
            description="Flags orders above 1000 on the priority topic",
            pattern={
                # "Order Created" from ecommerce.orders and "order_placed" from my.app.
                "source": ["ecommerce.orders", "my.app"],
                "detail-type": ["Order Created", "order_placed"],
                # Filtering belongs in the pattern: only high-value orders reach the queue.
                "detail": {"amount": [{"numeric": [">", 1000]}]},
            },
            handler="priority_orders.handler:flag",
            batch_size=10,
            timeout=15,
            resources="priority_orders.infra:priority_topic",
        )
    ]


@eventpipe.hookimpl
def eventpipe_sample_events() -> list[eventpipe.SampleEvent]:
    """my.app's order_placed, scaled up to be priority, and an Order Created above 1000."""
    return [
        eventpipe.SampleEvent(
            description="order_placed from my.app, amount 2500",
            source="my.app",
            detail_type="order_placed",
            detail={"orderId": "123", "amount": 2500},
            expect={CONSUMER: "succeeded"},
        ),
        eventpipe.SampleEvent(
            description="Order Created from ecommerce.orders, amount 1500",
            source="ecommerce.orders",
            detail_type="Order Created",
            detail={
                "orderId": "order-vip-1",
                "customerId": "customer-vip",
                "customerEmail": "customer-vip@example.com",
                "amount": 1500,
            },
            expect={CONSUMER: "succeeded"},
        ),
        eventpipe.SampleEvent(
            description="poison: order_placed above 1000 without an orderId -> DLQ",
            source="my.app",
            detail_type="order_placed",
            detail={"amount": 5000},
            expect={CONSUMER: "dead-lettered"},
        ),
    ]
