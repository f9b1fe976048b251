"""The one table renderer (the CLI's commands and the local engine's console), and the
stdout console it prints to by default."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from eventpipe.tables import Column, console, print_table, styled
from tests.cli.terminal import plain_lines

PATTERN = json.dumps(
    {
        "source": ["ecommerce.orders", "ecommerce.payments"],
        "detail-type": ["Order Created", "Payment Processed", "Payment Failed"],
        "detail": {"amount": [{"numeric": [">", 1000]}]},
    }
)
REASON = "PermanentError: the amount was negative, which the refund service never accepts"
COLUMNS = [
    Column("consumer"),
    Column("in flight", justify="right"),
    Column("reason", wrap=True),
    Column("pattern", elide=True),
]
ROWS = [
    ["inventory-reservation", "12", REASON, PATTERN],
    ["mailer", "0", "ok", "(direct queue)"],
]


def _terminal(width: int = 80) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=width, no_color=True), buffer


def _piped() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=False, width=80), buffer


def test_terminal_table_fits_80_columns_with_whole_headers_and_words() -> None:
    out, buffer = _terminal()
    elided = print_table(COLUMNS, ROWS, title="status", more="`eventpipe consumers NAME`", out=out)
    lines = plain_lines(buffer.getvalue())
    assert all(len(line) <= 80 for line in lines), lines
    header = next(line for line in lines if "consumer" in line)
    for name in ("consumer", "in flight", "reason", "pattern"):
        assert name in header  # never split across lines
    text = " ".join(lines)
    for word in REASON.split():  # wrapped between words, never inside one
        assert word in text.split(), word
    assert "inventory-reservation" in text  # kept whole
    assert elided and "…" in text and PATTERN not in text
    assert lines[-1].startswith("… = cut short; `eventpipe consumers NAME`")


def test_piped_table_is_one_line_per_row_without_colour() -> None:
    out, buffer = _piped()
    print_table(
        COLUMNS, [[*ROWS[0][:3], styled(PATTERN, "red")]], title="status", more="x", out=out
    )
    raw = buffer.getvalue()
    assert "\x1b[" not in raw
    lines = raw.splitlines()
    [row] = [line for line in lines if line.startswith("inventory-reservation")]
    assert REASON in row and PATTERN in row  # nothing wrapped, nothing cut
    assert all(line == line.rstrip() for line in lines)
    assert not any(line.startswith("…") for line in lines)


def test_too_narrow_for_columns_prints_one_block_per_row() -> None:
    out, buffer = _terminal(width=40)
    print_table(COLUMNS, ROWS, out=out, more="see it whole with X")
    lines = plain_lines(buffer.getvalue())
    assert all(len(line) <= 40 for line in lines), lines
    assert lines[0].split() == ["consumer:", "inventory-reservation"]
    assert any(line.startswith("pattern:") and line.endswith("…") for line in lines)
    assert "in flight: 12" in [" ".join(line.split()) for line in lines]


def test_cells_are_not_markup() -> None:
    out, buffer = _piped()
    print_table(["body"], [['{"tags": ["[red]x[/]"]}']], out=out)
    assert '["[red]x[/]"]' in buffer.getvalue()


def test_rows_must_match_the_columns() -> None:
    with pytest.raises(ValueError, match="2 cells for 1 columns"):
        print_table(["a"], [["1", "2"]], out=_piped()[0])


def test_no_color_and_piped_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    assert console().is_terminal and console().no_color
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    monkeypatch.delenv("NO_COLOR")
    piped = console()
    assert not piped.is_terminal and piped.color_system is None
    assert piped.width > 10_000  # piped prose is never hard-wrapped


def test_a_row_too_wide_for_any_table_keeps_every_line_within_the_terminal() -> None:
    """Printed as ``header: value`` lines, a long value that is neither wrapped nor cut
    by its column (an error message) still wraps between words at the terminal's width."""
    import io

    from rich.console import Console

    from eventpipe.tables import Column, print_table

    out = io.StringIO()
    terminal = Console(file=out, width=80, force_terminal=True, color_system=None)
    message = "InvalidEventError: " + " ".join(f"field{n} is required" for n in range(12))
    columns = [Column(h) for h in ("time", "event id", "consumer", "outcome", "error")]
    row = ["21:50:00", "5f2b1c9e-8a7d-4e3f-b2a1-0c9d8e7f6a5b", "notifications", "dead", message]
    print_table(columns, [row], out=terminal)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert " ".join(" ".join(lines).split()).endswith(" ".join(message.split()))
