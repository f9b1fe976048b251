"""The ``eventpipe`` command line.

Each group of commands lives in a module named after it and adds its commands with
``register(app)``, so adding a command touches one module:

- :mod:`~eventpipe.cli.consumers`: ``consumers`` (what a stack will build);
- :mod:`~eventpipe.cli.new`: ``new`` (scaffold a consumer plugin);
- :mod:`~eventpipe.cli.events`: ``publish``, ``match``, ``replay`` (the bus's side);
- :mod:`~eventpipe.cli.status`: ``status`` (every consumer's queues, mapping and alarms);
- :mod:`~eventpipe.cli.dlq`: ``dlq peek|redrive|purge|cancel`` (a consumer's DLQ);
- :mod:`~eventpipe.cli.local`: ``dev``, ``demo`` (the pipelines on this machine).

What they share: :mod:`~eventpipe.cli.options` (the options and the project walk),
:mod:`~eventpipe.cli.output` (printing) and :mod:`~eventpipe.cli.reporting` (the one way
an error is reported and the exit-code rule; :class:`~eventpipe.cli.reporting.CommandApp`
applies it to every command).

Needs the ``cli`` extra (typer, rich); without it, importing this package raises
:class:`~eventpipe.extras.MissingExtraError` and the ``eventpipe`` console script
(:mod:`eventpipe.console_script`) prints that message alone.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from eventpipe.extras import require

# Every command module imports typer and rich: name the extra before one of them fails.
require("cli", "the eventpipe command")

import typer  # noqa: E402

from eventpipe.cli import (  # noqa: E402
    consumers,
    dlq,
    events,
    local,
    logs,
    mapping,
    new,
    plan,
    retired,
    send,
    status,
    trace,
)
from eventpipe.cli import cost as cost_command  # noqa: E402
from eventpipe.cli import graph as graph_command  # noqa: E402
from eventpipe.cli.reporting import CommandApp  # noqa: E402

__all__ = ["app", "main"]

app = CommandApp(
    name="eventpipe",
    help="EventBridge -> SQS -> Lambda pipelines from consumer plugins.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

DISTRIBUTION = "eventpipe"


def package_version() -> str:
    """The installed eventpipe distribution's version (``pyproject.toml``'s)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed: run `make install`)"


def _print_version(requested: bool) -> None:
    if requested:
        typer.echo(f"eventpipe {package_version()}")
        raise typer.Exit()


@app.callback()
def root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print eventpipe's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """EventBridge -> SQS -> Lambda pipelines from consumer plugins."""


for group in (
    consumers,
    plan,
    new,
    events,
    send,
    status,
    dlq,
    retired,
    logs,
    trace,
    mapping,
    local,
    cost_command,
    graph_command,
):
    group.register(app)


def main() -> None:
    """Console script entry point."""
    app()
