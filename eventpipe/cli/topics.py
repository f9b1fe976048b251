"""``eventpipe publish --topic NAME``: the SNS side of ``publish`` (the command itself is
in :mod:`eventpipe.cli.events`; the logic in :mod:`eventpipe.operate.topics`)."""

from __future__ import annotations

import sys
from pathlib import Path

from eventpipe.cli.options import StackOptions, connected
from eventpipe.cli.output import Column, console, emit_json, print_table
from eventpipe.cli.reporting import CommandError
from eventpipe.operate import topics as topic_ops
from eventpipe.operate.send import read_bodies


def messages(file: str | None, message: str | None) -> list[str]:
    """The messages to publish: ``--message``, or one per line of FILE (``-``: stdin)."""
    if message is not None and file is not None:
        raise CommandError("give either --message or a file of messages, not both")
    if message is not None:
        return [message]
    if file is None:
        if sys.stdin.isatty():
            raise CommandError(
                "nothing to publish: give --message TEXT, a file (one message per line), or "
                "pipe messages to stdin"
            )
        file = "-"
    if file == "-":
        return read_bodies(sys.stdin.read())
    try:
        return read_bodies(Path(file).read_text())
    except OSError as exc:
        raise CommandError(f"cannot read {file}: {exc.strerror}") from None


def publish(
    opts: StackOptions,
    topic: str,
    texts: list[str],
    attributes: list[str],
    group: str | None,
    dedup_id: str | None,
    as_json: bool,
) -> None:
    """Publish ``texts`` to the stack topic ``topic`` with ``attributes``."""
    parsed = dict(topic_ops.parse_attribute(a) for a in attributes)
    with connected(opts) as (target, aws):
        arn = topic_ops.topic_arn(target.outputs, topic)
        sns = aws.client("sns")
        limit = topic_ops.topic_max_bytes(sns, arn)
        entries = topic_ops.build_entries(
            arn, texts, parsed, group=group, dedup_id=dedup_id, max_bytes=limit
        )
        result = topic_ops.publish(sns, arn, entries, max_bytes=limit)
    if as_json:
        emit_json(result.to_dict())
    else:
        out = console()
        colour = "green" if result.ok else "red"
        out.print(
            f"[{colour}]Published {result.published} of {result.total} message(s)[/] to "
            f"{arn.rsplit(':', 1)[-1]} in {result.calls} call(s)"
            + (f", {result.retried} resend(s)" if result.retried else "")
        )
        if result.failures:
            print_table(
                [
                    Column("#", justify="right"),
                    Column("error"),
                    Column("attempts", justify="right"),
                    Column("message", wrap=True),
                ],
                [[str(f.index), f.code, str(f.attempts), f.message] for f in result.failures[:50]],
                title="failed messages",
                out=out,
            )
    if not result.ok:
        raise CommandError(f"{len(result.failures)} of {result.total} message(s) not published")
