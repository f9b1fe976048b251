"""``eventpipe graph``: draw the stack from its plugins and stack file (nothing deployed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from eventpipe.cli.options import ConfigStackOpt, ProjectOpt, project_dir
from eventpipe.cli.output import console
from eventpipe.cli.reporting import CommandError
from eventpipe.graph import (
    DEFAULT_PAGE_SIZE,
    NoRendererError,
    Page,
    layout,
    render_layout,
    render_mermaid,
    svg_to_png,
    topology,
)

SUFFIX = {"svg": ".svg", "png": ".png", "mermaid": ".mmd", "json": ".json"}


def register(app: typer.Typer) -> None:
    """Add ``graph`` to the CLI."""
    app.command("graph")(graph)


def page_paths(out: Path, count: int) -> list[Path]:
    """``out`` itself for one page; ``stem-1.ext``, ``stem-2.ext``... for more."""
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{n}{out.suffix}") for n in range(1, count + 1)]


def _text(page: Page, fmt: str) -> str:
    if fmt == "mermaid":
        return render_mermaid(page)
    if fmt == "json":
        return json.dumps(page.topology.to_dict(), indent=2) + "\n"
    return render_layout(layout(page))


def graph(
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="svg, png (needs Chromium), mermaid or json."),
    ] = "svg",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File to write (pages: FILE-1, FILE-2...); default stdout."
        ),
    ] = None,
    page_size: Annotated[
        int, typer.Option("--page-size", min=1, help="Consumers per page of the picture.")
    ] = DEFAULT_PAGE_SIZE,
    stack: ConfigStackOpt = "dev",
    directory: ProjectOpt = None,
) -> None:
    """Draw the stack: bus, rules, queues, pipes, DLQs, functions, topics, alarms.

    Built from the plugins and the stack file alone; nothing is deployed or read from
    AWS. A big stack is cut into pages of whole consumers."""
    if fmt not in SUFFIX:
        raise CommandError(f"--format must be one of {', '.join(SUFFIX)}, not {fmt!r}")
    from eventpipe.resolve import resolve_from_file  # a command's own import

    resolved = resolve_from_file(project_dir(directory, required=True), stack)
    topo = topology(resolved.settings, [(d.plugin, d.consumer) for d in resolved.enabled])
    pages = topo.pages(page_size) if fmt != "json" else topo.pages(max(len(topo.lanes), 1))
    if out is None:
        if fmt == "png":
            raise CommandError("a PNG goes to a file: add --out FILE.png")
        if fmt == "svg" and len(pages) > 1:
            raise CommandError(
                f"{len(topo.lanes)} consumers make {len(pages)} pages: add --out FILE.svg "
                "(one file per page), or --page-size"
            )
        typer.echo("".join(_text(page, fmt) for page in pages), nl=False)
        return
    paths = page_paths(out, len(pages))
    out.parent.mkdir(parents=True, exist_ok=True)
    for page, path in zip(pages, paths, strict=True):
        if fmt == "png":
            placed = layout(page)
            try:
                svg_to_png(render_layout(placed), placed.width, placed.height, path)
            except NoRendererError as exc:
                raise CommandError(str(exc)) from None
        else:
            path.write_text(_text(page, fmt), encoding="utf-8")
    console().print(f"wrote {', '.join(str(p) for p in paths)}", soft_wrap=True, highlight=False)
