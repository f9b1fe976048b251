"""``eventpipe cost``: what a stack costs, from a dated price table in the repository.

The estimate (:func:`~eventpipe.cost.estimator.estimate`, whose module states the cost
model) is arithmetic over the resolved stack and the table (:mod:`~eventpipe.cost.prices`,
``prices.toml``: us-east-1 list prices, each with its source URL and the day it was
read). Rooms: ``assumptions.py`` (what the stack cannot say), ``lines.py`` (one priced
step), ``per_event.py`` and ``fixed.py`` (the two halves of the model), ``results.py``
(what an estimate returns). It imports neither Pulumi nor boto3.
"""

from __future__ import annotations

from eventpipe.cost.assumptions import Assumptions
from eventpipe.cost.estimator import estimate
from eventpipe.cost.exceptions import AssumptionError, CostError, PriceTableError
from eventpipe.cost.lines import CostLine
from eventpipe.cost.per_event import is_pipe_consumer
from eventpipe.cost.prices import Price, PriceTable, load_prices
from eventpipe.cost.results import ConsumerCost, Estimate

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
