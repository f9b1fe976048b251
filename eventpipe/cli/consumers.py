"""``eventpipe consumers [CONSUMER]``: what a stack will build, before anything is deployed.

Without a name: the plugins and one row per consumer (patterns written with what sets
each apart first, then cut short to fit the terminal); with a name: that consumer whole, every setting and its full pattern.
"""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from eventpipe.cli.options import (
    ConfigStackOpt,
    JsonOpt,
    ProjectOpt,
    config_stack_flags,
    project_dir,
    suggest_command,
)
from eventpipe.cli.output import Column, console, emit_json, print_table
from eventpipe.cli.reporting import CommandError

if TYPE_CHECKING:  # imported where a command runs: `eventpipe --help` needs none of it
    from eventpipe.resolve import DeclaredConsumer, Resolved


def register(app: typer.Typer) -> None:
    """Add ``consumers`` to the CLI."""
    app.command("consumers")(consumers)


def _row(declared: DeclaredConsumer) -> dict[str, Any]:
    """One consumer as ``--json`` shows it (camelCase keys, docs/operations.md)."""
    c = declared.consumer
    return {
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


def _detail(declared: DeclaredConsumer) -> dict[str, Any]:
    """Everything about one consumer: the row plus every other declared setting."""
    c = declared.consumer
    return _row(declared) | {
        "handler": c.handler,
        "messageGroup": c.message_group,
        "memory": c.memory,
        "maxReceiveCount": c.max_receive_count,
        "retention": c.retention,
        "reservedConcurrency": c.reserved_concurrency,
        "idempotencyTtl": c.idempotency_ttl,
        "environment": dict(c.environment or {}),
        "description": c.description,
        "alarmOldestMessageAge": c.alarm_oldest_message_age,
        "alarmQueueDepth": c.alarm_queue_depth,
        "circuitBreaker": _breaker(c),
        "topic": c.topic,
        "filterPolicy": c.filter_policy,
    }


def _breaker(consumer: Any) -> dict[str, int] | None:
    breaker = consumer.circuit_breaker
    if breaker is None:
        return None
    return {
        "failedRecords": breaker.failed_records,
        "period": breaker.period,
        "cooldown": breaker.cooldown,
    }


def _plugin_json(resolved: Resolved) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "distribution": p.distribution,
            "version": p.version,
            "module": p.module,
            "hooks": _hooks_of(resolved, p.name),
        }
        for p in resolved.plugins
    ]


def _hooks_of(resolved: Resolved, plugin: str) -> list[str]:
    manager = resolved.loaded.manager
    module = manager.get_plugin(plugin)
    callers = manager.get_hookcallers(module) or []
    return sorted(caller.name for caller in callers)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _holders(counts: dict[tuple[str, str], int], key: str, entry: str) -> int:
    """How many patterns hold ``entry`` under ``key``."""
    return counts[(key, entry)]


def distinct_patterns(patterns: list[dict[str, Any] | None]) -> list[str]:
    """Each pattern written so that what tells it from the others comes first, for a
    column that is cut at the terminal's width.

    A key whose value fewer patterns share comes first (ties: the key holding the rarer
    single entry), and each list starts with its rarest entries: a list in a pattern is
    a set of alternatives
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html), so
    its order means nothing. Two patterns alike but for their detail types then begin
    with their detail types, where their JSON would begin alike."""
    whole: dict[tuple[str, str], int] = {}
    entries: dict[tuple[str, str], int] = {}
    for pattern in patterns:
        for key, value in (pattern or {}).items():
            whole[(key, _compact(value))] = whole.get((key, _compact(value)), 0) + 1
            for entry in {_compact(e) for e in (value if isinstance(value, list) else [value])}:
                entries[(key, entry)] = entries.get((key, entry), 0) + 1
    written = []
    for pattern in patterns:
        if pattern is None:
            written.append("(direct queue)")
            continue
        parts = []
        for key, value in pattern.items():
            items = [_compact(e) for e in (value if isinstance(value, list) else [value])]
            items.sort(key=functools.partial(_holders, entries, key))
            text = "[" + ",".join(items) + "]" if isinstance(value, list) else items[0]
            rarest = entries[(key, items[0])] if items else 0
            parts.append(((whole[(key, _compact(value))], rarest), f"{key}:{text}"))
        parts.sort(key=lambda part: part[0])
        written.append(" ".join(text for _, text in parts) or "{}")
    return written


def _batch_text(row: dict[str, Any]) -> str:
    return f"{row['batchSize']}" + (f" / {row['batchingWindow']}s" if row["batchingWindow"] else "")


def _find(resolved: Resolved, name: str, stack: str) -> DeclaredConsumer:
    """The named consumer, or an error listing the known ones and the nearest name."""
    by_name = {d.consumer.name: d for d in resolved.consumers}
    if name in by_name:
        return by_name[name]
    close = difflib.get_close_matches(name, list(by_name), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise CommandError(
        f"stack {stack!r} has no consumer {name!r}; {hint}its consumers are: "
        f"{', '.join(sorted(by_name)) or '(none)'}"
    )


def _breaker_text(breaker: dict[str, Any] | None) -> str:
    if not breaker:
        return "-"
    return ", ".join(f"{key} {value}" for key, value in breaker.items())


def _print_detail(declared: DeclaredConsumer, stack: str) -> None:
    detail = _detail(declared)
    out = console()
    pairs = [
        ("plugin", f"{detail['plugin']} ({detail['distribution'] or 'not a distribution'})"),
        ("enabled", "yes" if detail["enabled"] else "no (eventpipe:consumers.<name>.enabled)"),
        ("handler", detail["handler"]),
        (
            "queue",
            detail["queue"]
            + (f", group {detail['messageGroup']}" if detail["queue"] == "fifo" else ""),
        ),
        ("batch", _batch_text(detail)),
        ("timeout", f"{detail['timeout']}s (visibility {detail['visibilityTimeout']}s)"),
        ("memory", f"{detail['memory']} MB"),
        ("maxConcurrency", detail["maxConcurrency"]),
        ("reservedConcurrency", detail["reservedConcurrency"]),
        ("maxReceiveCount", detail["maxReceiveCount"]),
        ("retention", f"{detail['retention']}s"),
        ("idempotent", "yes" if detail["idempotent"] else "no"),
        ("environment", ", ".join(sorted(detail["environment"])) or "-"),
        (
            "alarms",
            f"oldest message {detail['alarmOldestMessageAge']}s, depth {detail['alarmQueueDepth']}",
        ),
        ("circuitBreaker", _breaker_text(detail["circuitBreaker"])),
        ("topic", detail["topic"] or "-"),
        ("filterPolicy", json.dumps(detail["filterPolicy"]) if detail["filterPolicy"] else "-"),
        ("description", detail["description"] or "-"),
    ]
    print_table(
        [Column("setting"), Column("value", wrap=True)],
        [[key, "-" if value is None else str(value)] for key, value in pairs],
        title=f"consumer {detail['consumer']} (stack {stack})",
        out=out,
    )
    out.print("pattern:" if declared.consumer.pattern is not None else "pattern: (direct queue)")
    if declared.consumer.pattern is not None:
        # Whole and indented: the one place a long pattern is never cut short.
        typer.echo(json.dumps(declared.consumer.pattern, indent=2))


def consumers(
    consumer: Annotated[
        str | None,
        typer.Argument(help="Show this consumer whole: every setting, the full pattern."),
    ] = None,
    stack: ConfigStackOpt = "dev",
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List discovered plugins and the consumers the stack builds, with their settings.

    An invalid stack config ends the command with every problem, each on its own
    unwrapped line (easy to grep in CI logs).
    """
    from eventpipe.resolve import resolve_from_file

    resolved = resolve_from_file(project_dir(project, required=True), stack)
    if consumer is not None:
        declared = _find(resolved, consumer, stack)
        if as_json:
            emit_json({"stack": stack, "consumer": _detail(declared)})
        else:
            _print_detail(declared, stack)
        return
    rows = [_row(d) for d in resolved.consumers]
    if as_json:
        emit_json({"stack": stack, "plugins": _plugin_json(resolved), "consumers": rows})
        return
    out = console()
    print_table(
        [Column("plugin"), Column("distribution"), Column("version"), Column("hooks", wrap=True)],
        [
            [p["name"], p["distribution"] or "-", p["version"] or "-", ", ".join(p["hooks"])]
            for p in _plugin_json(resolved)
        ],
        title="plugins",
        out=out,
    )
    out.print()
    print_table(
        [
            Column("consumer"),
            Column("queue"),
            Column("batch", justify="right"),
            Column("timeout", justify="right"),
            Column("enabled"),
            Column("pattern", elide=True),
        ],
        [
            [
                str(row["consumer"]),
                str(row["queue"]),
                _batch_text(row),
                f"{row['timeout']}s",
                "yes" if row["enabled"] else "no",
                pattern,
            ]
            for row, pattern in zip(
                rows, distinct_patterns([row["pattern"] for row in rows]), strict=True
            )
        ],
        title=f"consumers (stack {stack})",
        more=f"patterns: what sets each apart first; {_detail_hint(stack, project)} "
        "shows a consumer whole",
        out=out,
    )
    out.print(
        f"{len(resolved.plugins)} plugin(s), "
        f"{len(resolved.enabled)} of {len(rows)} consumer(s) enabled"
    )


def _detail_hint(stack: str, project: Path | None) -> str:
    return suggest_command("consumers", "NAME", flags=config_stack_flags(stack, project))
