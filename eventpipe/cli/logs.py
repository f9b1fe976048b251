"""``eventpipe logs CONSUMER``: the consumer function's CloudWatch log.

Thin: options, the stack (:mod:`eventpipe.cli.options`), then
:mod:`eventpipe.operate.logs`, which reads and follows the log the same way on AWS and
on the local engine.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from eventpipe.cli.options import ConsumerArg, StackOptions, connected, stack_command
from eventpipe.cli.output import console, emit_json
from eventpipe.operate import logs as logs_ops
from eventpipe.operate.replay import parse_time

_LEVEL_STYLE = {"ERROR": "red", "CRITICAL": "red", "WARNING": "yellow", "DEBUG": "dim"}


def _print_line(out: Console, line: logs_ops.LogLine, verbose: bool = False) -> None:
    """One log event: time, level, message, the record it is about, wrapped between
    words; a failure's traceback below it, indented, so it reads as part of the line
    above. A failure the handler raised on purpose (a planned retry, a dead letter it
    asked for) shows where it was raised instead of the traceback, unless ``verbose``.
    Traceback rows are never wrapped: on a terminal a row too long is cut with ``…``
    (piped output and ``--json`` have it whole)."""
    stamp = line.time.strftime("%H:%M:%S")
    level = line.level or ("ERROR" if line.is_error else "")
    style = _LEVEL_STYLE.get(level, "")
    head = f"[{style}]{level:<7}[/]" if style else f"{level:<7}"
    text = escape(line.message)
    about = []
    if line.message_id:
        about.append(f"message {line.message_id}")
    if line.correlation_id:
        about.append(f"event {line.correlation_id}")
    if line.error and line.error not in line.message:
        text += f": {escape(line.error)}"
    if about:
        text += f" [dim]({escape(', '.join(about))})[/]"
    out.print(f"{stamp} {head} {text}")
    if not line.exception:
        return
    if line.is_planned_failure and not verbose and line.raise_site:
        out.print(
            f"    [dim]raised at {escape(line.raise_site)} (--verbose: traceback)[/]",
            overflow="ellipsis",
            no_wrap=True,
        )
        return
    for row in line.exception.rstrip().splitlines():
        out.print(f"    {escape(row)}", overflow="ellipsis", no_wrap=True)


def shown_by_default(line: logs_ops.LogLine) -> bool:
    """The handler's and the runtime's lines; not Lambda's own START/END/REPORT lines
    nor the metrics objects (``--verbose`` shows those too)."""
    return not (line.is_platform or line.is_metrics or not line.raw.strip())


@stack_command
def logs(
    consumer: ConsumerArg,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines until Ctrl-C.")
    ] = False,
    since: Annotated[
        str, typer.Option("--since", help="Start: 10m, 2h, 1d, ISO 8601, today ...")
    ] = "10m",
    filter_text: Annotated[
        str | None,
        typer.Option(
            "--filter",
            help="Only lines containing this text (or a CloudWatch filter pattern "
            'starting with { [ " ? or %).',
        ),
    ] = None,
    errors: Annotated[
        bool, typer.Option("--errors", help="Only errors (ERROR lines and tracebacks).")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Every line: also Lambda's START/END/REPORT, metrics, and the traceback "
            "of a failure the handler raised on purpose.",
        ),
    ] = False,
    pipe: Annotated[
        bool,
        typer.Option("--pipe", help="The consumer's pipe's log instead (per-key FIFO)."),
    ] = False,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Show a consumer function's log in time order, errors with their traceback.

    The handler's and the runtime's lines by default. Errors come with the record (SQS message id, event id) they belong to. A failure
    the handler raised on purpose (RetryableError, PermanentError) shows where it was
    raised; --verbose shows its traceback and Lambda's START/END/REPORT and metrics
    lines too.

    Reads the function's log group with FilterLogEvents; --follow polls it every two
    seconds. --pipe reads the EventBridge pipe's log of a per-key FIFO consumer. With
    --json, one JSON document; with --json --follow, one JSON object per line.
    """
    start = logs_ops.to_millis(parse_time(since))
    pattern = logs_ops.filter_pattern(filter_text)
    out = console()
    shown = 0
    collected: list[dict[str, object]] = []
    with connected(opts, consumer) as (target, aws):
        found = target.outputs.consumer(consumer)
        group = logs_ops.pipe_log_group(found) if pipe else logs_ops.log_group(found)
        client = aws.client("logs")
        lines = (
            logs_ops.follow(client, group, start_ms=start, pattern=pattern)
            if follow
            else logs_ops.read(client, group, start_ms=start, pattern=pattern)
        )
        if follow and not as_json:
            typer.echo(f"Following {group} (Ctrl-C to stop) ...", err=True)
        try:
            for line in lines:
                if errors and not line.is_error:
                    continue
                if not verbose and not shown_by_default(line):
                    continue
                shown += 1
                if as_json and follow:  # a stream: one JSON object per line
                    typer.echo(json.dumps(line.to_dict(), default=str))
                elif as_json:
                    collected.append(line.to_dict())
                else:
                    _print_line(out, line, verbose)
        except KeyboardInterrupt:
            return
    if as_json and not follow:
        emit_json({"consumer": consumer, "logGroup": group, "lines": collected})
        return
    if not shown and not as_json:
        what = f" matching {filter_text!r}" if filter_text else ""
        typer.echo(f"No log lines{what} in {group} since {since}.", err=True)


def register(app: typer.Typer) -> None:
    """Add ``logs`` to ``app``."""
    app.command("logs")(logs)
