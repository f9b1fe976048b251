"""A program run under Pulumi's mocks without the work only a real engine uses.

Three costs of a run under ``pulumi.runtime.set_mocks`` (the unit tests, the local
engine's deploy, ``benchmarks/synth.py``) grow with the resources and serve nothing there.
Pulumi's mock monitor (``pulumi.runtime.mocks.MockMonitor.RegisterResource`` and
``ReadResource``) builds the URN from the request's parent, type and name and hands
``Mocks.new_resource`` the type, name, inputs, provider, import id and transforms; it
reads nothing else of the request.

* **The stack trace of every resource.** ``register_resource`` and ``read_resource``
  in ``pulumi/runtime/resource.py`` call ``_get_stack_trace()`` for each resource
  (``traceback.extract_stack`` and a ``pathlib`` URI per frame) for the request's
  ``stackTrace`` and ``sourcePosition``, which the engine uses to show where a resource
  was declared. Under :func:`lean_mock_run` the trace is empty while the running
  context's monitor is a ``MockMonitor``.
* **A URN computed for no one.** Before its RPC, each registration computes
  ``mock_urn = await create_urn(name, ty, parent_urn).future()`` (an ``Output.all``
  and two ``apply`` chains per resource), which it uses only when there is no monitor
  at all. Under :func:`lean_mock_run` that one call answers an empty URN at once while
  the monitor is a ``MockMonitor``; every other call of ``create_urn`` (aliases) is
  Pulumi's own.
* **Python's cyclic garbage collector.** A run allocates several Outputs, futures and
  tasks per property of every resource, and almost all of them live until the run
  ends, so the collector's full passes re-scan an ever larger heap for little garbage
  (at 1,000 consumers, about 45 % of the run's CPU time). It is paused for the run and
  left as it was found afterwards; what a run leaves in cycles is collected then.

Any other monitor (a real ``pulumi up`` in the same process) gets Pulumi's own
functions. All three are process-wide switches, so they are counted: nested or
concurrent runs (the local engine deploys on its own thread) restore them only when the
last one ends. What is replaced is checked against the pinned Pulumi SDK by
``tests/components/test_lean_mock_run.py``.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from eventpipe.extras import require

_FEATURE = "running the Pulumi program under mocks (eventpipe.mock_run)"

REGISTRATIONS = frozenset({"do_register", "do_read"})
"""The coroutines of ``pulumi.runtime.resource`` whose ``create_urn`` call is unused
when a monitor answers."""

_lock = threading.Lock()
_depth = 0
_originals: dict[str, Callable[..., Any]] = {}
_gc_was_enabled = False


def _mocked() -> bool:
    from pulumi.runtime import settings
    from pulumi.runtime.mocks import MockMonitor

    return isinstance(settings.get_monitor(), MockMonitor)


def trace_unless_mocked(original: Callable[[], Any]) -> Callable[[], Any]:
    """``original`` (Pulumi's ``_get_stack_trace``), answering an empty trace instead
    while the running context's monitor is Pulumi's ``MockMonitor``."""
    from pulumi.runtime.proto import source_pb2

    def stack_trace() -> Any:
        return source_pb2.StackTrace() if _mocked() else original()

    stack_trace.__wrapped__ = original  # type: ignore[attr-defined]
    return stack_trace


def urn_unless_mocked(original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` (Pulumi's ``create_urn``), answering an empty URN at once when a
    registration (:data:`REGISTRATIONS`) asks while the monitor is a ``MockMonitor``."""
    import pulumi

    sdk_file = original.__code__.co_filename  # the registrations' module too

    def create_urn(*args: Any, **kwargs: Any) -> Any:
        caller = sys._getframe(1).f_code
        if caller.co_name in REGISTRATIONS and caller.co_filename == sdk_file and _mocked():
            return pulumi.Output.from_input("")
        return original(*args, **kwargs)

    create_urn.__wrapped__ = original  # type: ignore[attr-defined]
    return create_urn


_REPLACED: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "_get_stack_trace": trace_unless_mocked,
    "create_urn": urn_unless_mocked,
}
"""Attribute of ``pulumi.runtime.resource`` -> what wraps it during a lean run."""


@contextmanager
def lean_mock_run() -> Iterator[None]:
    """Run a Pulumi program under mocks inside this: no stack trace and no unused URN per
    resource, no cyclic garbage collection until it ends (the module docstring says why
    each is safe). The resources registered and their inputs are the same."""
    require("deploy", _FEATURE, only=["pulumi"])
    import pulumi.runtime.resource as pulumi_resource

    global _depth, _gc_was_enabled
    with _lock:
        if _depth == 0:
            for attribute, wrap in _REPLACED.items():
                _originals[attribute] = getattr(pulumi_resource, attribute)
                setattr(pulumi_resource, attribute, wrap(_originals[attribute]))
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for attribute, original in _originals.items():
                    setattr(pulumi_resource, attribute, original)
                _originals.clear()
                if _gc_was_enabled:
                    gc.enable()
