"""Where the shims apply: the requests the embedded server serves, and nothing else.

moto keeps each service's state in process-wide backends (``sqs_backends[account]
[region]``), shared by everything that uses moto in the process: the embedded server and
any ``mock_aws`` (a plugin author's unit tests, the CLI's tests) read and write the same
backend objects for an account and region, and ``mock_aws`` replaces them all when it
starts. A shim therefore cannot belong to "the embedded server's backend" as an object.
It belongs to the embedded server's requests instead:

* the embedded server (:func:`eventpipe.local.emulator.embedded.start_embedded_server`)
  serves moto's WSGI application through :func:`marked`, which marks the thread serving
  each request (a context variable);
* :func:`install` puts a dispatcher where moto's own method (or property, or module
  function) was: inside a marked request it runs the shim, anywhere else moto's own code;
* work the server starts for a request in another thread (a message move task) carries
  the mark with it (:func:`in_embedded_thread`).

So a ``mock_aws`` call, or a moto server someone else started, never carries the mark and
sees moto exactly as released, whatever ran before it in the process; only the embedded
server answers as AWS does.

This module reproduces no AWS behaviour of its own and changes no answer: it only decides
where the shims beside it apply. Each of those states the AWS behaviour it reproduces and
cites AWS's page for it in its own docstring.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from typing import Any

_EMBEDDED: ContextVar[bool] = ContextVar("eventpipe_embedded_moto", default=False)
_INSTALLED: set[tuple[int, str, str]] = set()
_LOCK = threading.Lock()

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def embedded() -> bool:
    """Whether this thread is serving a request of the embedded server."""
    return _EMBEDDED.get()


@contextmanager
def serving() -> Iterator[None]:
    """Mark the current thread as serving the embedded server (its requests, its tasks)."""
    token = _EMBEDDED.set(True)
    try:
        yield
    finally:
        _EMBEDDED.reset(token)


def marked(app: WsgiApp) -> WsgiApp:
    """moto's WSGI application with every request it serves marked: the response body is
    produced inside the mark too, so nothing moto computes for it runs unmarked."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with serving():
            body = app(environ, start_response)
            try:
                return list(body)
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()

    return application


def in_embedded_thread(target: Callable[..., Any], *args: Any, name: str) -> threading.Thread:
    """A daemon thread running ``target`` with the current thread's mark (started)."""
    context = copy_context()
    thread = threading.Thread(target=context.run, args=(target, *args), name=name, daemon=True)
    thread.start()
    return thread


def install(
    owner: Any,
    name: str,
    shim: Callable[..., Any],
    *,
    otherwise: Callable[..., Any] | None = None,
) -> None:
    """Make ``owner.name`` run ``shim`` inside the embedded server and what it was before
    anywhere else (``otherwise`` when moto has no such attribute). ``owner`` is a class or
    a module; a property or staticmethod stays one. Installing the same shim twice does
    nothing; two shims of one attribute chain (the later one's "before" is the earlier)."""
    key = (id(owner), name, f"{shim.__module__}.{shim.__qualname__}")
    with _LOCK:
        if key in _INSTALLED:
            return
        raw = vars(owner).get(name)
        replacement: Any
        # The dispatchers run for every message moto scans (a receive reads each message's
        # visibility): the mark is read through a local name, and nothing else is done.
        embedded = _EMBEDDED.get
        if isinstance(raw, property):
            moto_get = raw.fget
            assert moto_get is not None

            def get(self: Any) -> Any:
                return shim(self) if embedded() else moto_get(self)

            replacement = property(get)
        elif isinstance(raw, staticmethod):
            moto_function = raw.__func__

            def static(*args: Any, **kwargs: Any) -> Any:
                return (shim if embedded() else moto_function)(*args, **kwargs)

            replacement = staticmethod(static)
        else:
            moto_own = raw if raw is not None else otherwise
            if moto_own is None:
                raise AttributeError(f"{owner!r} has no {name!r} and no fallback was given")

            def call(*args: Any, **kwargs: Any) -> Any:
                return (shim if embedded() else moto_own)(*args, **kwargs)

            call.__name__ = name
            call.__qualname__ = f"{getattr(owner, '__qualname__', owner.__name__)}.{name}"
            replacement = call
        setattr(owner, name, replacement)
        _INSTALLED.add(key)
