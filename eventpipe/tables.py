"""The one table renderer: tables that fit a terminal and stay one line per row when piped.

Every table eventpipe prints goes through :func:`print_table`, the operator CLI's
(``eventpipe status``, ``consumers``, ``cost``...) and the local engine's (the demo's
outcomes) alike. It takes :class:`Column` s and rows of cells and guarantees, at any
width down to 80 columns:

- a header is never split across lines (a column is never narrower than its header);
- a value is never cut mid-word: ``keep`` columns (names, ids, numbers) stay whole,
  ``wrap`` columns (reasons, messages) wrap between words, ``elide`` columns (patterns,
  JSON, bodies) are cut at the end with ``…`` and the caller says how to see them whole
  (the ``more`` hint);
- when even that cannot fit, each row is printed as a block of ``header: value`` lines.

On a console that is not a terminal nothing is wrapped: each row is one line however long
(``grep``/``awk`` work), with no colour. rich decides "terminal" (``isatty``, or
``TTY_COMPATIBLE=1`` / ``FORCE_COLOR`` to force it).

Example::

    print_table(
        [Column("consumer"), Column("pattern", elide=True), Column("DLQ", justify="right")],
        [["orders", json.dumps(pattern), "3"]],
        title="consumers (stack dev)",
        more="`eventpipe consumers NAME` shows a consumer's whole pattern",
        out=Console(),
    )

Depends on rich only (the ``cli`` extra: importing it without rich raises
:class:`~eventpipe.extras.MissingExtraError`), so every floor that prints may use it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from eventpipe.extras import require

require("cli", "eventpipe's table renderer (eventpipe.tables)", only=["rich"])

from rich import box  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from rich.text import Text  # noqa: E402

__all__ = ["Cell", "Column", "console", "print_table", "styled"]

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


def styled(text: str, style: str) -> Text:
    """``text`` as a cell in ``style`` (e.g. ``"red"``): colour shows only on a terminal."""
    return Text(text, style=style)


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
    """Print a table on stdout (:func:`console`, or ``out``) as the module docstring
    describes.

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
                # A whole value that no longer fits its line wraps between words too:
                # the terminal would otherwise break it inside one.
                if column.wrap or value.cell_len > room
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
