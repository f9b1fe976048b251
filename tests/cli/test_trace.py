"""``eventpipe trace --local``: the one view of an event, its JSON, and recent ids, from
the embedded emulator announced as ``eventpipe dev`` announces itself; the real runtime
wrote the log lines the trace reads."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventpipe import aws_clients
from eventpipe.aws_clients import FAKE_CREDENTIALS
from eventpipe.cli import app
from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.emulator.shims import apply_moto_shims
from eventpipe.operate.stack_outputs import write_announcement
from eventpipe.stack_output import StackOutputs
from eventpipe.testing import eventbridge_event
from tests.cli.stack import build_stack
from tests.cli.terminal import TERMINAL_80, too_wide
from tests.operate.runtime_function import Function


@pytest.fixture
def local(aws_env: None, tmp_path: Path) -> Iterator[tuple[Emulator, StackOutputs[str]]]:
    apply_moto_shims()
    running = start_emulator()
    try:
        session = aws_clients.session(region="us-east-1", credentials=FAKE_CREDENTIALS)
        output = build_stack(session, endpoint_url=running.endpoint_url)
        (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
        write_announcement(
            tmp_path, "dev", endpoint_url=running.endpoint_url, region="us-east-1", outputs=output
        )
        yield running, output
    finally:
        running.stop()


def cli(*args: str) -> Any:
    return CliRunner(env=TERMINAL_80).invoke(app, [*args, "--local"])


def test_trace_a_dead_lettered_event_locally(
    local: tuple[Emulator, StackOutputs[str]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    emulator, output = local
    orders = Function(emulator, output, "orders", "tests.runtime.handlers:by_order_id", capsys)
    event = eventbridge_event(
        "Order Created", "ecommerce.orders", {"orderId": "perm-7"}, id=str(uuid.uuid4())
    )
    orders.deliver(event)

    shown = cli("trace", event["id"])
    assert shown.exit_code == 0, shown.output
    text = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", shown.stdout).split())  # plain text
    assert f"event {event['id']} on dev: failed" in text
    assert re.search(r"#1 dead-lettered [0-9.]+ ms PermanentError: order perm-7 can never", text)
    assert "-> dead-lettered: in the DLQ" in text
    assert too_wide(shown.stdout) == []

    as_json = cli("trace", event["id"], "--json")
    data = json.loads(as_json.stdout)
    assert data["eventId"] == event["id"] and data["state"] == "failed"
    [part] = [c for c in data["consumers"] if c["consumer"] == "orders"]
    assert part["attempts"][0]["errorType"] == "PermanentError"
    assert part["ending"]["inDlq"] is True, part
    assert data["event"]["detail"] == {"orderId": "perm-7"}  # the event's own keys

    other = tmp_path / "event.json"
    other.write_text(json.dumps(dict(event, source="ecommerce.stock")))
    explained = json.loads(cli("trace", event["id"], "--event", str(other), "--json").stdout)
    [orders_part] = [c for c in explained["consumers"] if c["consumer"] == "orders"]
    assert orders_part["matched"] is True  # its log names the event: it was reached
    assert "the rule now fails this event: source is" in orders_part["reason"]

    # Without the DLQ scan the event is not at hand, so inventory cannot be told matched,
    # and nothing is in flight: --follow prints one JSON line and ends.
    followed = cli("trace", event["id"], "--follow", "--json", "--dlq-scan", "0")
    assert followed.exit_code == 0, followed.output
    [line] = followed.stdout.splitlines()
    step = json.loads(line)
    assert step["state"] == "failed" and step["event"] is None
    [orders_step] = [c for c in step["consumers"] if c["consumer"] == "orders"]
    assert orders_step["ending"]["inDlq"] is None  # not checked, not claimed either way

    recent = cli("trace", "--last", "5", "--consumer", "orders", "--failed", "--json")
    assert [e["eventId"] for e in json.loads(recent.stdout)["events"]] == [event["id"]]
    table = cli("trace", "--last", "5", "--failed")
    assert event["id"] in table.stdout and too_wide(table.stdout) == []


def test_trace_needs_an_id_or_last(local: tuple[Emulator, StackOutputs[str]]) -> None:
    result = cli("trace")
    assert result.exit_code == 1
    assert "give an EVENT_ID to trace, or --last N" in " ".join(result.output.split())
