"""A program run under Pulumi's mocks without the work only a real engine uses.

Two costs of a run under ``pulumi.runtime.set_mocks`` (the unit tests, the local
engine's deploy, ``benchmarks/synth.py``) grow with the resources and serve nothing there:

* **The stack trace of every resource.** ``register_resource`` in
  ``pulumi/runtime/resource.py`` calls ``_get_stack_trace()`` for each resource
  (``traceback.extract_stack`` and a ``pathlib`` URI per frame) and puts it in the
  ``RegisterResourceRequest`` (``stackTrace``, ``sourcePosition``), for the engine to
  show where a resource was declared. The mock monitor
  (``pulumi.runtime.mocks.MockMonitor.RegisterResource``) reads neither field: it
  hands ``Mocks.new_resource`` the type, name, inputs, provider, import id and
  transforms. Under :func:`lean_mock_run`, a resource registered while the running
  context's monitor is a ``MockMonitor`` gets an empty trace; any other monitor (a real
  ``pulumi up`` in the same process) gets Pulumi's own.
* **Python's cyclic garbage collector.** A run allocates several Outputs, futures and
  tasks per property of every resource, and almost all of them live until the run
  ends, so the collector's full passes re-scan an ever larger heap for little garbage
  (at 1,000 consumers, about 45 % of the run's CPU time). It is paused for the run and
  left as it was found afterwards; what a run leaves in cycles is collected then.

Both are process-wide switches, so they are counted: nested or concurrent runs (the
local engine deploys on its own thread) restore them only when the last one ends. The
SDK functions replaced here are checked against the pinned Pulumi SDK by
``tests/components/test_lean_mock_run.py``.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from eventpipe.extras import require

_FEATURE = "running the Pulumi program under mocks (eventpipe.mock_run)"

_lock = threading.Lock()
_depth = 0
_original_trace: Callable[[], Any] | None = None
_gc_was_enabled = False


def trace_unless_mocked(original: Callable[[], Any]) -> Callable[[], Any]:
    """``original`` (Pulumi's ``_get_stack_trace``), answering an empty trace instead
    while the running context's monitor is Pulumi's ``MockMonitor``."""
    from pulumi.runtime import settings
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.proto import source_pb2

    def stack_trace() -> Any:
        if isinstance(settings.get_monitor(), MockMonitor):
            return source_pb2.StackTrace()
        return original()

    stack_trace.__wrapped__ = original  # type: ignore[attr-defined]
    return stack_trace


@contextmanager
def lean_mock_run() -> Iterator[None]:
    """Run a Pulumi program under mocks inside this: no stack trace per resource, no
    cyclic garbage collection until it ends (the module docstring says why both are
    safe). The resources registered and their inputs are the same."""
    require("deploy", _FEATURE, only=["pulumi"])
    import pulumi.runtime.resource as pulumi_resource

    global _depth, _original_trace, _gc_was_enabled
    with _lock:
        if _depth == 0:
            _original_trace = pulumi_resource._get_stack_trace
            pulumi_resource._get_stack_trace = trace_unless_mocked(_original_trace)  # type: ignore[assignment]
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _original_trace is not None:
                    pulumi_resource._get_stack_trace = _original_trace
                _original_trace = None
                if _gc_was_enabled:
                    gc.enable()
