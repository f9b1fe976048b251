"""The dev/demo console's tables at an 80-column terminal."""

from __future__ import annotations

import io

from rich.console import Console

from eventpipe.local.watch.console import OUTCOME_COLUMNS, outcome_table
from eventpipe.local.watch.tracker import Counts


def test_the_demo_summary_fits_80_columns_with_every_header_whole() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=False, color_system=None)
    summary = {"inventory-reservation": Counts(), "notifications": Counts()}
    console.print(outcome_table(summary, ["inventory-reservation", "order-processing"]))
    lines = out.getvalue().splitlines()
    assert max(map(len, lines)) <= 80
    header = next(line for line in lines if "consumer " in line and "per" not in line)
    for column in ("consumer", *OUTCOME_COLUMNS):
        assert column in header, header  # not cut with an ellipsis, not wrapped
    assert "…" not in out.getvalue()
    body = out.getvalue()
    for consumer in ("inventory-reservation", "notifications", "order-processing"):
        assert consumer in body
