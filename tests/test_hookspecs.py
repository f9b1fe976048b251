"""Guards on the plugin contract (after Datasette's hook tests).

Every hook must be documented for plugin authors and exercised by a test; a hook added
without both fails here rather than shipping half-explained.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from eventpipe import hookspecs

ROOT = Path(__file__).resolve().parents[1]
HOOKS = [
    name
    for name, obj in vars(hookspecs).items()
    if inspect.isfunction(obj) and hasattr(obj, "eventpipe_spec")
]


def test_there_are_hooks() -> None:
    assert {"eventpipe_consumers", "eventpipe_sample_events"} <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_docstring(hook: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert len(doc.split()) >= 20, f"{hook} needs a docstring saying what it returns and when"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_for_plugin_authors(hook: str) -> None:
    docs = (ROOT / "docs" / "architecture.md").read_text() + (
        ROOT / "consumers" / "README.md"
    ).read_text()
    assert f"{hook}(" in docs, f"document {hook}() in docs/architecture.md or consumers/README.md"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_tests(hook: str) -> None:
    here = Path(__file__).resolve()
    tests = [
        p
        for p in [*(ROOT / "tests").rglob("test_*.py"), *(ROOT / "consumers").rglob("test_*.py")]
        if p != here and hook in p.read_text()
    ]
    assert tests, f"no test mentions {hook}"
