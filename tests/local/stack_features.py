"""Shared set-up of the end-to-end tests of the stack features (breaker, archive, SNS):
the repository's own program with the :mod:`tests.local.fixtures.plugins.stack_features`
plugin, one engine per test module, and a condition wait with a generous deadline (no
timing margins)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eventpipe.local import LocalEngine
from tests.local.conftest import PluginEnv, real_project

DEADLINE = 120.0


def wait_for(condition: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


def lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line] if path.exists() else []


@contextmanager
def stack_features_engine(
    root: Path, stack: str, config: dict[str, Any], *, time_scale: float
) -> Iterator[tuple[LocalEngine, Path]]:
    """A deployed engine and the directory its handlers write to."""
    work = root / "work"
    work.mkdir()
    project = real_project(
        root / "project",
        stack,
        {
            "aws:region": "us-east-1",
            "eventpipe:publishSchemas": False,
            "eventpipe:dashboard": False,
            "eventpipe:archive": False,
            "eventpipe:topics": ["payments"],
            **config,
        },
    )
    saved = os.environ.get("STACK_FEATURES_DIR")
    os.environ["STACK_FEATURES_DIR"] = str(work)
    try:
        with PluginEnv("stack-features") as plugins:
            plugins.install(
                root / "site",
                "eventpipe-stack-features",
                {"stack-features": "tests.local.fixtures.plugins.stack_features"},
            )
            with LocalEngine(project, stack, time_scale=time_scale) as engine:
                yield engine, work
    finally:
        if saved is None:
            os.environ.pop("STACK_FEATURES_DIR", None)
        else:
            os.environ["STACK_FEATURES_DIR"] = saved
