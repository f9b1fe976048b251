"""``eventpipe plan --local``: what ``pulumi up`` would do to the stack, before it runs.

Compares what the program declares now (stack file and installed plugins) with what
``eventpipe dev`` last deployed (``.eventpipe/declared-<stack>.json``), as the Pulumi engine
compares state and goals (:mod:`eventpipe.local.deploy.plan`), and names what would be
deleted, replaced or kept outside the stack, with the messages each queue holds in the
running emulator. Nothing is applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from eventpipe.cli.options import ConfigStackOpt, ProjectOpt, project_dir
from eventpipe.cli.output import console, emit_json
from eventpipe.cli.reporting import CommandError
from eventpipe.tables import Column, print_table

WHAT = {
    "create": "create",
    "update": "update in place",
    "replace": "replace (cannot be updated in place)",
    "delete": "DELETE",
    "retain": "drop from the stack, keep in AWS",
    "refused": "REFUSED at preview",
}


def register(app: typer.Typer) -> None:
    """Add the ``plan`` command to ``app``."""
    app.command("plan")(plan)


def plan(
    stack: ConfigStackOpt = "dev",
    local: Annotated[
        bool, typer.Option("--local", help="Plan against the stack `eventpipe dev` deployed.")
    ] = False,
    directory: ProjectOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show what `pulumi up` would do after a change, without applying it: every create,
    update, replacement, delete and retained resource, and the messages a queue holds."""
    from eventpipe.local.deploy import plan as plan_ops
    from eventpipe.local.deploy.dry_run import declared_resources
    from eventpipe.local.deploy.program import LocalDeployError, read_project

    if not local:
        raise CommandError("only --local is supported: for AWS, run `pulumi preview`")
    project = project_dir(directory, required=True)
    try:
        files = read_project(project, stack)
        now = declared_resources(files)
    except LocalDeployError as exc:
        raise CommandError(str(exc)) from None
    saved = plan_ops.declared_path(project, stack)
    before = plan_ops.load(saved)
    result = plan_ops.compute(before, now)
    _count(result, project, stack, plan_ops)
    changes = result.changes()
    if as_json:
        emit_json(
            {
                "stack": stack,
                "baseline": str(saved) if before else None,
                "steps": [
                    {
                        "action": s.action,
                        "type": s.type,
                        "name": s.name,
                        "physical": s.physical,
                        "detail": s.detail,
                        "messages": s.messages,
                    }
                    for s in changes
                ],
                "refused": result.refused,
            }
        )
        return
    out = console()
    if not before:
        out.print(
            f"No local deploy of stack {stack} recorded ({saved}): everything is a create. "
            "`eventpipe dev` records one.",
            markup=False,
        )
    if not changes:
        out.print("No changes: `pulumi up` would leave every resource as it is.", markup=False)
        return
    print_table(
        [Column("action"), Column("resource", elide=True), Column("name", elide=True),
         Column("messages", justify="right"), Column("why", wrap=True)],
        [
            [WHAT.get(s.action, s.action), s.type.split(":")[-1], s.physical or s.name,
             "" if s.messages is None else str(s.messages), s.detail]
            for s in changes
        ],
        out=out,
    )  # fmt: skip
    lost = [s for s in changes if s.loses_data and s.type == plan_ops.QUEUE]
    for step in lost:
        out.print(
            f"{step.physical or step.name} would be deleted with "
            f"{step.messages if step.messages is not None else 'its'} message(s).",
            markup=False,
        )
    if result.refused:
        out.print(
            "`pulumi up` would stop at preview: protected resources (eventpipe:protect) "
            "cannot be deleted or replaced. See docs/operations.md, 'Change or remove a "
            "consumer'.",
            markup=False,
        )


def _count(result: Any, project: Any, stack: str, plan_ops: Any) -> None:
    """Messages in the queues a step removes, when `eventpipe dev` runs the stack."""
    from eventpipe.aws_clients import client
    from eventpipe.operate.stack_outputs import announcement_path, from_local

    if not announcement_path(project, stack).exists():
        return
    try:
        target = from_local(project, stack)
        sqs = client("sqs", endpoint_url=target.endpoint_url, region=target.region,
                     credentials=target.credentials)  # fmt: skip
        urls = sqs.list_queues().get("QueueUrls", [])
    except Exception:
        return
    plan_ops.count_messages(result, sqs, {url.rsplit("/", 1)[-1]: url for url in urls})


def record_deploy(project: Path, stack: str) -> None:
    """Save what the program declares now as the stack's last local deploy."""
    from eventpipe.local.deploy import plan as plan_ops
    from eventpipe.local.deploy.dry_run import declared_resources
    from eventpipe.local.deploy.program import read_project

    declared = declared_resources(read_project(project, stack))
    plan_ops.save(plan_ops.declared_path(project, stack), declared)


def describe(result: Any, lead: str = "applied") -> str:
    """A plan, one line per resource changed (what `eventpipe dev` applied)."""
    lines = [f"{lead}:"]
    for step in result.changes():
        held = f" ({step.messages} message(s))" if step.messages else ""
        why = f": {step.detail}" if step.detail else ""
        lines.append(
            f"  {WHAT.get(step.action, step.action)} {step.type.split(':')[-1]} "
            f"{step.physical or step.name}{held}{why}"
        )
    return "\n".join(lines) if len(lines) > 1 else f"{lead}: no resource changed."
