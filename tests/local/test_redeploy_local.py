"""A running local engine applies a changed project as ``pulumi up`` would
(:mod:`eventpipe.local.redeploy`, what ``eventpipe dev`` does when the stack file or the
plugins change), with messages waiting in queues and DLQs:

* a consumer made FIFO (its plugin changes between deploys): the queue and DLQ are
  replaced delete-before-replace, the old pair kept in AWS with every message;
* a consumer renamed (its plugin changes), the old name listed in ``eventpipe:retired``:
  the old queue and DLQ stay in the stack, retired, and their dead letters move to the
  new name with ``dlq redrive --to``;
* a consumer's ``message_group`` changed from a fixed id to a JSON path: its FIFO queue
  and DLQ stay with their messages, an intake queue and a pipe come in front of it;
* a consumer's ``message_group`` changed from a JSON path to a fixed id: its intake pair
  is kept, listed as retired, and its dead letters peeked and redriven.

Every wait is on the engine's own record (settled queues, the tracker's outcomes).
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.local import LocalDeployError, LocalEngine
from eventpipe.local.deploy import plan as plan_ops
from eventpipe.local.redeploy import apply_change, record
from eventpipe.operate import dlq as dlq_ops
from eventpipe.operate import peek as peek_ops
from eventpipe.operate import retired as retired_ops
from eventpipe.operate.stack_outputs import write_announcement
from tests.local.conftest import REAL_PLUGINS, PluginEnv, real_project

STACK = "test"
BASE: dict[str, object] = {
    "aws:region": "us-east-1",
    "eventpipe:publishSchemas": False,
    "eventpipe:dashboard": False,
}
SHAPED = "shaped-e2e"
HELD_FOR = 900
"""DelaySeconds of the messages left waiting in a queue across the change (SQS's maximum):
no poller can take them before the test looks."""
runner = CliRunner()


def _stack(project: Path, config: dict[str, object]) -> None:
    (project / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump({"config": {**BASE, **config}}))


def _write_shaped(site: Path, out: Path) -> Path:
    """A plugin whose consumer is FIFO or not, and named, as its ``shape.json`` says at
    each deploy."""
    package = site / "shaped_e2e"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(
        textwrap.dedent(f"""
        import json, pathlib
        import eventpipe

        @eventpipe.hookimpl
        def eventpipe_consumers():
            shape = json.loads((pathlib.Path(__file__).parent / "shape.json").read_text())
            fifo = shape["fifo"]
            return [eventpipe.Consumer(
                name=shape.get("name", "{SHAPED}"),
                pattern={{"source": ["ecommerce.audit"], "detail-type": ["Audit Logged"]}},
                handler="shaped_e2e.handler:handle",
                timeout=10,
                fifo=fifo,
                message_group=shape.get("group", "audit") if fifo else None,
                environment={{"SHAPED_OUT": {str(out)!r}}},
            )]
        """)
    )
    (package / "handler.py").write_text(
        textwrap.dedent("""
        import json, os

        def handle(event):
            with open(os.environ["SHAPED_OUT"], "a") as out:
                out.write(json.dumps(event.detail) + "\\n")
        """)
    )
    shape = package / "shape.json"
    shape.write_text(json.dumps({"fifo": False}))
    return shape


def _publish(engine: LocalEngine, n: int) -> list[str]:
    ids = engine.put_events(
        [
            {"Source": "ecommerce.audit", "DetailType": "Audit Logged",
             "Detail": json.dumps({"n": i})}
            for i in range(n)
        ]
    )  # fmt: skip
    assert engine.wait_until_settled(60), engine.queue_depths()
    return [f"event:{i}" for i in ids]


def _event(number: int) -> str:
    """An EventBridge event as a rule target delivers it to SQS, as a dead letter is."""
    return json.dumps(
        {"version": "0", "id": f"held-{number}", "detail-type": "Audit Logged",
         "source": "ecommerce.audit", "account": "123456789012",
         "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
         "detail": {"held": number}}
    )  # fmt: skip


def _hold(sqs: Any, url: str, count: int, **extra: Any) -> None:
    for number in range(count):
        sqs.send_message(QueueUrl=url, MessageBody=_event(number), **extra)


def _forget_shaped() -> None:
    for module in [m for m in sys.modules if m.split(".")[0] == "shaped_e2e"]:
        del sys.modules[module]


@pytest.fixture
def shaped(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[LocalEngine, Path, Path]]:
    config = {**BASE, **getattr(request, "param", {})}
    project = real_project(tmp_path / "project", STACK, config)
    out = tmp_path / "handled.jsonl"
    _forget_shaped()  # each test's plugin reads its own shape.json
    with PluginEnv(SHAPED) as plugins:
        shape = _write_shaped(tmp_path / "site", out)
        plugins.install(tmp_path / "site", "eventpipe-shaped-e2e", {SHAPED: "shaped_e2e.plugin"})
        with LocalEngine(project, STACK, time_scale=0.01) as engine:
            record(engine)
            yield engine, shape, out
    _forget_shaped()


def test_a_consumer_made_fifo_keeps_the_old_queues_and_runs_the_new(
    shaped: tuple[LocalEngine, Path, Path],
) -> None:
    engine, shape, out = shaped
    sqs = engine.client("sqs")
    before = engine.outputs.consumer(SHAPED)
    first = _publish(engine, 2)
    assert [engine.tracker.outcome(SHAPED, key) for key in first] == ["succeeded"] * 2
    _hold(sqs, before.queue_url, 3, DelaySeconds=HELD_FOR)  # waiting in the queue
    _hold(sqs, before.dlq_url, 2)  # dead letters

    shape.write_text(json.dumps({"fifo": True}))
    applied = apply_change(engine)

    queues = {s.name: s for s in applied.plan.steps if s.type == plan_ops.QUEUE}
    for logical in (f"{SHAPED}-queue", f"{SHAPED}-dlq"):
        step = queues[logical]
        assert step.action == plan_ops.REPLACE and "fifoQueue" in step.detail
        assert "delete-before-replace" in step.detail and "old kept in AWS" in step.detail
    assert queues[f"{SHAPED}-queue"].messages == 3 and queues[f"{SHAPED}-dlq"].messages == 2
    assert not applied.problems
    # the old pair, outside the stack, with every message
    assert retired_ops.held(sqs, before.queue_url) == 3
    assert retired_ops.held(sqs, before.dlq_url) == 2
    bodies = sorted(
        m["Body"] for m in sqs.receive_message(
            QueueUrl=before.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages", [])
    )  # fmt: skip
    assert bodies == [_event(0), _event(1)]
    # the new FIFO consumer runs: its events are handled by fresh workers and pollers
    after = engine.outputs.consumer(SHAPED)
    assert after.fifo and after.queue_url.endswith(".fifo") and after.queue_url != before.queue_url
    assert [p.queue.url for p in engine.pollers] == [after.queue_url]
    second = _publish(engine, 2)
    assert [engine.tracker.outcome(SHAPED, key) for key in second] == ["succeeded"] * 2
    assert len(out.read_text().splitlines()) == 4
    # the next change plans against what was applied: nothing left to do
    assert not apply_change(engine).plan.changes()


def test_a_message_group_made_a_path_keeps_the_fifo_queues_and_adds_the_pipe(
    shaped: tuple[LocalEngine, Path, Path],
) -> None:
    engine, shape, out = shaped
    sqs = engine.client("sqs")
    shape.write_text(json.dumps({"fifo": True}))  # a fixed group: the rule targets the queue
    apply_change(engine)
    before = engine.outputs.consumer(SHAPED)
    assert before.fifo and before.intake_queue_url is None
    _hold(sqs, before.queue_url, 3, MessageGroupId="held", DelaySeconds=0)
    _hold(sqs, before.dlq_url, 2, MessageGroupId="dead")
    assert engine.wait_until_settled(60), engine.queue_depths()
    handled_before = len(out.read_text().splitlines())
    assert handled_before == 3

    shape.write_text(json.dumps({"fifo": True, "group": "$.source"}))
    applied = apply_change(engine)

    queues = {s.name: s.action for s in applied.plan.steps if s.type == plan_ops.QUEUE}
    assert queues[f"{SHAPED}-queue"] in {plan_ops.SAME, plan_ops.UPDATE}
    assert queues[f"{SHAPED}-dlq"] in {plan_ops.SAME, plan_ops.UPDATE}
    assert queues[f"{SHAPED}-intake"] == plan_ops.CREATE
    assert [s for s in applied.plan.of(plan_ops.DELETE) if s.type == plan_ops.QUEUE] == []
    assert not applied.problems
    after = engine.outputs.consumer(SHAPED)
    assert (after.queue_url, after.dlq_url) == (before.queue_url, before.dlq_url)
    assert after.intake_queue_url and after.intake_dlq_url
    assert [r.source.url for r in engine.pipes] == [after.intake_queue_url]
    assert retired_ops.held(sqs, before.dlq_url) == 2  # the dead letters stayed
    # new events go rule -> intake -> pipe (group from the path) -> the same FIFO queue
    handled = _publish(engine, 2)
    assert [engine.tracker.outcome(SHAPED, key) for key in handled] == ["succeeded"] * 2
    assert len(out.read_text().splitlines()) == handled_before + 2


@pytest.mark.parametrize("shaped", [{"eventpipe:protect": True}], indirect=True)
def test_a_change_pulumi_up_would_refuse_is_not_applied(
    shaped: tuple[LocalEngine, Path, Path],
) -> None:
    engine, shape, _out = shaped
    before = engine.outputs.consumer(SHAPED)
    shape.write_text(json.dumps({"fifo": True}))  # replaces protected queues
    with pytest.raises(LocalDeployError, match="protected") as info:
        apply_change(engine)
    assert "Nothing was applied" in str(info.value)
    # the engine still runs the deploy it had
    assert engine.outputs.consumer(SHAPED).queue_url == before.queue_url
    handled = _publish(engine, 1)
    assert engine.tracker.outcome(SHAPED, handled[0]) == "succeeded"


def test_a_renamed_consumer_keeps_the_old_queues_retired_and_redrivable(
    shaped: tuple[LocalEngine, Path, Path],
) -> None:
    engine, shape, out = shaped
    sqs = engine.client("sqs")
    project = engine.files.directory
    before = engine.outputs.consumer(SHAPED)
    _hold(sqs, before.queue_url, 2, DelaySeconds=HELD_FOR)
    _hold(sqs, before.dlq_url, 3)

    shape.write_text(json.dumps({"fifo": False, "name": "shaped-v2"}))
    _stack(project, {"eventpipe:retired": [{"name": SHAPED, "plugin": SHAPED}]})
    applied = apply_change(engine)

    assert [s for s in applied.plan.of(plan_ops.DELETE) if s.type == plan_ops.QUEUE] == []
    outputs = engine.outputs
    kept = outputs.retired[SHAPED]
    assert (kept.queue_url, kept.dlq_url) == (before.queue_url, before.dlq_url)
    assert retired_ops.held(sqs, before.queue_url) == 2
    assert retired_ops.held(sqs, before.dlq_url) == 3
    renamed = outputs.consumer("shaped-v2")
    assert [p.consumer for p in engine.pollers] == ["shaped-v2"]
    handled = _publish(engine, 1)
    assert engine.tracker.outcome("shaped-v2", handled[0]) == "succeeded"
    announcement = write_announcement(
        project, STACK, endpoint_url=engine.emulator.endpoint_url, region="us-east-1",
        outputs=outputs,
    )  # fmt: skip
    try:
        result = runner.invoke(
            app,
            ["dlq", "redrive", SHAPED, "--to", "shaped-v2", "--local", "--stack", STACK,
             "--project-dir", str(project), "--json"],
        )  # fmt: skip
    finally:
        announcement.unlink()
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["moved"] == 3
    assert retired_ops.held(sqs, before.dlq_url) == 0
    # the new consumer's poller handles the redriven dead letters
    assert engine.wait_until_settled(60), engine.queue_depths()
    assert retired_ops.held(sqs, renamed.queue_url) == 0
    handled_now = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(d.get("held", -1) for d in handled_now) == [-1, 0, 1, 2]


@pytest.fixture
def orders(tmp_path: Path) -> Iterator[tuple[LocalEngine, Path]]:
    project = real_project(tmp_path / "project", STACK, BASE)
    with PluginEnv(REAL_PLUGINS), LocalEngine(project, STACK, time_scale=0.01) as engine:
        record(engine)
        yield engine, project


def test_a_message_group_no_longer_a_path_keeps_the_intake_pair_reachable(
    orders: tuple[LocalEngine, Path],
) -> None:
    engine, project = orders
    sqs, dynamodb = engine.client("sqs"), engine.client("dynamodb")
    before = engine.outputs.consumer("order-processing")
    assert before.intake_queue_url and before.intake_dlq_url
    _hold(sqs, before.intake_queue_url, 2, DelaySeconds=HELD_FOR)
    _hold(sqs, before.intake_dlq_url, 3)
    _hold(sqs, before.dlq_url, 1, MessageGroupId="g")
    tables = dynamodb.list_tables()["TableNames"]
    items = {t: dynamodb.scan(TableName=t, Select="COUNT")["Count"] for t in tables}

    _stack(
        project,
        {
            "eventpipe:consumers": {"order-processing": {"messageGroup": "all-orders"}},
            "eventpipe:retired": [{"name": "order-processing", "intake": True}],
        },
    )
    applied = apply_change(engine)

    intake = {
        s.name: s.action
        for s in applied.plan.steps
        if s.type == plan_ops.QUEUE and s.name.startswith("order-processing-intake")
    }
    assert set(intake) == {"order-processing-intake", "order-processing-intake-dlq"}
    assert set(intake.values()) <= {plan_ops.SAME, plan_ops.UPDATE}
    assert [s for s in applied.plan.of(plan_ops.DELETE) if s.type == plan_ops.QUEUE] == []
    outputs = engine.outputs
    kept = outputs.retired["order-processing-intake"]
    assert (kept.intake_queue_url, kept.intake_dlq_url) == (
        before.intake_queue_url,
        before.intake_dlq_url,
    )
    assert outputs.consumer("order-processing").intake_queue_url is None
    assert not [r for r in engine.pipes if r.source.url == before.intake_queue_url]
    assert retired_ops.held(sqs, before.intake_queue_url) == 2
    assert retired_ops.held(sqs, before.intake_dlq_url) == 3
    assert retired_ops.held(sqs, before.dlq_url) == 1
    assert {t: dynamodb.scan(TableName=t, Select="COUNT")["Count"] for t in tables} == items

    # peek the kept intake DLQ by its retired name, then redrive it into a standard queue
    dead = dlq_ops.dead_letter_queue(outputs.queues_of("order-processing-intake"))
    assert len(peek_ops.peek(sqs, dead, 10).messages) == 3
    announcement = write_announcement(
        project, STACK, endpoint_url=engine.emulator.endpoint_url, region="us-east-1",
        outputs=outputs,
    )  # fmt: skip
    try:
        result = runner.invoke(
            app,
            ["dlq", "redrive", "order-processing-intake", "--to", "priority-orders", "--local",
             "--stack", STACK, "--project-dir", str(project), "--json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["moved"] == 3
        assert retired_ops.held(sqs, before.intake_dlq_url) == 0
        # discarding the pair is explicit and says how many messages go
        result = runner.invoke(
            app,
            ["retired", "discard", "order-processing-intake", "--yes", "--local", "--stack",
             STACK, "--project-dir", str(project), "--json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["total"] == 2
    finally:
        announcement.unlink()
    # the live consumer, now fed by its rule with a fixed group, still runs
    [event_id] = engine.put_events(
        [{"Source": "ecommerce.orders", "DetailType": "Order Created",
          "Detail": json.dumps({"orderId": "after-change", "customerId": "c-1",
                                "customerEmail": "c-1@example.com", "amount": 10,
                                "items": [{"sku": "sku-1", "quantity": 1}]})}]
    )  # fmt: skip
    assert engine.wait_until_settled(60), engine.queue_depths()
    assert "order-processing" in engine.tracker.consumers_of(f"event:{event_id}")
