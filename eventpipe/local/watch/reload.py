"""What ``eventpipe dev`` watches while it runs: handler code, plugins, the stack file.

* A consumer's **handler code** (every ``.py`` file of the package its handler module
  belongs to, or the module alone) changed, or a file was added to or removed from that
  package: its function's workers are replaced by fresh ones, one at a time after the
  batch each is running (the next invoke is a cold start with the new code), as a Lambda
  deploy of new code gives new execution environments.
* A **plugin added or removed** (the installed ``eventpipe`` entry points), the **stack
  file** ``Pulumi.<stack>.yaml``, ``Pulumi.yaml`` or the program ``__main__.py``
  changed: the change is applied to the running engine as ``pulumi up`` would apply it
  (``apply_change``, :mod:`eventpipe.local.redeploy`), which reports its plan. When it
  cannot be applied (a broken stack file, a plan ``pulumi up`` would refuse) this is said
  plainly with the command that restarts ``dev``.

Files are watched with watchfiles (the operating system's file events, so a file created
after ``dev`` started is seen like a changed one): a handler package recursively, the
directory of a single-module handler and the project directory without recursion (a
project directory may hold a virtualenv). The installed plugins are read again at a
:meth:`ChangeWatcher.poll` after a directory of ``sys.path`` changed
(:class:`InstalledPlugins`).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from eventpipe.contract import ENV_CONSUMER, ENV_HANDLER

ENV_HANDLER_KEYS = (ENV_HANDLER,)
"""Function environment variables that may name the consumer's ``module:function``."""
START_TIMEOUT = 10.0
"""Seconds the file watchers may take to start (a busy machine)."""
STEP_MS = 50
"""How often a watcher looks at the events gathered; also how long it waits for more."""


def module_roots(module: str) -> list[Path]:
    """Where a handler module's code lives: its top-level package's directories (a
    handler often imports siblings), or the single module file."""
    top = module.split(".", 1)[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return [Path(location) for location in spec.submodule_search_locations]
    return [Path(spec.origin)] if spec.origin and spec.origin.endswith(".py") else []


def plugin_entry_points() -> frozenset[str]:
    """The installed plugins, as ``name = module`` of each ``eventpipe`` entry point."""
    return frozenset(
        f"{ep.name} = {ep.value}" for ep in importlib.metadata.entry_points(group="eventpipe")
    )


class InstalledPlugins:
    """:func:`plugin_entry_points`, read again only after the installed distributions
    changed.

    Reading every installed distribution's entry points opens a file per distribution:
    done each second, it was most of what an idle ``eventpipe dev`` did (about a quarter
    of a CPU). An installer adds, replaces or removes a distribution's ``.dist-info`` (or
    ``.egg-info``) directory in a directory of ``sys.path``, which changes that
    directory's modification time; so the entry points are read again when one of those
    times differs from the last read. The installer goes on writing the new directory's
    files for a moment, and file times are coarse (a few milliseconds), so until the
    newest of those times is :data:`SETTLE_SECONDS` old they are read at every call.
    """

    def __init__(self, read: Callable[[], frozenset[str]] = plugin_entry_points):
        self._read = read
        self._stamp: tuple[int, ...] | None = None
        self._plugins: frozenset[str] = frozenset()

    def __call__(self) -> frozenset[str]:
        stamp = _sys_path_stamp()
        settled = max(stamp, default=0) < time.time_ns() - int(SETTLE_SECONDS * 1e9)
        if stamp != self._stamp or not settled:
            # Stamped before reading: a change made during the read is seen next time.
            self._stamp = stamp
            self._plugins = self._read()
        return self._plugins


SETTLE_SECONDS = 2.0
"""How long after a directory of ``sys.path`` changed the entry points are read at every
call (an installer still writing the distribution's files)."""


def _sys_path_stamp() -> tuple[int, ...]:
    """The modification time of each ``sys.path`` entry (-1 where there is none)."""
    times: list[int] = []
    for entry in sys.path:
        try:
            times.append(os.stat(entry or ".").st_mtime_ns)
        except OSError:
            times.append(-1)
    return tuple(times)


@dataclass
class WatchedFunction:
    """A function and where its handler's code lives (package directories or one file)."""

    consumer: str
    function: str
    roots: list[Path]

    def __post_init__(self) -> None:
        self.roots = [root.resolve() for root in self.roots]

    @property
    def files(self) -> list[Path]:
        """The ``.py`` files of its code as they are now."""
        found: list[Path] = []
        for root in self.roots:
            found += sorted(root.rglob("*.py")) if root.is_dir() else [root]
        return found

    def owns(self, path: Path) -> bool:
        if path.suffix != ".py":
            return False
        return any(path == root or (root.is_dir() and root in path.parents) for root in self.roots)


class ChangeWatcher:
    """Watches from construction; :meth:`poll` restarts workers and reports what changed
    since the last call. :meth:`close` stops watching."""

    def __init__(
        self,
        functions: list[WatchedFunction],
        project_files: Iterable[Path],
        restart: Callable[[str], None],
        report: Callable[[str], None],
        restart_hint: str,
        plugins: Callable[[], frozenset[str]] | None = None,
        apply_change: Callable[[], str] | None = None,
    ):
        self.functions = functions
        self.project_files = {path.resolve() for path in project_files}
        self._restart = restart
        self._report = report
        self._hint = restart_hint
        self._apply = apply_change
        """Applies a stack change to the running engine; returns what it did (the plan)."""
        self._plugins = plugins or InstalledPlugins()
        self._installed = self._plugins()
        self._changes: queue.Queue[set[Path]] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        packages = {r for f in functions for r in f.roots if r.is_dir()}
        flat = {r.parent for f in functions for r in f.roots if not r.is_dir()}
        flat |= {path.parent for path in self.project_files}
        for roots, recursive in ((packages, True), (flat, False)):
            if roots:
                self._watch(sorted(roots), recursive)

    def _watch(self, roots: list[Path], recursive: bool) -> None:
        started = threading.Event()

        def run() -> None:
            for changes in watchfiles.watch(
                *roots,
                watch_filter=self._wanted,
                debounce=STEP_MS * 4,
                step=STEP_MS,
                rust_timeout=STEP_MS * 4,
                yield_on_timeout=True,
                stop_event=self._stop,
                recursive=recursive,
                raise_interrupt=False,
            ):
                started.set()  # the first yield comes after the watches are in place
                if changes:
                    self._changes.put({Path(path) for _, path in changes})

        thread = threading.Thread(target=run, name="dev-file-watcher", daemon=True)
        thread.start()
        self._threads.append(thread)
        if not started.wait(START_TIMEOUT):
            raise RuntimeError(f"could not start watching {', '.join(map(str, roots))}")

    def _wanted(self, _change: watchfiles.Change, path: str) -> bool:
        file = Path(path)
        return file in self.project_files or any(f.owns(file) for f in self.functions)

    def poll(self, timeout: float = 0.0) -> None:
        """Act on every change seen so far, waiting up to ``timeout`` seconds for one."""
        changed: set[Path] = set()
        if timeout > 0:
            with contextlib.suppress(queue.Empty):
                changed |= self._changes.get(timeout=timeout)
        while True:
            try:
                changed |= self._changes.get_nowait()
            except queue.Empty:
                break
        for watched in self.functions:
            mine = sorted(path for path in changed if watched.owns(path))
            if mine:
                names = ", ".join(path.name for path in mine[:3])
                more = f" and {len(mine) - 3} more" if len(mine) > 3 else ""
                self._report(
                    f"{watched.consumer}: handler code changed ({names}{more}); "
                    "restarting its workers"
                )
                self._restart(watched.function)
        for path in sorted(changed & self.project_files):
            self._tell(f"{path.name} changed")
        installed = self._plugins()
        if installed != self._installed:
            added = sorted(installed - self._installed)
            removed = sorted(self._installed - installed)
            self._installed = installed
            parts = [f"plugin added: {a}" for a in added] + [
                f"plugin removed: {r}" for r in removed
            ]
            self._tell("; ".join(parts))

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(START_TIMEOUT)

    def _tell(self, what: str) -> None:
        if self._apply is None:
            self._report(f"{what}: the local deploy no longer matches the project. "
                         f"Restart `{self._hint}` to deploy it.")  # fmt: skip
            return
        try:
            done = self._apply()
        except Exception as exc:  # a broken stack file, a refused plan: say so, keep running
            self._report(
                f"{what}: could not apply it: {exc}\nFix it and save again, or press Ctrl-C and "
                f"run `{self._hint}` (a local restart starts an empty emulator)"
            )
            return
        self._report(f"{what}: applied to the running engine, as `pulumi up` would.\n{done}")


def handler_module(environment: dict[str, str]) -> str | None:
    """The consumer handler's module, from the function's environment."""
    for key in ENV_HANDLER_KEYS:
        value = environment.get(key)
        if value:
            return value.split(":", 1)[0]
    return None


def watched_functions(functions: Iterable[tuple[str, dict[str, str]]]) -> list[WatchedFunction]:
    """One entry per function whose handler module is found: (function name, env)."""
    watched = []
    for name, environment in functions:
        module = handler_module(environment)
        roots = module_roots(module) if module else []
        if roots:
            watched.append(WatchedFunction(environment.get(ENV_CONSUMER) or name, name, roots))
    return watched
