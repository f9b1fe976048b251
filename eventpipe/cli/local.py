"""``eventpipe dev`` and ``eventpipe demo``: the pipelines on this machine, end to end.

Both deploy the project's own Pulumi program and stack config into an AWS emulator
(embedded moto unless ``--endpoint-url``) with :class:`eventpipe.local.LocalEngine`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from eventpipe.cli import plan as plan_cli
from eventpipe.cli.options import (
    ConfigStackOpt,
    ProjectOpt,
    config_stack_flags,
    project_dir,
    suggest_command,
)
from eventpipe.cli.output import console as output_console
from eventpipe.cli.reporting import CommandError
from eventpipe.operate.stack_outputs import announcement_path, pid_alive, write_announcement

DEMO_TIME_SCALE = 0.01
DEMO_TIMEOUT = 45.0
WATCH_INTERVAL = 1.0
"""Seconds the foreground loop waits for a file change before it reads the plugins again."""

console = output_console()
"""On a terminal, wrapped at its width; piped, never wrapped and without colour."""


def _engine(
    project: Path, stack: str, endpoint_url: str | None, time_scale: float, **kwargs: Any
) -> Any:
    from eventpipe.local import LocalEngine

    engine = LocalEngine(project, stack, endpoint_url=endpoint_url, time_scale=time_scale, **kwargs)
    engine.start()
    return engine


def _interrupt(*_: object) -> None:
    """SIGTERM (a supervisor, `kill`) stops ``dev`` as cleanly as Ctrl-C."""
    raise KeyboardInterrupt


def claim_announcement(project: Path, stack: str) -> str | None:
    """Refuse to start when another ``dev`` of this project and stack is running.

    A running one is named (pid, when it announced itself, endpoint) from its announcement
    file; an announcement whose process has exited is stale and removed (the returned
    note says so)."""
    path = announcement_path(project, stack)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        pid = int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return f"removed an unreadable announcement ({path})"
    if pid != os.getpid() and pid_alive(pid):
        since = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        raise CommandError(
            f"`eventpipe dev` is already running for stack {stack!r} of {project}: pid {pid}, "
            f"running since {since:%Y-%m-%d %H:%M:%S} UTC, endpoint "
            f"{data.get('endpointUrl', '?')} (announced in {path}). Use that one, or stop "
            f"it first (Ctrl-C in its terminal, or `kill {pid}`)"
        )
    path.unlink(missing_ok=True)
    return f"replaced a stale announcement: pid {pid} in {path} has exited"


def _release_announcement(path: Path) -> None:
    """Remove the announcement if it is still this process's own."""
    try:
        if int(json.loads(path.read_text())["pid"]) != os.getpid():
            return
    except (OSError, ValueError, KeyError, TypeError):
        return
    path.unlink(missing_ok=True)


def _change_watcher(engine: Any, project: Path, stack: str, hint: str) -> Any:
    from eventpipe.local.watch.reload import ChangeWatcher, watched_functions

    functions = [(name, pool.spec.environment) for name, pool in engine.pools.items()]
    return ChangeWatcher(
        watched_functions(functions),
        [project / f"Pulumi.{stack}.yaml", project / "Pulumi.yaml", project / "__main__.py"],
        restart=lambda name: _restart_workers(engine, name),
        report=lambda text: console.print(f"[magenta]{escape(text)}[/]", highlight=False),
        restart_hint=hint,
        apply_change=lambda: _apply_change(engine, project, stack),
    )


def _restart_workers(engine: Any, function: str) -> None:
    """New workers for ``function``; none when a redeploy removed it."""
    pool = engine.pools.get(function)
    if pool is not None:
        pool.restart()


def _announce(engine: Any, project: Path, stack: str) -> None:
    """Write where the running engine serves and what it deployed (at start and after
    each applied change), for the commands that find it."""
    write_announcement(
        project,
        stack,
        endpoint_url=engine.emulator.endpoint_url,
        region=engine.emulator.region,
        outputs=engine.outputs,
    )


def _apply_change(engine: Any, project: Path, stack: str) -> str:
    """Redeploy the changed project into the running engine; the plan it applied."""
    from eventpipe.local.redeploy import apply_change

    applied = apply_change(engine)
    _announce(engine, project, stack)
    lines = [plan_cli.describe(applied.plan)]
    lines += [f"  deleted locally: {label}" for label in applied.deleted]
    lines += [f"  not deleted locally: {problem}" for problem in applied.problems]
    lines.append(f"{len(engine.pollers)} consumer(s) polling.")
    return "\n".join(lines)


def dev(
    stack: ConfigStackOpt = "dev",
    endpoint_url: Annotated[
        str | None,
        typer.Option(help="Use this emulator (e.g. LocalStack) instead of the embedded moto."),
    ] = None,
    time_scale: Annotated[
        float,
        typer.Option(
            help="Shorten visibility timeouts, backoffs and batching windows (0 < F <= 1)."
        ),
    ] = 1.0,
    directory: ProjectOpt = None,
    web_console: Annotated[
        bool,
        typer.Option(
            "--console/--no-console",
            help="Serve the browser console on 127.0.0.1 (its address is printed).",
        ),
    ] = True,
    console_port: Annotated[
        int, typer.Option(help="Port of the browser console (0: any free port).", min=0, max=65535)
    ] = 0,
) -> None:
    """Deploy the stack locally and run its consumers in the foreground until Ctrl-C.

    Restarts a consumer's workers when its handler code changes; applies a change of the
    stack file or the installed plugins as `pulumi up` would (printing its plan, keeping
    the messages AWS would keep); evaluates the stack's
    alarms; refuses to start beside another `dev` of the same project and stack."""
    from eventpipe.cli.web import start_web_console
    from eventpipe.local.watch.console import log_line, print_deploy, print_log_locations
    from eventpipe.webconsole import Feed

    feed = Feed()

    project = project_dir(directory, required=True)
    target = config_stack_flags(stack, directory)

    def on_log(entry: Any) -> None:
        log_line(console, entry, target)
        feed.add(entry)

    note = claim_announcement(project, stack)
    if note:
        console.print(f"[dim]note:[/] {note}")
    console.print(f"deploying stack [bold]{stack}[/] of {project} locally...")
    engine = _engine(
        project,
        stack,
        endpoint_url,
        time_scale,
        on_log=on_log,
        on_error=lambda text: console.print(f"[red]{text}[/]"),
        on_alarm=lambda name, state, reason: console.print(
            f"[{'red' if state == 'ALARM' else 'green'}]alarm {name}: {state}[/]  [dim]{reason}[/]",
            highlight=False,
        ),
    )
    announcement = announcement_path(project, stack)
    signal.signal(signal.SIGTERM, _interrupt)
    watcher = None
    web = None
    try:
        print_deploy(console, engine.deployment, stack, time_scale)
        print_log_locations(
            console,
            {engine.consumer_of(pool.spec): pool.log_group for pool in engine.pools.values()},
            target,
            consumers=set(engine.outputs.consumers),
        )
        _announce(engine, project, stack)
        # what `eventpipe plan --local` and a stack change compare against
        try:
            plan_cli.record_deploy(project, stack)
        except Exception as exc:
            console.print(
                f"[dim]note:[/] no plan recorded for `eventpipe plan --local`: {escape(str(exc))}"
            )
        publish = suggest_command("publish", flags=["--local", *target]).rstrip("`")
        console.print(
            f"[green]ready[/]: {len(engine.pollers)} consumer(s) polling. Publish with "
            f"{escape(publish)} ...`; Ctrl-C stops.",
        )
        if web_console:
            web = start_web_console(engine, project, stack, feed, port=console_port)
            console.print(f"console: {web.url}", soft_wrap=True, highlight=False)
        hint = suggest_command("dev", flags=target).strip("`")
        watcher = _change_watcher(engine, project, stack, hint)
        while True:
            watcher.poll(WATCH_INTERVAL)
    except KeyboardInterrupt:
        console.print("stopping: letting batches in flight finish...")
    finally:
        if watcher is not None:
            watcher.close()
        if web is not None:
            web.stop()
        _release_announcement(announcement)
        engine.stop()
        console.print("stopped.")


def demo(
    stack: ConfigStackOpt = "dev",
    time_scale: Annotated[
        float, typer.Option(help="Time scale (see `eventpipe dev --help`).")
    ] = DEMO_TIME_SCALE,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for everything to settle.")
    ] = DEMO_TIMEOUT,
    directory: ProjectOpt = None,
) -> None:
    """Deploy locally, publish every plugin's sample events and check their outcomes."""
    from eventpipe.local.watch import demo_checks as samples
    from eventpipe.local.watch.console import print_deploy, print_outcomes

    project = project_dir(directory, required=True)
    started = time.monotonic()
    loaded = samples.load_samples(project, stack)
    if not loaded:
        raise CommandError(
            "no plugin offers sample events (eventpipe_sample_events); nothing to demo"
        )
    console.print(f"deploying stack [bold]{stack}[/] of {project} locally...")
    engine = _engine(
        project,
        stack,
        None,
        time_scale,
        on_error=lambda text: console.print(f"[red]{text}[/]"),
    )
    try:
        print_deploy(console, engine.deployment, stack, time_scale)
        published = samples.publish(engine, loaded)
        console.print(
            f"published {len(published)} sample event(s) from {len({s.plugin for s in loaded})} plugin(s)"
        )
        settled = engine.wait_until_settled(timeout)
        backlog = {} if settled else {c: n for c, n in engine.queue_depths().items() if n}
        consumers = engine.outputs.consumers
        deployed = sorted(consumers or {p.consumer for p in engine.pollers})
        print_outcomes(console, engine.tracker.summary(), deployed)
        fifo = {name for name, consumer in consumers.items() if consumer.fifo}
        mismatches, notes = samples.check(published, engine.tracker, set(deployed), fifo)
        _trace_poison(engine, published)
    finally:
        engine.stop()
    for note in notes:
        console.print(f"[dim]note:[/] {note}")
    elapsed = time.monotonic() - started
    problems = [f"mismatch: {mismatch}" for mismatch in mismatches]
    if not settled:
        problems.insert(0, f"not settled within {timeout:g}s: messages left {backlog}")
    if problems:
        raise CommandError(
            "\n".join([f"demo failed after {elapsed:.1f}s:", *(f"  {p}" for p in problems)])
        )
    checked = sum(len(p.sample.event.expect) for p in published)
    console.print(f"[green]demo passed[/]: {checked} expected outcome(s) met in {elapsed:.1f}s")


def _trace_poison(engine: Any, published: list[Any]) -> None:
    """End the demo with ``eventpipe trace`` of its first poison sample (a bus event a
    consumer must dead-letter): the same operate function, on the local engine."""
    from eventpipe.cli.trace import print_trace
    from eventpipe.operate.trace import trace_event

    poison = next(
        (
            p
            for p in published
            if p.key.startswith("event:") and "dead-lettered" in p.sample.event.expect.values()
        ),
        None,
    )
    if poison is None or engine.emulator is None:
        return
    event_id = poison.key.removeprefix("event:")
    console.print(f"\n[bold]eventpipe trace {event_id}[/] (the demo's poison event):")
    print_trace(console, trace_event(engine.emulator.client, engine.outputs, event_id))


def register(app: typer.Typer) -> None:
    """Add ``dev`` and ``demo`` to ``app``."""
    app.command("dev")(dev)
    app.command("demo")(demo)
