"""Load the plugin handler named in the environment, once per container.

The loaded handler and everything built around it (decoder, processor, clients) are
cached per configuration: keyed by the values of the runtime's environment variables, so
one process can also serve several consumers (the local engine, tests) without mixing
them up. :func:`reset_cache` forgets everything (tests that reload handler modules).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

# Imported eagerly: Lambda's init phase (before the first invocation, with a CPU boost)
# should pay for Powertools batch + parser + logger, not the first batch. Only what some
# consumers need (boto3 clients, idempotency, the X-Ray SDK) stays lazy.
from eventpipe.runtime.batch import BatchRunner
from eventpipe.runtime.exceptions import HandlerImportError
from eventpipe.runtime.observability import cold_start_failure
from eventpipe.runtime.refs import explain_import_failure, import_ref
from eventpipe.runtime.settings import ENV_KEYS, Settings

_CACHE: dict[tuple[str | None, ...], BatchRunner] = {}


def load_handler(ref: str) -> Callable[..., Any]:
    """Import ``module:function``; raise :class:`HandlerImportError` saying what failed."""
    try:
        return import_ref(ref)
    except Exception as exc:
        message, fix = explain_import_failure(ref, exc)
        raise HandlerImportError(f"handler {message}. Fix: {fix}") from exc


def get_runner() -> BatchRunner:
    """The runner of the current configuration, built at the first invocation."""
    environ = os.environ
    key = tuple(environ.get(k) for k in ENV_KEYS)
    runner = _CACHE.get(key)
    if runner is None:
        runner = _build()
        _CACHE[key] = runner
    return runner


def _build() -> BatchRunner:
    try:
        settings = Settings.from_env()
        func = load_handler(settings.handler)
        return BatchRunner(settings, func)
    except Exception as exc:
        # Fail the whole invocation: Lambda returns every record to the queue and the
        # reason is in the log, rather than records being "processed" by nothing.
        cold_start_failure(exc)
        if isinstance(exc, HandlerImportError):
            raise
        raise HandlerImportError(f"eventpipe runtime cannot start: {exc}") from exc


def reset_cache() -> None:
    """Forget loaded handlers and per-container state (for tests)."""
    _CACHE.clear()
