"""Guards on the plugin contract (after Datasette's hook tests).

Every hook must be documented for plugin authors and exercised by a test; a hook added
without both fails here rather than shipping half-explained.
"""

from __future__ import annotations

import inspect
import re
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


def signature(hook: str) -> str:
    """The hook as a plugin author writes it: ``eventpipe_consumers()``, with parameters."""
    parameters = inspect.signature(getattr(hookspecs, hook)).parameters
    return f"{hook}({', '.join(parameters)})"


def documentation() -> str:
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "consumers" / "README.md"]
    return "\n".join(page.read_text() for page in pages)


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hooks_are_documented(hook: str) -> None:
    """Datasette's rule: each hook's full signature appears in the docs, not a mention."""
    assert signature(hook) in documentation(), (
        f"document `{signature(hook)}` in docs/ or consumers/README.md"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hooks_have_tests(hook: str) -> None:
    """Datasette's rule: a test function named ``test_hook_<hook>`` exists for each hook."""
    wanted = re.compile(rf"^def test_hook_{hook}\(", re.MULTILINE)
    tests = [
        p
        for p in [*(ROOT / "tests").rglob("test_*.py"), *(ROOT / "consumers").rglob("test_*.py")]
        if wanted.search(p.read_text())
    ]
    assert tests, f"write a test named test_hook_{hook}"
