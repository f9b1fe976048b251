"""``eventpipe cost``: the stack's fixed monthly cost and each consumer's cost per million
events, from the resolved stack and the dated price table (no Pulumi CLI, no AWS)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from eventpipe.cli.options import ConfigStackOpt, JsonOpt, ProjectOpt, project_dir
from eventpipe.cli.output import Cell, Column, console, emit_json, print_table, styled
from eventpipe.cost import Assumptions, ConsumerCost, Estimate, estimate, load_prices
from eventpipe.cost.lines import MILLION

SERVICE_COLUMNS = (("source", ("EventBridge", "SNS")), ("SQS", ("SQS",)), ("Pipes", ("Pipes",)))
"""Per-consumer columns; Lambda, logs and DynamoDB make the rest (see _consumer_table)."""


def register(app: typer.Typer) -> None:
    """Add ``cost`` to the CLI."""
    app.command("cost")(cost)


def places(values: list[float]) -> int:
    """Decimals for a column of dollar amounts: cents, or four decimals when some amount
    is under a cent (it would read 0.00); one number of places for the whole column, so
    its figures line up and compare at a glance."""
    return 4 if any(0 < abs(v) < 0.01 for v in values) else 2


def usd(value: float, decimals: int = 2) -> str:
    """Dollars to ``decimals`` places (``-`` for nothing)."""
    if value == 0:
        return "-"
    return f"{value:,.{decimals}f}"


def usd_column(values: list[float]) -> list[str]:
    """``values`` as one column: every figure to the same number of places."""
    decimals = places(values)
    return [usd(v, decimals) for v in values]


def _lines_table(
    lines: Sequence[tuple[str, str, str, float]],
    total: float,
    *,
    quantity: str,
    cost: str,
    title: str,
) -> None:
    """Service, item, quantity and cost lines with a bold total (fixed cost, breakdown)."""
    amounts = usd_column([line[3] for line in lines] + [total])
    rows: list[list[Cell]] = [
        [service, item, count, amount]
        for (service, item, count, _), amount in zip(lines, amounts, strict=False)
    ]
    rows.append(["", styled("total", "bold"), "", styled(amounts[-1], "bold")])
    print_table(
        [
            Column("service"),
            Column("item", wrap=True),
            Column(quantity, justify="right"),
            Column(cost, justify="right"),
        ],
        rows,
        title=title,
    )


def _fixed_table(result: Estimate) -> None:
    lines = [(line.service, line.item, f"{line.quantity:,.0f}", line.cost) for line in result.fixed]
    _lines_table(
        lines,
        result.fixed_monthly,
        quantity="quantity",
        cost="USD/month",
        title=f"fixed monthly cost (stack {result.stack})",
    )


def _consumer_table(result: Estimate) -> None:
    names: list[str] = []
    figures: list[list[float]] = []
    for c in result.consumers:
        services = c.by_service()
        cells = [sum(services.get(s, 0.0) for s in group) for _, group in SERVICE_COLUMNS]
        lambda_cost = services.get("Lambda", 0.0)
        other = c.per_million - sum(cells) - lambda_cost
        names.append(c.consumer.name + (" (pipe)" if c.pipe else ""))
        figures.append([*cells, lambda_cost, other, c.per_million])
    columns = [usd_column(list(column)) for column in zip(*figures, strict=True)]
    rows: list[list[Cell]] = [
        [name, *(column[i] for column in columns)] for i, name in enumerate(names)
    ]
    print_table(
        [
            Column("consumer", wrap=True),
            *(Column(column, justify="right") for column, _ in SERVICE_COLUMNS),
            Column("Lambda", justify="right"),
            Column("other", justify="right"),
            Column("total", justify="right"),
        ],
        rows,
        title="USD per million events, by consumer",
    )


def _breakdown_table(c: ConsumerCost) -> None:
    lines = [
        (line.service, line.item, f"{line.quantity:.4g}", line.cost * MILLION)
        for line in (*c.shared, *c.lines)
    ]
    _lines_table(
        lines,
        c.per_million,
        quantity="per event",
        cost="USD/1M",
        title=f"{c.consumer.name}: USD per million events",
    )


def _monthly_table(result: Estimate) -> None:
    monthly = result.monthly
    if monthly is None:
        return
    n = result.assumptions.events_per_month
    amounts = usd_column([monthly[k] for k in ("fixed", "shared", "consumers", "metrics", "total")])
    rows: list[list[Cell]] = [
        ["fixed", amounts[0]],
        ["bus and topics (once per published event)", amounts[1]],
        [f"{len(result.consumers)} consumer(s)", amounts[2]],
        ["custom metrics of the consumers that run", amounts[3]],
        [styled("total", "bold"), styled(amounts[4], "bold")],
    ]
    print_table(
        [Column("part", wrap=True), Column("USD/month", justify="right")],
        rows,
        title=f"monthly at {n:,} events per consumer",
    )


def cost(
    stack: ConfigStackOpt = "dev",
    project: ProjectOpt = None,
    events_per_month: Annotated[
        int | None,
        typer.Option("--events-per-month", help="Events each consumer receives a month."),
    ] = None,
    duration_ms: Annotated[
        float, typer.Option("--duration-ms", help="Handler time per record (ms).")
    ] = Assumptions.duration_ms,
    failure_rate: Annotated[
        float, typer.Option("--failure-rate", help="Fraction of events that end in the DLQ.")
    ] = Assumptions.failure_rate,
    event_kb: Annotated[
        float, typer.Option("--event-kb", help="Payload size of one event (KB).")
    ] = Assumptions.event_kb,
    idle_pollers: Annotated[
        int, typer.Option("--idle-pollers", help="Long polls kept on each idle queue.")
    ] = Assumptions.idle_pollers,
    poll_seconds: Annotated[
        int, typer.Option("--poll-seconds", help="Wait of each idle long poll (1-20 s).")
    ] = Assumptions.poll_seconds,
    log_kb: Annotated[
        float, typer.Option("--log-kb", help="Log data per invocation (KB).")
    ] = Assumptions.log_kb,
    archiver_runs_per_day: Annotated[
        int,
        typer.Option("--archiver-runs-per-day", help="Dead-letter archiver runs a day."),
    ] = Assumptions.archiver_runs_per_day,
    breakdown: Annotated[
        bool, typer.Option("--breakdown", help="Every line of each consumer's cost.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Estimate the stack's fixed monthly cost and its cost per million events.

    Prices: the dated us-east-1 table (eventpipe/cost/prices.toml), no free tiers.

    Every assumption is an option; docs/cost.md gives the model and its sources.
    """
    from eventpipe.resolve import resolve_from_file  # a command's own import

    resolved = resolve_from_file(project_dir(project, required=True), stack)
    prices = load_prices()
    assumptions = Assumptions(
        event_kb=event_kb,
        duration_ms=duration_ms,
        failure_rate=failure_rate,
        idle_pollers=idle_pollers,
        poll_seconds=poll_seconds,
        log_kb=log_kb,
        events_per_month=events_per_month,
        archiver_runs_per_day=archiver_runs_per_day,
    )
    result = estimate(
        resolved.settings, [d.consumer for d in resolved.enabled], prices, assumptions
    )
    if as_json:
        emit_json(result.to_json())
        return
    _fixed_table(result)
    _consumer_table(result)
    if breakdown:
        for consumer_cost in result.consumers:
            _breakdown_table(consumer_cost)
    _monthly_table(result)
    out = console()
    for line in footer(result):
        out.print(line, soft_wrap=True, markup=False)


def footer(result: Estimate) -> list[str]:
    """The table's date and every assumption, in lines of under 80 characters (printed
    unwrapped, so they read the same on a terminal and piped)."""
    a, prices = result.assumptions, result.prices
    lines = [
        f"Prices: {prices.region} list prices, table dated {prices.date}",
        "  (eventpipe/cost/prices.toml); free tiers not applied.",
    ]
    if result.region != prices.region:
        lines.append(f"Note: stack region {result.region}; these are {prices.region} prices.")
    lines += [
        f"Assumed: {a.event_kb:g} KB events, {a.duration_ms:g} ms a record on "
        f"{result.architecture},",
        f"  {a.failure_rate:.2%} dead-lettered, {a.log_kb:g} KB of logs an invocation,",
        f"  {a.idle_pollers} pollers x {a.poll_seconds} s long polls on each idle queue.",
        "See docs/cost.md for the model and its sources.",
    ]
    return lines
