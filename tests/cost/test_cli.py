"""``eventpipe cost`` on the installed example plugins: the 80-column table and the JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.cost import load_prices

STACK = """
config:
  aws:region: us-east-1
  eventpipe:architecture: x86_64
  eventpipe:consumers:
    priority-orders: {memory: 512}
"""
CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TERMINAL_80 = {"COLUMNS": "80", "TTY_COMPATIBLE": "1"}
"""How eventpipe's tests render a terminal of 80 columns (eventpipe/cli/output.py)."""


def widest(output: str) -> int:
    return max(len(ANSI.sub("", line)) for line in output.splitlines())


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(STACK)
    monkeypatch.setenv("EVENTPIPE_PLUGINS", "orders,priority-orders")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for k, v in value.items() for k in [k, *_keys(v)]]
    if isinstance(value, list):
        return [k for item in value for k in _keys(item)]
    return []


def test_json_is_camel_case_and_adds_up(project: Path) -> None:
    result = CliRunner().invoke(
        app, ["cost", "--json", "--events-per-month", "3000000", "--duration-ms", "80"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert all(CAMEL.match(key) for key in _keys(data)), _keys(data)
    prices = load_prices()
    assert data["priceTable"]["date"] == prices.date
    assert data["assumptions"]["durationMs"] == 80
    assert data["assumptions"]["architecture"] == "x86_64"
    consumers = {c["consumer"]: c for c in data["consumers"]}
    assert set(consumers) == {"order-processing", "priority-orders"}
    assert consumers["order-processing"]["pipe"] is True  # FIFO grouped by $.detail.customerId
    priority = consumers["priority-orders"]
    (gb_s,) = [line for line in priority["lines"] if line["item"].startswith("GB-seconds")]
    assert gb_s["quantity"] == pytest.approx(0.5 * 0.08)  # 512 MB for 80 ms
    assert gb_s["price"] == prices["lambda_gb_second_x86_64"]
    for consumer in data["consumers"]:
        assert consumer["perMillionEvents"] == pytest.approx(
            sum(line["cost"] for line in consumer["lines"]) * 1e6
        )
    monthly = data["monthly"]
    assert monthly["eventsPerMonth"] == 3_000_000
    assert monthly["fixed"] == pytest.approx(data["fixedMonthly"]["total"])
    assert monthly["total"] == pytest.approx(
        monthly["fixed"] + monthly["shared"] + monthly["consumers"] + monthly["metrics"]
    )
    assert monthly["metrics"] == pytest.approx(sum(line["cost"] for line in data["monthlyMetrics"]))
    assert data["fixedMonthly"]["total"] == pytest.approx(
        sum(line["cost"] for line in data["fixedMonthly"]["lines"])
    )


def test_table_fits_80_columns_and_prints_the_table_date(project: Path) -> None:
    result = CliRunner().invoke(app, ["cost", "--events-per-month", "1000000"], env=TERMINAL_80)
    assert result.exit_code == 0, result.output
    assert widest(result.output) <= 80
    text = ANSI.sub("", result.output)
    assert f"table dated {load_prices().date}" in text
    for expected in ("fixed monthly cost", "per million events", "order-processing", "total"):
        assert expected in text
    assert "monthly at 1,000,000 events per consumer" in text


def test_without_a_volume_there_are_no_monthly_totals(project: Path) -> None:
    result = CliRunner().invoke(app, ["cost", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["monthly"] is None


def test_a_bad_assumption_exits_1_naming_the_option(project: Path) -> None:
    result = CliRunner().invoke(app, ["cost", "--failure-rate", "2"])
    assert result.exit_code == 1
    assert "--failure-rate" in result.output


def test_breakdown_lists_every_line_within_80_columns(project: Path) -> None:
    result = CliRunner().invoke(app, ["cost", "--breakdown"], env=TERMINAL_80)
    assert result.exit_code == 0, result.output
    assert widest(result.output) <= 80
    assert "order-processing: USD per million events" in result.output
    assert "pipe request" in result.output and "intake SendMessage" in result.output


def test_another_region_is_told_the_prices_are_us_east_1(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text(STACK.replace("us-east-1", "eu-west-1"))
    result = CliRunner().invoke(app, ["cost"])
    assert result.exit_code == 0, result.output
    assert "Note: stack region eu-west-1; these are us-east-1 prices." in result.output
    data = json.loads(CliRunner().invoke(app, ["cost", "--json"]).output)
    assert data["stackRegion"] == "eu-west-1" and data["priceTable"]["region"] == "us-east-1"


def test_every_assumption_the_errors_name_is_an_option(project: Path) -> None:
    result = CliRunner().invoke(app, ["cost", "--poll-seconds", "30"])
    assert result.exit_code == 1
    assert "--poll-seconds" in result.output
    for option in (
        "--events-per-month",
        "--duration-ms",
        "--failure-rate",
        "--event-kb",
        "--idle-pollers",
        "--poll-seconds",
        "--log-kb",
        "--archiver-runs-per-day",
    ):
        assert option in CliRunner().invoke(app, ["cost", "--help"], env={"COLUMNS": "200"}).output


def test_forty_character_names_still_fit_80_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventpipe.cli import cost as cost_cli
    from eventpipe.config import StackSettings
    from eventpipe.consumer import Consumer
    from eventpipe.cost import Assumptions, estimate

    for key, value in TERMINAL_80.items():
        monkeypatch.setenv(key, value)
    names = ["a" * 40, "b" * 39 + "c"]
    consumers = [
        Consumer(name=n, handler="m:f", pattern={"source": ["s"]}, fifo=True, message_group="$.id")
        for n in names
    ]
    result = estimate(StackSettings(), consumers, load_prices(), Assumptions())
    cost_cli._consumer_table(result)
    out = capsys.readouterr().out
    assert widest(out) <= 80
    assert "a" * 20 in ANSI.sub("", out)  # the name is folded, never cut
