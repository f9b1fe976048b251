"""The estimator's arithmetic, recomputed from the price table it reads.

``ROUND`` is a test table with round prices so one consumer can be worked by hand; the
other tests recompute their expectations from the shipped table's own values.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from components.alarms import alarm_specs
from components.dashboard import CONSUMERS_PER_PAGE, dashboard_pages
from eventpipe.config import StackSettings
from eventpipe.consumer import CircuitBreaker, Consumer
from eventpipe.cost import AssumptionError, Assumptions, PriceTable, estimate, load_prices
from eventpipe.cost import estimator as estimate_module

ROUND = {
    "eventbridge_custom_event": 1.0,
    "eventbridge_pipes_request": 0.4,
    "eventbridge_archive_processed_gb": 0.1,
    "eventbridge_schema_discovery_event": 0.1,
    "sqs_standard_request": 0.4,
    "sqs_fifo_request": 0.5,
    "lambda_request": 0.2,
    "lambda_gb_second_x86_64": 0.00002,
    "lambda_gb_second_arm64": 0.00001,
    "cloudwatch_alarm_standard": 0.1,
    "cloudwatch_dashboard": 3.0,
    "cloudwatch_logs_ingested_gb": 0.5,
    "sns_publish": 0.5,
    "sns_delivery_sqs": 0.0,
    "dynamodb_write_request_unit": 1.0,
    "cloudwatch_custom_metric": 0.3,
    "cloudwatch_put_metric_data": 0.01,
}


@pytest.fixture
def round_prices(tmp_path: Path) -> PriceTable:
    rows = "".join(
        f'[prices.{key}]\nvalue = {value}\nunit = "u"\n'
        f'source = "https://aws.amazon.com/x/pricing/"\nread = "2026-01-01"\nevidence = "e"\n'
        for key, value in ROUND.items()
    )
    path = tmp_path / "prices.toml"
    path.write_text(
        'date = "2026-01-01"\nregion = "us-east-1"\ncurrency = "USD"\nhours_per_month = 730\n'
        + rows
    )
    return load_prices(path)


def rule_consumer(name: str = "plain", **fields: object) -> Consumer:
    return Consumer(name=name, handler="m:f", pattern={"source": ["shop"]}, **fields)  # type: ignore[arg-type]


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
    # Fixed: 5 alarms x $0.10 + 1 dashboard x $3 + 5 pollers x (730 h x 3600 s / 20 s)
    # = 657,000 empty receives x $0.40/M = 0.2628.
    assert result.fixed_monthly == pytest.approx(0.5 + 3.0 + 0.2628)


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


def test_large_events_are_billed_per_64_kb_chunk(round_prices: PriceTable) -> None:
    a = Assumptions(event_kb=100, failure_rate=0)
    (cost,) = estimate(StackSettings(), [rule_consumer(batch_size=10)], round_prices, a).consumers
    items = {line.item: line for line in [*cost.shared, *cost.lines]}
    assert items["custom event published"].quantity == 2  # ceil(100 / 64)
    assert items["queue SendMessage"].quantity == 2
    # One receive returns 10 x 100 KB = 1000 KB: ceil(1000 / 64) = 16 chunks, 1.6 a message.
    assert items["queue ReceiveMessage"].quantity == pytest.approx(1.6)


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


def test_alarm_count_is_what_the_components_declare() -> None:
    assert len(alarm_specs(rule_consumer())) == estimate_module.ALARMS_PER_CONSUMER
    result = estimate(StackSettings(), [rule_consumer("a"), rule_consumer("b")], load_prices())
    (alarms,) = [line for line in result.fixed if line.item == "alarms"]
    assert alarms.quantity == 2 * len(alarm_specs(rule_consumer()))


@pytest.mark.parametrize("count", [1, 50, 51, 120])
def test_dashboard_count_is_what_the_components_declare(count: int) -> None:
    assert estimate_module.CONSUMERS_PER_PAGE == CONSUMERS_PER_PAGE
    consumers = [rule_consumer(f"c{i}") for i in range(count)]
    declared = dashboard_pages(consumers, "eventpipe-dev-", "us-east-1")
    assert estimate_module.dashboard_count(count) == len(declared)
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


def test_per_million_is_the_sum_of_its_lines() -> None:
    prices = load_prices()
    (cost,) = estimate(StackSettings(), [rule_consumer()], prices).consumers
    recomputed = sum(
        line.quantity * prices[line.price_key] / line.per for line in [*cost.shared, *cost.lines]
    )
    assert cost.per_million == pytest.approx(recomputed * 1e6)
    assert math.isclose(sum(cost.by_service().values()), cost.per_million)


def test_breaker_adds_one_alarm_per_consumer_with_a_breaker(round_prices: PriceTable) -> None:
    guarded = rule_consumer(
        "guarded", circuit_breaker=CircuitBreaker(failed_records=5, period=60, cooldown=300)
    )
    result = estimate(StackSettings(), [guarded, rule_consumer("open")], round_prices)
    items = {line.item: line for line in result.fixed}
    assert items["alarms"].quantity == 2 * 5
    assert items["breaker alarms"].quantity == 1
    assert items["breaker alarms"].cost == pytest.approx(0.1)


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


def test_runtime_metrics_are_the_ones_the_runtime_publishes() -> None:
    source = (Path(__file__).parents[2] / "eventpipe/runtime/observability.py").read_text()
    for name in (*estimate_module.RUNTIME_METRICS, "DuplicatesSkipped"):
        assert f'"{name}"' in source, name
    prices = load_prices()
    a = Assumptions(events_per_month=10)
    idempotent = rule_consumer("once", idempotent=True)
    result = estimate(StackSettings(), [rule_consumer(), idempotent], prices, a)
    (metrics,) = result.metrics
    assert metrics.quantity == 5 + 6
    assert estimate(StackSettings(), [rule_consumer()], prices, Assumptions()).metrics == []


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


def test_pipe_consumers_have_their_intake_alarms(round_prices: PriceTable) -> None:
    keyed = rule_consumer("keyed", fifo=True, message_group="$.detail.id")
    result = estimate(StackSettings(), [keyed, rule_consumer()], round_prices)
    items = {line.item: line for line in result.fixed}
    assert items["intake alarms"].quantity == 2
    direct = Consumer(name="direct", handler="m:f", fifo=True, message_group="$.id")
    assert not estimate_module.is_pipe_consumer(direct)  # no rule, no intake queue


def test_archiver_and_intake_figures_are_what_the_components_declare() -> None:
    from components import dead_letter_archive
    from components.alarms import intake_alarm_specs

    amount, unit = dead_letter_archive.SCHEDULE.removeprefix("rate(").rstrip(")").split()
    per_day = {"minute": 1440, "minutes": 1440, "hour": 24, "hours": 24, "day": 1, "days": 1}
    assert per_day[unit] // int(amount) == estimate_module.ARCHIVER_RUNS_PER_DAY
    assert estimate_module.ARCHIVER_MEMORY_MB == dead_letter_archive.FUNCTION_MEMORY
    keyed = rule_consumer("keyed", fifo=True, message_group="$.detail.id")
    assert len(intake_alarm_specs(keyed)) == estimate_module.INTAKE_ALARMS_PER_PIPE
