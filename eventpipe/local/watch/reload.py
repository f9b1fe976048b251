"""What ``eventpipe dev`` watches while it runs: handler code, plugins, the stack file.

* A consumer's **handler code** (every ``.py`` file of the package its handler module
  belongs to, or the module alone) changed: its function's workers are replaced by fresh
  ones, one at a time after the batch each is running (the next invoke is a cold start
  with the new code), as a Lambda deploy of new code gives new execution environments.
* A **plugin added or removed** (the installed ``eventpipe`` entry points), the **stack
  file** ``Pulumi.<stack>.yaml``, ``Pulumi.yaml`` or the program ``__main__.py``
  changed: the deployed resources no longer match, and this is said plainly with the
  command to run; the engine is not redeployed under the running operator commands.

Files are compared by modification time and size, polled (no new dependency).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from eventpipe.contract import ENV_CONSUMER, ENV_HANDLER

ENV_HANDLER_KEYS = (ENV_HANDLER,)
"""Function environment variables that may name the consumer's ``module:function``."""

Stamp = tuple[int, int]


def _stamp(path: Path) -> Stamp | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def module_files(module: str) -> list[Path]:
    """The source files a handler module's code lives in: its top-level package's
    ``.py`` files (a handler often imports siblings), or the single module file."""
    top = module.split(".", 1)[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        files: list[Path] = []
        for location in spec.submodule_search_locations:
            files += sorted(Path(location).rglob("*.py"))
        return files
    return [Path(spec.origin)] if spec.origin and spec.origin.endswith(".py") else []


def plugin_entry_points() -> frozenset[str]:
    """The installed plugins, as ``name = module`` of each ``eventpipe`` entry point."""
    return frozenset(
        f"{ep.name} = {ep.value}" for ep in importlib.metadata.entry_points(group="eventpipe")
    )


@dataclass
class WatchedFunction:
    consumer: str
    function: str
    files: list[Path]
    stamps: dict[Path, Stamp | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stamps = {path: _stamp(path) for path in self.files}

    def changed(self) -> list[Path]:
        changed = [path for path in self.files if _stamp(path) != self.stamps[path]]
        for path in changed:
            self.stamps[path] = _stamp(path)
        return changed


class ChangeWatcher:
    """Call :meth:`poll` now and then; it restarts workers and reports what it did."""

    def __init__(
        self,
        functions: list[WatchedFunction],
        project_files: Iterable[Path],
        restart: Callable[[str], None],
        report: Callable[[str], None],
        restart_hint: str,
        plugins: Callable[[], frozenset[str]] = plugin_entry_points,
    ):
        self.functions = functions
        self.project_files = list(project_files)
        self._project = {path: _stamp(path) for path in self.project_files}
        self._restart = restart
        self._report = report
        self._hint = restart_hint
        self._plugins = plugins
        self._installed = plugins()
        self._told: set[str] = set()

    def poll(self) -> None:
        for watched in self.functions:
            changed = watched.changed()
            if changed:
                names = ", ".join(path.name for path in changed[:3])
                more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
                self._report(
                    f"{watched.consumer}: handler code changed ({names}{more}); "
                    "restarting its workers"
                )
                self._restart(watched.function)
        for path, stamp in self._project.items():
            if _stamp(path) != stamp:
                self._project[path] = _stamp(path)
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

    def _tell(self, what: str) -> None:
        self._report(
            f"{what}: the local deploy no longer matches the project. Restart needed: "
            f"press Ctrl-C and run `{self._hint}` again"
        )


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
        files = module_files(module) if module else []
        if files:
            watched.append(WatchedFunction(environment.get(ENV_CONSUMER) or name, name, files))
    return watched
