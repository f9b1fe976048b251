"""What the estimate assumes: each option's range, and the 64 KB chunk it bills by."""

from __future__ import annotations

import pytest

from eventpipe.config import StackSettings
from eventpipe.cost import (
    AssumptionError,
    Assumptions,
    PriceTable,
    estimate,
    load_prices,
)
from tests.cost.conftest import rule_consumer


@pytest.mark.parametrize(
    ("field", "value", "option"),
    [
        ("failure_rate", 1.5, "--failure-rate"),
        ("event_kb", 0, "--event-kb"),
        ("poll_seconds", 30, "--poll-seconds"),
        ("duration_ms", -1, "--duration-ms"),
    ],
)
def test_out_of_range_assumptions_name_the_option(field: str, value: float, option: str) -> None:
    with pytest.raises(AssumptionError, match=option):
        estimate(StackSettings(), [rule_consumer()], load_prices(), Assumptions(**{field: value}))  # type: ignore[arg-type]


def test_large_events_are_billed_per_64_kb_chunk(round_prices: PriceTable) -> None:
    a = Assumptions(event_kb=100, failure_rate=0)
    (cost,) = estimate(StackSettings(), [rule_consumer(batch_size=10)], round_prices, a).consumers
    items = {line.item: line for line in [*cost.shared, *cost.lines]}
    assert items["custom event published"].quantity == 2  # ceil(100 / 64)
    assert items["queue SendMessage"].quantity == 2
    # One receive returns 10 x 100 KB = 1000 KB: ceil(1000 / 64) = 16 chunks, 1.6 a message.
    assert items["queue ReceiveMessage"].quantity == pytest.approx(1.6)
