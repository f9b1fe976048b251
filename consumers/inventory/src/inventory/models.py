"""The ``Order Created`` detail as inventory reads it: the order and its lines.

Unknown fields are ignored (producers add fields over time); the fields used here are
validated, so a malformed order is dead-lettered with the reason instead of reserving
the wrong stock.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class OrderLine(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=10_000)


class OrderCreated(BaseModel):
    """``Order Created``: which stock to reserve for which order."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    order_id: str = Field(alias="orderId", min_length=1)
    customer_id: str = Field(alias="customerId", min_length=1)
    items: list[OrderLine] = Field(default_factory=list, max_length=99)
    """Empty for producers that do not send lines (``ecommerce.orders``' Order Created
    may come without): nothing to reserve.
    At most 99 lines, because the reservation is one DynamoDB transaction (100 items,
    one of which is the reservation record)."""

    @field_validator("items")
    @classmethod
    def _one_line_per_sku(cls, items: list[OrderLine]) -> list[OrderLine]:
        # A transaction may touch an item only once: merge repeated SKUs up front.
        merged: dict[str, int] = {}
        for line in items:
            merged[line.sku] = merged.get(line.sku, 0) + line.quantity
        return [OrderLine(sku=sku, quantity=qty) for sku, qty in merged.items()]
