"""The dev/demo console's outcome table: the CLI's one renderer, at an 80-column terminal
and piped."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from eventpipe.local.watch.console import OUTCOME_COLUMNS, print_outcomes
from eventpipe.local.watch.tracker import Counts


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal-80", "piped"])
def test_the_demo_summary_fits_80_columns_with_every_header_whole(terminal: bool) -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=terminal, color_system=None)
    summary = {"inventory-reservation": Counts(), "notifications": Counts(received=3, succeeded=3)}
    print_outcomes(console, summary, ["inventory-reservation", "order-processing"])
    lines = out.getvalue().splitlines()
    assert lines[0] == "outcomes per consumer"
    assert max(map(len, lines)) <= 80
    header = next(line for line in lines if "consumer " in line and "per" not in line)
    assert header.split() == ["consumer", *OUTCOME_COLUMNS]  # whole, in order, one line
    assert "…" not in out.getvalue()
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:] if line.strip("─ ")}
    assert rows["notifications"] == ["3", "3", "0", "0", "0"]
    for consumer in ("inventory-reservation", "notifications", "order-processing"):
        assert consumer in rows
