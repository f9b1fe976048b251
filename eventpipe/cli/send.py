"""``eventpipe send CONSUMER BODY|@file|-``: messages straight into a consumer's queue.

Thin: it reads the bodies and options and calls :mod:`eventpipe.operate.send`, which
batches and retries under SQS's limits.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from eventpipe.cli.options import ConsumerArg, StackOptions, connected, stack_command
from eventpipe.cli.output import Column, console, emit_json, print_table, progress_bar
from eventpipe.cli.reporting import CommandError
from eventpipe.operate import send as send_ops


def _bodies(body: str) -> list[str]:
    """BODY as given; ``@file`` and ``-`` (stdin) one body per line."""
    if body == "-":
        return send_ops.read_bodies(sys.stdin.read())
    if body.startswith("@"):
        path = Path(body[1:])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        return send_ops.read_bodies(path.read_text())
    return [body]


@stack_command
def send(
    consumer: ConsumerArg,
    body: Annotated[
        str,
        typer.Argument(
            help="The message body as given; @FILE or - (stdin): one body per line, blank "
            "lines skipped.",
            show_default=False,
        ),
    ],
    group: Annotated[
        str | None,
        typer.Option(
            "--group", "-g", help="FIFO message group id (default: the consumer's fixed group)."
        ),
    ] = None,
    dedup_id: Annotated[
        str | None,
        typer.Option(
            "--dedup-id",
            help="FIFO deduplication id (several bodies: ID-1, ID-2, ...; default: the "
            "body's SHA-256 unless the queue deduplicates by content).",
        ),
    ] = None,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Send messages straight to a consumer's queue, not through the bus.

    Batches of up to 10 (SendMessageBatch), retrying entries SQS failed on its side.

    A FIFO queue needs a message group: --group, unless the consumer has a fixed one.
    """
    bodies = _bodies(body)
    if not bodies:
        raise CommandError(f"nothing to send: {'stdin' if body == '-' else body[1:]} is empty")
    with connected(opts, consumer) as (target, aws):
        target_consumer = target.outputs.consumer(consumer)
        sqs = aws.client("sqs")
        max_bytes, content_dedup = send_ops.queue_limits(sqs, target_consumer.queue_url)
        entries = send_ops.build_entries(
            target_consumer,
            bodies,
            group=group,
            dedup_id=dedup_id,
            max_message_bytes=max_bytes,
            content_dedup=content_dedup,
        )
        with progress_bar(f"send {consumer}", len(entries)) as (bar, task):
            result = send_ops.send(
                sqs, target_consumer, entries, progress=lambda n: bar.advance(task, n)
            )
    if as_json:
        emit_json({"consumer": consumer} | result.to_dict())
    else:
        out = console()
        colour = "green" if result.ok else "red"
        retried = f", {result.retried} resend(s)" if result.retried else ""
        out.print(
            f"[{colour}]Sent {result.sent} of {result.total} message(s)[/] to "
            f"{target_consumer.queue_name} in {result.calls} call(s){retried}"
        )
        if result.failures:
            print_table(
                [Column("#", "right"), "code", Column("message", wrap=True),
                 Column("attempts", "right")],
                [(str(f.index + 1), f.code, f.message, str(f.attempts))
                 for f in result.failures[:50]],
                title="failed messages",
                out=out,
            )  # fmt: skip
    if not result.ok:
        raise CommandError(f"{len(result.failures)} of {result.total} message(s) not sent")


def register(app: typer.Typer) -> None:
    """Add ``send`` to ``app``."""
    app.command("send")(send)
