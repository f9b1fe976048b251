"""``eventpipe dev`` notices code, plugin and stack-file changes, new files included; a
pool restart runs the new code.

The watcher sees file events as the operating system delivers them; each test waits for
the watcher's own report of a change (a bounded wait), never for a fixed time.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from eventpipe.local.deploy.records import FunctionSpec
from eventpipe.local.functions.pool import FunctionPool
from eventpipe.local.watch.reload import (
    ChangeWatcher,
    InstalledPlugins,
    WatchedFunction,
    watched_functions,
)

DEADLINE = 30.0


def poll_until(watcher: ChangeWatcher, done: Callable[[], bool]) -> None:
    """Poll until ``done()`` holds (what the watcher reported or restarted)."""
    deadline = time.monotonic() + DEADLINE
    while not done():
        assert time.monotonic() < deadline, "the watcher never reported the change"
        watcher.poll(0.2)


def test_a_handler_change_restarts_that_function_and_a_stack_change_is_applied(
    tmp_path: Path,
) -> None:
    handler = tmp_path / "handler.py"
    handler.write_text("x = 1\n")
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text("config: {}\n")
    plugins = {frozenset({"a = a.plugin"})}
    restarted: list[str] = []
    said: list[str] = []
    applied: list[str] = []

    def apply_change() -> str:
        applied.append("x")
        if len(applied) == 2:
            raise ValueError("Pulumi.dev.yaml: bad indentation")
        return f"plan {len(applied)}"

    watcher = ChangeWatcher(
        [WatchedFunction("orders", "fn-orders", [handler])],
        [stack_file],
        restart=restarted.append,
        report=said.append,
        restart_hint="eventpipe dev --stack dev",
        plugins=lambda: next(iter(plugins)),
        apply_change=apply_change,
    )
    try:
        watcher.poll()
        assert (restarted, said) == ([], [])

        handler.write_text("x = 2\n")
        poll_until(watcher, lambda: bool(restarted))
        assert restarted == ["fn-orders"]
        assert "orders: handler code changed (handler.py)" in said[-1]
        watcher.poll(0.5)
        assert restarted == ["fn-orders"]  # once per change

        stack_file.write_text("config: {a: 1}\n")
        poll_until(watcher, lambda: "Pulumi.dev.yaml changed" in said[-1])
        assert "applied to the running engine" in said[-1] and said[-1].endswith("plan 1")

        plugins.clear()
        plugins.add(frozenset({"a = a.plugin", "b = b.plugin"}))
        watcher.poll()
        assert "plugin added: b = b.plugin: could not apply it: Pulumi.dev.yaml: bad" in said[-1]
        assert "`eventpipe dev --stack dev`" in said[-1]
        assert len(applied) == 2
        assert restarted == ["fn-orders"]
        (tmp_path / "notes.txt").write_text("not code\n")  # beside the handler, not its code
        (tmp_path / "other.py").write_text("y = 1\n")  # another module of the directory
        watcher.poll(1.0)
        assert restarted == ["fn-orders"]
    finally:
        watcher.close()


def test_a_file_added_to_a_plugin_package_restarts_its_function(tmp_path: Path) -> None:
    package = tmp_path / "newfile_pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "handlers.py").write_text("def handle(event): pass\n")
    restarted: list[str] = []
    said: list[str] = []
    watcher = ChangeWatcher(
        [WatchedFunction("c", "fn-c", [package])],
        [],
        restart=restarted.append,
        report=said.append,
        restart_hint="eventpipe dev",
        plugins=frozenset,
    )
    try:
        (package / "sub" / "pricing.py").write_text("RATE = 2\n")  # created after the start
        poll_until(watcher, lambda: bool(restarted))
        assert restarted == ["fn-c"]
        assert "c: handler code changed (pricing.py)" in said[-1]
        (package / "README.md").write_text("docs\n")  # not code: no restart
        watcher.poll(1.0)
        assert restarted == ["fn-c"]
    finally:
        watcher.close()


def test_watched_files_are_the_handler_package(tmp_path: Path) -> None:
    package = tmp_path / "reloadpkg_watch"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handlers.py").write_text("def handle(event): pass\n")
    (package / "models.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    try:
        [watched] = watched_functions(
            [
                (
                    "fn",
                    {
                        "EVENTPIPE_HANDLER": "reloadpkg_watch.handlers:handle",
                        "EVENTPIPE_CONSUMER": "c",
                    },
                ),
                ("other", {}),
            ]
        )
    finally:
        sys.path.remove(str(tmp_path))
    assert watched.consumer == "c"
    assert {p.name for p in watched.files} == {"__init__.py", "handlers.py", "models.py"}


def _touch(path: Path, text: str) -> None:
    """Write and move the mtime a second on: the worker's import must see newer source."""
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_restarted_pool_runs_the_new_code(tmp_path: Path) -> None:
    module = tmp_path / "reload_target_mod.py"
    module.write_text("def handler(event, context):\n    return {'version': 1}\n")
    spec = FunctionSpec("fn", "arn:aws:lambda:us-east-1:1:function:fn", "reload_target_mod.handler",
                        {}, timeout=30, memory=128)  # fmt: skip
    sys.path.insert(0, str(tmp_path))
    pool = FunctionPool(spec, {"PYTHONPATH": str(tmp_path)}, tmp_path / "logs", 1)
    try:
        pool.start()
        assert pool.invoke({}).result == {"version": 1}
        _touch(module, "def handler(event, context):\n    return {'version': 2}\n")
        assert pool.invoke({}).result == {"version": 1}  # a warm worker keeps its code
        pool.restart()
        assert pool.invoke({}).result == {"version": 2}
    finally:
        pool.stop()
        sys.path.remove(str(tmp_path))


def _install(site: Path, name: str, entry_point: str) -> None:
    """A distribution as an installer leaves it: a ``.dist-info`` directory in ``site``."""
    info = site / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[eventpipe]\n{entry_point}\n")


def test_installed_plugins_are_read_again_only_after_sys_path_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    os.utime(site, (time.time() - 60, time.time() - 60))  # installed a while ago
    monkeypatch.setattr(sys, "path", [str(site)])  # nothing else changing beside it
    reads: list[int] = []
    plugins = InstalledPlugins()
    counted = InstalledPlugins(lambda: reads.append(1) or frozenset())

    before = plugins()
    assert before == frozenset()
    counted()
    counted()
    assert len(reads) == 1  # nothing installed since: answered from memory

    _install(site, "ep-new-plugin", "ep-new = ep_new.plugin")
    after = plugins()
    counted()
    assert after - before == {"ep-new = ep_new.plugin"}
    assert len(reads) == 2

    for path in sorted((site / "ep-new-plugin-0.1.dist-info").iterdir()):
        path.unlink()
    (site / "ep-new-plugin-0.1.dist-info").rmdir()  # uninstalled
    assert plugins() == before
