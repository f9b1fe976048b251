"""How ``status`` shows circuit breakers and how ``resume`` closes one by hand.

The commands stay in :mod:`eventpipe.cli.status` (``status``) and
:mod:`eventpipe.cli.mapping` (``resume``); they call these helpers, and the logic is in
:mod:`eventpipe.operate.breakers`.
"""

from __future__ import annotations

from typing import Any

from eventpipe.cli.options import StackOptions
from eventpipe.cli.output import Cell, styled
from eventpipe.operate import breakers as breaker_ops
from eventpipe.operate.aws import Aws
from eventpipe.operate.stack_outputs import StackTarget


def states(
    target: StackTarget, aws: Aws, names: list[str] | None
) -> dict[str, breaker_ops.BreakerState]:
    """The breaker of each selected consumer that has one."""
    consumers = target.outputs.select(names)
    if not any(breaker_ops.has_breaker(c) for c in consumers):
        return {}
    return breaker_ops.breaker_states(
        aws.client("scheduler"), aws.client("lambda"), target.outputs, consumers
    )


def polling_cell(state: breaker_ops.BreakerState | None) -> Cell | None:
    """The status table's "polling" cell for a tripped breaker (None: not tripped)."""
    if state is None or not state.tripped:
        return None
    if state.state == breaker_ops.OPEN:
        return styled("breaker open", "red")
    return styled("half-open", "yellow")


def print_lines(out: Any, opts: StackOptions, found: dict[str, breaker_ops.BreakerState]) -> None:
    """One line per open or half-open breaker: since when, why, what happens next, and
    the command that closes it by hand."""
    for name, state in sorted(found.items()):
        if state.state == breaker_ops.UNKNOWN:
            out.print(f"{name}: circuit breaker state unknown: {state.reason}.", markup=False)
            continue
        if not state.tripped:
            continue
        if state.state == breaker_ops.OPEN:
            text = (
                f"{name}: circuit breaker open since {state.since or 'unknown'}"
                f" (alarm {state.alarm_name}): {state.reason or 'no reason recorded'}."
                f" Messages wait in the queue; half-open at {state.half_open_at or 'unknown'}."
            )
        else:
            text = (
                f"{name}: circuit breaker half-open since {state.half_open_at or 'unknown'}"
                f" (at most {state.max_concurrency or breaker_ops.HALF_OPEN_CONCURRENCY}"
                f" concurrent invocations); it opened at {state.since or 'unknown'}:"
                f" {state.reason or 'no reason recorded'}. It closes when alarm"
                f" {state.alarm_name} returns to OK."
            )
        out.print(f"{text} Close it by hand with {opts.suggest('resume', name)}.", markup=False)
