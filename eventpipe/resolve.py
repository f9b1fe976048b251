"""From stack config and installed plugins to the validated consumers and their samples.

This is the one place that combines config, discovery, hook calls and validation;
``__main__.py``, ``eventpipe consumers``, the local engine and the test kit
(``eventpipe.testing.check_plugin``) all call it, so they agree on what a stack contains.
Hook names come from :mod:`eventpipe.hookspecs`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventpipe import hookspecs, provider_checks
from eventpipe.config import (
    StackSettings,
    apply_overrides,
    parse_settings,
    read_stack_file,
)
from eventpipe.consumer import Consumer
from eventpipe.exceptions import ConfigurationError, InvalidConsumerError, Problem
from eventpipe.field_fixes import fix_for
from eventpipe.pipes_paths import per_key_fifo
from eventpipe.plugins import LoadedPlugins, PluginInfo, discover
from eventpipe.runtime.refs import import_ref
from eventpipe.stack_settings import STACK_CONFIG
from eventpipe.validation import check_consumer, unknown_override_problems

HOOK = hookspecs.eventpipe_consumers.__name__
SAMPLES_HOOK = hookspecs.eventpipe_sample_events.__name__


@dataclass(frozen=True)
class DeclaredConsumer:
    """A consumer as a stack will build it: the stack's overrides already applied."""

    plugin: str
    distribution: str | None
    consumer: Consumer
    enabled: bool
    handler_func: Callable[..., Any] | None = None


@dataclass(frozen=True)
class DeclaredSample:
    """One item a plugin's ``eventpipe_sample_events()`` returned, as returned.

    ``sample`` is meant to be an :class:`eventpipe.SampleEvent`; what a caller does with
    anything else (a configuration problem for the demo, a failed assertion in the test
    kit) is its own concern.
    """

    plugin: str
    index: int
    sample: object


@dataclass
class Resolved:
    settings: StackSettings
    consumers: list[DeclaredConsumer]
    plugins: list[PluginInfo]
    loaded: LoadedPlugins = field(repr=False)

    @property
    def enabled(self) -> list[DeclaredConsumer]:
        return [c for c in self.consumers if c.enabled]


def _declarations(loaded: LoadedPlugins) -> tuple[list[tuple[str, Consumer]], list[Problem]]:
    found: list[tuple[str, Consumer]] = []
    problems: list[Problem] = []
    for plugin, result in loaded.call_each(HOOK):
        if isinstance(result, InvalidConsumerError):
            for field_name, message in result.errors:
                problems.append(
                    Problem(plugin, result.consumer, field_name, message, fix_for(field_name))
                )
            continue
        if isinstance(result, BaseException):
            problems.append(
                Problem(
                    plugin,
                    None,
                    HOOK,
                    f"raised {type(result).__name__}: {result}",
                    f"fix the plugin's {HOOK}() hook",
                )
            )
            continue
        if result is None:
            continue
        if not isinstance(result, list | tuple):
            problems.append(
                Problem(
                    plugin,
                    None,
                    HOOK,
                    f"returned {type(result).__name__}, not a list",
                    "return a list of eventpipe.Consumer",
                )
            )
            continue
        for index, item in enumerate(result):
            if isinstance(item, Consumer):
                found.append((plugin, item))
            else:
                problems.append(
                    Problem(
                        plugin,
                        None,
                        f"{HOOK}[{index}]",
                        f"is a {type(item).__name__}, not an eventpipe.Consumer",
                        "build it with eventpipe.Consumer(...)",
                    )
                )
    return found, problems


def resolve(
    values: Mapping[str, Any],
    *,
    stack: str,
    region: str | None = None,
    env: Mapping[str, str] | None = None,
    extra_plugins: Iterable[tuple[str, object]] = (),
    entry_points: bool = True,
    target: str | None = None,
) -> Resolved:
    """Validated consumers of a stack; raises ConfigurationError with every problem.

    ``target`` is where a running program deploys (``"aws"`` or ``"local"``,
    ``StackSettings.target``); None when nothing deploys (``eventpipe consumers``)."""
    settings, problems = parse_settings(values, stack=stack, region=region, target=target)
    problems += provider_checks.stack_problems(settings)
    loaded = discover(settings.plugins, env=env, extra=extra_plugins, entry_points=entry_points)
    problems += loaded.problems
    declarations, hook_problems = _declarations(loaded)
    problems += hook_problems

    owners: dict[str, str] = {}
    dists = {info.name: info.distribution for info in loaded.plugins}
    consumers: list[DeclaredConsumer] = []
    for plugin, declared in declarations:
        if declared.name in owners:
            problems.append(
                Problem(
                    plugin,
                    declared.name,
                    "name",
                    f"consumer name already declared by plugin {owners[declared.name]!r}",
                    "consumer names are unique across plugins: rename one of them",
                )
            )
            continue
        owners[declared.name] = plugin
        consumer, enabled, override_problems = apply_overrides(plugin, declared, settings)
        problems += override_problems
        handler = None
        if enabled:
            consumer_problems = check_consumer(plugin, consumer, settings)
            problems += consumer_problems
            if not consumer_problems:  # it imports: check_consumer tried
                handler = import_ref(consumer.handler)
                problems += provider_checks.consumer_problems(plugin, consumer, settings, handler)
        consumers.append(DeclaredConsumer(plugin, dists.get(plugin), consumer, enabled, handler))
    problems += unknown_override_problems(settings, set(owners))
    # A live consumer may be listed with `intake: true` alone once its message_group is
    # no longer a JSON path: its old intake pair is kept (components/kept_intake.py).
    deployed = {c.consumer.name: c.consumer for c in consumers if c.enabled}
    problems += [
        Problem(
            STACK_CONFIG,
            entry.name,
            "eventpipe:retired",
            f"{entry.name!r} is listed as retired but an installed plugin declares it enabled",
            "remove it from eventpipe:retired, or disable it with `enabled: false` "
            "(a consumer whose message_group is no longer a JSON path may be listed with "
            "`intake: true` alone, to keep its old intake queues)",
        )
        for entry in settings.retired
        if entry.name in deployed
        and not (entry.intake and not entry.fifo and not per_key_fifo(deployed[entry.name]))
    ]
    if problems:
        raise ConfigurationError(problems)
    return Resolved(settings, consumers, loaded.plugins, loaded)


def resolve_from_file(project_dir: Path, stack: str, **kwargs: Any) -> Resolved:
    """Resolve a stack from its ``Pulumi.<stack>.yaml`` (no Pulumi engine needed)."""
    values, region = read_stack_file(project_dir, stack)
    return resolve(values, stack=stack, region=region, **kwargs)


def resolve_samples(resolved: Resolved, *, plugin: str | None = None) -> list[DeclaredSample]:
    """Every loaded plugin's sample events (only ``plugin``'s when given), in order.

    Uses the plugins ``resolved`` loaded (the stack's filters applied); a hook that raises
    or returns something other than a list is a ConfigurationError naming its plugin.
    """
    samples: list[DeclaredSample] = []
    problems: list[Problem] = []
    for name, result in resolved.loaded.call_each(SAMPLES_HOOK):
        if plugin is not None and name != plugin:
            continue
        if isinstance(result, BaseException):
            problems.append(
                Problem(
                    name,
                    None,
                    SAMPLES_HOOK,
                    f"raised {type(result).__name__}: {result}",
                    f"fix the plugin's {SAMPLES_HOOK}() hook",
                )
            )
            continue
        if result is not None and not isinstance(result, list | tuple):
            problems.append(
                Problem(
                    name,
                    None,
                    SAMPLES_HOOK,
                    f"returned {type(result).__name__}, not a list",
                    "return a list of eventpipe.SampleEvent",
                )
            )
            continue
        samples += [DeclaredSample(name, i, item) for i, item in enumerate(result or [])]
    if problems:
        raise ConfigurationError(problems)
    return samples
