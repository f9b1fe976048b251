"""``eventpipe cost``: the stack's fixed monthly cost and each consumer's cost per million
events, from the resolved stack and the dated price table (no Pulumi CLI, no AWS)."""

from __future__ import annotations

from typing import Annotated

import typer

from eventpipe.cli.options import ConfigStackOpt, JsonOpt, ProjectOpt, project_dir
from eventpipe.cli.output import Cell, Column, console, emit_json, print_table, styled
from eventpipe.cost import Assumptions, ConsumerCost, Estimate, estimate, load_prices
from eventpipe.cost.lines import MILLION
from eventpipe.resolve import resolve_from_file

SERVICE_COLUMNS = (("source", ("EventBridge", "SNS")), ("SQS", ("SQS",)), ("Pipes", ("Pipes",)))
"""Per-consumer columns; Lambda, logs and DynamoDB make the rest (see _consumer_table)."""


def register(app: typer.Typer) -> None:
    """Add ``cost`` to the CLI."""
    app.command("cost")(cost)


def usd(value: float) -> str:
    """Dollars with cents, or four decimals below a dollar so small lines do not read 0."""
    if value == 0:
        return "-"
    return f"{value:,.2f}" if value >= 1 else f"{value:.4f}"


def _lines_table(
    rows: list[list[Cell]], total: float, *, quantity: str, cost: str, title: str
) -> None:
    """Service, item, quantity and cost lines with a bold total (fixed cost, breakdown)."""
    rows.append(["", styled("total", "bold"), "", styled(usd(total), "bold")])
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
    rows: list[list[Cell]] = [
        [line.service, line.item, f"{line.quantity:,.0f}", usd(line.cost)] for line in result.fixed
    ]
    _lines_table(
        rows,
        result.fixed_monthly,
        quantity="quantity",
        cost="USD/month",
        title=f"fixed monthly cost (stack {result.stack})",
    )


def _consumer_table(result: Estimate) -> None:
    rows: list[list[Cell]] = []
    for c in result.consumers:
        services = c.by_service()
        cells = [sum(services.get(s, 0.0) for s in group) for _, group in SERVICE_COLUMNS]
        lambda_cost = services.get("Lambda", 0.0)
        other = c.per_million - sum(cells) - lambda_cost
        name = c.consumer.name + (" (pipe)" if c.pipe else "")
        rows.append([name, *(usd(v) for v in (*cells, lambda_cost, other, c.per_million))])
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
    rows: list[list[Cell]] = [
        [line.service, line.item, f"{line.quantity:.4g}", usd(line.cost * MILLION)]
        for line in (*c.shared, *c.lines)
    ]
    _lines_table(
        rows,
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
    rows: list[list[Cell]] = [
        ["fixed", usd(monthly["fixed"])],
        ["bus and topics (once per published event)", usd(monthly["shared"])],
        [f"{len(result.consumers)} consumer(s)", usd(monthly["consumers"])],
        ["custom metrics of the consumers that run", usd(monthly["metrics"])],
        [styled("total", "bold"), styled(usd(monthly["total"]), "bold")],
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
