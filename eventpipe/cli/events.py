"""``eventpipe publish``, ``match`` and ``replay``: the bus's side.

The commands are thin: they parse options, find the stack (:mod:`eventpipe.cli.options`)
and call :mod:`eventpipe.operate`, which holds the logic and is tested on its own.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from eventpipe.cli import topics as topics_cli
from eventpipe.cli.options import (
    StackOptions,
    config_stack_flags,
    connected,
    stack_command,
    suggest_command,
)
from eventpipe.cli.output import Column, console, emit_json, print_table, progress_bar, styled
from eventpipe.cli.reporting import CommandError
from eventpipe.operate import match as match_ops
from eventpipe.operate import replay as replay_ops
from eventpipe.operate.inputs import iter_file_events, read_json_argument
from eventpipe.publish import Publisher, PublishResult

SHOWN_IDS = 10
"""Event ids ``publish`` prints (``--json`` has them all)."""


def _publish_summary(result: PublishResult, bus: str) -> None:
    out = console()
    colour = "green" if result.ok else "red"
    out.print(
        f"[{colour}]Published {result.succeeded} of {result.total} event(s)[/] to {bus} "
        f"in {result.calls} call(s)" + (f", {result.retried} resend(s)" if result.retried else "")
    )
    ids = [result.event_ids[i] for i in sorted(result.event_ids)]
    for event_id in ids[:SHOWN_IDS]:
        out.print(f"  event id {event_id}", markup=False)
    if len(ids) > SHOWN_IDS:
        out.print(f"  ... and {len(ids) - SHOWN_IDS} more event ids (--json lists them all)")
    if result.failures:
        print_table(
            [
                Column("#", justify="right"),
                Column("detail-type"),
                Column("error"),
                Column("attempts", justify="right"),
                Column("message", wrap=True),
            ],
            [
                [
                    str(f.index),
                    f.detail_type,
                    f.error_code,
                    str(f.attempts),
                    f.error_message,
                ]
                for f in result.failures[:50]
            ],
            title="failed events",
            out=out,
        )
        if len(result.failures) > 50:
            out.print(f"... and {len(result.failures) - 50} more (use --json for all)")


def _events_to_publish(
    file: str | None, detail_type: str | None, detail: str | None
) -> tuple[list[dict[str, Any]], bool]:
    """The events ``publish`` sends, and whether they came from a file (or stdin), which
    gets a progress bar. Contradictory or empty input ends the command with its error."""
    if detail_type is None and detail is not None:
        raise CommandError("--detail needs --detail-type (and --source)")
    if file is None and detail_type is None:
        if sys.stdin.isatty():
            raise CommandError(
                "nothing to publish: give --detail-type/--source/--detail, a file, or "
                "pipe events to stdin"
            )
        file = "-"
    if file is not None and detail_type is not None:
        raise CommandError("give either a file of events or --detail-type, not both")
    if file is None:
        body = read_json_argument(detail) if detail is not None else {}
        return [{"detail-type": detail_type, "detail": body}], False
    events = list(iter_file_events(file))
    if not events:
        raise CommandError(f"no events in {'stdin' if file == '-' else file}")
    return events, True


@stack_command
def publish(
    file: Annotated[
        str | None,
        typer.Argument(
            help="JSON or JSON-lines file of events (with --topic: one message per line); - for "
            "stdin.",
            show_default=False,
        ),
    ] = None,
    detail_type: Annotated[
        str | None, typer.Option("--detail-type", "-t", help="Detail type of one event.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Source (default for file events without one)."),
    ] = None,
    detail: Annotated[
        str | None, typer.Option("--detail", "-d", help="Detail JSON object, @file or -.")
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            help="Publish to this stack topic (eventpipe:topics) instead of the bus; FILE "
            "then holds one message per line.",
        ),
    ] = None,
    message: Annotated[
        str | None, typer.Option("--message", "-m", help="With --topic: one message.")
    ] = None,
    attribute: Annotated[
        list[str] | None,
        typer.Option(
            "--attribute",
            "-a",
            help="With --topic: a message attribute NAME=VALUE or NAME:TYPE=VALUE "
            "(repeatable; what filter policies match).",
        ),
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="With --topic: message group (FIFO topic).")
    ] = None,
    dedup_id: Annotated[
        str | None,
        typer.Option("--dedup-id", help="With --topic: deduplication id (FIFO topic)."),
    ] = None,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Publish events to the stack's bus, in batches, retrying transient failures.

    One event from options (--detail-type, --source, --detail), or many from a file
    (a JSON object or array, or JSON lines) or stdin. Events in a file use EventBridge's
    keys: {"source": ..., "detail-type": ..., "detail": {...}}.

    With --topic NAME, messages go to that SNS topic of the stack instead (SNS
    PublishBatch, 10 a call), with --attribute message attributes.
    """
    if topic is not None:  # SNS: eventpipe/cli/topics.py
        if detail_type or source or detail:
            raise CommandError("--topic publishes messages: use --message, not --detail-type")
        texts = topics_cli.messages(file, message)
        topics_cli.publish(opts, topic, texts, attribute or [], group, dedup_id, as_json)
        return
    if message or attribute or group or dedup_id:
        raise CommandError("--message, --attribute, --group and --dedup-id need --topic NAME")
    events, from_file = _events_to_publish(file, detail_type, detail)
    with connected(opts) as (target, aws):
        publisher = Publisher(target.outputs.bus.name, client=aws.client("events"), source=source)
        if from_file:
            with progress_bar("publish", len(events)) as (bar, task):
                result = publisher.publish_many(events, progress=lambda n: bar.advance(task, n))
        else:
            result = publisher.publish_many(events)
    if as_json:
        emit_json(
            result.to_dict() | {"eventIds": [result.event_ids.get(i) for i in range(result.total)]}
        )
    else:
        _publish_summary(result, target.outputs.bus.name)
    if not result.ok:
        raise CommandError(f"{len(result.failures)} of {result.total} event(s) not published")


@stack_command
def match(
    event: Annotated[str, typer.Argument(help="Event JSON, @file, or - for stdin.")],
    deployed: Annotated[
        bool,
        typer.Option(
            "--deployed",
            help="Ask the deployed rules (TestEventPattern) instead of the installed plugins.",
        ),
    ] = False,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Which consumers' event patterns match EVENT.

    By default the installed plugins' patterns for the stack (what the next `pulumi up`
    deploys), checked by eventpipe's matcher: no stack outputs, AWS or Pulumi CLI needed.
    --deployed asks EventBridge's TestEventPattern about the deployed rules. Missing
    envelope fields (id, account, time, region, resources) are filled in; source and
    detail-type must be given.
    """
    data = read_json_argument(event)
    if not isinstance(data, dict):
        raise CommandError("the event must be a JSON object")
    if deployed:
        with connected(opts) as (target, aws):
            full = match_ops.complete_event(data, target.outputs, target.region)
            events_client = aws.client("events")
            patterns = match_ops.patterns_from_rules(events_client, target.outputs)
            results = match_ops.match_event(events_client, full, patterns)
    else:
        patterns = match_ops.patterns_from_plugins(opts.directory, opts.stack)
        full = match_ops.complete_event(data, None, opts.region)
        results = match_ops.match_with_plugins(full, patterns)
    if as_json:
        emit_json({"event": full, "results": [r.to_dict() for r in results]})
        return
    out = console()
    if not results:
        out.print("No consumer has an event pattern (direct-queue consumers only).")
        return
    print_table(
        [Column("consumer"), Column("matches"), Column("pattern", elide=True)],
        [
            [
                r.consumer,
                styled("yes", "green") if r.matched else "no",
                json.dumps(r.pattern, separators=(",", ":")),
            ]
            for r in results
        ],
        title=f"{full['detail-type']} from {full['source']}",
        more=(
            suggest_command(
                "consumers", "NAME", flags=config_stack_flags(opts.stack, opts.project_dir)
            )
            + " shows a plugin's pattern whole"
            if not deployed
            else "--json shows the deployed patterns whole"
        ),
        out=out,
    )
    matched = [r.consumer for r in results if r.matched]
    engine = {r.engine for r in results}
    out.print(
        f"{len(matched)} of {len(results)} consumer(s) match (checked with {', '.join(engine)}).",
        markup=False,
    )


@stack_command
def replay(
    start: Annotated[
        str, typer.Option("--from", help="Start: ISO 8601, yesterday, today, -2h ...")
    ],
    end: Annotated[str, typer.Option("--to", help="End (exclusive): same forms; now.")] = "now",
    consumer: Annotated[
        list[str] | None,
        typer.Option("--consumer", "-c", help="Replay only into this consumer (repeatable)."),
    ] = None,
    wait: Annotated[bool, typer.Option(help="Follow the replay until it ends.")] = True,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Replay archived events from --from to --to into the chosen consumers' rules."""
    begin, finish = replay_ops.parse_time(start), replay_ops.parse_time(end)
    with connected(opts) as (target, aws):
        plan = replay_ops.plan_replay(target.outputs, begin, finish, consumer or None)
        events_client = aws.client("events")
        replay_ops.start_replay(events_client, plan)
        last = replay_ops.ReplayProgress("STARTING", 0.0)
        if wait:
            with progress_bar("replay", 1.0) as (bar, task):
                for last in replay_ops.watch_replay(events_client, plan):
                    bar.update(task, completed=last.fraction, note=last.state)
    summary = {
        "replay": plan.name,
        "state": last.state,
        "from": plan.start.isoformat(),
        "to": plan.end.isoformat(),
        "consumers": plan.consumers,
        "ruleArns": plan.rule_arns,
    }
    if as_json:
        emit_json(summary)
        return
    out = console()
    out.print(
        f"Replay {plan.name}: {last.state}, events from {plan.start:%Y-%m-%d %H:%M} to "
        f"{plan.end:%Y-%m-%d %H:%M} UTC into {len(plan.consumers)} consumer(s): "
        f"{', '.join(plan.consumers)}",
        markup=False,
    )
    if last.last_replayed is not None:
        out.print(f"last event replayed: {last.last_replayed:%Y-%m-%d %H:%M:%S} UTC", markup=False)
    out.print(
        "EventBridge does not count a replay's events (DescribeReplay); "
        f"{opts.suggest('status')} shows what the queues "
        "received",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``publish``, ``match`` and ``replay`` to ``app``."""
    app.command("publish")(publish)
    app.command("match")(match)
    app.command("replay")(replay)
