"""The ``eventpipe`` command line.

Each group of commands lives in its own module and adds itself with ``register(app)``,
so the core, operator and local-mode commands can change independently.
"""

from __future__ import annotations

import typer

from eventpipe.cli import consumers, local_cmds, ops

app = typer.Typer(
    name="eventpipe",
    help="EventBridge -> SQS -> Lambda pipelines from consumer plugins.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for module in (consumers, ops, local_cmds):
    module.register(app)


def main() -> None:
    """Console script entry point."""
    app()
