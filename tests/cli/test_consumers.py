"""``eventpipe consumers``: the installed example plugins, as a stack file configures them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app

STACK = """
config:
  aws:region: eu-west-1
  eventpipe:consumers:
    priority-orders: {batchSize: 3}
    order-processing: {enabled: false}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(STACK)
    monkeypatch.setenv("EVENTPIPE_PLUGINS", "orders,priority-orders")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_lists_plugins_and_consumers_with_stack_overrides(project: Path) -> None:
    result = CliRunner().invoke(app, ["consumers", "--stack", "dev", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert sorted(p["name"] for p in data["plugins"]) == ["orders", "priority-orders"]
    rows = {row["consumer"]: row for row in data["consumers"]}
    assert rows["priority-orders"]["batchSize"] == 3
    assert rows["priority-orders"]["pattern"]["detail"]["amount"] == [{"numeric": [">", 1000]}]
    assert rows["order-processing"]["enabled"] is False
    assert rows["order-processing"]["queue"] == "fifo"


def test_table_output(project: Path) -> None:
    result = CliRunner().invoke(app, ["consumers"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "priority-orders" in result.output and "2 plugin(s), 1 of 2 consumer(s)" in result.output


def test_bad_stack_config_exits_1_with_every_problem(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text(
        "config:\n  eventpipe:busNam: x\n  eventpipe:consumers:\n    priority-orders: {timeout: 0}\n"
    )
    result = CliRunner().invoke(app, ["consumers"])
    assert result.exit_code == 1  # an error eventpipe reports (docs/operations.md, Exit codes)
    assert "did you mean 'busName'" in result.output
    assert "eventpipe:consumers.priority-orders.timeout" in result.output


def test_missing_stack_file(project: Path) -> None:
    result = CliRunner().invoke(app, ["consumers", "--stack", "prod"])
    assert result.exit_code == 1 and "Pulumi.prod.yaml" in result.stderr


def test_patterns_are_written_with_what_sets_each_apart_first() -> None:
    """Cut at 24 characters (an 80-column table), the example consumers' patterns still
    differ; as JSON they all begin ``{"source":["ecommerce.orders"``."""
    from eventpipe.cli.consumers import distinct_patterns

    orders = "ecommerce.orders"
    patterns: list[dict[str, Any] | None] = [
        {"source": [orders], "detail-type": ["Order Created"]},
        {"source": [orders, "ecommerce.payments"], "detail-type": ["Order Created", "Paid"]},
        {"source": [orders], "detail-type": ["Order Created", "Order Updated"]},
        {"source": [orders, "my.app"], "detail-type": ["Order Created", "placed"], "detail": {}},
        None,
    ]
    written = distinct_patterns(patterns)
    assert written[0] == 'detail-type:["Order Created"] source:["ecommerce.orders"]'
    assert written[2].startswith('detail-type:["Order Updated","Order Created"]')
    assert written[4] == "(direct queue)"
    starts = [text[:24] for text in written]
    assert len(set(starts)) == len(starts), starts
