"""The one way a command reports an error and exits, and the one exit-code rule.

The rule (documented in ``docs/operations.md``, "Exit codes"):

- :data:`EXIT_OK` (0): the command did its job.
- :data:`EXIT_FAILED` (1): eventpipe reported an error: one ``error: ...`` message on
  stderr, never a traceback. Whatever the cause (an input or stack config the command
  checked and refused, a stack it cannot find, AWS refusing a call, an event not
  published, a demo outcome that differed, a purge not confirmed), the command could
  not do its job and the message says why.
- :data:`EXIT_USAGE` (2): typer rejected the command line before any eventpipe code ran
  (unknown option, missing argument, a value of the wrong type); typer prints the usage.

So the code says who found the problem, and a script needs no list of special cases.
Commands never print an error or pick an exit code themselves: they raise
:class:`CommandError` (or let an :class:`~eventpipe.exceptions.EventpipeError` or a
botocore error rise), and :func:`reported`, which :class:`CommandApp` wraps around every
command it registers, prints it and exits with :data:`EXIT_FAILED`.
"""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer

from eventpipe.cli.output import err_console
from eventpipe.exceptions import EventpipeError, EventpipeWarning

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # click's UsageError.exit_code: typer's own, listed here to document it

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(EventpipeError):
    """Raised by a command's own checks (contradictory options, empty input, a failed
    outcome) to end it with its message and :data:`EXIT_FAILED`."""


def _message(exc: BaseException) -> str | None:
    """What to tell the operator about ``exc``, or None for a bug (shown as a traceback).

    botocore is only consulted when it is already imported: an error cannot come from it
    otherwise, and commands that never call AWS stay free of its import cost.
    """
    if isinstance(exc, EventpipeError):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)
    botocore = sys.modules.get("botocore.exceptions")
    if botocore is not None:
        if isinstance(exc, botocore.ClientError):
            return f"AWS refused: {exc}"
        if isinstance(exc, botocore.BotoCoreError):
            return f"AWS call failed: {exc}"
    return None


def report(message: str) -> None:
    """Print ``message`` on stderr as eventpipe's error, red where stderr is a terminal."""
    from rich.markup import escape

    err_console().print(f"[bold red]error:[/] {escape(message)}")


def warn(message: str) -> None:
    """Print ``message`` on stderr as eventpipe's warning (the command goes on)."""
    from rich.markup import escape

    err_console().print(f"[bold yellow]warning:[/] {escape(message)}")


@contextmanager
def warnings_printed() -> Iterator[None]:
    """Print every :class:`~eventpipe.exceptions.EventpipeWarning` issued inside as
    ``warning: ...`` on stderr, when it is issued (``dev`` runs for hours) and each time
    (a command reads a stack file once); other warnings go where Python sends them."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", EventpipeWarning)
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
            if issubclass(category, EventpipeWarning):
                warn(str(message))
            else:
                shown(message, category, *args, **kw)

        warnings.showwarning = show
        yield


@contextmanager
def reported() -> Iterator[None]:
    """Run a command body: an error the operator can act on ends it with its message on
    stderr and :data:`EXIT_FAILED`; anything else is a bug and keeps its traceback.
    Configuration warnings are printed as they are issued (:func:`warnings_printed`)."""
    try:
        with warnings_printed():
            yield
    except Exception as exc:
        message = _message(exc)
        if message is None:
            raise
        report(message)
        raise typer.Exit(EXIT_FAILED) from None


def reporting(command: F) -> F:
    """``command``, run inside :func:`reported`. It keeps the command's signature (and a
    ``__signature__`` built by :func:`eventpipe.cli.options.stack_command`), which is
    what typer reads its parameters from."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with reported():
            return command(*args, **kwargs)

    return run  # type: ignore[return-value]


class CommandApp(typer.Typer):
    """A typer app whose every command reports its errors through :func:`reported`, so a
    command added to any group gets the exit-code rule without remembering it."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:  # type: ignore[override]
        def decorator(function: F) -> F:
            help_text = kwargs.get("help") or inspect.getdoc(function)
            options = {**kwargs, "help": reflow(help_text)} if help_text else kwargs
            super(CommandApp, self).command(*args, **options)(reporting(function))
            return function

        return decorator


def reflow(text: str) -> str:
    """``text`` with each paragraph's lines joined: typer prints a docstring's line
    breaks as they are, so at 80 columns a paragraph broken at 88 in the source reads
    as a long line, a short one, a long line. Joined, the terminal's width decides where
    lines break, always between words. Paragraphs of list items keep their lines."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.splitlines()
        if any(line.lstrip().startswith(("- ", "* ")) for line in lines):
            paragraphs.append(paragraph)
        else:
            paragraphs.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(paragraphs)
