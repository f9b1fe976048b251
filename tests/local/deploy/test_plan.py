"""The plan of a redeploy, as the Pulumi engine would make it, for each day-two change.

Two dry runs of the project's own program (the stack before and after a change) are
compared; the options each resource carries are the ones the engine would receive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from eventpipe.local.deploy import plan
from eventpipe.local.deploy.dry_run import declared_resources
from eventpipe.local.deploy.program import read_project
from tests.local.conftest import REAL_PLUGINS, PluginEnv, real_project

STACK = "test"
BASE: dict[str, object] = {
    "aws:region": "us-east-1",
    "eventpipe:publishSchemas": False,
    "eventpipe:dashboard": False,
    "eventpipe:deadLetterArchive": {"afterDays": 10, "expireDays": 365},
}
QUEUE = "aws:sqs/queue:Queue"
TABLE = "aws:dynamodb/table:Table"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return real_project(tmp_path_factory.mktemp("plan") / "project", STACK, BASE)


def _declared(project: Path, config: dict[str, object], plugins: str = REAL_PLUGINS) -> Any:
    (project / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump({"config": {**BASE, **config}}))
    with PluginEnv(plugins):
        return declared_resources(read_project(project, STACK))


@pytest.fixture(scope="module")
def v1(project: Path) -> Any:
    return _declared(project, {})


def _actions(result: plan.Plan, type_: str, prefix: str) -> dict[str, str]:
    return {s.name: s.action for s in result.steps if s.type == type_ and s.name.startswith(prefix)}


def test_disabling_a_consumer_deletes_no_queue_and_keeps_its_table(project: Path, v1: Any) -> None:
    v2 = _declared(project, {"eventpipe:consumers": {"inventory-reservation": {"enabled": False}}})
    result = plan.compute(v1, v2)
    queues = _actions(result, QUEUE, "inventory-reservation")
    assert set(queues) == {"inventory-reservation-queue", "inventory-reservation-dlq"}
    assert set(queues.values()) <= {plan.SAME, plan.UPDATE}
    assert not any(s.type == QUEUE for s in result.of(plan.DELETE))
    (table,) = [s for s in result.steps if s.type == TABLE and "inventory" in s.name]
    assert table.action == plan.RETAIN  # the plugin's table: out of the stack, kept in AWS
    functions = _actions(result, "aws:lambda/function:Function", "inventory-reservation")
    assert set(functions.values()) == {plan.DELETE}


def test_removing_a_listed_consumer_keeps_its_queues_in_the_stack(project: Path, v1: Any) -> None:
    without = ",".join(p for p in REAL_PLUGINS.split(",") if p != "inventory")
    v2 = _declared(
        project,
        {"eventpipe:retired": [{"name": "inventory-reservation", "plugin": "inventory"}]},
        plugins=without,
    )
    queues = _actions(plan.compute(v1, v2), QUEUE, "inventory-reservation")
    assert queues and set(queues.values()) <= {plan.SAME, plan.UPDATE}


def test_a_new_prefix_replaces_queues_delete_before_replace_and_keeps_the_old(
    project: Path, v1: Any
) -> None:
    v2 = _declared(project, {"eventpipe:namePrefix": "shop-"})
    result = plan.compute(v1, v2)
    (dlq,) = [s for s in result.steps if s.name == "order-processing-dlq"]
    assert dlq.action == plan.REPLACE
    assert "delete-before-replace" in dlq.detail and "old kept in AWS" in dlq.detail
    assert not result.of(plan.DELETE) or all(s.type != QUEUE for s in result.of(plan.DELETE))


def test_protect_refuses_a_replacement_at_preview(project: Path) -> None:
    protected = _declared(project, {"eventpipe:protect": True})
    renamed = _declared(project, {"eventpipe:protect": True, "eventpipe:namePrefix": "shop-"})
    result = plan.compute(protected, renamed)
    refused = {s.name for s in result.of(plan.REFUSED)}
    assert {"order-processing-queue", "order-processing-dlq"} <= refused
    assert result.refused


def test_a_message_group_that_is_no_longer_a_path_retains_the_intake_queues(
    project: Path, v1: Any
) -> None:
    v2 = _declared(
        project, {"eventpipe:consumers": {"order-processing": {"messageGroup": "all-orders"}}}
    )
    result = plan.compute(v1, v2)
    intake = _actions(result, QUEUE, "order-processing-intake")
    assert intake and set(intake.values()) == {plan.RETAIN}
    assert (
        _actions(result, QUEUE, "order-processing-queue") == {"order-processing-queue": plan.SAME}
        or _actions(result, QUEUE, "order-processing-queue")["order-processing-queue"]
        == plan.UPDATE
    )


def test_destroying_the_stack_keeps_the_archive_bucket_whole_or_refuses(
    project: Path, v1: Any
) -> None:
    """``pulumi destroy``: nothing declared. The archive bucket and every setting on it
    are retained together (never half-configured); with protect, all are refused."""
    result = plan.compute(v1, {})
    s3 = {s.name: s.action for s in result.steps if s.type.startswith("aws:s3/")}
    assert len(s3) >= 6 and set(s3.values()) == {plan.RETAIN}
    assert {s.action for s in result.steps if s.type == QUEUE} == {plan.RETAIN}
    assert plan.DELETE in {s.action for s in result.steps if s.type.startswith("aws:lambda/")}
    protected = _declared(project, {"eventpipe:protect": True})
    guarded = plan.compute(protected, {})
    s3 = {s.name: s.action for s in guarded.steps if s.type.startswith("aws:s3/")}
    assert set(s3.values()) == {plan.REFUSED}


def test_the_last_deploy_is_saved_and_read_back(tmp_path: Path, v1: Any) -> None:
    path = plan.declared_path(tmp_path, STACK)
    plan.save(path, v1)
    again = plan.load(path)
    assert set(again) == set(v1)
    assert not plan.compute(again, v1).changes()
    assert plan.load(tmp_path / "missing.json") == {}


def test_plan_local_names_what_would_go_and_what_is_kept(project: Path, v1: Any) -> None:
    from typer.testing import CliRunner

    from eventpipe.cli import app

    plan.save(plan.declared_path(project, STACK), v1)
    (project / f"Pulumi.{STACK}.yaml").write_text(
        yaml.safe_dump(
            {
                "config": {
                    **BASE,
                    "eventpipe:consumers": {"inventory-reservation": {"enabled": False}},
                }
            }
        )
    )
    args = ["plan", "--local", "--stack", STACK, "--project-dir", str(project)]
    with PluginEnv(REAL_PLUGINS):
        as_json = CliRunner().invoke(app, [*args, "--json"])
        as_text = CliRunner().invoke(app, args)
    assert as_json.exit_code == 0, as_json.output
    import json

    steps = json.loads(as_json.output)["steps"]
    by_name = {(s["type"], s["name"]): s["action"] for s in steps}
    assert by_name[("aws:lambda/function:Function", "inventory-reservation-function")] == "delete"
    assert not any(s["type"] == QUEUE and s["action"] == "delete" for s in steps)
    assert any(s["type"] == TABLE and s["action"] == "retain" for s in steps)
    assert as_text.exit_code == 0 and "keep in AWS" in as_text.output
