"""Errors of the Lambda runtime: the two a handler raises, and the ones the runtime raises.

A handler signals what should happen to its record by what it raises:
``RetryableError`` (or any unexpected exception) retries after a backoff,
``PermanentError`` sends the record to the consumer's DLQ at once.
"""

from __future__ import annotations


class EventpipeRuntimeError(Exception):
    """Base class of every error the runtime raises or interprets on purpose."""


class RetryableError(EventpipeRuntimeError):
    """Raised by a handler when a later attempt may succeed (throttling, a dependency down)."""


class PermanentError(EventpipeRuntimeError):
    """Raised by a handler when no retry can succeed: the record goes to the DLQ at once."""


class InvalidEventError(PermanentError):
    """Raised when a body or detail does not decode into what the handler declares."""


class HandlerImportError(EventpipeRuntimeError):
    """Raised at cold start when the plugin handler or the function environment is unusable."""


class DeadLetterError(EventpipeRuntimeError):
    """Raised when sending a record to the DLQ fails: the record is then retried, never dropped."""


class BatchHaltedError(EventpipeRuntimeError):
    """Raised for FIFO records after an earlier record of the batch failed, to keep group order."""
