"""Order events through the project's program, the real plugins and the local engine,
plus a plugin dropped in from outside the repository.

``order_placed`` (source ``my.app``, with orderId and amount) and ``Order Created``
(source ``ecommerce.orders``) must each reach exactly the consumers whose patterns match,
and leave their effects in the emulator.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventpipe.local import LocalEngine
from tests.local.conftest import REAL_PLUGINS, PluginEnv, real_project

DROPIN = "dropin-e2e"


def _write_dropin(site: Path, out: Path) -> None:
    """A plugin no file of the repository names: package + entry point only."""
    package = site / "dropin_e2e"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(
        textwrap.dedent(f"""
        import eventpipe

        @eventpipe.hookimpl
        def eventpipe_consumers():
            return [eventpipe.Consumer(
                name="{DROPIN}",
                pattern={{"source": ["ecommerce.audit"], "detail-type": ["Audit Logged"]}},
                handler="dropin_e2e.handler:handle",
                timeout=10,
                environment={{"DROPIN_OUT": {str(out)!r}}},
            )]
        """)
    )
    (package / "handler.py").write_text(
        textwrap.dedent("""
        import json, os

        def handle(event):
            with open(os.environ["DROPIN_OUT"], "a") as out:
                out.write(json.dumps(event.detail) + "\\n")
        """)
    )


@pytest.fixture(scope="module")
def dropin_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dropin") / "handled.jsonl"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, dropin_out: Path) -> Iterator[LocalEngine]:
    root = tmp_path_factory.mktemp("orders")
    project = real_project(
        root / "project",
        "test",  # a demo stack: inventory gets its stock, notifications its SES sender
        {
            "aws:region": "us-east-1",
            "eventpipe:publishSchemas": False,
            "eventpipe:dashboard": False,
        },
    )
    with PluginEnv(f"{REAL_PLUGINS},{DROPIN}") as plugins:
        site = root / "site"
        _write_dropin(site, dropin_out)
        plugins.install(site, "eventpipe-dropin-e2e", {DROPIN: "dropin_e2e.plugin"})
        with LocalEngine(project, "test", time_scale=0.01) as running:
            yield running


def _publish(engine: LocalEngine, source: str, detail_type: str, detail: dict[str, Any]) -> str:
    [event_id] = engine.put_events(
        [{"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}]
    )
    assert engine.wait_until_settled(40), engine.queue_depths()
    return f"event:{event_id}"


def _item(engine: LocalEngine, consumer: str, output: str, pk: str) -> dict[str, Any]:
    table = engine.outputs.consumer(consumer).resources[output]
    return (
        engine.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": pk}}).get("Item", {})
    )


def test_every_plugin_is_deployed(engine: LocalEngine) -> None:
    assert set(engine.outputs.consumers) == {
        "order-processing",
        "inventory-reservation",
        "notifications",
        "priority-orders",
        DROPIN,
    }
    assert len(engine.pollers) == 5


def test_order_placed_reaches_only_the_matching_consumer(engine: LocalEngine) -> None:
    small = _publish(engine, "my.app", "order_placed", {"orderId": "123", "amount": 50})
    assert engine.tracker.consumers_of(small) == set()  # amount > 1000 only: nobody
    large = _publish(engine, "my.app", "order_placed", {"orderId": "124", "amount": 2500})
    assert engine.tracker.consumers_of(large) == {"priority-orders"}
    assert engine.tracker.outcome("priority-orders", large) == "succeeded"


def test_order_created_fans_out_with_effects(engine: LocalEngine) -> None:
    sent_before = engine.client("ses").get_send_quota()["SentLast24Hours"]
    detail = {
        "orderId": "order-e2e-1",
        "customerId": "customer-456",
        "customerEmail": "customer-456@example.com",
        "amount": 99.99,
        "items": [{"sku": "SKU-RED-MUG", "quantity": 2}],
    }
    key = _publish(engine, "ecommerce.orders", "Order Created", detail)
    matching = {"order-processing", "inventory-reservation", "notifications"}
    assert engine.tracker.consumers_of(key) == matching  # not priority-orders: 99.99 <= 1000
    assert {engine.tracker.outcome(c, key) for c in matching} == {"succeeded"}

    order = _item(engine, "order-processing", "ordersTable", "ORDER#order-e2e-1")
    assert order["customerId"] == {"S": "customer-456"}
    assert order["status"] == {"S": "created"}
    stock = _item(engine, "inventory-reservation", "inventoryTable", "SKU#SKU-RED-MUG")
    assert stock["stock"] == {"N": "23"}  # 25 seeded by the stack, 2 reserved
    assert engine.client("ses").get_send_quota()["SentLast24Hours"] == sent_before + 1


def _dlq_depths(engine: LocalEngine) -> dict[str, int]:
    sqs = engine.client("sqs")
    return {
        name: int(
            sqs.get_queue_attributes(
                QueueUrl=c.dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]["ApproximateNumberOfMessages"]
        )
        for name, c in engine.outputs.consumers.items()
    }


def test_a_non_matching_event_reaches_no_queue(engine: LocalEngine) -> None:
    dead_before = _dlq_depths(engine)
    key = _publish(engine, "ecommerce.orders", "Order Shipped", {"orderId": "order-e2e-1"})
    assert engine.tracker.consumers_of(key) == set()  # no poller ever received it
    assert not any(engine.queue_depths().values())  # nor is it waiting in a queue
    assert _dlq_depths(engine) == dead_before  # nor was it dead-lettered


def test_the_dropped_in_plugin_runs_its_handler(engine: LocalEngine, dropin_out: Path) -> None:
    key = _publish(engine, "ecommerce.audit", "Audit Logged", {"who": "alice", "what": "login"})
    assert engine.tracker.consumers_of(key) == {DROPIN}
    assert engine.tracker.outcome(DROPIN, key) == "succeeded"
    assert [json.loads(line) for line in dropin_out.read_text().splitlines()] == [
        {"who": "alice", "what": "login"}
    ]
