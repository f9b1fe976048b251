"""Operator commands: ``new``, ``publish``, ``match``, ``status``, ``dlq ...``, ``replay``.

The commands are thin: they parse options, find the stack (:mod:`eventpipe.operate.stack_outputs`)
and call :mod:`eventpipe.operate`, which holds the logic and is tested on its own.
"""

from __future__ import annotations

import typer

from eventpipe.cli import ops_events, ops_new, ops_queues


def register(app: typer.Typer) -> None:
    """Add the operator commands to ``app``."""
    app.command("new")(ops_new.new)
    app.command("publish")(ops_events.publish)
    app.command("match")(ops_events.match)
    app.command("status")(ops_queues.status)
    app.add_typer(ops_queues.dlq_app, name="dlq")
    app.command("replay")(ops_events.replay)
