"""Errors of the operator commands, each worded so the reader knows what to do next.

The CLI prints ``str(error)`` and exits non-zero; nothing here depends on typer, so the
same errors reach scripts that call :mod:`eventpipe.operate` directly.
"""

from __future__ import annotations

from eventpipe.exceptions import EventpipeError


class OperateError(EventpipeError):
    """Base class: an operator command cannot go on, and the message says why and how."""


class MissingOutputsError(OperateError):
    """Raised when the stack's structured output cannot be found or read."""


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
