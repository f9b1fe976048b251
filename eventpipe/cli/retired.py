"""``eventpipe retired discard NAME``: delete a retired consumer's kept queues.

A consumer that left the stack keeps its queues and DLQs (docs/operations.md, "Change or
remove a consumer"); ``status`` lists them and ``dlq peek|redrive --to`` act on them.
Discarding them is explicit: the command says how many messages go, and asks.
"""

from __future__ import annotations

from typing import Annotated

import typer

from eventpipe.cli.options import StackOptions, connected, stack_command
from eventpipe.cli.output import console, emit_json
from eventpipe.cli.reporting import CommandApp, CommandError
from eventpipe.operate import retired as retired_ops

retired_app = CommandApp(
    name="retired",
    help="Discard the kept queues of a consumer that left the stack.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``retired`` group (``discard``) to ``app``."""
    app.add_typer(retired_app, name="retired")


@retired_app.command("discard")
@stack_command
def discard(
    consumer: Annotated[str, typer.Argument(help="The retired consumer (see `eventpipe status`).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm.")] = False,
    *,
    opts: StackOptions,
    as_json: bool,
) -> None:
    """Delete a retired consumer's queues and DLQs with every message in them.

    Then let the stack forget them: list it in `eventpipe:retired` with `discard: true`
    and run `pulumi up` (Pulumi drops them from its state).
    """
    with connected(opts) as (target, aws):
        sqs = aws.client("sqs")
        found = retired_ops.count(sqs, target.outputs, consumer)
        if not yes and not typer.confirm(
            f"Delete the {len(found.messages)} queue(s) of retired consumer {consumer} with "
            f"about {found.total} message(s) ({_per_queue(found)})? They cannot be recovered",
            default=False,
        ):
            raise CommandError("discard cancelled; nothing was deleted")
        gone = retired_ops.discard(sqs, target.outputs, consumer)
    if as_json:
        emit_json({"consumer": consumer, "discarded": gone.messages, "total": gone.total})
        return
    out = console()
    out.print(
        f"Discarded retired consumer {consumer}: {len(gone.messages)} queue(s), about "
        f"{gone.total} message(s) ({_per_queue(gone)}).",
        markup=False,
    )
    out.print(
        f"Now let the stack forget them: `eventpipe:retired: [{{name: {consumer}, "
        "discard: true}]` in the stack file, then `pulumi up`.",
        markup=False,
    )


def _per_queue(found: retired_ops.Discarded) -> str:
    return ", ".join(f"{role}: {number}" for role, number in found.messages.items())
