"""``eventpipe pause CONSUMER`` / ``eventpipe resume CONSUMER``: stop and restart a
consumer's event source mapping, so during a downstream outage its messages wait in the
queue instead of failing towards the DLQ. Logic in :mod:`eventpipe.operate.mapping`."""

from __future__ import annotations

import typer

from eventpipe.cli.options import ConsumerArg, StackOptions, again, connected, stack_command
from eventpipe.cli.output import console, emit_json
from eventpipe.operate import breakers as breaker_ops
from eventpipe.operate import mapping as mapping_ops


def _switch(consumer: str, enabled: bool, opts: StackOptions, as_json: bool) -> None:
    closed = None
    with connected(opts, consumer) as (target, aws):
        chosen = target.outputs.consumer(consumer)
        if enabled:  # an open or half-open breaker is closed, as its own close step does
            closed = breaker_ops.close_breaker(
                aws.client("scheduler"), aws.client("lambda"), target.outputs, chosen
            )
        if closed is not None:
            state = mapping_ops.current(aws.client("lambda"), chosen)
        else:
            state = mapping_ops.set_enabled(aws.client("lambda"), chosen, enabled)
    if as_json:
        extra = {"breaker": closed.to_dict() if closed is not None else None}
        emit_json(state.to_dict() | (extra if enabled else {}))
        return
    if closed is not None:
        limit = closed.restored_concurrency
        message = (
            f"Closed the circuit breaker of {consumer} by hand (it was {closed.was.state}"
            + (f", open since {closed.was.since}" if closed.was.since else "")
            + f"): its event source mapping is {state.state} at "
            + (f"maximum concurrency {limit}" if limit else "no concurrency limit")
            + ", as configured, and its half-open schedule is deleted. Watch it with "
            + f"`{again(opts, 'status', '--consumer', consumer)}`."
        )
    elif enabled:
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

    UpdateEventSourceMapping Enabled=true; an open or half-open circuit breaker is
    closed: its configured concurrency restored and its half-open schedule deleted."""
    _switch(consumer, True, opts, as_json)


def register(app: typer.Typer) -> None:
    """Add ``pause`` and ``resume`` to ``app``."""
    app.command("pause")(pause)
    app.command("resume")(resume)
