"""The ``detail`` of the order events this plugin consumes.

Field names follow the producers' camelCase JSON (``orderId``); Python code uses the
snake_case attributes. Unknown fields are ignored rather than rejected: producers add
fields over time, and a consumer that refused them would dead-letter every new event.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ORDER_CREATED = "Order Created"
ORDER_UPDATED = "Order Updated"


class _Detail(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class OrderLine(_Detail):
    """One line of an order."""

    sku: str = Field(min_length=1)
    quantity: int = Field(gt=0)


class OrderCreated(_Detail):
    """``Order Created`` as the ``ecommerce.orders`` producer sends it: orderId,
    customerId, amount, timestamp."""

    order_id: str = Field(alias="orderId", min_length=1)
    customer_id: str = Field(alias="customerId", min_length=1)
    # Decimal, not float: DynamoDB stores numbers exactly and rejects Python floats.
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    items: list[OrderLine] = Field(default_factory=list)
    timestamp: datetime | None = None
    simulate_transient_failure: bool = Field(default=False, alias="simulateTransientFailure")
    """Demo switch: fail the first delivery with a RetryableError, succeed on the retry."""


class OrderUpdated(_Detail):
    """``Order Updated``: a status change of an existing order."""

    order_id: str = Field(alias="orderId", min_length=1)
    customer_id: str = Field(alias="customerId", min_length=1)
    status: Literal["pending", "confirmed", "shipped", "delivered", "cancelled"]
    timestamp: datetime | None = None
