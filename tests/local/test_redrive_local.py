"""``eventpipe dlq redrive CONSUMER --local`` against a running local engine.

The operator's flow after fixing a bug: events sit in a consumer's DLQ (put there by the
runtime, reasons attached), the redrive moves them back to the consumer's queue, the
consumer processes them, and the DLQ is empty. Run on the project's own program and
plugins: order-processing (FIFO, one group per customer) and inventory-reservation
(standard queue).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.contract import DLQ_ATTR_ERROR_MESSAGE, DLQ_ATTR_ERROR_TYPE
from eventpipe.local import LocalEngine
from eventpipe.operate import dlq as dlq_ops
from eventpipe.operate.stack_outputs import write_announcement
from tests.local.conftest import REAL_PLUGINS, PluginEnv, real_project

STACK = "test"  # a demo stack: inventory gets its seeded stock
runner = CliRunner()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return real_project(
        tmp_path_factory.mktemp("redrive") / "project",
        STACK,
        {
            "aws:region": "us-east-1",
            "eventpipe:publishSchemas": False,
            "eventpipe:dashboard": False,
        },
    )


@pytest.fixture(scope="module")
def engine(project: Path) -> Iterator[LocalEngine]:
    """The engine, announced the way `eventpipe dev` announces itself, so `--local` finds
    it (this process is the one running it)."""
    with PluginEnv(REAL_PLUGINS), LocalEngine(project, STACK, time_scale=0.01) as running:
        announcement = write_announcement(
            project,
            STACK,
            endpoint_url=running.emulator.endpoint_url,  # type: ignore[union-attr]
            region="us-east-1",
            outputs=running.outputs,
        )
        yield running
        announcement.unlink()


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dlq_ops, "POLL_SECONDS", 0.05)


def _envelope(detail: dict[str, Any]) -> str:
    """An Order Created event as EventBridge delivers it to a queue."""
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Order Created",
            "source": "ecommerce.orders",
            "account": "123456789012",
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
        }
    )


def _dead_letter(engine: LocalEngine, consumer: str, details: list[dict[str, Any]]) -> None:
    """Put events in the consumer's DLQ as the runtime does on a permanent failure."""
    sqs = engine.client("sqs")
    url = engine.outputs.consumer(consumer).dlq_url
    for detail in details:
        body = _envelope(detail)
        extra: dict[str, Any] = {}
        if url.endswith(".fifo"):
            extra = {
                "MessageGroupId": str(detail["customerId"]),
                "MessageDeduplicationId": json.loads(body)["id"],
            }
        sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={
                DLQ_ATTR_ERROR_TYPE: {"DataType": "String", "StringValue": "PermanentError"},
                DLQ_ATTR_ERROR_MESSAGE: {"DataType": "String", "StringValue": "bug, now fixed"},
            },
            **extra,
        )


def _dlq_depth(engine: LocalEngine, consumer: str) -> int:
    return dlq_ops.depth(engine.client("sqs"), engine.outputs.consumer(consumer).dlq_url)


def _item(engine: LocalEngine, consumer: str, output: str, pk: str) -> dict[str, Any]:
    table = engine.outputs.consumer(consumer).resources[output]
    return dict(
        engine.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": pk}}).get("Item", {})
    )


def _redrive(project: Path, consumer: str, *extra: str) -> Any:
    command = ["dlq", "redrive", consumer, "--local", "--stack", STACK]
    return runner.invoke(app, [*command, "--project-dir", str(project), *extra])


def test_redrive_of_a_fifo_consumer_reprocesses_its_dead_letters(
    engine: LocalEngine, project: Path
) -> None:
    orders = [
        {"orderId": f"redrive-{n}", "customerId": f"customer-r{n % 2}", "amount": 10 + n}
        for n in range(4)
    ]
    _dead_letter(engine, "order-processing", orders)
    assert _dlq_depth(engine, "order-processing") == 4

    result = _redrive(project, "order-processing")

    assert result.exit_code == 0, result.output
    assert "Redrive of order-processing: COMPLETED, 4 message(s) moved back." in result.output
    assert engine.wait_until_settled(30), engine.queue_depths()
    assert _dlq_depth(engine, "order-processing") == 0
    for order in orders:
        item = _item(engine, "order-processing", "ordersTable", f"ORDER#{order['orderId']}")
        assert item["customerId"] == {"S": order["customerId"]}
        assert item["status"] == {"S": "created"}


def test_redrive_of_a_standard_consumer_with_a_rate_reports_json(
    engine: LocalEngine, project: Path
) -> None:
    stock_before = _item(engine, "inventory-reservation", "inventoryTable", "SKU#SKU-RED-MUG")
    _dead_letter(
        engine,
        "inventory-reservation",
        [
            {
                "orderId": f"redrive-stock-{n}",
                "customerId": "customer-s",
                "amount": 5,
                "items": [{"sku": "SKU-RED-MUG", "quantity": 1}],
            }
            for n in range(3)
        ],
    )

    result = _redrive(project, "inventory-reservation", "--rate", "50", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # the JSON alone on stdout; warnings go to stderr
    assert "PermanentError" in result.stderr  # redrive warned before moving them
    assert report["status"] == "COMPLETED"
    assert report["moved"] == report["toMove"] == 3
    assert engine.wait_until_settled(30), engine.queue_depths()
    assert _dlq_depth(engine, "inventory-reservation") == 0
    stock = _item(engine, "inventory-reservation", "inventoryTable", "SKU#SKU-RED-MUG")
    assert int(stock["stock"]["N"]) == int(stock_before["stock"]["N"]) - 3


def test_redrive_of_an_empty_dlq_says_so(engine: LocalEngine, project: Path) -> None:
    result = _redrive(project, "priority-orders")
    assert result.exit_code == 0, result.output
    assert "The DLQ of priority-orders is empty: nothing to redrive." in result.output


def test_a_redrive_already_running_is_refused_with_the_way_out(
    engine: LocalEngine, project: Path
) -> None:
    # 120 messages at 1 message/s keep the other redrive RUNNING for about two minutes,
    # far beyond the one CLI call below even on a loaded machine; with 3 it could end
    # before the CLI looked (a timing margin of two seconds).
    orders = [
        {"orderId": f"redrive-busy-{n}", "customerId": "customer-busy", "amount": 7}
        for n in range(120)
    ]
    _dead_letter(engine, "order-processing", orders)
    sqs, consumer = engine.client("sqs"), engine.outputs.consumer("order-processing")
    handle = sqs.start_message_move_task(  # someone else's slow redrive, 1 message/s
        SourceArn=consumer.dlq_arn,
        DestinationArn=consumer.queue_arn,
        MaxNumberOfMessagesPerSecond=1,
    )["TaskHandle"]

    tasks = sqs.list_message_move_tasks(SourceArn=consumer.dlq_arn)["Results"]
    assert tasks[0]["Status"] == "RUNNING"
    refused = _redrive(project, "order-processing")

    assert refused.exit_code == 1
    assert "already running" in refused.output
    assert handle in refused.output.replace("\n", "")  # the cancel command to run
    sqs.cancel_message_move_task(TaskHandle=handle)
    result = _redrive(project, "order-processing")  # allowed once the first has ended
    assert result.exit_code == 0, result.output
    assert engine.wait_until_settled(180), engine.queue_depths()
    assert _dlq_depth(engine, "order-processing") == 0
    for order in orders:  # every message processed: moved by one redrive or the other
        item = _item(engine, "order-processing", "ordersTable", f"ORDER#{order['orderId']}")
        assert item["status"] == {"S": "created"}
