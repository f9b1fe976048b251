"""Finding the project directory the CLI works on."""

from __future__ import annotations

from pathlib import Path

import typer


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default cwd) holding ``Pulumi.yaml``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "Pulumi.yaml").exists():
            return candidate
    raise typer.BadParameter(
        f"no Pulumi.yaml in {here} or above: run this inside an eventpipe project "
        "or pass --project-dir"
    )
