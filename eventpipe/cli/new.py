"""``eventpipe new NAME``: scaffold a consumer plugin under ``consumers/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eventpipe.cli.options import ProjectOpt, project_dir
from eventpipe.cli.output import console


def register(app: typer.Typer) -> None:
    """Add ``new`` to ``app``."""
    app.command("new")(new)


def _shown(path: Path) -> Path:
    """``path`` relative to the cwd when it is below it: short enough for an 80-column
    terminal, and the hints below still paste as is (they run from the cwd)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def new(
    name: Annotated[str, typer.Argument(help="Consumer name, e.g. order-audit.")],
    source: Annotated[
        str | None, typer.Option("--source", help="Event source the pattern matches.")
    ] = None,
    detail_type: Annotated[
        str | None, typer.Option("--detail-type", help="Detail type the pattern matches.")
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Option("--directory", help="Where plugins live (default: <project>/consumers)."),
    ] = None,
    project: ProjectOpt = None,
) -> None:
    """Scaffold a consumer plugin in consumers/NAME that passes its own tests."""
    # Here, not at the top: it loads pydantic, which no other command needs to start.
    from eventpipe.scaffold import scaffold

    consumers_dir = directory or project_dir(project) / "consumers"
    files = scaffold(name, consumers_dir, source=source, detail_type=detail_type)
    root = _shown(consumers_dir / name)
    out = console()
    out.print(f"Created {root} ({len(files)} files):", markup=False)
    for path in files:
        out.print(f"  {path.relative_to(consumers_dir / name)}", markup=False)
    out.print(
        "Next (in a shell where `source .venv/bin/activate` ran):\n"
        "  make install               # installs it into .venv\n"
        f"  pytest {root}\n"
        "  eventpipe consumers        # lists it\n"
        "  eventpipe dev              # runs it here; `pulumi up` deploys it to AWS",
        markup=False,
    )
