"""What every operator command shares: the stack options, finding the target, printing.

The options are declared once as ``Annotated`` aliases so every command spells them the
same way (``--stack``, ``--outputs``, ``--endpoint-url``, ``--profile``, ``--region``,
``--local``), and errors from :mod:`eventpipe.operate` become one red line on stderr and
exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from eventpipe.errors import EventpipeError
from eventpipe.operate.aws import Aws, aws_errors
from eventpipe.outputs import Target, find_target

StackOpt = Annotated[str, typer.Option("--stack", "-s", help="Stack to act on.")]
OutputsOpt = Annotated[
    Path | None,
    typer.Option(
        "--outputs",
        help="Saved `pulumi stack output --json` (when the Pulumi CLI is not installed).",
        dir_okay=False,
    ),
]
EndpointOpt = Annotated[
    str | None, typer.Option("--endpoint-url", help="Send AWS calls to this endpoint.")
]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS profile to use.")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="AWS region (default: stack's).")]
LocalOpt = Annotated[
    bool, typer.Option("--local", help="Act on the running `eventpipe dev` emulator.")
]
ProjectOpt = Annotated[
    Path | None, typer.Option("--project-dir", help="Project directory (default: from cwd).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


@dataclass(frozen=True)
class StackOptions:
    """The common options, gathered so commands pass one value around."""

    stack: str = "dev"
    outputs: Path | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    region: str | None = None
    local: bool = False
    project_dir: Path | None = None

    @property
    def directory(self) -> Path:
        return project_dir(self.project_dir)

    def connect(self) -> tuple[Target, Aws]:
        """Find the stack's resources and the clients to reach them."""
        target = find_target(
            self.stack,
            project_dir=self.directory,
            outputs_file=self.outputs,
            local=self.local,
            endpoint_url=self.endpoint_url,
            region=self.region,
        )
        return target, Aws(target, profile=self.profile)


def project_dir(explicit: Path | None = None) -> Path:
    """``explicit``, else the nearest directory holding Pulumi.yaml, else the cwd."""
    if explicit is not None:
        return explicit
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "Pulumi.yaml").exists():
            return candidate
    return here


def console() -> Console:
    """stdout console; rich turns colour off by itself when stdout is not a terminal."""
    return Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as an error on stderr; return the Exit to raise."""
    err_console().print(f"[bold red]error:[/] {message}", soft_wrap=True, markup=True)
    return typer.Exit(code)


@contextmanager
def handled(target: Target | None = None) -> Iterator[None]:
    """Run a command body: eventpipe and AWS errors end the command with their message."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        with aws_errors(target):
            yield
    except EventpipeError as exc:
        raise fail(_escape(str(exc))) from None
    except ClientError as exc:
        raise fail(_escape(f"AWS refused: {exc}")) from None
    except BotoCoreError as exc:
        raise fail(_escape(f"AWS call failed: {exc}")) from None


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def emit_json(data: Any) -> None:
    """Write ``data`` to stdout as JSON (datetimes as ISO strings)."""
    typer.echo(json.dumps(data, indent=2, default=str))


@contextmanager
def progress_bar(description: str, total: float | None) -> Iterator[tuple[Progress, Any]]:
    """A rich progress bar on stderr, shown only when stderr is a terminal, so piped
    output and CI logs stay clean."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=err_console(),
        disable=not sys.stderr.isatty(),
        transient=False,
    )
    with bar:
        task = bar.add_task(description, total=total, note="")
        yield bar, task


def options(
    stack: str,
    outputs: Path | None,
    endpoint_url: str | None,
    profile: str | None,
    region: str | None,
    local: bool,
    project: Path | None = None,
) -> StackOptions:
    return StackOptions(stack, outputs, endpoint_url, profile, region, local, project)
