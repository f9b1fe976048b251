"""``eventpipe pause CONSUMER`` / ``eventpipe resume CONSUMER``: stop and restart a
consumer's event source mapping, so during a downstream outage its messages wait in the
queue instead of failing towards the DLQ. Logic in :mod:`eventpipe.operate.mapping`."""

from __future__ import annotations

import typer

from eventpipe.cli.options import StackOptions, connected, stack_command
from eventpipe.cli.output import console, emit_json
from eventpipe.cli.queues import ConsumerArg, again
from eventpipe.operate import mapping as mapping_ops


def _switch(consumer: str, enabled: bool, opts: StackOptions, as_json: bool) -> None:
    with connected(opts) as (target, aws):
        state = mapping_ops.set_enabled(
            aws.client("lambda"), target.outputs.consumer(consumer), enabled
        )
    if as_json:
        emit_json(state.to_dict())
        return
    if enabled:
        message = (
            f"Resumed {consumer}: its event source mapping is {state.state}; Lambda polls "
            f"the queue again. Watch it with `{again(opts, 'status', '--consumer', consumer)}`."
        )
    else:
        message = (
            f"Paused {consumer}: its event source mapping is {state.state}. Messages wait in "
            "the queue (none is received, so none is dead-lettered); batches already "
            f"running finish. Resume with `{again(opts, 'resume', consumer)}`."
        )
    console().print(message, markup=False)


@stack_command
def pause(consumer: ConsumerArg, *, opts: StackOptions, as_json: bool) -> None:
    """Stop a consumer's function receiving messages; they wait in its queue.

    UpdateEventSourceMapping Enabled=false; nothing is dead-lettered meanwhile.
    `eventpipe resume` turns it back on."""
    _switch(consumer, False, opts, as_json)


@stack_command
def resume(consumer: ConsumerArg, *, opts: StackOptions, as_json: bool) -> None:
    """Let a consumer's function receive messages again.

    UpdateEventSourceMapping Enabled=true."""
    _switch(consumer, True, opts, as_json)


def register(app: typer.Typer) -> None:
    """Add ``pause`` and ``resume`` to ``app``."""
    app.command("pause")(pause)
    app.command("resume")(resume)
