"""The dated price table: every row cites an AWS pricing page and the day it was read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer
from eventpipe.cost import PriceTableError, load_prices
from eventpipe.cost.estimator import Assumptions, estimate

PRICING_PAGE = re.compile(r"^https://aws\.amazon\.com/[a-z0-9-]+/pricing/([a-z0-9-]+/)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_every_price_has_an_aws_pricing_source_and_a_date() -> None:
    table = load_prices()
    assert table.region == "us-east-1" and table.currency == "USD"
    assert DATE.match(table.date)
    assert table.prices, "the table is empty"
    for price in table.prices.values():
        assert PRICING_PAGE.match(price.source), (price.key, price.source)
        assert DATE.match(price.read), (price.key, price.read)
        assert price.read <= table.date, f"{price.key} read after the table's date"
        assert price.unit and price.evidence


def test_the_estimator_finds_every_price_it_uses() -> None:
    """A full estimate touches every price key the model has; none may be missing."""
    consumers = [
        Consumer(name="plain", handler="m:f", pattern={"source": ["a"]}, idempotent=True),
        Consumer(
            name="keyed",
            handler="m:f",
            pattern={"source": ["a"]},
            fifo=True,
            message_group="$.detail.id",
        ),
        Consumer(name="direct", handler="m:f"),
    ]
    settings = StackSettings(schemaDiscovery=True)
    used = {
        line.price_key
        for result in [estimate(settings, consumers, load_prices(), Assumptions())]
        for line in [
            *result.fixed,
            *result.shared,
            *(li for c in result.consumers for li in (*c.shared, *c.lines)),
        ]
    }
    assert used <= set(load_prices().prices)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "prices.toml"
    path.write_text(
        'date = "2026-01-01"\nregion = "us-east-1"\ncurrency = "USD"\nhours_per_month = 730\n'
        + body
    )
    return path


def test_a_row_without_its_source_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[prices.x]\nvalue = 1.0\nunit = "u"\nread = "2026-01-01"\n')
    with pytest.raises(PriceTableError, match=r"\[prices\.x\] lacks source, evidence"):
        load_prices(path)


def test_a_source_that_is_not_an_aws_page_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[prices.x]\nvalue = 1.0\nunit = "u"\nsource = "https://example.com/"\n'
        'read = "2026-01-01"\nevidence = "e"\n',
    )
    with pytest.raises(PriceTableError, match="not an AWS pricing page"):
        load_prices(path)


def test_a_missing_price_names_the_key_and_the_fix(tmp_path: Path) -> None:
    table = load_prices(_write(tmp_path, "[prices]\n"))
    with pytest.raises(PriceTableError, match=r"add a \[prices\.lambda_request\] row"):
        table["lambda_request"]
