"""A call on a moto backend made the way the embedded server makes it for a request.

The engine's AWS-internal actors (Lambda's pollers and log delivery, Pipes, CloudWatch's
own sampling) reach the embedded emulator's backends in process
(:mod:`.internal_sqs`, :mod:`.internal_telemetry`, :mod:`.internal_scheduler`).
:func:`as_request` gives such a call
what a request of the embedded server has: the shims' mark
(:func:`~.shims.scope.serving`), so every shim applies as it does to a request, and
moto's errors as a botocore client receives them (:class:`botocore.exceptions.ClientError`
with the error code), so a caller handles both paths alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from botocore.exceptions import ClientError

from eventpipe.local.emulator.shims.scope import serving

_T = TypeVar("_T")


@contextmanager
def as_request(operation: str) -> Iterator[None]:
    """Run the block as the embedded server runs ``operation``: marked, errors as a
    client gets them. moto's newer errors (``ServiceException``) carry their code in
    ``code``; the older JSON ones (CloudWatch Logs) in ``error_type``; anything else is
    what the server answers with a 500, which a client also gets as a ClientError."""
    from moto.core.exceptions import JsonRESTError, ServiceException

    try:
        with serving():
            yield
    except ServiceException as exc:
        raise _error(operation, str(exc.code), str(exc.message)) from exc
    except JsonRESTError as exc:
        raise _error(operation, str(exc.error_type), str(exc.message)) from exc
    except ClientError:
        raise
    except Exception as exc:
        raise _error(operation, "InternalFailure", repr(exc)) from exc


def call_as_request(operation: str, work: Callable[[], _T]) -> _T:
    """``work()`` run as the embedded server runs ``operation`` (:func:`as_request`)."""
    with as_request(operation):
        return work()
    raise AssertionError("unreachable")  # pragma: no cover - as_request re-raises


def _error(operation: str, code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)
