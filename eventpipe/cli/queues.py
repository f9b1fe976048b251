"""``eventpipe status`` and ``eventpipe dlq peek|redrive|purge``: the queues' side."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table

from eventpipe.cli.options import StackOptions, connected, stack_command
from eventpipe.cli.output import console, emit_json, fold_table, progress_bar
from eventpipe.cli.reporting import CommandApp, CommandError
from eventpipe.operate import dlq as dlq_ops
from eventpipe.operate.stack_outputs import ConsumerOutputs, StackTarget
from eventpipe.operate.status import ConsumerStatus, delivery_dlq_depth, stack_status

ConsumerArg = Annotated[str, typer.Argument(help="Consumer name (see `eventpipe status`).")]

dlq_app = CommandApp(
    name="dlq",
    help="Look at, redrive or purge a consumer's dead-letter queue.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``status`` and the ``dlq`` group (``peek``, ``redrive``, ``purge``) to ``app``."""
    app.command("status")(status)
    app.add_typer(dlq_app, name="dlq")


@contextmanager
def consumer_queues(
    opts: StackOptions, consumer: str
) -> Iterator[tuple[StackTarget, ConsumerOutputs, Any]]:
    """:func:`~eventpipe.cli.options.connected`, plus ``consumer``'s outputs (an unknown
    name ends the command with the known ones) and an SQS client: what every ``dlq``
    command starts from."""
    with connected(opts) as (target, aws):
        yield target, target.outputs.consumer(consumer), aws.client("sqs")


def _count(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def _alarm_cell(row: ConsumerStatus) -> str:
    state = row.alarm_state
    if state == "ALARM":
        return f"[red]ALARM[/] ({', '.join(row.firing)})"
    if state == "MISSING":
        missing = [n for n, s in row.alarms.items() if s == "MISSING"]
        return f"[yellow]missing[/] ({', '.join(missing)})"
    return {"OK": "[green]OK[/]"}.get(state, state)


@stack_command
def status(
    consumer: Annotated[
        list[str] | None, typer.Option("--consumer", "-c", help="Only these consumers.")
    ] = None,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Per consumer: messages waiting and in flight, DLQ depth, oldest message age, alarms."""
    with connected(opts) as (target, aws):
        sqs, cloudwatch = aws.client("sqs"), aws.client("cloudwatch")
        rows = stack_status(target.outputs, sqs, cloudwatch, consumer or None)
        undelivered = delivery_dlq_depth(target.outputs, sqs)
    if as_json:
        emit_json(
            {
                "stack": target.outputs.stack,
                "consumers": [r.to_dict() for r in rows],
                "deliveryDlqDepth": undelivered,
            }
        )
        return
    table = Table(title=f"eventpipe status (stack {target.outputs.stack}, {target.origin})")
    for column in ("consumer", "visible", "in flight", "DLQ", "oldest", "alarms"):
        justify = "right" if column in ("visible", "in flight", "DLQ", "oldest") else "left"
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        dlq_cell = _count(row.dlq_depth)
        if row.dlq_depth:
            dlq_cell = f"[red]{dlq_cell}[/]"
        table.add_row(
            row.consumer,
            _count(row.visible),
            _count(row.in_flight),
            dlq_cell,
            _age(row.oldest_age_seconds),
            _alarm_cell(row),
        )
    out = console()
    out.print(table)
    if undelivered:
        out.print(
            f"[red]{undelivered} event(s) could not be delivered to any queue[/] "
            "(bus delivery DLQ): check the queue policies and targets"
        )
    poisoned = [r.consumer for r in rows if r.dlq_depth]
    if poisoned:
        out.print(f"Inspect failed messages with `eventpipe dlq peek {poisoned[0]}`.")


@dlq_app.command("peek")
@stack_command
def peek(
    consumer: ConsumerArg,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000)] = 10,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Show DLQ messages and why they failed, leaving them in the queue."""
    with consumer_queues(opts, consumer) as (_, target_consumer, sqs):
        messages = dlq_ops.peek(sqs, target_consumer, limit)
    if as_json:
        emit_json([m.to_dict() for m in messages])
        return
    out = console()
    if not messages:
        out.print(f"The DLQ of {consumer} is empty.")
        return
    table = fold_table(
        f"DLQ of {consumer}: {len(messages)} message(s) shown, none consumed",
        ("message id", "sent", "receives", "reason", "event"),
    )
    for message in messages:
        event = message.event
        described = (
            f"{event.get('detail-type')} from {event.get('source')}: "
            f"{json.dumps(event.get('detail'))[:200]}"
            if event and "detail-type" in event
            else message.body[:200]
        )
        table.add_row(
            message.message_id,
            message.sent_at or "",
            _count(message.receive_count),
            message.summary,
            described,
            end_section=True,
        )
    out.print(table, markup=False)
    out.print(
        f"After fixing the cause: `eventpipe dlq redrive {consumer}`; to drop them: "
        f"`eventpipe dlq purge {consumer}`.",
        markup=False,
    )


@dlq_app.command("redrive")
@stack_command
def redrive(
    consumer: ConsumerArg,
    rate: Annotated[
        int | None,
        typer.Option("--rate", min=1, max=500, help="Messages per second (default: SQS picks)."),
    ] = None,
    wait: Annotated[bool, typer.Option(help="Follow the task until it ends.")] = True,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Move the DLQ's messages back to the consumer's queue (SQS StartMessageMoveTask)."""
    out = console()
    with consumer_queues(opts, consumer) as (target, target_consumer, sqs):
        waiting = dlq_ops.depth(sqs, target_consumer.dlq_url)
        if waiting == 0:
            if as_json:
                emit_json({"consumer": consumer, "status": "EMPTY", "moved": 0})
            else:
                out.print(f"The DLQ of {consumer} is empty: nothing to redrive.")
            return
        handle = dlq_ops.start_redrive(sqs, target_consumer, target, rate)
        last = dlq_ops.MoveProgress("RUNNING", 0, waiting)
        if wait:
            with progress_bar(f"redrive {consumer}", waiting) as (bar, task):
                for last in dlq_ops.watch_redrive(sqs, target_consumer, handle):
                    bar.update(
                        task, completed=last.moved, total=last.to_move or waiting, note=last.status
                    )
    result = {
        "consumer": consumer,
        "taskHandle": handle,
        "status": last.status,
        "moved": last.moved,
        "toMove": last.to_move,
    }
    if as_json:
        emit_json(result)
    elif wait:
        out.print(f"Redrive of {consumer}: {last.status}, {last.moved} message(s) moved back.")
    else:
        out.print(
            f"Redrive of {consumer} started (task {handle}); follow it with `eventpipe status`."
        )


@dlq_app.command("purge")
@stack_command
def purge(
    consumer: ConsumerArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm.")] = False,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Delete every message in the consumer's DLQ (asks first; --yes for scripts)."""
    with consumer_queues(opts, consumer) as (target, target_consumer, sqs):
        waiting = dlq_ops.depth(sqs, target_consumer.dlq_url)
        if not yes and not typer.confirm(
            f"Delete all {waiting} message(s) in the DLQ of {consumer} "
            f"(stack {target.outputs.stack})? They cannot be recovered",
            default=False,
        ):
            raise CommandError("purge cancelled; nothing was deleted")
        purged = dlq_ops.purge(sqs, target_consumer)
    if as_json:
        emit_json({"consumer": consumer, "purged": purged})
    else:
        console().print(f"Purged the DLQ of {consumer} ({purged} message(s)).")
