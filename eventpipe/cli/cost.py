"""``eventpipe cost``: the stack's fixed monthly cost and each consumer's cost per million
events, from the resolved stack and the dated price table (no Pulumi CLI, no AWS)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from eventpipe.cli.options import ConfigStackOpt, JsonOpt, ProjectOpt, project_dir
from eventpipe.cli.output import console, emit_json
from eventpipe.cost import Assumptions, ConsumerCost, Estimate, estimate, load_prices
from eventpipe.cost.estimator import MILLION
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


def _fixed_table(result: Estimate) -> Table:
    table = Table(title=f"fixed monthly cost (stack {result.stack})")
    table.add_column("service", no_wrap=True)
    table.add_column("item", overflow="fold")
    table.add_column("quantity", justify="right")
    table.add_column("USD/month", justify="right", no_wrap=True)
    for line in result.fixed:
        table.add_row(line.service, line.item, f"{line.quantity:,.0f}", usd(line.cost))
    table.add_row("", "total", "", usd(result.fixed_monthly), style="bold")
    return table


def _consumer_table(result: Estimate) -> Table:
    table = Table(title="USD per million events, by consumer")
    table.add_column("consumer", overflow="fold")
    for column, _ in SERVICE_COLUMNS:
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("Lambda", justify="right", no_wrap=True)
    table.add_column("other", justify="right", no_wrap=True)
    table.add_column("total", justify="right", no_wrap=True)
    for c in result.consumers:
        services = c.by_service()
        cells = [sum(services.get(s, 0.0) for s in group) for _, group in SERVICE_COLUMNS]
        lambda_cost = services.get("Lambda", 0.0)
        other = c.per_million - sum(cells) - lambda_cost
        name = c.consumer.name + (" (pipe)" if c.pipe else "")
        table.add_row(name, *(usd(v) for v in (*cells, lambda_cost, other, c.per_million)))
    return table


def _breakdown_table(c: ConsumerCost) -> Table:
    table = Table(title=f"{c.consumer.name}: USD per million events")
    table.add_column("service", no_wrap=True)
    table.add_column("item", overflow="fold")
    table.add_column("per event", justify="right", no_wrap=True)
    table.add_column("USD/1M", justify="right", no_wrap=True)
    for line in (*c.shared, *c.lines):
        table.add_row(line.service, line.item, f"{line.quantity:.4g}", usd(line.cost * MILLION))
    table.add_row("", "total", "", usd(c.per_million), style="bold")
    return table


def _monthly_table(result: Estimate) -> Table | None:
    monthly = result.monthly
    if monthly is None:
        return None
    n = result.assumptions.events_per_month
    table = Table(title=f"monthly at {n:,} events per consumer")
    table.add_column("part", overflow="fold")
    table.add_column("USD/month", justify="right", no_wrap=True)
    table.add_row("fixed", usd(monthly["fixed"]))
    table.add_row("bus and topics (once per published event)", usd(monthly["shared"]))
    table.add_row(f"{len(result.consumers)} consumer(s)", usd(monthly["consumers"]))
    table.add_row("custom metrics of the consumers that run", usd(monthly["metrics"]))
    table.add_row("total", usd(monthly["total"]), style="bold")
    return table


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
    """Estimate what the stack costs: fixed monthly, and per million events per consumer.

    us-east-1 list prices from the dated table in eventpipe/cost/prices.toml, free tiers
    not applied; every assumption is an option (see docs/cost.md).
    """
    resolved = resolve_from_file(project_dir(project, required=True), stack)
    prices = load_prices()
    assumptions = Assumptions(
        event_kb=event_kb,
        duration_ms=duration_ms,
        failure_rate=failure_rate,
        idle_pollers=idle_pollers,
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
    out = console()
    out.print(_fixed_table(result))
    out.print(_consumer_table(result))
    if breakdown:
        for consumer_cost in result.consumers:
            out.print(_breakdown_table(consumer_cost))
    monthly = _monthly_table(result)
    if monthly is not None:
        out.print(monthly)
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
