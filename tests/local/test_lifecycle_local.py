"""v1 -> v2 upgrades on the local engine: a consumer leaves, nothing it held is lost.

The project's own program and plugins deploy into one emulator three times, as three
``pulumi up`` runs of one stack would: every consumer (v1), ``inventory-reservation``
disabled (v2), then its plugin uninstalled and the consumer listed in
``eventpipe:retired`` (v3). Its queue, DLQ and plugin table keep their messages and items;
the stack output lists it as retired with the very queues v1 created, and the operator
commands peek its dead letters, redrive them into another consumer and discard the rest,
saying how many messages go.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.contract import DLQ_ATTR_ERROR_MESSAGE, DLQ_ATTR_ERROR_TYPE
from eventpipe.local import Deployment, deploy_program, read_project, start_emulator
from eventpipe.local.emulator.server import Emulator
from eventpipe.operate import dlq as dlq_ops
from eventpipe.operate import peek as peek_ops
from eventpipe.operate import retired as retired_ops
from eventpipe.operate.stack_outputs import StackTarget, write_announcement
from tests.local.conftest import REAL_PLUGINS, PluginEnv, real_project

STACK = "test"
LEAVING = "inventory-reservation"
OTHER = "priority-orders"  # a standard queue, like the leaving consumer's
BASE: dict[str, object] = {
    "aws:region": "us-east-1",
    "eventpipe:publishSchemas": False,
    "eventpipe:dashboard": False,
}
runner = CliRunner()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    running = start_emulator(region="us-east-1")
    try:
        yield running
    finally:
        running.stop()


def _deploy(
    project: Path, emulator: Emulator, config: dict[str, object], *, redeploy: bool = True
) -> Deployment:
    (project / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump({"config": {**BASE, **config}}))
    return deploy_program(read_project(project, STACK), emulator, redeploy=redeploy)


def _held(sqs: Any, url: str) -> int:
    return retired_ops.held(sqs, url)


def _inventory_table(emulator: Emulator) -> str:
    (name,) = [
        t for t in emulator.client("dynamodb").list_tables()["TableNames"] if "inventory" in t
    ]
    return str(name)


def test_a_consumer_disabled_then_removed_keeps_every_message_and_item(
    tmp_path: Path, emulator: Emulator
) -> None:
    project = real_project(tmp_path / "project", STACK, BASE)
    sqs, dynamodb = emulator.client("sqs"), emulator.client("dynamodb")
    with PluginEnv(REAL_PLUGINS):
        v1 = _deploy(project, emulator, {}, redeploy=False).stack_outputs
        before = v1.consumer(LEAVING)
        for number in range(2):
            sqs.send_message(QueueUrl=before.queue_url, MessageBody=json.dumps({"n": number}))
        sqs.send_message(
            QueueUrl=before.dlq_url,
            MessageBody=json.dumps({"dead": True}),
            MessageAttributes={
                DLQ_ATTR_ERROR_TYPE: {"DataType": "String", "StringValue": "TimeoutError"},
                DLQ_ATTR_ERROR_MESSAGE: {"DataType": "String", "StringValue": "stock service down"},
            },
        )
        table = _inventory_table(emulator)
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "sku-1"}, "stock": {"N": "7"}})

        # v2: disabled in the stack config
        v2 = _deploy(project, emulator, {"eventpipe:consumers": {LEAVING: {"enabled": False}}})
        outputs = v2.stack_outputs
        assert LEAVING not in outputs.consumers
        kept = outputs.retired[LEAVING]
        assert "disabled" in kept.reason and kept.plugin == "inventory"
        assert (kept.queue_url, kept.dlq_url) == (before.queue_url, before.dlq_url)
        assert _held(sqs, before.queue_url) == 2 and _held(sqs, before.dlq_url) == 1

    # v3: the inventory plugin uninstalled, the consumer listed as retired
    with PluginEnv(",".join(p for p in REAL_PLUGINS.split(",") if p != "inventory")):
        v3 = _deploy(
            project,
            emulator,
            {"eventpipe:retired": [{"name": LEAVING, "plugin": "inventory"}]},
        )
    outputs = v3.stack_outputs
    kept = outputs.retired[LEAVING]
    assert "eventpipe:retired" in kept.reason
    assert (kept.queue_url, kept.dlq_url) == (before.queue_url, before.dlq_url)
    assert _held(sqs, before.queue_url) == 2 and _held(sqs, before.dlq_url) == 1
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": "sku-1"}})["Item"]
    assert item["stock"] == {"N": "7"}

    # peek: the retired consumer's dead letter, with its reason, left in place
    dead = dlq_ops.dead_letter_queue(outputs.queues_of(LEAVING))
    peeked = peek_ops.peek(sqs, dead, 10)
    assert len(peeked.messages) == 1 and "stock service down" in peeked.messages[0].summary
    assert _held(sqs, before.dlq_url) == 1

    # redrive --to another consumer of the same queue type, through the CLI
    announcement = write_announcement(
        project, STACK, endpoint_url=emulator.endpoint_url, region="us-east-1", outputs=outputs
    )
    try:
        other_queue = outputs.consumer(OTHER).queue_url
        waiting_before = _held(sqs, other_queue)
        result = runner.invoke(
            app,
            ["dlq", "redrive", LEAVING, "--to", OTHER, "--local", "--stack", STACK,
             "--project-dir", str(project), "--json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["moved"] == 1
        assert _held(sqs, before.dlq_url) == 0
        assert _held(sqs, other_queue) == waiting_before + 1

        # a FIFO destination is refused, naming the rule
        refused = runner.invoke(
            app,
            ["dlq", "redrive", LEAVING, "--to", "order-processing", "--local", "--stack",
             STACK, "--project-dir", str(project)],
        )  # fmt: skip
        assert refused.exit_code != 0 and "FIFO queue" in refused.output

        # discard: explicit, and says how many messages go
        result = runner.invoke(
            app,
            ["retired", "discard", LEAVING, "--yes", "--local", "--stack", STACK,
             "--project-dir", str(project), "--json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        discarded = json.loads(result.output)
        assert discarded["total"] == 2 and discarded["discarded"] == {"queue": 2, "dlq": 0}
    finally:
        announcement.unlink()
    urls = sqs.list_queues().get("QueueUrls", [])
    assert before.queue_url not in urls and before.dlq_url not in urls
    # the stack forgets them once the entry says so
    with PluginEnv(",".join(p for p in REAL_PLUGINS.split(",") if p != "inventory")):
        v4 = _deploy(project, emulator, {"eventpipe:retired": [{"name": LEAVING, "discard": True}]})
    assert LEAVING not in v4.stack_outputs.retired


def test_status_target_sees_retired_rows(tmp_path: Path, emulator: Emulator) -> None:
    from eventpipe.operate.status import stack_status

    project = real_project(tmp_path / "project", STACK, BASE)
    with PluginEnv(REAL_PLUGINS):
        outputs = _deploy(
            project,
            emulator,
            {"eventpipe:consumers": {LEAVING: {"enabled": False}}},
            redeploy=False,
        ).stack_outputs
    target = StackTarget(outputs, "test")
    rows = stack_status(target.outputs, emulator.client("sqs"), emulator.client("cloudwatch"))
    by_name = {row.consumer: row for row in rows}
    assert by_name[LEAVING].retired and by_name[LEAVING].dlq_depth == 0
    assert by_name[OTHER].retired is None
