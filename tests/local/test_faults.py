"""Fault injection through the project's own program, runtime and the local engine.

500 events into an idempotent consumer: 10% poisoned (half PermanentError, dead-lettered
at once by the runtime; half crashing every time, moved by SQS after maxReceiveCount),
20% failing transiently once or twice, and 25 of them delivered twice. Then a FIFO
consumer with transient failures inside its message groups.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from eventpipe.local import LocalEngine
from tests.local.conftest import PluginEnv, real_project

TOTAL = 500
DUPLICATED = 25


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngine]:
    root = tmp_path_factory.mktemp("faults")
    project = real_project(
        root / "project",
        "e2e",
        {
            "aws:region": "us-east-1",
            "eventpipe:publishSchemas": False,
            "eventpipe:dashboard": False,
            "eventpipe:archive": False,
        },
    )
    with PluginEnv("e2e-faults") as plugins:
        plugins.install(
            root / "site",
            "eventpipe-e2e-faults",
            {"e2e-faults": "tests.local.fixtures.plugins.faults"},
        )
        with LocalEngine(project, "e2e", time_scale=0.01) as running:
            yield running


def _scan(engine: LocalEngine, consumer: str) -> dict[str, dict[str, Any]]:
    table = engine.outputs.consumer(consumer).resources["effectsTable"]
    pages = engine.client("dynamodb").get_paginator("scan").paginate(TableName=table)
    return {item["pk"]["S"]: item for page in pages for item in page["Items"]}


def _envelope(detail: dict[str, Any], source: str) -> str:
    """An EventBridge event as a rule delivers it, for duplicate deliveries."""
    return json.dumps(
        {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Fault",
            "source": source,
            "account": "123456789012",
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
        }
    )


def _plan() -> list[dict[str, Any]]:
    modes = ["permanent"] * 25 + ["crash"] * 25 + ["transient"] * 100 + ["ok"] * 350
    random.Random(4).shuffle(modes)
    return [{"n": n, "mode": mode, "failures": 1 + n % 2} for n, mode in enumerate(modes)]


def test_500_events_nothing_lost_no_double_effect(engine: LocalEngine) -> None:
    plan = _plan()
    by_mode: dict[str, set[int]] = {}
    for detail in plan:
        by_mode.setdefault(detail["mode"], set()).add(detail["n"])
    duplicated = [d for d in plan if d["mode"] == "ok"][:DUPLICATED]
    published = [d for d in plan if d not in duplicated]
    engine.put_events(
        [
            {"Source": "e2e.faults", "DetailType": "Fault", "Detail": json.dumps(d)}
            for d in published
        ]
    )
    for detail in duplicated:  # at-least-once delivery: the same event arrives twice
        body = _envelope(detail, "e2e.faults")
        engine.send_to_consumer("e2e-faults", body)
        engine.send_to_consumer("e2e-faults", body)

    assert engine.wait_until_settled(90), engine.queue_depths()

    counts = engine.tracker.summary()["e2e-faults"]
    assert counts.received == TOTAL
    assert counts.pending == 0
    assert counts.succeeded + counts.retried + counts.dead_lettered == TOTAL  # nothing lost
    assert counts.dead_lettered == len(by_mode["permanent"] | by_mode["crash"]) == 50
    assert counts.retried >= len(by_mode["transient"])

    effects = _scan(engine, "e2e-faults")
    handled = by_mode["ok"] | by_mode["transient"]
    assert set(effects) == {f"n#{n}" for n in handled}  # poisoned ones had no effect
    doubled = {
        pk: item["effects"]["N"] for pk, item in effects.items() if item["effects"]["N"] != "1"
    }
    assert doubled == {}  # idempotency absorbed the duplicate deliveries

    dlq_url = engine.outputs.consumer("e2e-faults").dlq_url
    dead = engine.client("sqs").get_queue_attributes(
        QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert int(dead["ApproximateNumberOfMessages"]) == 50


def test_fifo_order_per_group_survives_failures(engine: LocalEngine) -> None:
    groups = [f"customer-{g}" for g in range(5)]
    per_group = 20
    rng = random.Random(7)
    events = []
    for seq in range(per_group):
        for group in groups:
            mode = "transient" if rng.random() < 0.2 else "ok"
            events.append(
                {"n": f"{group}-{seq}", "group": group, "seq": seq, "mode": mode, "failures": 1}
            )
    engine.put_events(
        [{"Source": "e2e.fifo", "DetailType": "Fault", "Detail": json.dumps(e)} for e in events]
    )
    assert engine.wait_until_settled(90), engine.queue_depths()

    effects = _scan(engine, "e2e-fifo")
    for group in groups:
        seqs = [int(v["N"]) for v in effects[f"group#{group}"]["seqs"]["L"]]
        assert seqs == list(range(per_group)), group
    counts = engine.tracker.summary()["e2e-fifo"]
    assert counts.dead_lettered == 0
    assert counts.retried >= sum(1 for e in events if e["mode"] == "transient")
