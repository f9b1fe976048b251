"""``eventpipe consumers``: what a stack will build, before anything is deployed."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eventpipe.cli.options import ConfigStackOpt, ProjectOpt, project_dir
from eventpipe.resolve import Resolved, resolve_from_file


def register(app: typer.Typer) -> None:
    """Add ``consumers`` to the CLI."""
    app.command("consumers")(consumers)


def _rows(resolved: Resolved) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for declared in resolved.consumers:
        c = declared.consumer
        rows.append(
            {
                "consumer": c.name,
                "plugin": declared.plugin,
                "distribution": declared.distribution,
                "pattern": c.pattern,
                "queue": "fifo" if c.fifo else "standard",
                "source": c.source,
                "batchSize": c.batch_size,
                "batchingWindow": c.batching_window,
                "timeout": c.timeout,
                "visibilityTimeout": c.effective_visibility_timeout,
                "maxConcurrency": c.max_concurrency,
                "idempotent": c.idempotent,
                "enabled": declared.enabled,
            }
        )
    return rows


def _hooks_of(resolved: Resolved, plugin: str) -> str:
    manager = resolved.loaded.manager
    module = manager.get_plugin(plugin)
    callers = manager.get_hookcallers(module) or []
    return ", ".join(sorted(caller.name for caller in callers))


def consumers(
    stack: ConfigStackOpt = "dev",
    project: ProjectOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List discovered plugins and the consumers the stack builds, with their settings.

    An invalid stack config ends the command with every problem, each on its own
    unwrapped line (easy to grep in CI logs).
    """
    resolved = resolve_from_file(project_dir(project, required=True), stack)
    console = Console()
    rows = _rows(resolved)
    if as_json:
        plugins = [vars(p) for p in resolved.plugins]
        typer.echo(
            json.dumps(
                {"stack": stack, "plugins": plugins, "consumers": rows}, indent=2, default=str
            )
        )
        return
    plugin_table = Table(title="plugins")
    for column in ("plugin", "distribution", "version", "hooks"):
        plugin_table.add_column(column, no_wrap=column == "plugin")
    for info in resolved.plugins:
        hooks = _hooks_of(resolved, info.name)
        plugin_table.add_row(info.name, info.distribution or "-", info.version or "-", hooks)
    console.print(plugin_table)
    table = Table(title=f"consumers (stack {stack})")
    for column in ("consumer", "plugin", "pattern", "queue", "batch", "timeout", "enabled"):
        table.add_column(column, overflow="fold", no_wrap=column in ("consumer", "queue"))
    for row in rows:
        pattern = (
            json.dumps(row["pattern"], separators=(",", ":"))
            if row["pattern"] is not None
            else "(direct queue)"
        )
        batch = f"{row['batchSize']}" + (
            f" / {row['batchingWindow']}s" if row["batchingWindow"] else ""
        )
        table.add_row(
            str(row["consumer"]),
            str(row["plugin"]),
            pattern,
            str(row["queue"]),
            batch,
            f"{row['timeout']}s",
            "yes" if row["enabled"] else "no",
        )
    console.print(table)
    console.print(
        f"{len(resolved.plugins)} plugin(s), "
        f"{len(resolved.enabled)} of {len(rows)} consumer(s) enabled"
    )
