"""Shared by the cost tests: a price table with round prices, and a rule-fed consumer.

``ROUND`` has round prices so one consumer can be worked by hand; the other tests
recompute their expectations from the shipped table's own values.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eventpipe.consumer import Consumer
from eventpipe.cost import PriceTable, load_prices

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
    "cloudwatch_alarm_composite": 0.5,
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
