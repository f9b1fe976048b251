"""The notifications plugin: e-mail on order and payment events.

Runs inside the Pulumi program (and ``eventpipe consumers``); the SES permission is
declared by ``notifications.infra`` when the pipeline is built.
"""

from __future__ import annotations

import eventpipe

CONSUMER = "notifications"
DEFAULT_SENDER = "noreply@example.com"
"""Override per stack: ``consumers: {notifications: {environment: {SENDER_EMAIL: ...}}}``."""


@eventpipe.hookimpl
def eventpipe_consumers() -> list[eventpipe.Consumer]:
    return [
        eventpipe.Consumer(
            name=CONSUMER,
            description="E-mails customers when an order is created and when a payment succeeds or fails",
            pattern={
                "source": ["ecommerce.orders", "ecommerce.payments"],
                "detail-type": ["Order Created", "Payment Processed", "Payment Failed"],
            },
            handler="notifications.handler:notify",
            # Standard queue: e-mails need no ordering, and throughput matters more.
            batch_size=10,
            timeout=20,
            environment={"SENDER_EMAIL": DEFAULT_SENDER},
            resources="notifications.infra:ses_sender",
            # When SES is down every e-mail fails: after 20 failed records in a minute the
            # event source mapping is disabled, the e-mails wait in the queue, and after
            # 5 minutes two pollers try again (docs/circuit-breaker.md).
            circuit_breaker=eventpipe.CircuitBreaker(failed_records=20, period=60, cooldown=300),
        )
    ]


def _payment(order_id: str, **extra: object) -> dict[str, object]:
    return {
        "orderId": order_id,
        "customerId": "customer-456",
        "customerEmail": "customer-456@example.com",
        "amount": 99.99,
        "paymentId": f"pay-{order_id}",
        **extra,
    }


@eventpipe.hookimpl
def eventpipe_sample_events() -> list[eventpipe.SampleEvent]:
    """Payment events (processed, failed) and one without a recipient."""
    return [
        eventpipe.SampleEvent(
            description="payment processed: receipt e-mail",
            source="ecommerce.payments",
            detail_type="Payment Processed",
            detail=_payment("order-123"),
            expect={CONSUMER: "succeeded"},
        ),
        eventpipe.SampleEvent(
            description="payment failed: e-mail with the reason",
            source="ecommerce.payments",
            detail_type="Payment Failed",
            detail=_payment("order-124", reason="card declined"),
            expect={CONSUMER: "succeeded"},
        ),
        eventpipe.SampleEvent(
            description="poison: no customerEmail, nobody to notify -> DLQ with the reason",
            source="ecommerce.payments",
            detail_type="Payment Processed",
            detail={"orderId": "order-125", "customerId": "customer-999", "amount": 5},
            expect={CONSUMER: "dead-lettered"},
        ),
    ]
