"""``eventpipe dlq peek|redrive|purge|cancel``: a consumer's dead-letter queue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from eventpipe.cli import archive as archive_cli
from eventpipe.cli.options import ConsumerArg, StackOptions, again, connected, stack_command
from eventpipe.cli.output import console, emit_json, progress_bar
from eventpipe.cli.reporting import CommandApp, CommandError, warn
from eventpipe.cli.status import count_text
from eventpipe.operate import dlq as dlq_ops
from eventpipe.operate import peek as peek_ops
from eventpipe.operate.stack_outputs import ConsumerOutputs, StackTarget

dlq_app = CommandApp(
    name="dlq",
    help="Look at, redrive, cancel a redrive of, or purge a consumer's dead-letter queue.",
    no_args_is_help=True,
)


ArchivedOpt = Annotated[
    bool,
    typer.Option(
        "--archived",
        help="Act on the dead-letter archive (S3): dead letters the archiver moved out of "
        "the DLQ before SQS could delete them.",
    ),
]
IntakeOpt = Annotated[
    bool,
    typer.Option(
        "--intake",
        help="Act on the intake DLQ (FIFO consumers grouped by a JSON path: events the "
        "pipe could not deliver); redrive goes back to the intake queue.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the ``dlq`` group (``peek``, ``redrive``, ``purge``, ``cancel``) to ``app``."""
    app.add_typer(dlq_app, name="dlq")


@contextmanager
def consumer_queues(
    opts: StackOptions, consumer: str
) -> Iterator[tuple[StackTarget, ConsumerOutputs, Any]]:
    """:func:`~eventpipe.cli.options.connected`, plus ``consumer``'s outputs (an unknown
    name ends the command with the known ones, and the closest as "did you mean") and an
    SQS client: what every ``dlq`` command starts from."""
    with connected(opts, consumer) as (target, aws):
        # a retired consumer's queues too (stack output ``retired``)
        yield target, target.outputs.queues_of(consumer), aws.client("sqs")


@dlq_app.command("peek")
@stack_command
def peek(
    consumer: ConsumerArg,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000)] = 10,
    intake: IntakeOpt = False,
    archived: ArchivedOpt = False,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Show DLQ messages and why they failed, leaving them in the queue.

    On a FIFO DLQ, SQS holds back the rest of a message group while its first messages
    are in flight; peek says how many it could not show, and why. With --archived, the
    dead letters archived in S3 instead.
    """
    if archived:
        if intake:
            raise CommandError("--archived reads the consumer's archive; drop --intake")
        archive_cli.peek(opts, consumer, limit, as_json, _print_message)
        return
    intake_flag = ("--intake",) if intake else ()
    with consumer_queues(opts, consumer) as (_, target_consumer, sqs):
        queue = dlq_ops.dead_letter_queue(target_consumer, intake=intake)
        result = peek_ops.peek(sqs, queue, limit)
        intake_waiting = (
            dlq_ops.depth(sqs, str(target_consumer.intake_dlq_url))
            if not intake and target_consumer.has_intake
            else 0
        )
    if as_json:
        emit_json(result.to_dict() | {"intakeDlqDepth": intake_waiting if not intake else None})
        return
    out = console()
    messages = result.messages
    if not messages and not result.not_shown:
        out.print(f"{queue.title} is empty.")
    elif messages:
        out.print(f"{queue.title}: {len(messages)} message(s) shown, none consumed.", markup=False)
        for number, message in enumerate(messages, start=1):
            _print_message(out, number, message)
    _explain_not_shown(out, opts, result, consumer, intake_flag)
    if messages or result.not_shown:
        out.print("", markup=False)
        out.print(
            f"After fixing the cause: `{again(opts, 'dlq', 'redrive', consumer, *intake_flag)}`; "
            f"to drop them: `{again(opts, 'dlq', 'purge', consumer, *intake_flag)}`.",
            markup=False,
        )
    if intake_waiting:
        out.print(
            f"The intake DLQ of {consumer} holds {intake_waiting} event(s) the pipe could "
            f"not deliver: `{again(opts, 'dlq', 'peek', consumer, '--intake')}`.",
            markup=False,
        )


def _print_message(out: Any, number: int, message: peek_ops.PeekedMessage) -> None:
    """One DLQ message as a short record: id and times, then its reason and event, each
    on its own line (readable at 80 columns, whole when piped)."""
    event = message.event
    described = (
        f"{event.get('detail-type')} from {event.get('source')}: "
        f"{json.dumps(event.get('detail'))[:200]}"
        if event and "detail-type" in event
        else message.body[:200]
    )
    facts = [f"sent {message.sent_at}" if message.sent_at else ""]
    facts.append(f"receives {count_text(message.receive_count)}")
    if message.group:
        facts.append(f"group {message.group}")
    out.print("", markup=False)
    event_id = event.get("id") if event else None
    if event_id:
        out.print(f"{number}. event {event_id}", markup=False)
        out.print(f"   SQS message {message.message_id}", markup=False)
    else:
        out.print(f"{number}. SQS message {message.message_id}", markup=False)
    out.print("   " + ", ".join(f for f in facts if f), markup=False)
    out.print(f"   reason: {message.summary}", markup=False)
    out.print(f"   event:  {described}", markup=False)


def _explain_not_shown(
    out: Any, opts: StackOptions, result: peek_ops.PeekResult, consumer: str, flag: tuple[str, ...]
) -> None:
    """Say how many messages the peek could not show, why, and how to see them."""
    if not result.not_shown:
        return
    if not result.held_back:
        out.print(
            f"{result.not_shown} more message(s) not shown (--limit {result.limit}): "
            f"`{again(opts, 'dlq', 'peek', consumer, *flag, '--limit', str(result.depth))}`.",
            markup=False,
        )
        return
    why = []
    if result.queue.fifo:
        why.append(
            "on a FIFO queue SQS returns no more messages of a message group while earlier "
            "ones of that group are in flight, and a peek holds the ones it shows in "
            "flight, so it sees only the first messages of each group"
        )
    if result.in_flight:
        why.append(
            f"{result.in_flight} were already in flight (received by a running redrive or "
            "another peek) and become visible again when their visibility timeout ends"
        )
    out.print(
        f"{result.held_back} message(s) in {result.queue.label} could not be shown: "
        + "; ".join(why or ["SQS did not return them"])
        + ". They appear once the messages before them leave the queue: redrive them "
        f"(`{again(opts, 'dlq', 'redrive', consumer, *flag)}`) and peek again, or see "
        "every message after the redrive in the consumer's log "
        f"(`{again(opts, 'logs', consumer, '--since', '1h')}`).",
        markup=False,
    )


UNCHANGED_REASONS = {
    "InvalidEventError": "the event does not fit the handler's model",
    "PermanentError": "the handler refused the event",
}
"""Failures a redrive repeats unless the handler (or its model) changed first."""
REDRIVE_SAMPLE = 10
"""DLQ messages ``redrive`` looks at before it starts (a peek: nothing is consumed)."""


def _warn_unchanged_reasons(sqs: Any, queue: Any, opts: StackOptions, consumer: str) -> None:
    """Warn when the dead letters failed for a reason a redrive alone does not change:
    sent back as they are, to the same handler, they fail the same way."""
    result = peek_ops.peek(sqs, queue, REDRIVE_SAMPLE)
    kinds: dict[str, int] = {}
    for message in result.messages:
        kind = message.reason.get("error_type", "")
        if kind in UNCHANGED_REASONS:
            kinds[kind] = kinds.get(kind, 0) + 1
    if not kinds:
        return
    named = "; ".join(
        f"{count} {kind} ({UNCHANGED_REASONS[kind]})" for kind, count in sorted(kinds.items())
    )
    warn(
        f"of the {len(result.messages)} message(s) looked at: {named}. Redriven unchanged "
        "to the same handler, they fail again: change the handler or its model and deploy "
        f"it first (`{again(opts, 'dlq', 'peek', consumer)}` shows them)"
    )


@dlq_app.command("redrive")
@stack_command
def redrive(
    consumer: ConsumerArg,
    rate: Annotated[
        int | None,
        typer.Option("--rate", min=1, max=500, help="Messages per second (default: SQS picks)."),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Follow the task until it ends.")
    ] = True,
    intake: IntakeOpt = False,
    archived: ArchivedOpt = False,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Move them into this consumer's queue instead (e.g. a retired consumer's "
            "dead letters into the consumer that replaced it; same queue type only).",
        ),
    ] = None,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Move the DLQ's messages back to the consumer's queue.

    SQS StartMessageMoveTask; with --intake, the intake DLQ's back to the intake queue;
    with --to OTHER, into OTHER's queue; with --archived, the archived dead letters (S3)
    back to the consumer's queue."""
    if archived:
        if to is not None:
            raise CommandError("--archived sends to the consumer's own queue: drop --to")
        if intake or rate is not None or not wait:
            raise CommandError("--archived sends at once: drop --intake, --rate and --no-wait")
        archive_cli.redrive(opts, consumer, as_json)
        return
    out = console()
    with consumer_queues(opts, consumer) as (target, target_consumer, sqs):
        queue = dlq_ops.dead_letter_queue(target_consumer, intake=intake)
        if to is not None:
            queue = dlq_ops.redirected(queue, target.outputs.queues_of(to))
        waiting = dlq_ops.depth(sqs, queue.url)
        if waiting == 0:
            if as_json:
                emit_json({"consumer": consumer, "status": "EMPTY", "moved": 0})
            else:
                out.print(f"{queue.title} is empty: nothing to redrive.")
            return
        _warn_unchanged_reasons(sqs, queue, opts, consumer)
        handle = dlq_ops.start_redrive(sqs, queue, target, rate)
        last = dlq_ops.MoveProgress("RUNNING", 0, waiting)
        if wait:
            with progress_bar(f"redrive {consumer}", waiting) as (bar, task):
                for last in dlq_ops.watch_redrive(sqs, queue, handle):
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
        flag = ("--intake",) if intake else ()
        out.print(
            f"Redrive of {consumer} started (task {handle}); follow it with "
            f"`{again(opts, 'status')}`, stop it with `{again(opts, 'dlq', 'cancel', consumer, *flag)}`.",
            markup=False,
        )


@dlq_app.command("purge")
@stack_command
def purge(
    consumer: ConsumerArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm.")] = False,
    intake: IntakeOpt = False,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Delete every message in the consumer's DLQ (asks first; --yes for scripts)."""
    with consumer_queues(opts, consumer) as (target, target_consumer, sqs):
        queue = dlq_ops.dead_letter_queue(target_consumer, intake=intake)
        waiting = dlq_ops.depth(sqs, queue.url)
        if not yes and not typer.confirm(
            f"Delete all {waiting} message(s) in {queue.label} "
            f"(stack {target.outputs.stack})? They cannot be recovered",
            default=False,
        ):
            raise CommandError("purge cancelled; nothing was deleted")
        purged = dlq_ops.purge(sqs, queue)
    if as_json:
        emit_json({"consumer": consumer, "intake": intake, "purged": purged})
    else:
        console().print(f"Purged {queue.label} ({purged} message(s)).")


@dlq_app.command("cancel")
@stack_command
def cancel(
    consumer: ConsumerArg,
    intake: IntakeOpt = False,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Cancel the running redrive of the consumer's DLQ (SQS CancelMessageMoveTask).

    Messages already moved stay in the queue they went to; the rest stay in the DLQ.
    """
    with consumer_queues(opts, consumer) as (target, target_consumer, sqs):
        queue = dlq_ops.dead_letter_queue(target_consumer, intake=intake)
        result = dlq_ops.cancel_redrive(sqs, queue, target)
        left = dlq_ops.depth(sqs, queue.url) if result.cancelled else None
    if as_json:
        emit_json(
            {
                "consumer": consumer,
                "intake": intake,
                "status": "CANCELLING" if result.cancelled else "NONE",
                "taskHandle": result.task_handle,
                "moved": result.moved,
                "leftInDlq": left,
            }
        )
        return
    out = console()
    if not result.cancelled:
        out.print(f"No redrive of {queue.label} is running: nothing to cancel.")
        return
    out.print(
        f"Cancelled the redrive of {queue.label} after {result.moved} message(s) moved; "
        f"{count_text(left)} left in the DLQ (`{again(opts, 'dlq', 'peek', consumer, *(('--intake',) if intake else ()))}`).",
        markup=False,
    )
