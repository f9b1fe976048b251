"""``eventpipe status`` against moto."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from tests.cli.stack import Stack
from tests.cli.terminal import PIPED, TERMINAL_80, too_wide


@pytest.fixture(autouse=True)
def eighty_columns(stack: Stack) -> None:
    """Every command of this module renders for an 80-column terminal
    (tests/cli/terminal.py)."""
    stack.runner = CliRunner(env=TERMINAL_80)


def test_status_counts_messages_dlq_depth_and_alarm_states(stack: Stack) -> None:
    orders = stack.consumer("orders")
    for n in range(3):
        stack.sqs.send_message(QueueUrl=orders.queue_url, MessageBody=f"m{n}")
    stack.sqs.receive_message(QueueUrl=orders.queue_url, MaxNumberOfMessages=1)  # in flight
    stack.dead_letter("orders", {"detail-type": "Order Created"}, "bad order")
    stack.cloudwatch.set_alarm_state(
        AlarmName="eventpipe-dev-orders-dlq-not-empty", StateValue="ALARM", StateReason="test"
    )
    stack.cloudwatch.set_alarm_state(
        AlarmName="eventpipe-dev-inventory-dlq-not-empty", StateValue="OK", StateReason="test"
    )
    stack.cloudwatch.set_alarm_state(
        AlarmName="eventpipe-dev-inventory-oldest-age", StateValue="OK", StateReason="test"
    )
    stack.cloudwatch.set_alarm_state(
        AlarmName="eventpipe-dev-mailer-oldest-age",
        StateValue="INSUFFICIENT_DATA",
        StateReason="test",
    )

    result = stack.cli("status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {row["consumer"]: row for row in data["consumers"]}
    assert set(rows) == {"orders", "inventory", "mailer"}
    assert (rows["orders"]["visible"], rows["orders"]["inFlight"]) == (2, 1)
    assert rows["orders"]["dlqDepth"] == 1
    assert rows["orders"]["alarmState"] == "ALARM"
    assert rows["inventory"]["alarmState"] == "OK"
    assert rows["mailer"]["alarmState"] == "INSUFFICIENT_DATA"
    assert rows["orders"]["oldestAgeSeconds"] is None  # moto has no SQS metrics
    assert rows["orders"]["paused"] is False  # no mapping in this stack: not known
    assert rows["orders"]["mappingState"] is None
    assert data["deliveryDlqDepth"] == 0

    table = stack.cli("status")
    assert table.exit_code == 0
    assert too_wide(table.stdout) == [], table.stdout
    assert "ALARM (1)" in table.stdout
    assert "orders: ALARM eventpipe-dev-orders-dlq-not-empty" in table.stdout
    assert "n/a" in table.stdout  # oldest age not available
    assert "eventpipe dlq peek orders" in table.stdout
    piped = stack.runner.invoke(app, ["status", "--outputs", str(stack.outputs_file)], env=PIPED)
    assert piped.exit_code == 0 and "\x1b[" not in piped.stdout  # no codes when piped


def test_status_reports_alarms_missing_from_cloudwatch(stack: Stack) -> None:
    stack.cloudwatch.delete_alarms(AlarmNames=["eventpipe-dev-mailer-oldest-age"])
    data = json.loads(stack.cli("status", "--json", "--consumer", "mailer").stdout)
    [row] = data["consumers"]
    assert row["alarms"]["eventpipe-dev-mailer-oldest-age"] == "MISSING"
    assert row["alarmState"] == "MISSING"
