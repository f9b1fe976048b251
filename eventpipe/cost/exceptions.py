"""Errors of the cost estimator."""

from __future__ import annotations

from eventpipe.exceptions import EventpipeError


class CostError(EventpipeError):
    """Base of every error the cost estimator raises."""


class PriceTableError(CostError):
    """Raised when the price table is unreadable or a price the estimator needs is missing."""


class AssumptionError(CostError):
    """Raised when an assumption (duration, failure rate, payload size...) is out of range."""
