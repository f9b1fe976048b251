"""What every operator command shares: the stack options, finding the target, printing.

The options are declared once, as the ``Annotated`` fields of :class:`StackOptions`, and
:func:`stack_command` adds them (and ``--json``) to every command that acts on a stack, so
each command spells them the same way and its own code holds only its own logic. Errors
from :mod:`eventpipe.operate` become one red line on stderr and exit status 1, never a
traceback (:func:`handled`, :func:`connected`).
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from eventpipe.cli.project import nearest_project_dir
from eventpipe.exceptions import EventpipeError
from eventpipe.operate.aws import Aws, aws_errors
from eventpipe.operate.stack_outputs import ConsumerOutputs, StackTarget, find_target

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
    """The common options, gathered so commands pass one value around.

    The fields are the options' one declaration: :func:`stack_command` turns each into a
    command parameter (same name, ``Annotated`` type and default, in this order).
    """

    stack: StackOpt = "dev"
    outputs: OutputsOpt = None
    endpoint_url: EndpointOpt = None
    profile: ProfileOpt = None
    region: RegionOpt = None
    local: LocalOpt = False
    project_dir: ProjectOpt = None

    @property
    def directory(self) -> Path:
        return project_dir(self.project_dir)

    def connect(self) -> tuple[StackTarget, Aws]:
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
    return nearest_project_dir() or Path.cwd().resolve()


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
def handled(target: StackTarget | None = None) -> Iterator[None]:
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


def stack_command(body: Callable[..., None]) -> Callable[..., None]:
    """Make ``body`` a typer command taking the shared stack options and ``--json``.

    ``body`` declares its own arguments and options, then keyword-only ``opts:
    StackOptions`` and ``as_json: bool``. The command typer sees has the body's own
    parameters followed by every :class:`StackOptions` field and ``--json`` (so ``--help``
    lists them last, the same in every command) and calls ``body`` with them gathered.
    Typer reads parameters from ``__signature__``, which is why this builds one rather
    than repeating eight parameters in every command.
    """
    own = [
        p
        for p in inspect.signature(body, eval_str=True).parameters.values()
        if p.name not in ("opts", "as_json")
    ]
    shared_types = typing.get_type_hints(StackOptions, include_extras=True)
    shared = [
        inspect.Parameter(
            f.name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=shared_types[f.name],
            default=f.default,
        )
        for f in fields(StackOptions)
    ]
    as_json = inspect.Parameter(
        "as_json", inspect.Parameter.KEYWORD_ONLY, annotation=JsonOpt, default=False
    )
    parameters = [*own, *shared, as_json]

    @functools.wraps(body)
    def command(*args: Any, **kwargs: Any) -> None:
        opts = StackOptions(**{f.name: kwargs.pop(f.name) for f in fields(StackOptions)})
        body(*args, opts=opts, as_json=kwargs.pop("as_json"), **kwargs)

    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    return command


@contextmanager
def connected(opts: StackOptions) -> Iterator[tuple[StackTarget, Aws]]:
    """Find the stack and its clients for the body of a ``with``; any eventpipe or AWS
    error, while finding or inside the body, ends the command with its message."""
    with handled():
        target, aws = opts.connect()
        with handled(target):
            yield target, aws


@contextmanager
def consumer_queues(
    opts: StackOptions, consumer: str
) -> Iterator[tuple[StackTarget, ConsumerOutputs, Any]]:
    """:func:`connected`, plus ``consumer``'s outputs (an unknown name ends the command
    with the known ones) and an SQS client: what every ``dlq`` command starts from."""
    with connected(opts) as (target, aws):
        yield target, target.outputs.consumer(consumer), aws.client("sqs")


def fold_table(title: str, columns: Iterable[str]) -> Table:
    """A table whose long cells wrap instead of being cut, so ids and reasons stay whole."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table
