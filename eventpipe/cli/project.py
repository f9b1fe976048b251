"""Finding the project directory the CLI works on."""

from __future__ import annotations

from pathlib import Path

import typer


def nearest_project_dir(start: Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` (default cwd) holding ``Pulumi.yaml``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "Pulumi.yaml").exists():
            return candidate
    return None


def find_project_dir(start: Path | None = None) -> Path:
    """Like :func:`nearest_project_dir`, for commands that cannot work without one."""
    found = nearest_project_dir(start)
    if found is None:
        here = (start or Path.cwd()).resolve()
        raise typer.BadParameter(
            f"no Pulumi.yaml in {here} or above: run this inside an eventpipe project "
            "or pass --project-dir"
        )
    return found
