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

Every table is printed with :func:`print_table`, which takes :class:`Column` s and rows
of cells and guarantees, at any width down to 80 columns:

- a header is never split across lines (a column is never narrower than its header);
- a value is never cut mid-word: ``keep`` columns (names, ids, numbers) stay whole,
  ``wrap`` columns (reasons, messages) wrap between words, ``elide`` columns (patterns,
  JSON, bodies) are cut at the end with ``…`` and the command says how to see them whole
  (the ``more`` hint);
- when even that cannot fit, each row is printed as a block of ``header: value`` lines.

Example::

    print_table(
        [Column("consumer"), Column("pattern", elide=True), Column("DLQ", justify="right")],
        [["orders", json.dumps(pattern), "3"]],
        title="consumers (stack dev)",
        more="`eventpipe consumers NAME` shows a consumer's whole pattern",
    )
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

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

ELLIPSIS = "…"
MIN_ELIDED = 12
"""An elided column keeps at least this many characters (or its header's width)."""
GAP = 2
"""Spaces between two columns."""
PIPED_WIDTH = 1_000_000
"""Console width when stdout is not a terminal: wide enough that rich never wraps."""

Cell = str | Text
"""A table cell: a plain string (printed as is: ``[`` and ``]`` are not markup) or a rich
:class:`~rich.text.Text` carrying its style (see :func:`styled`)."""


def console() -> Console:
    """stdout console. On a terminal it wraps prose at the terminal's width; piped, it
    never wraps (a long line stays one line) and has no colour."""
    probe = Console(highlight=False, emoji=False)
    if probe.is_terminal:
        return Console(highlight=False, soft_wrap=False, emoji=False)
    return Console(highlight=False, soft_wrap=True, width=PIPED_WIDTH, emoji=False)


def err_console() -> Console:
    """stderr console, soft-wrapped so a long message stays one greppable line. No emoji
    codes: ``eventpipe:key:`` in a message must not become ``eventpipe🔑``."""
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def styled(text: str, style: str) -> Text:
    """``text`` as a cell in ``style`` (e.g. ``"red"``): colour shows only on a terminal."""
    return Text(text, style=style)


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


@dataclass(frozen=True)
class Column:
    """One column of :func:`print_table`.

    The default keeps values whole (names, ids, counts). ``wrap`` lets a value wrap
    between words (prose: reasons, messages); ``elide`` lets it be cut at the end with
    ``…`` (patterns, JSON, message bodies), and those columns give up width first.
    """

    header: str
    justify: Literal["left", "right"] = "left"
    wrap: bool = False
    elide: bool = False

    def __post_init__(self) -> None:
        if self.wrap and self.elide:
            raise ValueError(f"column {self.header!r}: wrap or elide, not both")


def _lines(cell: Cell) -> list[str]:
    return (cell.plain if isinstance(cell, Text) else cell).split("\n")


def _natural(column: Column, cells: list[Cell]) -> int:
    longest = max((Text(line).cell_len for c in cells for line in _lines(c)), default=0)
    return max(Text(column.header).cell_len, longest)


def _minimum(column: Column, cells: list[Cell], natural: int) -> int:
    header = Text(column.header).cell_len
    if column.elide:
        return min(natural, max(header, MIN_ELIDED))
    if column.wrap:
        words = [w for c in cells for line in _lines(c) for w in line.split()]
        return max([header, *(Text(w).cell_len for w in words)])
    return natural


def _fit(
    naturals: list[int], minimums: list[int], columns: Sequence[Column], room: int
) -> list[int]:
    """Column widths that fit ``room`` (the content width, gaps excluded): elide columns
    shrink first, then wrap columns, each never below its minimum."""
    widths = list(naturals)
    for kind in ("elide", "wrap"):
        excess = sum(widths) - room
        if excess <= 0:
            break
        shrinkable = [i for i, c in enumerate(columns) if getattr(c, kind)]
        # Take width from the widest shrinkable column first, one character at a time,
        # so two long columns end up sharing the room rather than one being crushed.
        while excess > 0:
            candidates = [i for i in shrinkable if widths[i] > minimums[i]]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: widths[i])
            widths[widest] -= 1
            excess -= 1
    return widths


def _as_text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(cell)


def print_table(
    columns: Sequence[Column | str],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str | None = None,
    more: str | None = None,
    out: Console | None = None,
) -> bool:
    """Print a table on stdout (or ``out``) as the module docstring describes.

    ``more`` is printed under the table when a cell was elided: how to see it whole.
    Returns whether anything was elided.
    """
    cols = [c if isinstance(c, Column) else Column(c) for c in columns]
    body = [list(r) for r in rows]
    for row in body:
        if len(row) != len(cols):
            raise ValueError(f"a row has {len(row)} cells for {len(cols)} columns: {row!r}")
    out = out or console()
    if title:
        out.print(Text(title, style="bold"))
    per_column = [[row[i] for row in body] for i in range(len(cols))]
    naturals = [_natural(c, cells) for c, cells in zip(cols, per_column, strict=True)]
    gaps = GAP * (len(cols) - 1)
    if not out.is_terminal:
        widths = naturals
    else:
        minimums = [
            _minimum(c, cells, n) for c, cells, n in zip(cols, per_column, naturals, strict=True)
        ]
        room = out.width - gaps
        if sum(minimums) > room:
            return _print_records(cols, body, out, more)
        widths = _fit(naturals, minimums, cols, room)
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, GAP - 1, 0, 0),
        collapse_padding=False,
        header_style="bold",
    )
    elided = False
    for column, width, natural in zip(cols, widths, naturals, strict=True):
        table.add_column(
            column.header,
            justify=column.justify,
            width=width,
            no_wrap=not column.wrap,
            overflow="ellipsis" if column.elide else "fold",
        )
        elided = elided or (column.elide and width < natural)
    for row in body:
        table.add_row(*(_as_text(cell) for cell in row))
    table_width = sum(widths) + gaps
    if out.is_terminal:
        out.print(table)
    else:
        # One line per row however long: render at the table's own width, not the
        # console's, and drop the padding rich adds after the last column.
        wide = Console(
            width=table_width + len(cols) * GAP,
            file=out.file,
            highlight=False,
            color_system=None,
            no_color=True,
        )
        with wide.capture() as captured:
            wide.print(table)
        for line in captured.get().splitlines():
            out.file.write(line.rstrip() + "\n")
    if elided and more:
        out.print(Text(f"{ELLIPSIS} = cut short; {more}.", style="dim"))
    return elided


def _print_records(
    cols: list[Column], body: list[list[Cell]], out: Console, more: str | None
) -> bool:
    """Each row as ``header: value`` lines, for tables too wide for the terminal even
    at their narrowest: every value then has the terminal's width less the label."""
    label = max(Text(c.header).cell_len for c in cols) + 2
    room = max(out.width - label, MIN_ELIDED)
    elided = False
    for number, row in enumerate(body):
        if number:
            out.print()
        for column, cell in zip(cols, row, strict=True):
            value = _as_text(cell)
            if column.elide and value.cell_len > room:
                value = value.copy()
                value.truncate(room, overflow="ellipsis")
                elided = True
            pieces: list[Cell] = (
                list(
                    textwrap.wrap(value.plain, room, break_long_words=False, break_on_hyphens=False)
                )
                if column.wrap
                else [value]
            )
            for index, piece in enumerate(pieces or [""]):
                line = Text(f"{column.header}:".ljust(label) if index == 0 else " " * label)
                line.stylize("bold", 0, len(column.header) + 1)
                line.append_text(_as_text(piece))
                out.print(line, no_wrap=True, overflow="ignore", crop=False)
    if elided and more:
        out.print(Text(f"{ELLIPSIS} = cut short; {more}.", style="dim"))
    return elided


def fold_table(title: str, columns: Iterable[str]) -> Table:
    """The older table helper, kept until every command prints with :func:`print_table`:
    a rich table whose long cells fold (cut at the column's edge)."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table
