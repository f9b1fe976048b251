"""Suite-wide order of the test files: the long ones first.

Order is for speed only: every test passes in any order (``make test`` runs the files
spread over worker processes, pytest-xdist). With ``--dist loadfile
--no-loadscope-reorder`` (the Makefile's), xdist hands out whole files in collection
order, so the few long files (those that start local engines or a fresh ``eventpipe
dev``, and the 1,000-consumer program of ``tests/components/test_scale.py``) start while
the many quick ones fill the gaps, and the workers finish together instead of one
running a long file at the end. :data:`LONG` lists them longest first, as
``pytest --durations=0`` measured them (``benchmarks/README.md``, "Test suite").
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
LONG = (
    TESTS / "components" / "test_scale.py",
    TESTS / "test_readme_commands.py",
    TESTS / "local" / "test_redeploy_local.py",
    TESTS / "local" / "test_faults.py",
    TESTS / "local" / "test_cli.py",
    TESTS / "local" / "test_engine.py",
    TESTS / "local" / "test_fault_injection.py",
    TESTS / "local" / "test_redrive_local.py",
    TESTS / "webconsole" / "test_browser.py",
    TESTS / "cli" / "test_every_command.py",
    TESTS / "local",
)
"""Files (or folders of them) handed out first, longest first; a folder's files keep
their collection order."""


def _rank(item: pytest.Item) -> int:
    path = Path(str(item.path))
    for rank, first in enumerate(LONG):
        if path == first or first in path.parents:
            return rank
    return len(LONG)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)
