"""Suite-wide order: the local engine's tests run before any Pulumi mock test.

Once a test has called ``pulumi.runtime.set_mocks`` on the main thread, a later in-process
local deploy (its own thread, event loop and mocks) waits forever in Pulumi's
``run_pulumi_func``: Pulumi keeps test-mode state beyond its context variables. Until
that is isolated, ``tests/local`` runs first; the order is otherwise pytest's own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

LOCAL = Path(__file__).resolve().parent / "local"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: 0 if LOCAL in Path(str(item.path)).parents else 1)
