"""The options commands share, and the stack and project they point at.

Every option that more than one command takes is declared once here. The stack
options are the ``Annotated`` fields of :class:`StackOptions`, and :func:`stack_command`
adds them (and ``--json``) to every command that acts on a deployed or local stack, so
each command spells them the same way and its own code holds only its own logic.
:func:`project_dir` is the one walk up from the working directory to ``Pulumi.yaml``.
"""

from __future__ import annotations

import functools
import inspect
import re
import shlex
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Annotated, Any

import typer

from eventpipe.cli.reporting import CommandError
from eventpipe.exceptions import EventpipeError
from eventpipe.operate.aws import Aws, aws_errors
from eventpipe.operate.stack_outputs import StackTarget, find_target

DEFAULT_STACK = "dev"

StacksOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--stack",
        "-s",
        help="Stack to act on (repeatable: stacks sharing one bus; a consumer's command "
        "finds the stack holding it).",
    ),
]
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
    Path | None,
    typer.Option("--project-dir", help="Project directory (default: found from cwd)."),
]
ConfigStackOpt = Annotated[
    str, typer.Option("--stack", "-s", help="Stack whose Pulumi.<stack>.yaml config applies.")
]
"""``--stack`` of the commands that read the stack's config file rather than its outputs."""
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


@dataclass(frozen=True)
class StackOptions:
    """The common options, gathered so commands pass one value around.

    The fields are the options' one declaration: :func:`stack_command` turns each into a
    command parameter (same name, ``Annotated`` type and default, in this order).
    """

    stacks: StacksOpt = None
    outputs: OutputsOpt = None
    endpoint_url: EndpointOpt = None
    profile: ProfileOpt = None
    region: RegionOpt = None
    local: LocalOpt = False
    project_dir: ProjectOpt = None

    @property
    def stack(self) -> str:
        """The stack (the first ``--stack``; ``dev`` when none is given)."""
        return self.stacks[0] if self.stacks else DEFAULT_STACK

    @property
    def directory(self) -> Path:
        return project_dir(self.project_dir)

    def each_stack(self) -> list[StackOptions]:
        """These options once per ``--stack`` (one, ``dev``, when none is given)."""
        return [replace(self, stacks=[stack]) for stack in (self.stacks or [DEFAULT_STACK])]

    def connect(self, consumer: str | None = None) -> tuple[StackTarget, Aws]:
        """Find the stack's resources and the clients to reach them.

        With several ``--stack`` (consumers split over stacks sharing one bus), the stack
        whose outputs hold ``consumer``; a command that names no consumer takes one stack.
        """
        if self.stacks and len(self.stacks) > 1:
            return self._stack_holding(consumer)
        target = find_target(
            self.stack,
            project_dir=self.directory,
            outputs_file=self.outputs,
            local=self.local,
            endpoint_url=self.endpoint_url,
            region=self.region,
        )
        return target, Aws(target, profile=self.profile)

    def _stack_holding(self, consumer: str | None) -> tuple[StackTarget, Aws]:
        if consumer is None:
            raise CommandError(
                f"this command acts on one stack; {len(self.stacks or [])} were given "
                f"({', '.join(self.stacks or [])}): pass one --stack"
            )
        if self.outputs is not None:
            raise CommandError("--outputs holds one stack's outputs: pass one --stack with it")
        for each in self.each_stack():
            target, aws = each.connect()
            # a retired consumer's queues are the stack's too
            if consumer in target.outputs.consumers or consumer in target.outputs.retired:
                return target, aws
        raise CommandError(
            f"no stack of {', '.join(self.stacks or [])} has a consumer {consumer!r}: "
            "see `eventpipe status` with the same --stack options"
        )

    def target_flags(self) -> list[str]:
        """The options of this invocation that choose the target stack, as typed on a
        command line (defaults left out): what a suggested command must repeat so that
        pasting it acts on the same stack, account and emulator."""
        flags: list[str] = []
        if self.local:
            flags.append("--local")
        if self.stacks and self.stacks != [DEFAULT_STACK]:
            for stack in self.stacks:
                flags += ["--stack", stack]
        for flag, value in (
            ("--outputs", self.outputs),
            ("--endpoint-url", self.endpoint_url),
            ("--profile", self.profile),
            ("--region", self.region),
            ("--project-dir", self.project_dir),
        ):
            if value is not None:
                flags += [flag, str(value)]
        return flags

    def suggest(self, *words: str) -> str:
        """``eventpipe WORDS ...`` carrying this invocation's target options, quoted for
        a POSIX shell and wrapped in backticks: a hint the operator can paste as is.

        >>> StackOptions(stacks=["prod"], profile="ops").suggest("dlq", "peek", "orders")
        '`eventpipe dlq peek orders --stack prod --profile ops`'
        """
        return suggest_command(*words, flags=self.target_flags())


def suggest_command(*words: str, flags: Sequence[str] = ()) -> str:
    """``eventpipe WORDS FLAGS`` quoted for a POSIX shell, in backticks. Commands that
    have :class:`StackOptions` use :meth:`StackOptions.suggest`; the others (``dev``,
    ``consumers``) pass the flags they were given, e.g. ``["--stack", stack]``."""
    return "`" + shlex.join(["eventpipe", *words, *flags]) + "`"


def config_stack_flags(stack: str, project: Path | None = None) -> list[str]:
    """The target flags of a command that reads the stack's config file (``--stack``
    unless it is the default, ``--project-dir`` when given)."""
    flags = [] if stack == DEFAULT_STACK else ["--stack", stack]
    return flags + ([] if project is None else ["--project-dir", str(project)])


def nearest_project_dir(start: Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` (default cwd) holding ``Pulumi.yaml``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "Pulumi.yaml").exists():
            return candidate
    return None


def project_dir(explicit: Path | None = None, *, required: bool = False) -> Path:
    """``explicit``, else the nearest directory holding ``Pulumi.yaml``, else the cwd.

    Commands that read the project's own files (its stack config, its program) pass
    ``required``: without a ``Pulumi.yaml`` above the cwd they end with an error instead
    of guessing.
    """
    if explicit is not None:
        return explicit.resolve() if required else explicit
    found = nearest_project_dir()
    if found is not None:
        return found
    if required:
        raise CommandError(
            f"no Pulumi.yaml in {Path.cwd().resolve()} or above: run this inside an "
            "eventpipe project or pass --project-dir"
        )
    return Path.cwd().resolve()


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
def connected(opts: StackOptions, consumer: str | None = None) -> Iterator[tuple[StackTarget, Aws]]:
    """Find the stack (the one holding ``consumer`` when several are given) and its
    clients for the body of a ``with``. The botocore errors an operator can fix, while
    finding or inside the body, become eventpipe errors worded for the target
    (:func:`eventpipe.operate.aws.aws_errors`), which the command then reports
    (:mod:`eventpipe.cli.reporting`)."""
    with aws_errors():
        target, aws = opts.connect(consumer)
    try:
        with aws_errors(target):
            yield target, aws
    except EventpipeError as exc:
        if not target.local or "`pulumi up" not in str(exc):
            raise
        raise EventpipeError(local_redeploy(str(exc))) from exc


LOCAL_REDEPLOY = "saving the stack file while `eventpipe dev` runs (it deploys the change)"
"""What deploys the stack again locally, where `pulumi up` has no part."""


def local_redeploy(message: str) -> str:
    """``message`` with each suggested `pulumi up ...` (an AWS fix) as the local one."""
    return re.sub(r"`pulumi up[^`]*`( the stack)?", LOCAL_REDEPLOY, message)


ConsumerArg = Annotated[str, typer.Argument(help="Consumer name (see `eventpipe status`).")]
"""A command's consumer argument (every command that acts on one consumer)."""


def again(opts: StackOptions, *words: str) -> str:
    """A command to suggest, carrying the target options this one ran with, quoted for a
    POSIX shell (:meth:`~eventpipe.cli.options.StackOptions.suggest`, without its
    backticks: the messages here add their own)."""
    return opts.suggest(*words).strip("`")
