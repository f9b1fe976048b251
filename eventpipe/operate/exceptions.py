"""Errors of the operator commands, each worded so the reader knows what to do next.

The CLI prints ``str(error)`` and exits non-zero; nothing here depends on typer, so the
same errors reach scripts that call :mod:`eventpipe.operate` directly.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from eventpipe.exceptions import EventpipeError


class OperateError(EventpipeError):
    """Base class: an operator command cannot go on, and the message says why and how."""


class MissingOutputsError(OperateError):
    """Raised when the stack's structured output cannot be found or read."""


class UnknownConsumerError(OperateError, KeyError):
    """Raised when a command names a consumer the stack does not have."""

    def __init__(self, name: str, known: Iterable[str], stack: str):
        self.name = name
        self.known = sorted(known)
        names = ", ".join(self.known) or "none"
        self.suggestion = suggest(name, self.known)
        hint = f" Did you mean {self.suggestion!r}?" if self.suggestion else ""
        super().__init__(
            f"stack {stack!r} has no consumer {name!r}.{hint} Its consumers are: {names}. "
            "(A consumer added since the last deploy appears after `pulumi up`.)"
        )

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


def suggest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name`` (difflib's ratio >= 0.6), for "did you mean";
    a case-only difference always counts."""
    candidates = list(known)
    for candidate in candidates:
        if candidate.lower() == name.lower():
            return candidate
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


class CredentialsError(OperateError):
    """Raised when boto3 finds no AWS credentials, or the named profile does not exist."""


class NoArchiveError(OperateError):
    """Raised by replay when the stack's bus has no archive to replay from."""


class RedriveRunningError(OperateError):
    """Raised when a message move task is already running from the consumer's DLQ."""


class NotSupportedError(OperateError):
    """Raised when the endpoint (an emulator) does not implement an API a command needs."""


class OperationFailedError(OperateError):
    """Raised when a long-running AWS task (redrive, replay) ends in a failed state."""
