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


def test_deploy_notes_are_plain_and_sorted_whatever_the_registration_order() -> None:
    """The deploy registers resources in parallel: the notes must not follow that order,
    and a Pulumi type token is no reading for a newcomer."""
    from eventpipe.local.deploy.records import Created, Deployment, DeployState
    from eventpipe.local.watch.console import grouped_notices

    def notes(order: list[int]) -> list[str]:
        resources = [
            Created("aws:schemas/schema:Schema", "a", "", "skipped"),
            Created("aws:cloudwatch/dashboard:Dashboard", "b", "", "skipped"),
            Created("aws:schemas/schema:Schema", "c", "", "skipped"),
            Created("aws:sqs/queue:Queue", "d", "", "created"),
        ]
        state = DeployState(
            region="us-east-1",
            account="123456789012",
            time_scale=1.0,
            resources=[resources[i] for i in order],
            notices=["queue-b: KMS key dropped", "queue-a: KMS key dropped"],
        )
        return grouped_notices(Deployment(state=state, outputs={}, endpoint_url=""))

    first = notes([0, 1, 2, 3])
    assert first == notes([3, 2, 1, 0])
    assert first == [
        "on AWS only (the emulator has no such resource): cloudwatch dashboard, "
        "schemas schema (x2)",
        "KMS key dropped (queue-a, queue-b)",
    ]
