"""Plugin discovery through entry points, and the allow/deny lists."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

import eventpipe
from eventpipe.config import PluginFilter
from eventpipe.plugins import discover


@pytest.fixture
def installed(tmp_path: Path) -> Iterator[Path]:
    """Two plugin distributions on sys.path, the way pip leaves them (dist-info + module)."""
    for dist, module, body in (
        (
            "acme-alpha",
            "acme_alpha",
            "import eventpipe\n@eventpipe.hookimpl\ndef eventpipe_consumers():\n    return []\n",
        ),
        ("acme-broken", "acme_broken", "raise ImportError('needs libfoo')\n"),
    ):
        (tmp_path / f"{module}.py").write_text(body)
        info = tmp_path / f"{module}-1.2.3.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
        (info / "entry_points.txt").write_text(
            textwrap.dedent(f"[eventpipe]\n{module.split('_')[1]} = {module}\n")
        )
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for module in ("acme_alpha", "acme_broken"):
        sys.modules.pop(module, None)


def _ours(names: list[str]) -> list[str]:
    return [n for n in names if n in {"alpha", "broken"}]


def test_entry_points_load_and_broken_plugin_is_a_problem(installed: Path) -> None:
    assert any(ep.name == "alpha" for ep in metadata.entry_points(group="eventpipe"))
    loaded = discover(env={})
    info = {p.name: p for p in loaded.plugins}
    assert info["alpha"].distribution == "acme-alpha" and info["alpha"].version == "1.2.3"
    (problem,) = [p for p in loaded.problems if p.plugin == "broken"]
    assert "needs libfoo" in problem.message and problem.field == "entry point"


def test_env_allow_list_by_entry_point_or_distribution(installed: Path) -> None:
    assert _ours([p.name for p in discover(env={"EVENTPIPE_PLUGINS": "acme-alpha"}).plugins]) == [
        "alpha"
    ]
    assert discover(env={"EVENTPIPE_PLUGINS": ""}).plugins == []
    denied = discover(env={"EVENTPIPE_DISABLE_PLUGINS": "alpha,broken"})
    assert _ours([p.name for p in denied.plugins]) == [] and not denied.problems


def test_stack_filter_and_unknown_names(installed: Path) -> None:
    loaded = discover(PluginFilter(allow=["alpha", "alpah"]), env={})
    assert [p.name for p in loaded.plugins] == ["alpha"]
    (problem,) = loaded.problems
    assert problem.field == "eventpipe:plugins.allow" and "'alpah'" in problem.message


def test_an_unhashable_plugin_object_is_called_on_its_own_and_named() -> None:
    from types import SimpleNamespace

    @eventpipe.hookimpl
    def eventpipe_consumers() -> list[str]:
        return ["from the namespace"]

    @eventpipe.hookimpl
    def failing() -> list[str]:
        raise ValueError("namespace plugin broke")

    odd = SimpleNamespace(eventpipe_consumers=eventpipe_consumers)
    broken = SimpleNamespace(eventpipe_consumers=failing)
    loaded = discover(env={}, extra=[("odd", odd), ("broken", broken)], entry_points=False)
    assert loaded.problems == []
    results = dict(loaded.call_each("eventpipe_consumers"))
    assert results["odd"] == ["from the namespace"]
    assert str(results["broken"]) == "namespace plugin broke"
    assert [p.name for p in loaded.plugins] == ["odd", "broken"]


def test_each_plugin_is_called_alone_and_a_failure_names_only_its_plugin() -> None:

    calls: list[str] = []

    class Good:
        @eventpipe.hookimpl
        def eventpipe_consumers(self) -> list[str]:
            calls.append("good")
            return ["from good"]

    class Bad:
        @eventpipe.hookimpl
        def eventpipe_consumers(self) -> list[str]:
            calls.append("bad")
            raise ValueError("broken plugin")

    loaded = discover(env={}, extra=[("good", Good()), ("bad", Bad())], entry_points=False)
    results = dict(loaded.call_each("eventpipe_consumers"))
    assert results["good"] == ["from good"]
    assert isinstance(results["bad"], ValueError) and str(results["bad"]) == "broken plugin"
    assert sorted(calls) == ["bad", "good"]  # each implementation ran exactly once
