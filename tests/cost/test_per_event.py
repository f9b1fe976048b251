"""What one event costs a consumer: source, queues, pipe, Lambda, DLQ and archive lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer
from eventpipe.cost import (
    Assumptions,
    PriceTable,
    estimate,
    load_prices,
)
from tests.cost.conftest import rule_consumer


def test_pipe_consumer_pays_intake_queue_pipes_and_fifo(round_prices: PriceTable) -> None:
    keyed = rule_consumer("keyed", fifo=True, message_group="$.detail.id", batch_size=10)
    a = Assumptions(event_kb=1, failure_rate=0)
    result = estimate(StackSettings(dashboard=False), [keyed], round_prices, a)
    (cost,) = result.consumers
    assert cost.pipe and cost.queue == "fifo"
    items = {line.item: line for line in cost.lines}
    # Intake (standard): send 1, receive and delete 0.1 each; pipe 1 request; FIFO queue:
    # send 1, receive and delete 0.1 each.
    assert items["intake SendMessage"].cost * 1e6 == pytest.approx(0.4)
    assert items["pipe request"].cost * 1e6 == pytest.approx(0.4)
    assert items["queue SendMessage"].cost * 1e6 == pytest.approx(0.5)
    assert cost.by_service()["SQS"] == pytest.approx(0.4 + 0.04 + 0.04 + 0.5 + 0.05 + 0.05)
    polling = [line for line in result.fixed if line.item.startswith("idle polling")]
    assert {line.price_key for line in polling} == {"sqs_standard_request", "sqs_fifo_request"}
    assert sum(line.quantity for line in polling) == pytest.approx(2 * 5 * 730 * 3600 / 20)


def test_fixed_group_fifo_is_a_plain_rule_target(round_prices: PriceTable) -> None:
    fixed_group = rule_consumer("grouped", fifo=True, message_group="all-orders")
    (cost,) = estimate(StackSettings(), [fixed_group], round_prices).consumers
    assert not cost.pipe
    assert not any(line.service == "Pipes" for line in cost.lines)


def test_lambda_prices_follow_memory_and_architecture() -> None:
    prices = load_prices()
    a = Assumptions(duration_ms=200)
    for arch in ("arm64", "x86_64"):
        settings = StackSettings(architecture=arch)
        (cost,) = estimate(settings, [rule_consumer(memory=1024)], prices, a).consumers
        (gb_s,) = [line for line in cost.lines if line.item.startswith("GB-seconds")]
        assert gb_s.quantity == pytest.approx(1.0 * 0.2)
        assert gb_s.cost == pytest.approx(0.2 * prices[f"lambda_gb_second_{arch}"])


def test_direct_queue_and_idempotent_consumers() -> None:
    prices = load_prices()
    direct = Consumer(name="direct", handler="m:f", idempotent=True)
    a = Assumptions(failure_rate=0)
    (cost,) = estimate(StackSettings(), [direct], prices, a).consumers
    assert cost.source == "queue" and not cost.shared
    items = {line.item: line for line in cost.lines}
    assert "queue SendMessage" not in items  # the producer's send is the only one
    assert items["producer SendMessage"].cost == pytest.approx(prices["sqs_standard_request"] / 1e6)
    assert items["idempotency writes"].cost == pytest.approx(
        2 * prices["dynamodb_write_request_unit"] / 1e6
    )
    assert estimate(StackSettings(), [direct], prices, a).shared == []


def test_topic_consumers_pay_one_publish_per_topic(round_prices: PriceTable) -> None:
    a = Assumptions(event_kb=1, failure_rate=0, events_per_month=1_000_000)
    consumers = [
        Consumer(name="fan-a", handler="m:f", topic="orders"),
        Consumer(name="fan-b", handler="m:f", topic="orders"),
        Consumer(name="other", handler="m:f", topic="payments"),
    ]
    result = estimate(StackSettings(topics=["orders", "payments"]), consumers, round_prices, a)
    # Two topics: two publish lines for the stack, no bus ingestion (no rule consumer).
    assert [line.item for line in result.shared] == ["publish to orders", "publish to payments"]
    assert result.monthly is not None
    assert result.monthly["shared"] == pytest.approx(2 * 1_000_000 * 0.5 / 1e6)
    cost = result.consumers[0]
    assert cost.source == "topic"
    items = {line.item: line for line in [*cost.shared, *cost.lines]}
    assert items["publish"].cost * 1e6 == pytest.approx(0.5)
    assert items["delivery to SQS"].cost == 0  # SNS -> SQS deliveries are free
    assert items["queue SendMessage"].cost * 1e6 == pytest.approx(0.4)


def test_dead_letter_archive_lines(round_prices: PriceTable, tmp_path: Path) -> None:
    prices = load_prices()  # S3 and Scheduler prices come from the shipped table
    settings = StackSettings(deadLetterArchive={"afterDays": 7, "expireDays": 365})
    a = Assumptions(event_kb=1, failure_rate=0.02, archiver_runs_per_day=24)
    result = estimate(settings, [rule_consumer(), rule_consumer("fifo-one", fifo=True)], prices, a)
    fixed = {line.item: line for line in result.fixed}
    runs = 24 * prices.hours_per_month / 24
    assert fixed["archiver schedule"].cost == pytest.approx(
        runs * prices["eventbridge_scheduler_invocation"] / 1e6
    )
    assert fixed["archiver receives, 1 standard DLQ(s)"].quantity == pytest.approx(runs)
    assert fixed["archiver receives, 1 fifo DLQ(s)"].price == prices["sqs_fifo_request"]
    items = {line.item: line for line in result.consumers[0].lines}
    assert items["archive PUT"].cost == pytest.approx(0.02 * prices["s3_put_request"] / 1000)
    months = 365 * 24 / prices.hours_per_month
    assert items["archive storage (GB-month)"].cost == pytest.approx(
        0.02 / 1024**2 * months * prices["s3_standard_storage_gb_month"]
    )
    without = estimate(StackSettings(), [rule_consumer()], prices, a)
    assert not any(line.service in ("S3", "Scheduler") for line in without.fixed)
    assert not any(line.service == "S3" for line in without.consumers[0].lines)


def test_an_archive_without_expiry_costs_a_month_of_storage_each_month() -> None:
    prices = load_prices()
    settings = StackSettings(deadLetterArchive={"afterDays": 7})
    a = Assumptions(event_kb=1, failure_rate=0.02, archiver_runs_per_day=24)
    (cost,) = estimate(settings, [rule_consumer()], prices, a).consumers
    storage = {line.item: line for line in cost.lines}["archive storage (GB-month)"]
    assert storage.cost == pytest.approx(0.02 / 1024**2 * prices["s3_standard_storage_gb_month"])
    assert "no expiry" in storage.note


def test_archiver_looks_at_each_dead_letter_until_it_is_old_enough() -> None:
    prices = load_prices()
    settings = StackSettings(deadLetterArchive={"afterDays": 7, "expireDays": 30})
    a = Assumptions(failure_rate=0.1, archiver_runs_per_day=24)
    (cost,) = estimate(settings, [rule_consumer()], prices, a).consumers
    items = {line.item: line for line in cost.lines}
    # 24 runs a day for 7 days = 168 runs, each a receive and a visibility change shared
    # by 10 messages.
    assert items["archiver looks before archiving"].quantity == pytest.approx(0.1 * 168 * 2 / 10)
    fixed = {line.item: line for line in estimate(settings, [rule_consumer()], prices, a).fixed}
    assert fixed["DeadLettersArchived metrics"].cost == pytest.approx(
        prices["cloudwatch_custom_metric"]
    )
