"""Suite-wide order of the test files: those that start a local engine first.

Order is for speed only: every test passes in any order (``make test`` runs the files
spread over worker processes, pytest-xdist). With ``--dist loadfile
--no-loadscope-reorder`` (the Makefile's), xdist hands out whole files in collection
order, so the few long end-to-end files start while the many quick ones fill the gaps,
and the workers finish together instead of one running the slowest files at the end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
STARTS_ENGINES = (TESTS / "local", TESTS / "test_readme_commands.py")


def _starts_engines(item: pytest.Item) -> bool:
    path = Path(str(item.path))
    return any(path == first or first in path.parents for first in STARTS_ENGINES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: 0 if _starts_engines(item) else 1)
