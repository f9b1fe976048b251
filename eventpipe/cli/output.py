"""How commands print: consoles, JSON on stdout, tables that wrap, progress bars.

Results go to stdout (tables, or JSON with ``--json``), everything else (progress,
errors) to stderr, so piped output stays machine-readable.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table


def console() -> Console:
    """stdout console; rich turns colour off by itself when stdout is not a terminal."""
    return Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    """stderr console, soft-wrapped so a long message stays one greppable line."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    """Write ``data`` to stdout as JSON (datetimes as ISO strings)."""
    typer.echo(json.dumps(data, indent=2, default=str))


@contextmanager
def progress_bar(description: str, total: float | None) -> Iterator[tuple[Progress, Any]]:
    """A rich progress bar on stderr, shown only when stderr is a terminal, so piped
    output and CI logs stay clean."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=err_console(),
        disable=not sys.stderr.isatty(),
        transient=False,
    )
    with bar:
        task = bar.add_task(description, total=total, note="")
        yield bar, task


def fold_table(title: str, columns: Iterable[str]) -> Table:
    """A table whose long cells wrap instead of being cut, so ids and reasons stay whole."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table
