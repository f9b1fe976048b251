"""Stacks to draw: the example project's, and made-up ones of any size with every kind of
consumer (rule, per-key FIFO, topic, fed directly, with a breaker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventpipe.consumer import CircuitBreaker, Consumer
from eventpipe.graph import Topology, topology
from eventpipe.resolve import resolve_from_file
from eventpipe.stack_settings import StackSettings

ROOT = Path(__file__).resolve().parents[2]


def mixed_consumers(count: int) -> list[tuple[str, Consumer]]:
    """``count`` consumers cycling through the five kinds, spread over three plugins."""
    made = []
    for n in range(count):
        kind = n % 5
        common = {"name": f"c{n:02d}", "handler": "pkg.handler:handle"}
        pattern = {"source": [f"app.{n}"], "detail-type": ["Created", "Updated"]}
        if kind == 0:
            consumer = Consumer(**common, pattern=pattern)
        elif kind == 1:
            consumer = Consumer(
                **common, pattern=pattern, fifo=True, message_group="$.detail.customerId"
            )
        elif kind == 2:
            consumer = Consumer(
                **common, pattern=None, topic="payments", filter_policy={"kind": ["card"]}
            )
        elif kind == 3:
            consumer = Consumer(**common, pattern=None)
        else:
            consumer = Consumer(
                **common,
                pattern=pattern,
                circuit_breaker=CircuitBreaker(failed_records=10, period=60, cooldown=300),
            )
        made.append((f"plugin{n % 3}", consumer))
    return made


def mixed_topology(count: int) -> Topology:
    settings = StackSettings(
        topics=["payments"], deadLetterArchive={"afterDays": 7, "expireDays": 90}
    )
    return topology(settings, mixed_consumers(count))


@pytest.fixture
def example_topology() -> Topology:
    resolved = resolve_from_file(ROOT, "dev")
    return topology(resolved.settings, [(d.plugin, d.consumer) for d in resolved.enabled])
