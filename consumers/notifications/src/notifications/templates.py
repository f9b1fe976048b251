"""Subject and body of the e-mail sent for each detail type.

Kept apart from the handler so wording can change (or be translated) without touching
the error handling, and so tests can check every template without SES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from notifications.models import NotificationDetail

ORDER_CREATED = "Order Created"
PAYMENT_PROCESSED = "Payment Processed"
PAYMENT_FAILED = "Payment Failed"


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def _money(detail: NotificationDetail) -> str:
    return f"{detail.amount:.2f} {detail.currency}" if detail.amount is not None else "your total"


def order_created(d: NotificationDetail) -> Email:
    return Email(
        f"Order confirmation - {d.order_id}",
        f"Thank you! Your order {d.order_id} ({_money(d)}) has been received.",
    )


def payment_processed(d: NotificationDetail) -> Email:
    return Email(
        f"Payment received - {d.order_id}",
        f"We received your payment of {_money(d)} for order {d.order_id}.",
    )


def payment_failed(d: NotificationDetail) -> Email:
    why = f" Reason: {d.reason}." if d.reason else ""
    return Email(
        f"Payment failed - {d.order_id}",
        f"Your payment of {_money(d)} for order {d.order_id} did not go through.{why} "
        "Please update your payment method.",
    )


TEMPLATES: dict[str, Callable[[NotificationDetail], Email]] = {
    ORDER_CREATED: order_created,
    PAYMENT_PROCESSED: payment_processed,
    PAYMENT_FAILED: payment_failed,
}
