"""The order detail priority-orders reads, from two producers.

``Order Created`` (source ecommerce.orders) and ``order_placed`` (source my.app,
``{"orderId": "123", "amount": 50}``, no customer). Unknown fields are ignored.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

THRESHOLD = Decimal(1000)
"""Mirrors the rule's ``numeric: [">", 1000]``; the pattern does the filtering."""


class HighValueOrder(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    order_id: str = Field(alias="orderId", min_length=1)
    amount: Decimal = Field(gt=0)
    customer_id: str | None = Field(default=None, alias="customerId")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
