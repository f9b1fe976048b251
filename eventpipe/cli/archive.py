"""``dlq peek --archived`` and ``dlq redrive --archived``, and the archive's lines in
``status``: the dead-letter archive bucket, read with :mod:`eventpipe.operate.archive`.

The ``dlq`` commands in :mod:`eventpipe.cli.dlq` call these when ``--archived`` is
given.
"""

from __future__ import annotations

from typing import Any

from eventpipe.cli.options import StackOptions, connected
from eventpipe.cli.output import console, emit_json, progress_bar
from eventpipe.cli.reporting import CommandError
from eventpipe.operate import archive as archive_ops
from eventpipe.operate.aws import Aws
from eventpipe.operate.stack_outputs import StackTarget
from eventpipe.stack_functions.settings import ARCHIVE_DELIVERY_KEY


def counts(target: StackTarget, aws: Aws, names: list[str]) -> dict[str, int]:
    """Archived dead letters per consumer (and ``_delivery``); {} without an archive."""
    archive = target.outputs.dead_letter_archive
    if not (archive and archive.bucket_name):
        return {}
    return archive_ops.archived_counts(aws.client("s3"), target.outputs, names)


def print_lines(out: Any, opts: StackOptions, bucket: str | None, found: dict[str, int]) -> None:
    """One line per consumer with archived dead letters, and how to see them."""
    for name, number in sorted(found.items()):
        if not number:
            continue
        if name == ARCHIVE_DELIVERY_KEY:
            out.print(
                f"{number} undeliverable event(s) of the bus archived in s3://{bucket}/{name}/.",
                markup=False,
            )
            continue
        out.print(
            f"{name}: {number} dead letter(s) archived in s3://{bucket}/{name}/ (older than "
            f"the archive's afterDays); see them with "
            f"{opts.suggest('dlq', 'peek', name, '--archived')}.",
            markup=False,
        )


def peek(opts: StackOptions, consumer: str, limit: int, as_json: bool, printer: Any) -> None:
    """``dlq peek CONSUMER --archived``: the first archived dead letters, unchanged."""
    with connected(opts, consumer) as (target, aws):
        target.outputs.consumer(consumer)  # an unknown name: the known ones
        result = archive_ops.peek_archived(aws.client("s3"), target.outputs, consumer, limit)
    if as_json:
        emit_json(result.to_dict())
        return
    out = console()
    where = f"s3://{result.bucket}/{consumer}/"
    if not result.messages:
        out.print(f"The archive of {consumer} ({where}) is empty.", markup=False)
        return
    out.print(
        f"The archive of {consumer} ({where}): {len(result.messages)} of {result.total} "
        "archived dead letter(s) shown, none changed.",
        markup=False,
    )
    for number, message in enumerate(result.messages, start=1):
        printer(out, number, message.peeked)
        out.print(f"   archived {message.archived_at}: {message.key}", markup=False)
    if result.not_shown:
        out.print(
            f"{result.not_shown} more not shown (--limit {limit}): "
            f"{opts.suggest('dlq', 'peek', consumer, '--archived', '--limit', str(result.total))}.",
            markup=False,
        )
    out.print("", markup=False)
    out.print(
        "After fixing the cause, send them back to the queue: "
        f"{opts.suggest('dlq', 'redrive', consumer, '--archived')}.",
        markup=False,
    )


def redrive(opts: StackOptions, consumer: str, as_json: bool) -> None:
    """``dlq redrive CONSUMER --archived``: each archived dead letter back to the
    consumer's queue, its object deleted once SQS accepted it."""
    with connected(opts, consumer) as (target, aws):
        outputs = target.outputs
        chosen = outputs.consumer(consumer)
        s3 = aws.client("s3")
        total = archive_ops.count(s3, archive_ops.archive_bucket(outputs), consumer)
        with progress_bar(f"redrive {consumer} from the archive", total) as (bar, task):
            result = archive_ops.redrive_archived(
                s3, aws.client("sqs"), outputs, chosen, progress=lambda n: bar.advance(task, n)
            )
    if as_json:
        emit_json(result.to_dict())
    else:
        out = console()
        if not result.total:
            out.print(f"The archive of {consumer} is empty: nothing to redrive.", markup=False)
        else:
            out.print(
                f"Redrive of {consumer} from s3://{result.bucket}/{consumer}/: "
                f"{result.sent} of {result.total} message(s) sent back to its queue, "
                f"{result.deleted} object(s) deleted.",
                markup=False,
            )
        for failure in result.failures:
            out.print(
                f"not sent (kept in the archive): {failure.key}: {failure.code}: {failure.message}",
                markup=False,
            )
        for key in result.undeleted:
            out.print(
                f"sent but not deleted (delete it, or it is sent again next time): {key}",
                markup=False,
            )
        if result.sent:
            out.print(
                f"Watch them with {opts.suggest('status', '--consumer', consumer)}.",
                markup=False,
            )
    if not result.ok:
        raise CommandError(
            f"{len(result.failures)} archived message(s) not sent and "
            f"{len(result.undeleted)} not deleted; they are listed above"
        )
