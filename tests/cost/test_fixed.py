"""What a stack costs with no events, kept equal to what the components declare."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.alarm_digest import MAX_CHILDREN, plan_digest
from components.dashboard import CONSUMERS_PER_PAGE, dashboard_pages
from eventpipe.config import StackSettings
from eventpipe.consumer import CircuitBreaker, Consumer
from eventpipe.cost import (
    Assumptions,
    PriceTable,
    assumptions,
    estimate,
    fixed,
    load_prices,
    per_event,
)
from eventpipe.health_signals import consumer_signals
from tests.cost.conftest import rule_consumer


def test_alarm_count_is_what_the_components_declare() -> None:
    assert len(consumer_signals(rule_consumer())) == fixed.ALARMS_PER_CONSUMER
    result = estimate(StackSettings(), [rule_consumer("a"), rule_consumer("b")], load_prices())
    (alarms,) = [line for line in result.fixed if line.item == "alarms"]
    assert alarms.quantity == 2 * len(consumer_signals(rule_consumer()))


@pytest.mark.parametrize("alarms", [1, 100, 101, 2500, 12_000])
def test_digest_count_is_what_the_components_declare(alarms: int) -> None:
    assert fixed.ALARMS_PER_COMPOSITE == MAX_CHILDREN
    names = [f"eventpipe-dev-c{i}-alarm" for i in range(alarms)]
    assert fixed.digest_count(alarms) == len(plan_digest("eventpipe-dev-", names))


@pytest.mark.parametrize("count", [1, 50, 51, 120])
def test_dashboard_count_is_what_the_components_declare(count: int) -> None:
    assert fixed.CONSUMERS_PER_PAGE == CONSUMERS_PER_PAGE
    consumers = [rule_consumer(f"c{i}") for i in range(count)]
    declared = dashboard_pages(consumers, "eventpipe-dev-", "us-east-1")
    assert fixed.dashboard_count(count) == len(declared)
    result = estimate(StackSettings(), consumers, load_prices())
    (dashboards,) = [line for line in result.fixed if line.item == "dashboards"]
    assert dashboards.quantity == len(declared)
    assert not any(
        line.item == "dashboards"
        for line in estimate(StackSettings(dashboard=False), consumers, load_prices()).fixed
    )


def test_idle_polling_matches_the_stated_assumption() -> None:
    prices = load_prices()
    a = Assumptions(idle_pollers=2, poll_seconds=20)
    result = estimate(StackSettings(), [rule_consumer()], prices, a)
    (polling,) = [line for line in result.fixed if line.item.startswith("idle polling")]
    assert polling.quantity == pytest.approx(2 * prices.hours_per_month * 3600 / 20)
    assert polling.cost == pytest.approx(polling.quantity * prices["sqs_standard_request"] / 1e6)


def test_breaker_adds_one_alarm_per_consumer_with_a_breaker(round_prices: PriceTable) -> None:
    guarded = rule_consumer(
        "guarded", circuit_breaker=CircuitBreaker(failed_records=5, period=60, cooldown=300)
    )
    result = estimate(StackSettings(), [guarded, rule_consumer("open")], round_prices)
    items = {line.item: line for line in result.fixed}
    assert items["alarms"].quantity == 2 * 5
    assert items["breaker alarms"].quantity == 1
    assert items["breaker alarms"].cost == pytest.approx(0.1)


def test_runtime_metrics_are_the_ones_the_runtime_publishes() -> None:
    source = (Path(__file__).parents[2] / "eventpipe/runtime/observability.py").read_text()
    for name in (*fixed.RUNTIME_METRICS, "DuplicatesSkipped"):
        assert f'"{name}"' in source, name
    prices = load_prices()
    a = Assumptions(events_per_month=10)
    idempotent = rule_consumer("once", idempotent=True)
    result = estimate(StackSettings(), [rule_consumer(), idempotent], prices, a)
    (metrics,) = result.metrics
    assert metrics.quantity == 5 + 6
    assert estimate(StackSettings(), [rule_consumer()], prices, Assumptions()).metrics == []


def test_pipe_consumers_have_their_intake_alarms(round_prices: PriceTable) -> None:
    keyed = rule_consumer("keyed", fifo=True, message_group="$.detail.id")
    result = estimate(StackSettings(), [keyed, rule_consumer()], round_prices)
    items = {line.item: line for line in result.fixed}
    assert items["intake alarms"].quantity == 2
    direct = Consumer(name="direct", handler="m:f", fifo=True, message_group="$.id")
    assert not per_event.is_pipe_consumer(direct)  # no rule, no intake queue


def test_archiver_and_intake_figures_are_what_the_components_declare() -> None:
    from components import dead_letter_archive

    amount, unit = dead_letter_archive.SCHEDULE.removeprefix("rate(").rstrip(")").split()
    per_day = {"minute": 1440, "minutes": 1440, "hour": 24, "hours": 24, "day": 1, "days": 1}
    assert per_day[unit] // int(amount) == assumptions.ARCHIVER_RUNS_PER_DAY
    assert fixed.ARCHIVER_MEMORY_MB == dead_letter_archive.FUNCTION_MEMORY
    keyed = rule_consumer("keyed", fifo=True, message_group="$.detail.id")
    assert len(consumer_signals(keyed)) - len(consumer_signals(rule_consumer())) == (
        fixed.INTAKE_ALARMS_PER_PIPE
    )
