"""The orders plugin: what eventpipe loads through the ``eventpipe`` entry point.

Runs inside the Pulumi program (and ``eventpipe consumers``), so it stays cheap: the
table is declared by ``orders.infra`` only when the pipeline is built, named here as a
string so that listing consumers does not import pulumi_aws.
"""

from __future__ import annotations

import eventpipe

CONSUMER = "order-processing"


@eventpipe.hookimpl
def eventpipe_consumers() -> list[eventpipe.Consumer]:
    return [
        eventpipe.Consumer(
            name=CONSUMER,
            description="Stores created orders and applies their updates, in order per customer",
            pattern={
                "source": ["ecommerce.orders"],
                "detail-type": ["Order Created", "Order Updated"],
            },
            handler="orders.handler:process",
            # One message group per customer: a customer's events are applied in order,
            # different customers proceed in parallel.
            fifo=True,
            message_group="$.detail.customerId",
            batch_size=10,
            timeout=50,
            memory=512,
            max_concurrency=50,
            idempotent=True,
            resources="orders.infra:orders_table",
        )
    ]


def _order(order_id: str, customer_id: str, amount: float, **extra: object) -> dict[str, object]:
    """An order detail as the ``ecommerce.orders`` producer publishes it (plus the e-mail
    notifications needs, so the same samples exercise every consumer they fan out to)."""
    return {
        "orderId": order_id,
        "customerId": customer_id,
        "customerEmail": f"{customer_id}@example.com",
        "amount": amount,
        **extra,
    }


@eventpipe.hookimpl
def eventpipe_sample_events() -> list[eventpipe.SampleEvent]:
    """Orders as the ``ecommerce.orders`` producer sends them, one poison message and one
    transient failure."""
    created = "Order Created"
    return [
        eventpipe.SampleEvent(
            description="Order Created: order-123 of customer-456, 99.99",
            source="ecommerce.orders",
            detail_type=created,
            detail=_order("order-123", "customer-456", 99.99, timestamp="2026-01-01T10:00:00Z"),
            expect={CONSUMER: "succeeded"},
        ),
        eventpipe.SampleEvent(
            description="status change of order-123, same customer group: applied after it",
            source="ecommerce.orders",
            detail_type="Order Updated",
            detail={
                "orderId": "order-123",
                "customerId": "customer-456",
                "status": "confirmed",
                "timestamp": "2026-01-01T10:05:00Z",
            },
            expect={CONSUMER: "succeeded"},
        ),
        eventpipe.SampleEvent(
            description="poison: a negative amount fails the OrderCreated model -> DLQ at once",
            source="ecommerce.orders",
            detail_type=created,
            detail=_order("order-poison", "customer-789", -5),
            expect={CONSUMER: "dead-lettered"},
        ),
        eventpipe.SampleEvent(
            description="transient: the first delivery raises RetryableError, the retry stores it",
            source="ecommerce.orders",
            detail_type=created,
            detail=_order("order-flaky", "customer-790", 42.5, simulateTransientFailure=True),
            expect={CONSUMER: "retried"},
        ),
    ]
