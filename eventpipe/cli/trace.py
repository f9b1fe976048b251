"""``eventpipe trace EVENT_ID``: where one event went, in one view; ``--last`` finds ids.

Thin: options, the stack (:mod:`eventpipe.cli.options`), then
:mod:`eventpipe.operate.trace`, which reads the same things on AWS and on the local
engine (the runtime's outcome lines through Logs Insights, the rules, the DLQs, the
archive).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from eventpipe.cli.options import StackOptions, connected, stack_command
from eventpipe.cli.output import console, emit_json, print_table
from eventpipe.operate.exceptions import OperateError
from eventpipe.operate.replay import parse_time
from eventpipe.operate.trace import (
    ConsumerTrace,
    Trace,
    follow_trace,
    recent_events,
    trace_event,
)

_STATE_STYLE = {
    "processed": "green",
    "dead-lettered": "red",
    "archived": "red",
    "in-flight": "yellow",
    "failed": "red",
}


def _styled(state: str) -> str:
    style = _STATE_STYLE.get(state)
    return f"[{style}]{state}[/]" if style else state


def _consumer_lines(out: Console, part: ConsumerTrace) -> None:
    if part.matched is False:
        out.print(f"  [dim]{escape(part.consumer)}: not matched: {escape(part.reason or '')}[/]")
        return
    head = f"  [bold]{escape(part.consumer)}[/] ({part.source})"
    if part.matched is None:
        head += f" [dim]match unknown: {escape(part.reason or '')}[/]"
    out.print(head)
    if part.pipe is not None:
        hop = part.pipe
        group = f", group {escape(hop.group)}" if hop.group else ""
        out.print(
            f"    {escape(hop.intake_queue)} -> pipe {escape(hop.pipe)} -> "
            f"{escape(hop.fifo_queue)}{group}"
        )
    elif part.queue:
        out.print(f"    queue {escape(part.queue)}")
    for attempt in part.attempts:
        took = f" {attempt.duration_ms:.1f} ms" if attempt.duration_ms is not None else ""
        count = f"#{attempt.receive_count} " if attempt.receive_count else ""
        error = (
            f" {escape(attempt.error_type or '')}: {escape(attempt.error_message or '')}"
            if attempt.error_type
            else ""
        )
        out.print(
            f"    {attempt.time:%H:%M:%S.%f}"[:-3]
            + f"  {count}{_styled(attempt.outcome)}{took}{error}"
        )
    ending = part.ending
    line = f"    -> {_styled(ending.state)}: {escape(ending.detail)}"
    if ending.reason and ending.state != "processed":
        line += f" ({escape(ending.reason)})"
    if ending.dlq_message_id:
        line += f" [dim]DLQ message {escape(ending.dlq_message_id)}[/]"
    out.print(line)


def print_trace(out: Console, trace: Trace) -> None:
    """The human view of a trace."""
    out.print(
        f"[bold]event {escape(trace.event_id)}[/] on {escape(trace.stack)}: "
        f"{_styled(trace.state)} - {escape(trace.summary)}"
    )
    if trace.event is not None:
        kind = f"{trace.event.get('source', '?')} / {trace.event.get('detail-type', '?')}"
        out.print(f"  [dim]{escape(kind)} (event from {escape(trace.event_from or '?')})[/]")
    for part in sorted(trace.consumers, key=lambda c: (c.matched is False, c.consumer)):
        _consumer_lines(out, part)
    for note in trace.notes:
        out.print(f"  [dim]note: {escape(note)}[/]")
    query = trace.query
    scanned = (
        f", {query.bytes_scanned / 1e6:.2f} MB scanned" if query.bytes_scanned is not None else ""
    )
    out.print(
        f"  [dim]Logs Insights over {len(query.log_groups)} log group(s): "
        f"{query.seconds:.2f} s{scanned}[/]"
    )


def _read_event(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise OperateError(f"--event {path}: not a JSON event ({exc})") from None
    if not isinstance(data, dict):
        raise OperateError(f"--event {path}: the event must be a JSON object")
    return data


@stack_command
def trace(
    event_id: Annotated[
        str | None, typer.Argument(help="EventBridge event id, SNS message id or SQS message id.")
    ] = None,
    last: Annotated[
        int | None, typer.Option("--last", help="List the N newest event ids instead.")
    ] = None,
    consumer: Annotated[
        list[str] | None, typer.Option("--consumer", help="With --last: only this consumer.")
    ] = None,
    failed: Annotated[
        bool, typer.Option("--failed", help="With --last: only failed attempts.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Start of the search: 1h, 2d, ISO 8601 (default 24h; 1h with --last)."
        ),
    ] = None,
    event_file: Annotated[
        Path | None,
        typer.Option(
            "--event",
            help=(
                "The event as JSON, to explain which rules it fails; or the SNS message "
                "(with MessageAttributes), to evaluate topic consumers' filter policies."
            ),
        ),
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep tracing until nothing is in flight.")
    ] = False,
    dlq_scan: Annotated[
        int, typer.Option("--dlq-scan", help="DLQ messages read per DLQ (0: none).")
    ] = 100,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Follow one event: matches, queues, every attempt and where it ended.

    For each consumer: whether its rule matched (or the pattern field that failed), or
    for a topic-fed one its subscription's filter policy (or the attribute that failed), the
    queue and pipe it reached, every attempt, and where it ended. Reads the functions' logs through CloudWatch Logs Insights (billed per GB scanned:
    docs/operations.md, "Find an event"), the rules, the DLQs and the archive.
    `--last 10 [--consumer X] [--failed]` lists recent event ids to trace.
    """
    if (event_id is None) == (last is None):
        raise OperateError("give an EVENT_ID to trace, or --last N to list recent ones")
    out = console()
    with connected(opts) as (target, aws):
        if last is not None:
            found = recent_events(
                aws.client,
                target.outputs,
                last=last,
                consumers=consumer or (),
                failed=failed,
                since=parse_time(since) if since else None,
            )
            if as_json:
                emit_json(found.to_dict())
                return
            print_table(
                ["time", "event id", "consumer", "outcome", "error"],
                [
                    [
                        f"{e.time:%H:%M:%S}",
                        e.event_id or f"(message {e.message_id})",
                        e.consumer,
                        e.outcome,
                        f"{e.error_type}: {e.error_message}" if e.error_type else "",
                    ]
                    for e in found.events
                ],
            )
            return
        assert event_id is not None
        start = parse_time(since) if since else None
        event = _read_event(event_file)
        if follow:
            for step in follow_trace(
                aws.client, target.outputs, event_id, since=start, event=event, dlq_scan=dlq_scan
            ):
                if as_json:
                    typer.echo(json.dumps(step.to_dict(), default=str))
                else:
                    print_trace(out, step)
            return
        result = trace_event(
            aws.client, target.outputs, event_id, since=start, event=event, dlq_scan=dlq_scan
        )
        if as_json:
            emit_json(result.to_dict())
            return
        print_trace(out, result)


def register(app: typer.Typer) -> None:
    """Add ``trace`` to ``app``."""
    app.command("trace")(trace)
