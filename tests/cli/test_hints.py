"""What the CLI suggests fits where it runs: locally, no `pulumi up`."""

from __future__ import annotations

from eventpipe.cli.cost import places, usd_column
from eventpipe.cli.options import LOCAL_REDEPLOY, local_redeploy


def test_a_pulumi_up_fix_becomes_the_local_one() -> None:
    message = (
        "the stack output names no function for consumer 'orders': deploy it again with "
        "this eventpipe version (`pulumi up`); or run `pulumi up --stack dev` the stack"
    )
    local = local_redeploy(message)
    assert "pulumi up" not in local
    assert local.count(LOCAL_REDEPLOY) == 2


def test_cost_figures_of_one_column_have_one_number_of_places() -> None:
    assert usd_column([2.0, 0.2, 0.3285]) == ["2.00", "0.20", "0.33"]
    assert usd_column([2.0, 0.004, 0.0]) == ["2.0000", "0.0040", "-"]  # under a cent
    assert places([1234.5]) == 2
