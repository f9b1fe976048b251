"""One priced step of an estimate (:class:`CostLine`), and the builder that prices them.

A line is ``quantity`` units at a price from the table per ``per`` units, so the command
can show, and the tests can recompute, every step of an estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from eventpipe.cost.assumptions import CHUNK_KB, Assumptions
from eventpipe.cost.prices import PriceTable

MILLION = 1_000_000
RECEIVE_MAX = 10
"""ReceiveMessage returns at most 10 messages; DeleteMessageBatch takes at most 10."""

Service = Literal[
    "EventBridge", "SNS", "SQS", "Pipes", "Lambda", "CloudWatch", "DynamoDB", "S3", "Scheduler"
]


@dataclass(frozen=True)
class CostLine:
    """``quantity`` units at ``price`` USD per ``per`` units: ``cost`` USD."""

    service: Service
    item: str
    quantity: float
    price_key: str
    price: float
    per: float
    note: str = ""

    @property
    def cost(self) -> float:
        return self.quantity * self.price / self.per

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "item": self.item,
            "quantity": self.quantity,
            "priceKey": self.price_key,
            "price": self.price,
            "per": self.per,
            "cost": self.cost,
            "note": self.note,
        }


def sqs_price_key(fifo: bool) -> str:
    """The price table key of one SQS request on a FIFO or a standard queue."""
    return "sqs_fifo_request" if fifo else "sqs_standard_request"


class LineBuilder:
    """Builds :class:`CostLine` s against one price table."""

    def __init__(self, prices: PriceTable) -> None:
        self.prices = prices

    def line(
        self, service: Service, item: str, quantity: float, key: str, per: float, note: str = ""
    ) -> CostLine:
        return CostLine(service, item, quantity, key, self.prices[key], per, note)

    def queue_traffic(
        self, label: str, fifo: bool, batch: int, a: Assumptions, *, send: bool = True
    ) -> list[CostLine]:
        """Send, receive and delete of one message on one queue, per event."""
        key = sqs_price_key(fifo)
        per_receive = min(batch, RECEIVE_MAX)
        receive_chunks = math.ceil(per_receive * a.event_kb / CHUNK_KB)
        lines = []
        if send:
            lines.append(
                self.line("SQS", f"{label} SendMessage", a.chunks, key, MILLION, "per 64 KB chunk")
            )
        lines += [
            self.line(
                "SQS",
                f"{label} ReceiveMessage",
                receive_chunks / per_receive,
                key,
                MILLION,
                f"{per_receive} messages a receive",
            ),
            self.line(
                "SQS",
                f"{label} DeleteMessageBatch",
                1 / per_receive,
                key,
                MILLION,
                f"{per_receive} entries a call",
            ),
        ]
        return lines
