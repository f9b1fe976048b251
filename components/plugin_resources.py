"""Running a plugin's ``resources`` callable: its own tables, buckets and grants.

The callable runs inside the pipeline component (its resources become children of it)
and returns :class:`eventpipe.ConsumerResources`; anything else is reported as a
configuration error naming the plugin, the consumer and the field.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from components.iam import lint_statements
from eventpipe.consumer import Consumer, ConsumerResources, ResourceContext
from eventpipe.exceptions import ConfigurationError, Problem


def _problem(plugin: str, consumer: Consumer, message: str, fix: str) -> ConfigurationError:
    return ConfigurationError([Problem(plugin, consumer.name, "resources", message, fix)])


def load_callable(
    plugin: str, consumer: Consumer
) -> Callable[[ResourceContext], ConsumerResources] | None:
    ref = consumer.resources
    if ref is None or callable(ref):
        return ref
    module_name, _, attribute = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _problem(
            plugin,
            consumer,
            f"cannot import {module_name!r}: {exc}",
            "install the plugin's dependencies or correct the module path",
        ) from exc
    function = getattr(module, attribute, None)
    if not callable(function):
        raise _problem(
            plugin,
            consumer,
            f"{ref!r} is not a callable",
            "point resources at a function taking a ResourceContext",
        )
    return function  # type: ignore[no-any-return]


def run_plugin_resources(
    plugin: str, consumer: Consumer, context: ResourceContext
) -> ConsumerResources:
    """Call the consumer's ``resources`` hook (if any) and check what it returns."""
    function = load_callable(plugin, consumer)
    if function is None:
        return ConsumerResources()
    result: Any = function(context)
    if result is None:
        return ConsumerResources()
    if not isinstance(result, ConsumerResources):
        raise _problem(
            plugin,
            consumer,
            f"returned {type(result).__name__}",
            "return eventpipe.ConsumerResources(environment=..., statements=...)",
        )
    bad_env = [k for k in result.environment if not isinstance(k, str)]
    if bad_env:
        raise _problem(
            plugin,
            consumer,
            f"environment keys {bad_env} are not strings",
            "use string variable names",
        )
    lint_statements(result.statements, plugin=plugin, consumer=consumer.name)
    return result
