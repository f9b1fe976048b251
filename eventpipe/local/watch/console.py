"""How local mode talks to a person: the deploy summary, the live log, the demo table."""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Sequence

from eventpipe.extras import require

# Printed for `eventpipe dev` and `eventpipe demo` with rich, which the CLI's extra brings.
require("cli", "the local engine's console (eventpipe dev, eventpipe demo)", only=["rich"])

from rich.console import Console  # noqa: E402
from rich.markup import escape  # noqa: E402

from eventpipe.local.deploy.records import Deployment  # noqa: E402
from eventpipe.local.watch.tracker import Counts, LogEntry  # noqa: E402
from eventpipe.tables import Column, print_table  # noqa: E402

_STYLE = {
    "ok": ("[green]ok[/]", ""),
    "retry": ("[yellow]retry[/]", "yellow"),
    "dead-letter": ("[red]dead-lettered[/]", "red"),
    "error": ("[red]error[/]", "red"),
}


def time_scale_note(scale: float) -> str | None:
    if scale == 1:
        return None
    return (
        f"time scale {scale:g}: visibility timeouts, backoffs and batching windows are "
        f"{1 / scale:g}x shorter than on AWS"
    )


def print_deploy(console: Console, deployment: Deployment, stack: str, scale: float) -> None:
    resources = deployment.state.resources
    counts = {
        s: sum(1 for r in resources if r.status == s) for s in ("created", "registered", "skipped")
    }
    console.print(
        f"[bold]stack {stack}[/] deployed into {deployment.endpoint_url}: "
        f"{counts['created']} resources created, {counts['registered']} functions/mappings "
        f"registered, {counts['skipped']} skipped"
    )
    for notice in grouped_notices(deployment):
        console.print(f"  [dim]note:[/] {notice}")
    note = time_scale_note(scale)
    if note:
        console.print(f"[magenta]{note}[/]")


def grouped_notices(deployment: Deployment) -> list[str]:
    """The deploy's notices in plain words, sorted (the deploy registers resources in
    parallel, so their order would change between runs): one line for every resource
    type AWS has and the emulator lacks, then one per repeated remark."""
    skipped: dict[str, int] = {}
    for resource in deployment.state.resources:
        if resource.status == "skipped":
            kind = plain_type(resource.type)
            skipped[kind] = skipped.get(kind, 0) + 1
    lines = []
    if skipped:
        kinds = ", ".join(
            kind + (f" (x{count})" if count > 1 else "") for kind, count in sorted(skipped.items())
        )
        lines.append(f"on AWS only (the emulator has no such resource): {kinds}")
    remarks: dict[str, list[str]] = {}
    for notice in deployment.state.notices:
        if notice.startswith("skipped "):
            continue
        subject, _, remark = notice.partition(": ")
        remarks.setdefault(remark or subject, []).append(subject if remark else "")
    for remark, subjects in sorted(remarks.items()):
        named = ", ".join(sorted(s for s in subjects if s))
        lines.append(f"{remark} ({named})" if named else remark)
    return lines


def plain_type(token: str) -> str:
    """``aws:schemas/registry:Registry`` -> ``schemas registry``: a Pulumi type token as
    the service and resource it names."""
    _, _, rest = token.partition(":")
    module, _, name = rest.partition(":")
    service = module.split("/", 1)[0]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()
    return f"{service} {words}" if service and words else token


def log_line(console: Console, entry: LogEntry, target: Sequence[str] = ()) -> None:
    """``10:00:01  Order Created (ecommerce.orders) 1a2b -> order-processing  ok attempt 1``.

    On a terminal the console wraps it between words at the terminal's width; piped, it
    stays one line. A failure is followed by the command that shows its function's log
    (``target``: the ``--stack``/``--project-dir`` flags ``dev`` ran with)."""
    outcome, style = _STYLE[entry.outcome]
    stamp = time.strftime("%H:%M:%S")
    detail = f"  {escape(entry.detail)}" if entry.detail else ""
    console.print(
        f"[dim]{stamp}[/]  {escape(entry.label)} -> [bold]{entry.consumer}[/]  {outcome} "
        f"[dim]attempt {entry.attempt}[/]{detail}",
        style=style or None,
        highlight=False,
    )
    if entry.log and entry.outcome != "ok":
        command = shlex.join(["eventpipe", "logs", entry.consumer, "--local", *target])
        console.print(f"          [dim]its log: {escape(command)}[/]", highlight=False)


def logs_hint(consumer: str, target: Sequence[str] = ()) -> str:
    """The command that follows a consumer's function log of a running ``dev``;
    ``target`` is the ``--stack``/``--project-dir`` flags ``dev`` itself ran with."""
    return shlex.join(["eventpipe", "logs", consumer, "--local", *target, "--follow"])


def print_log_locations(
    console: Console,
    functions: dict[str, str],
    target: Sequence[str] = (),
    consumers: set[str] | None = None,
) -> None:
    """Where each function's log is: a consumer's with the command that follows it (each
    on its own line, wrapped between words), the stack's own functions (the breaker,
    the archiver) with their log group only: `eventpipe logs` reads consumers' logs."""
    if not functions:
        return
    console.print("function logs (CloudWatch Logs in the emulator):")
    for name, group in sorted(functions.items()):
        if consumers is not None and name not in consumers:
            console.print(f"  {name} (stack function): {escape(group)}", highlight=False)
            continue
        console.print(f"  {name}: {escape(group)}", highlight=False)
        console.print(f"    [dim]follow:[/] {escape(logs_hint(name, target))}", highlight=False)


OUTCOME_COLUMNS = ("received", "ok", "retried", "dead-lettered", "pending")
"""The count columns of the demo's summary, in the order the row gives them."""


def print_outcomes(console: Console, summary: dict[str, Counts], deployed: list[str]) -> None:
    """The demo's "outcomes per consumer" table, printed with the CLI's one renderer.

    Headers are the outcome words the console prints per record ("ok", "retry",
    "dead-lettered"); short, so the table fits 80 columns with every header whole."""
    rows = []
    for consumer in sorted(set(deployed) | set(summary)):
        counts = summary.get(consumer, Counts())
        rows.append(
            [
                consumer,
                str(counts.received),
                str(counts.succeeded),
                str(counts.retried),
                str(counts.dead_lettered),
                str(counts.pending),
            ]
        )
    columns = [Column("consumer")] + [Column(c, justify="right") for c in OUTCOME_COLUMNS]
    print_table(columns, rows, title="outcomes per consumer", out=console)
