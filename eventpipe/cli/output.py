"""How commands print: consoles, JSON on stdout, tables that fit, progress bars.

Results go to stdout (tables, or JSON with ``--json``), everything else (progress,
errors, warnings) to stderr, so piped output stays machine-readable.

Terminal or not decides three things, the same way for every command:

- **colour**: only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org;
  rich reads it);
- **width**: on a terminal, tables fit its width (``COLUMNS`` when set);
  piped, nothing is wrapped: each row is one line however long (``grep``/``awk`` work);
- **progress bars**: only when stderr is a terminal.

rich decides "terminal" (``isatty``, or ``TTY_COMPATIBLE=1`` / ``FORCE_COLOR`` to force
it, which is how the tests render at 80 columns).

Every table is printed with :func:`eventpipe.tables.print_table` (re-exported here, with
:class:`~eventpipe.tables.Column`, :func:`~eventpipe.tables.styled` and the stdout
:func:`~eventpipe.tables.console`), the one renderer the local engine's console uses too:
headers never split, values never cut mid-word, one line per row when piped.
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

from eventpipe.tables import PIPED_WIDTH, Cell, Column, console, print_table, styled

__all__ = [
    "VERBATIM_KEYS",
    "Cell",
    "Column",
    "camel_keys",
    "console",
    "emit_json",
    "err_console",
    "print_table",
    "progress_bar",
    "styled",
]


def err_console() -> Console:
    """stderr console. On a terminal it wraps between words at the terminal's width (a
    terminal left to wrap a long line itself cuts it inside a word); piped, a message
    stays one greppable line. No emoji codes: ``eventpipe:key:`` in a message must not
    become ``eventpipe🔑``."""
    probe = Console(stderr=True, highlight=False, emoji=False)
    if probe.is_terminal:
        return Console(stderr=True, highlight=False, soft_wrap=False, emoji=False)
    return Console(stderr=True, highlight=False, soft_wrap=True, width=PIPED_WIDTH, emoji=False)


VERBATIM_KEYS = frozenset(
    {
        "event",
        "pattern",
        "detail",
        "body",
        "environment",
        "messageAttributes",
        "record",
        "alarms",
        "filterPolicy",
    }
)
"""Keys whose values are data (an EventBridge event, a pattern, a message body, a log
record, the plugin's environment, a map from alarm name to state, an SNS filter
policy), written as they are:
their keys belong to AWS or to the user, not to eventpipe's schema."""


def camel(key: str) -> str:
    """``dlq_depth`` -> ``dlqDepth``; a key already in camelCase is left as it is."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(data: Any, verbatim: frozenset[str] = VERBATIM_KEYS) -> Any:
    """``data`` with every mapping key in camelCase, except inside the values of
    ``verbatim`` keys (which are data, see :data:`VERBATIM_KEYS`)."""
    if isinstance(data, dict):
        converted = {}
        for key, value in data.items():
            name = camel(key) if isinstance(key, str) else key
            converted[name] = value if name in verbatim else camel_keys(value, verbatim)
        return converted
    if isinstance(data, list | tuple):
        return [camel_keys(item, verbatim) for item in data]
    return data


def emit_json(data: Any, *, verbatim: Iterable[str] = ()) -> None:
    """Write ``data`` to stdout as JSON (datetimes as ISO strings), every key in
    camelCase: the one casing of every command's ``--json`` (docs/operations.md, "JSON
    output"), whatever casing the dataclass behind it uses. Values under
    :data:`VERBATIM_KEYS` (and ``verbatim``) are data and keep their keys."""
    keep = VERBATIM_KEYS | frozenset(verbatim)
    typer.echo(json.dumps(camel_keys(data, keep), indent=2, default=str))


BAR_WIDTH = 24
"""Columns of a progress bar: short enough that the description, percentage, note and
elapsed time fit 80 columns beside it."""


@contextmanager
def progress_bar(description: str, total: float | None) -> Iterator[tuple[Progress, Any]]:
    """A rich progress bar on stderr, shown only when stderr is a terminal, so piped
    output and CI logs stay clean."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=BAR_WIDTH),
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
