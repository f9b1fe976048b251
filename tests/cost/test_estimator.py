"""The estimate end to end, recomputed from the price table it reads: one consumer
worked by hand, monthly totals, every line summed."""

from __future__ import annotations

import math

import pytest

from eventpipe.config import StackSettings
from eventpipe.cost import (
    Assumptions,
    PriceTable,
    estimate,
    load_prices,
)
from tests.cost.conftest import rule_consumer


def test_one_consumer_worked_by_hand(round_prices: PriceTable) -> None:
    """Standard queue, rule-fed, batches of 10, 512 MB on arm64; 1 KB events, 100 ms a
    record, 1% dead-lettered, 1.048576 KB of logs an invocation. Per million events:

    EventBridge 1 chunk x $1.00                          = 1.000
    SQS send 1 x $0.40, receive and delete 0.1 x $0.40 each = 0.400 + 0.040 + 0.040
    DLQ copies 0.01 x $0.40                              = 0.004
    Lambda 100,000 invocations x $0.20/M                 = 0.020
    Lambda 0.5 GB x 0.1 s x 1M = 50,000 GB-s x $0.00001  = 0.500
    Logs 1e6 / 10 x 1.048576 KB = 0.1 GB x $0.50         = 0.050
                                                   total = 2.054
    """
    result = estimate(
        StackSettings(),
        [rule_consumer(memory=512, batch_size=10)],
        round_prices,
        Assumptions(event_kb=1, duration_ms=100, failure_rate=0.01, log_kb=1.048576),
    )
    (consumer,) = result.consumers
    assert consumer.per_million == pytest.approx(2.054)
    by_service = consumer.by_service()
    assert by_service["EventBridge"] == pytest.approx(1.0)
    assert by_service["SQS"] == pytest.approx(0.484)
    assert by_service["Lambda"] == pytest.approx(0.52)
    assert by_service["CloudWatch"] == pytest.approx(0.05)
    # Fixed: one alarm of 5 metrics x $0.10 + 1 composite alarm (the digest) x $0.50
    # + 1 dashboard x $3 + 5 pollers x (730 h x 3600 s / 20 s)
    # = 657,000 empty receives x $0.40/M = 0.2628.
    assert result.fixed_monthly == pytest.approx(0.5 + 0.5 + 3.0 + 0.2628)


def test_monthly_totals_count_the_bus_once(round_prices: PriceTable) -> None:
    a = Assumptions(event_kb=1, duration_ms=100, failure_rate=0.01, events_per_month=2_000_000)
    one = estimate(StackSettings(), [rule_consumer("a")], round_prices, a)
    two = estimate(StackSettings(), [rule_consumer("a"), rule_consumer("b")], round_prices, a)
    assert one.monthly is not None and two.monthly is not None
    # The bus ingests each published event once, and archives it once.
    ingest = 2_000_000 * 1.0 / 1e6 + 2_000_000 * (1 / 1024**2) * 0.1
    assert one.monthly["shared"] == pytest.approx(ingest)
    assert two.monthly["shared"] == pytest.approx(ingest)
    per_consumer = one.consumers[0].per_event - 1.0 / 1e6  # without its own ingestion
    assert two.monthly["consumers"] == pytest.approx(2 * 2_000_000 * per_consumer)
    # Five runtime metrics (EMF) per consumer that runs, at $0.30 a metric-month.
    assert two.monthly["metrics"] == pytest.approx(2 * 5 * 0.3)
    assert two.monthly["total"] == pytest.approx(
        two.fixed_monthly + two.monthly["shared"] + two.monthly["consumers"] + 2 * 5 * 0.3
    )


def test_per_million_is_the_sum_of_its_lines() -> None:
    prices = load_prices()
    (cost,) = estimate(StackSettings(), [rule_consumer()], prices).consumers
    recomputed = sum(
        line.quantity * prices[line.price_key] / line.per for line in [*cost.shared, *cost.lines]
    )
    assert cost.per_million == pytest.approx(recomputed * 1e6)
    assert math.isclose(sum(cost.by_service().values()), cost.per_million)
