"""``eventpipe status``: every consumer's queue, DLQ, mapping, alarms and breaker in one table."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from eventpipe.cli import archive as archive_cli
from eventpipe.cli import breakers as breakers_cli
from eventpipe.cli.options import StackOptions, again, connected, stack_command
from eventpipe.cli.output import Cell, Column, console, emit_json, print_table, styled
from eventpipe.health_signals import LABELS
from eventpipe.operate.status import ConsumerStatus, delivery_dlq_depth, stack_status
from eventpipe.stack_functions.settings import ARCHIVE_DELIVERY_KEY


def register(app: typer.Typer) -> None:
    """Add ``status`` to ``app``."""
    app.command("status")(status)


def count_text(value: int | None) -> str:
    """A count as printed: ``n/a`` when it could not be read."""
    return "n/a" if value is None else str(value)


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def _alarm_cell(row: ConsumerStatus) -> Cell:
    """The worst alarm state, one short word, with the breaching signals' count (names
    and signals follow the table)."""
    state = row.alarm_state
    if state == "ALARM":
        return styled(f"ALARM ({len(row.signals) or len(row.firing)})", "red")
    if state == "MISSING":
        return styled("missing", "yellow")
    if state == "OK":
        return styled("OK", "green")
    return {"INSUFFICIENT_DATA": "no data"}.get(state, state)


def _state_cell(row: ConsumerStatus) -> Cell:
    """Whether Lambda polls the queue: running, paused, retired (nothing polls its kept
    queues), or n/a (mapping not readable)."""
    if row.retired:
        return styled("retired", "yellow")
    if row.mapping is None:
        return "n/a"
    if row.paused:
        return styled("paused", "yellow")
    return "running" if row.mapping_state == "Enabled" else row.mapping_state or "n/a"


@stack_command
def status(
    consumer: Annotated[
        list[str] | None, typer.Option("--consumer", "-c", help="Only these consumers.")
    ] = None,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Per consumer: queue and DLQ depth, oldest message age, alarms, paused.

    Also a pipe consumer's intake queue and intake DLQ. With several --stack (consumers
    split over stacks sharing one bus), one report per stack (``--json``: ``{"stacks":
    [...]}``)."""
    stacks = opts.each_stack()
    if len(stacks) == 1:
        _report(opts, consumer, as_json)
        return
    reports = [_report(each, consumer, as_json, among=stacks) for each in stacks]
    if as_json:
        emit_json({"stacks": [r for r in reports if r is not None]})


def _report(
    opts: StackOptions,
    consumer: list[str] | None,
    as_json: bool,
    among: list[StackOptions] | None = None,
) -> dict[str, Any] | None:
    """One stack's status: printed, or (``--json``) emitted, or returned when it is one of
    several (``among``)."""
    with connected(opts) as (target, aws):
        names = consumer or None
        if among and names:  # each stack shows the named consumers it holds
            names = [n for n in names if n in target.outputs.consumers]
            if not names:
                return None
        sqs, cloudwatch = aws.client("sqs"), aws.client("cloudwatch")
        rows = stack_status(
            target.outputs, sqs, cloudwatch, names, lambda_client=aws.client("lambda")
        )
        undelivered = delivery_dlq_depth(target.outputs, sqs)
        breakers = breakers_cli.states(target, aws, names)
        archived = archive_cli.counts(target, aws, [r.consumer for r in rows])
    if as_json:
        report = {
            "stack": target.outputs.stack,
            "consumers": [
                r.to_dict()
                | {
                    "breaker": b.to_dict() if (b := breakers.get(r.consumer)) else None,
                    "archived": archived.get(r.consumer),
                }
                for r in rows
            ],
            "deliveryDlqDepth": undelivered,
            "deliveryArchived": archived.get(ARCHIVE_DELIVERY_KEY),
        }
        if among:
            return report
        emit_json(report)
        return None
    out = console()
    out.print(f"eventpipe status: stack {target.outputs.stack} ({target.origin})", markup=False)
    numeric = ("waiting", "in flight", "DLQ", "oldest")
    columns = [
        Column("consumer"),
        *(Column(name, justify="right") for name in numeric),
        Column("polling"),
        Column("alarms"),
    ]
    print_table(
        columns,
        [
            [
                row.consumer,
                count_text(row.visible),
                count_text(row.in_flight),
                styled(count_text(row.dlq_depth), "red")
                if row.dlq_depth
                else count_text(row.dlq_depth),
                _age(row.oldest_age_seconds),
                breakers_cli.polling_cell(breakers.get(row.consumer)) or _state_cell(row),
                _alarm_cell(row),
            ]
            for row in rows
        ],
        out=out,
    )
    for row in rows:
        for name, state in sorted(row.alarms.items()):
            if state in ("ALARM", "MISSING"):
                word = "ALARM" if state == "ALARM" else "missing from CloudWatch"
                why = ", ".join(LABELS.get(s, s) for s in row.signals) if state == "ALARM" else ""
                out.print(
                    f"{row.consumer}: {word} {name}" + (f": {why}" if why else ""), markup=False
                )
    if undelivered:
        out.print(
            f"[red]{undelivered} event(s) could not be delivered to any queue[/] "
            "(bus delivery DLQ): check the queue policies and targets"
        )
    for row in rows:
        if row.intake_visible is None:
            continue
        dlq_note = f", [red]{row.intake_dlq_depth} in its DLQ[/]" if row.intake_dlq_depth else ""
        out.print(
            f"{row.consumer} intake queue (before the pipe): {count_text(row.intake_visible)} "
            f"waiting, {count_text(row.intake_in_flight)} in flight{dlq_note}"
        )
    breakers_cli.print_lines(out, opts, breakers)
    archive = target.outputs.dead_letter_archive
    bucket = archive.bucket_name if archive else None
    archive_cli.print_lines(out, opts, bucket, archived)
    tripped = {n for n, b in breakers.items() if b.tripped}
    paused = [r for r in rows if r.paused and r.consumer not in tripped]
    for row in paused:
        out.print(
            f"{row.consumer} is paused (event source mapping {row.mapping_state}): its "
            "messages wait in the queue; resume with "
            f"`{again(opts, 'resume', row.consumer)}`.",
            markup=False,
        )
    poisoned = [r.consumer for r in rows if r.dlq_depth]
    if poisoned:
        out.print(
            f"Inspect failed messages with `{again(opts, 'dlq', 'peek', poisoned[0])}`.",
            markup=False,
        )
    intake_poisoned = [r.consumer for r in rows if r.intake_dlq_depth]
    if intake_poisoned:
        out.print(
            "Inspect undelivered intake events with "
            f"`{again(opts, 'dlq', 'peek', intake_poisoned[0], '--intake')}`.",
            markup=False,
        )
    return None
