"""The ``detail`` of the order and payment events notifications reads.

One model for the three detail types: they share the fields an e-mail needs (who, which
order) and differ only in optional ones, which the template for each type checks. The
recipient is required: an event without a valid ``customerEmail`` cannot be notified and
goes to the DLQ with the reason instead of being dropped.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class NotificationDetail(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    order_id: str = Field(alias="orderId", min_length=1)
    customer_id: str = Field(alias="customerId", min_length=1)
    customer_email: str = Field(alias="customerEmail", pattern=EMAIL, max_length=254)
    amount: Decimal | None = Field(default=None, ge=0)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    payment_id: str | None = Field(default=None, alias="paymentId")
    reason: str | None = Field(default=None, max_length=500)
    """Why a payment failed (``Payment Failed``)."""
