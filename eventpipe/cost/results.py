"""What ``estimate`` returns: each consumer's per-event lines and the stack's totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from eventpipe.cost.assumptions import Assumptions
from eventpipe.cost.lines import MILLION, CostLine
from eventpipe.cost.prices import PriceTable

if TYPE_CHECKING:  # annotations only: `eventpipe cost` starts without pydantic
    from eventpipe.consumer import Consumer


@dataclass
class ConsumerCost:
    """One consumer's cost of one event, line by line (``shared`` lines are its source's
    ingestion, counted once for the stack in monthly totals)."""

    consumer: Consumer
    queue: Literal["fifo", "standard"]
    source: str
    pipe: bool
    lines: list[CostLine] = field(default_factory=list)
    shared: list[CostLine] = field(default_factory=list)

    @property
    def per_event(self) -> float:
        return sum(line.cost for line in (*self.shared, *self.lines))

    @property
    def per_million(self) -> float:
        return self.per_event * MILLION

    def by_service(self) -> dict[str, float]:
        """USD per million events by service, in a stable order."""
        totals: dict[str, float] = {}
        for line in (*self.shared, *self.lines):
            totals[line.service] = totals.get(line.service, 0.0) + line.cost * MILLION
        return totals


@dataclass
class Estimate:
    stack: str
    region: str
    """The stack's region (the table's prices are the table's region's)."""
    prices: PriceTable
    assumptions: Assumptions
    architecture: str
    fixed: list[CostLine]
    consumers: list[ConsumerCost]
    shared: list[CostLine]
    """Per published event, counted once for the stack: bus ingestion, archive, topics."""
    metrics: list[CostLine] = field(default_factory=list)
    """Monthly custom metrics of consumers that run (only with a volume)."""

    @property
    def fixed_monthly(self) -> float:
        return sum(line.cost for line in self.fixed)

    @property
    def monthly(self) -> dict[str, float] | None:
        """Fixed + events at ``events_per_month``, or None without a volume."""
        n = self.assumptions.events_per_month
        if n is None:
            return None
        shared = sum(line.cost for line in self.shared) * n
        consumers = sum(sum(line.cost for line in c.lines) for c in self.consumers) * n
        metrics = sum(line.cost for line in self.metrics)
        return {
            "fixed": self.fixed_monthly,
            "shared": shared,
            "consumers": consumers,
            "metrics": metrics,
            "total": self.fixed_monthly + shared + consumers + metrics,
        }

    def to_json(self) -> dict[str, Any]:
        a = self.assumptions
        monthly = self.monthly
        return {
            "stack": self.stack,
            "stackRegion": self.region,
            "priceTable": {
                "date": self.prices.date,
                "region": self.prices.region,
                "currency": self.prices.currency,
                "hoursPerMonth": self.prices.hours_per_month,
            },
            "assumptions": {
                "eventKb": a.event_kb,
                "durationMs": a.duration_ms,
                "failureRate": a.failure_rate,
                "idlePollers": a.idle_pollers,
                "pollSeconds": a.poll_seconds,
                "logKb": a.log_kb,
                "eventsPerMonth": a.events_per_month,
                "archiverRunsPerDay": a.archiver_runs_per_day,
                "architecture": self.architecture,
                "freeTiers": False,
            },
            "fixedMonthly": {
                "total": self.fixed_monthly,
                "lines": [line.to_json() for line in self.fixed],
            },
            "consumers": [
                {
                    "consumer": c.consumer.name,
                    "queue": c.queue,
                    "source": c.source,
                    "pipe": c.pipe,
                    "memory": c.consumer.memory,
                    "batchSize": c.consumer.batch_size,
                    "perMillionEvents": c.per_million,
                    "byService": [
                        {"service": service, "perMillionEvents": value}
                        for service, value in c.by_service().items()
                    ],
                    "lines": [line.to_json() for line in (*c.shared, *c.lines)],
                }
                for c in self.consumers
            ],
            "sharedPerEvent": [line.to_json() for line in self.shared],
            "monthlyMetrics": [line.to_json() for line in self.metrics],
            "monthly": None
            if monthly is None
            else {"eventsPerMonth": a.events_per_month, **monthly},
        }
