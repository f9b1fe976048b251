"""The schedule runner's expression parsing and time-scaled due times (pure parts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eventpipe.local.schedules import due_at, parse_expression
from eventpipe.local.schedules.runner import MIN_RATE_PERIOD


def test_at_expression_is_read_in_its_timezone() -> None:
    utc = parse_expression("at(2026-12-02T10:00:00)")
    assert utc.kind == "at" and utc.at == datetime(2026, 12, 2, 10, tzinfo=UTC)
    paris = parse_expression("at(2026-12-02T10:00:00)", "Europe/Paris")
    assert paris.at == datetime(2026, 12, 2, 9, tzinfo=UTC)


def test_rate_expression_period_and_cron_not_fired() -> None:
    assert parse_expression("rate(1 hour)").period == 3600
    assert parse_expression("rate(5 minutes)").period == 300
    assert parse_expression("rate(2 days)").period == 172_800
    assert parse_expression("cron(0 * * * ? *)").kind == "cron"
    assert MIN_RATE_PERIOD >= 1


def test_one_time_wait_is_time_scaled_from_creation() -> None:
    created = datetime(2026, 12, 2, 10, tzinfo=UTC)
    at = created + timedelta(seconds=300)
    assert due_at(created, at, 0.01) == created + timedelta(seconds=3)
    assert due_at(created, created - timedelta(seconds=5), 0.01) == created  # past: at once
