"""``eventpipe cost``: what a stack costs, from a dated price table in the repository.

The estimator (:mod:`~eventpipe.cost.estimator`) is arithmetic over the resolved stack
and the table (:mod:`~eventpipe.cost.prices`, ``prices.toml``: us-east-1 list prices,
each with its source URL and the day it was read). It imports neither Pulumi nor boto3.
"""

from __future__ import annotations

from eventpipe.cost.estimator import (
    Assumptions,
    ConsumerCost,
    CostLine,
    Estimate,
    estimate,
    is_pipe_consumer,
)
from eventpipe.cost.exceptions import AssumptionError, CostError, PriceTableError
from eventpipe.cost.prices import Price, PriceTable, load_prices

__all__ = [
    "AssumptionError",
    "Assumptions",
    "ConsumerCost",
    "CostError",
    "CostLine",
    "Estimate",
    "Price",
    "PriceTable",
    "PriceTableError",
    "estimate",
    "is_pipe_consumer",
    "load_prices",
]
