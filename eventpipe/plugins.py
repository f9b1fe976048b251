"""Finding and loading consumer plugins.

Plugins are distributions exposing the ``eventpipe`` entry point group. Loading happens
here, once, in a function (never at import time), so the CLI, the Pulumi program and the
local engine see the same set and a broken plugin is reported, not fatal on import.

Which plugins load is decided by two lists, both by entry point or distribution name:

* ``EVENTPIPE_PLUGINS`` (comma separated; set but empty = load none) and
  ``EVENTPIPE_DISABLE_PLUGINS`` in the environment, for one-off runs and CI;
* ``eventpipe:plugins: {allow: [...], deny: [...]}`` in the stack config, for a stack
  that should only ever run some of the installed plugins.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from types import FunctionType, MethodType
from typing import Any

import pluggy

from eventpipe import hookspecs
from eventpipe.config import STACK_CONFIG, PluginFilter
from eventpipe.exceptions import Problem

ENTRY_POINT_GROUP = "eventpipe"
ENV_ALLOW = "EVENTPIPE_PLUGINS"
ENV_DENY = "EVENTPIPE_DISABLE_PLUGINS"


def _load_problem(
    name: str, ep: metadata.EntryPoint, dist_name: str | None, exc: Exception
) -> Problem:
    """Why a plugin's entry point did not load, with the fix for that cause: a plugin
    whose folder was deleted needs uninstalling; otherwise the import error is named
    where it was raised."""
    from eventpipe.runtime.refs import failure_site
    from eventpipe.stale_plugins import stale_plugin

    stale = stale_plugin(ep.dist)
    if stale is not None:
        return Problem(
            name,
            None,
            "entry point",
            f"{stale.distribution} is installed from {stale.folder}, which no longer exists",
            "run `make install` (it uninstalls plugins whose folder is gone), or "
            f"`pip uninstall {stale.distribution}`",
        )
    site = failure_site(exc)
    where = f" at {site}" if site else ""
    return Problem(
        name,
        None,
        "entry point",
        f"cannot load {ep.value!r}{where}: {type(exc).__name__}: {exc}",
        f"fix the import error or uninstall {dist_name or name}",
    )


@dataclass(frozen=True)
class PluginInfo:
    """One loaded plugin: what ``eventpipe consumers`` lists."""

    name: str
    distribution: str | None
    version: str | None
    module: str


@dataclass
class LoadedPlugins:
    """The plugin manager with every plugin that passed the filters, plus load problems."""

    manager: pluggy.PluginManager
    plugins: list[PluginInfo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def call_each(self, hook_name: str, **kwargs: Any) -> Iterable[tuple[str, Any]]:
        """Call one hook plugin by plugin, yielding ``(plugin name, result)``.

        One at a time, rather than ``pm.hook.x()``, keeps each result attributed to its
        plugin, and lets one plugin's exception be reported as a problem of that plugin
        while the others still run. Each call is pluggy's own (argument checks, every
        wrapper, tracing), through the public ``PluginManager.subset_hook_caller``: a
        hook caller without the other plugins' implementations. That keeps plugins in a
        set, so :func:`discover` registers an unhashable plugin object through a
        :class:`_HashableStandIn`.
        """
        caller = getattr(self.manager.hook, hook_name)
        implementations = [
            impl for impl in caller.get_hookimpls() if not (impl.hookwrapper or impl.wrapper)
        ]
        for impl in implementations:
            others = [other.plugin for other in implementations if other is not impl]
            try:
                results = self.manager.subset_hook_caller(hook_name, others)(**kwargs)
            except Exception as exc:  # a plugin bug must name the plugin, not crash
                yield impl.plugin_name, exc
                continue
            yield impl.plugin_name, results[0] if results else None


class _HashableStandIn:
    """Registered in place of a plugin object that cannot be hashed (a ``SimpleNamespace``,
    an instance whose class defines ``__eq__`` only): it hashes by identity and holds the
    object's functions and methods, bound as attribute access binds them, so pluggy finds
    the object's own hook implementations. Properties are not read (pluggy never runs
    them either)."""

    def __init__(self, plugin: object) -> None:
        for name in dir(plugin):
            if name.startswith("__"):
                continue
            static = inspect.getattr_static(plugin, name, None)
            if isinstance(static, FunctionType | MethodType | staticmethod | classmethod):
                setattr(self, name, getattr(plugin, name))


def new_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    return manager


def _env_list(env: Mapping[str, str], key: str) -> list[str] | None:
    if key not in env:
        return None
    return [part.strip() for part in env[key].split(",") if part.strip()]


def _selected(names: set[str], allow: list[str] | None, deny: Iterable[str]) -> bool:
    if allow is not None and not names & set(allow):
        return False
    return not names & set(deny)


def discover(
    plugin_filter: PluginFilter | None = None,
    *,
    env: Mapping[str, str] | None = None,
    extra: Iterable[tuple[str, object]] = (),
    entry_points: bool = True,
) -> LoadedPlugins:
    """Load the installed plugins that the filters let through.

    ``extra`` registers plugin objects directly (name, module): the tests' plugins, and
    anything embedding eventpipe. ``entry_points=False`` skips installed plugins, so a
    test sees only what it registered.
    """
    env = os.environ if env is None else env
    plugin_filter = plugin_filter or PluginFilter()
    env_allow, env_deny = _env_list(env, ENV_ALLOW), _env_list(env, ENV_DENY) or []
    loaded = LoadedPlugins(new_manager())
    seen: set[str] = set()

    candidates: list[tuple[str, metadata.EntryPoint | None, object | None]] = []
    if entry_points:
        eps = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
        candidates += [(ep.name, ep, None) for ep in eps]
    candidates += [(name, None, obj) for name, obj in extra]

    for name, ep, obj in candidates:
        dist = ep.dist if ep is not None else None
        dist_name = dist.metadata["Name"] if dist is not None else None
        names = {name} | ({dist_name} if dist_name else set())
        seen |= names
        if not (
            _selected(names, env_allow, env_deny)
            and _selected(names, plugin_filter.allow, plugin_filter.deny)
        ):
            continue
        if name in {info.name for info in loaded.plugins}:
            loaded.problems.append(
                Problem(
                    name,
                    None,
                    "entry point",
                    f"two plugins are registered as {name!r}",
                    "rename one entry point in its pyproject.toml",
                )
            )
            continue
        if ep is not None:
            try:
                obj = ep.load()
            except Exception as exc:
                loaded.problems.append(_load_problem(name, ep, dist_name, exc))
                continue
        try:
            hash(obj)
            registered = obj
        except TypeError:
            registered = _HashableStandIn(obj)
        loaded.manager.register(registered, name=name)
        loaded.plugins.append(
            PluginInfo(
                name=name,
                distribution=dist_name,
                version=dist.version if dist is not None else None,
                module=getattr(obj, "__name__", type(obj).__name__),
            )
        )

    for key, wanted in (("allow", plugin_filter.allow or []), ("deny", plugin_filter.deny)):
        for missing in sorted(set(wanted) - seen):
            loaded.problems.append(
                Problem(
                    STACK_CONFIG,
                    None,
                    f"eventpipe:plugins.{key}",
                    f"no installed plugin is called {missing!r}",
                    f"installed: {', '.join(sorted(seen)) or 'none'}; run `make install` after "
                    "adding a plugin",
                )
            )
    return loaded
