"""Shared fixtures of the runtime tests: fake AWS, quiet Powertools, fresh state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eventpipe.runtime.loading import reset_cache

# The pytest11 entry point registers this fixture once eventpipe is installed; importing
# it here keeps these tests runnable from a bare checkout too.
from eventpipe.testing.pytest_plugin import invoke_consumer  # noqa: F401
from tests.runtime import handlers


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
