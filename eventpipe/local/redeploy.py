"""Applying a changed project to a running :class:`~eventpipe.local.engine.LocalEngine`,
as ``pulumi up`` would apply it to the stack: ``eventpipe dev`` after the stack file or
the installed plugins changed.

1. The plan (:mod:`.deploy.plan`): what the stack last deployed here declared (saved at
   each deploy) against what the program declares now. A plan ``pulumi up`` would refuse
   at preview (a protected resource deleted or replaced) is not applied at all.
2. The pollers, pipes and asynchronous invokers stop after the batch each is running; a
   message received and not deleted returns to its queue when its visibility timeout
   ends, so nothing in a queue is lost.
3. What the plan deletes, and the old resource of a delete-before-replace, is deleted in
   the emulator (:mod:`.deploy.teardown`), with the messages or items AWS would delete
   with it; retained resources stay, outside the stack, as ``retain_on_delete`` keeps
   them in AWS. Functions, mappings and pipes are deleted to be created again.
4. The program is deployed again into the same emulator: what exists is kept (queues
   updated in place with SetQueueAttributes, messages kept).
5. Workers start for new and changed functions (a pool running an unchanged function is
   kept), and pollers and pipes for the new deploy's mappings and pipes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eventpipe.local.deploy import plan as plan_ops
from eventpipe.local.deploy import teardown
from eventpipe.local.deploy.deployer import deploy_program
from eventpipe.local.deploy.dry_run import declared_resources
from eventpipe.local.deploy.program import LocalDeployError, read_project
from eventpipe.local.engine import LocalEngine


@dataclass
class Applied:
    """What a redeploy did."""

    plan: plan_ops.Plan
    deleted: list[str] = field(default_factory=list)
    """Resources deleted in the emulator, as ``TYPE physical-name``."""
    problems: list[str] = field(default_factory=list)
    """Deletes the emulator refused (the redeploy went on)."""


def record(engine: LocalEngine) -> None:
    """Save what the engine's project declares now as the stack's last local deploy (the
    ``before`` of the next plan)."""
    files = engine.files
    plan_ops.save(plan_ops.declared_path(files.directory, files.stack), declared_resources(files))


def plan_change(engine: LocalEngine) -> tuple[plan_ops.Plan, dict[str, plan_ops.Declared]]:
    """The plan from the stack as last deployed to the project as it is now, with the
    messages held by each queue it removes (counted in the running emulator); and what
    was last deployed."""
    files = read_project(engine.files.directory, engine.files.stack)
    before = plan_ops.load(plan_ops.declared_path(files.directory, files.stack))
    result = plan_ops.compute(before, declared_resources(files))
    sqs = engine.client("sqs")
    urls = sqs.list_queues().get("QueueUrls", [])
    plan_ops.count_messages(result, sqs, {url.rsplit("/", 1)[-1]: url for url in urls})
    return result, before


def apply_change(engine: LocalEngine) -> Applied:
    """Apply the project as it is now to the running engine (see the module docstring).

    Raises :class:`LocalDeployError` when the plan is refused or the project cannot be
    read (the engine keeps running the previous deploy, untouched), or when the redeploy
    fails half-way (the queues keep their messages, nothing polls them: the message says
    to restart).
    """
    assert engine.emulator is not None and engine.deployment is not None
    result, before = plan_change(engine)
    if result.refused:
        names = ", ".join(s.physical or s.name for s in result.of(plan_ops.REFUSED))
        raise LocalDeployError(
            f"`pulumi up` would stop at preview: protected resources ({names}) cannot be "
            "deleted or replaced (eventpipe:protect). Nothing was applied."
        )
    files = read_project(engine.files.directory, engine.files.stack)
    engine._stop_readers()
    try:
        applied = Applied(
            result, problems=teardown.remove_runners(engine.emulator, engine.deployment.state)
        )
        deleted, problems = teardown.apply_deletes(engine.emulator, result, before)
        applied.deleted += deleted
        applied.problems += problems
        deployment = deploy_program(files, engine.emulator, engine.time_scale, redeploy=True)
        engine.files, engine.deployment = files, deployment
        engine._start_functions(deployment)
        engine._start_pollers(deployment)
        engine._start_pipes(deployment)
        engine._start_async_functions(deployment)
    except Exception as exc:
        raise LocalDeployError(
            f"the redeploy failed half-way ({exc}); the queues keep their messages, but "
            "nothing polls them until `eventpipe dev` restarts"
        ) from exc
    if engine.alarms is not None:
        engine.alarms.load()
    record(engine)
    return applied
