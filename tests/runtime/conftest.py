"""Shared fixtures of the runtime tests: fake AWS, quiet Powertools, fresh state."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from eventpipe.runtime.loading import reset_cache

# The pytest11 entry point registers this fixture once eventpipe is installed; importing
# it here keeps these tests runnable from a bare checkout too.
from eventpipe.testing.pytest_plugin import invoke_consumer  # noqa: F401
from tests.runtime import handlers


class _CurrentStdout:
    """Writes to whatever ``sys.stdout`` is now (the capture of the running test)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@pytest.fixture(autouse=True)
def _powertools_logs_to_current_stdout() -> None:
    """Powertools configures a service's logger once per process and binds its handler to
    the ``sys.stdout`` of that moment. When a test run is repeated in one process (mutmut
    runs pytest in-process again and again), a later test would write to an earlier
    test's capture; point those handlers at the current one instead."""
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and getattr(logger, "init", False):
            for handler in logger.handlers:
                if type(handler) is logging.StreamHandler and not isinstance(
                    handler.stream, _CurrentStdout
                ):
                    # Not setStream: it flushes the old stream, which may be closed.
                    handler.stream = _CurrentStdout()


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    handlers.CALLS.clear()
    reset_cache()
    yield
    reset_cache()
