"""A plugin's ``resources`` callable: loading it, calling it, and checking what it returns.

The callable runs inside the pipeline component (its resources become children of it)
and returns :class:`eventpipe.ConsumerResources`. Everything the program rejects is
rejected here, once, as a configuration error naming the plugin, the consumer and the
field: a result that is not ``ConsumerResources``, non-string environment keys, and IAM
statements with wildcards. ``components.consumer_pipeline`` and
``eventpipe.testing.run_resources`` both call :func:`run_plugin_resources`, so a plugin
test that passes means ``pulumi up`` accepts the result. Pulumi-free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from eventpipe.consumer import Consumer, ConsumerResources, ResourceContext
from eventpipe.exceptions import ConfigurationError, Problem
from eventpipe.runtime.refs import NotCallableError, explain_import_failure, import_ref

XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
WILDCARD_RESOURCE_ACTIONS = frozenset(XRAY_ACTIONS)
"""Actions AWS only authorises on ``"*"``; the only ones allowed a wildcard resource."""


def _problem(plugin: str, consumer: Consumer, message: str, fix: str) -> ConfigurationError:
    return ConfigurationError([Problem(plugin, consumer.name, "resources", message, fix)])


def load_callable(
    plugin: str, consumer: Consumer
) -> Callable[[ResourceContext], ConsumerResources | None] | None:
    """The consumer's ``resources`` callable (imported when given as ``module:function``)."""
    ref = consumer.resources
    if ref is None or callable(ref):
        return ref
    try:
        return import_ref(ref)
    except NotCallableError as exc:
        raise _problem(
            plugin, consumer, f"{exc}", "point resources at a function taking a ResourceContext"
        ) from exc
    except Exception as exc:
        raise _problem(plugin, consumer, *explain_import_failure(ref, exc)) from exc


def check_result(plugin: str, consumer: Consumer, result: Any) -> ConsumerResources:
    """``result`` as ConsumerResources (``None`` = nothing), or a ConfigurationError."""
    if result is None:
        return ConsumerResources()
    if not isinstance(result, ConsumerResources):
        raise _problem(
            plugin,
            consumer,
            f"returned {type(result).__name__}, not eventpipe.ConsumerResources",
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


def run_plugin_resources(
    plugin: str, consumer: Consumer, context: ResourceContext
) -> ConsumerResources:
    """Call the consumer's ``resources`` hook (if any) and check what it returns."""
    function = load_callable(plugin, consumer)
    if function is None:
        return ConsumerResources()
    return check_result(plugin, consumer, function(context))


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def lint_statements(statements: Iterable[Mapping[str, Any]], *, plugin: str, consumer: str) -> None:
    """Reject wildcard actions/resources in a plugin's statements before anything deploys.

    Only plain strings can be checked here; Output values are ARNs of resources the plugin
    declared, which are never wildcards.
    """
    problems: list[Problem] = []
    for index, statement in enumerate(statements):
        where = f"resources.statements[{index}]"
        if not isinstance(statement, Mapping) or "Action" not in statement:
            problems.append(
                Problem(
                    plugin,
                    consumer,
                    where,
                    "is not an IAM statement with an Action",
                    'write {"Effect": "Allow", "Action": [...], "Resource": [...]}',
                )
            )
            continue
        actions = [a for a in _as_list(statement["Action"]) if isinstance(a, str)]
        # IAM action names take two wildcards, ``*`` and ``?``, anywhere ("IAM JSON policy
        # elements: Action", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html):
        # ``s3:Get*`` grants every present and future Get action, so any of them is refused.
        if any("*" in a or "?" in a for a in actions):
            problems.append(
                Problem(
                    plugin,
                    consumer,
                    where,
                    f"wildcard action in {actions}",
                    "name the actions the handler calls, e.g. dynamodb:PutItem",
                )
            )
        resources = [r for r in _as_list(statement.get("Resource", [])) if isinstance(r, str)]
        wildcard_ok = set(actions) <= WILDCARD_RESOURCE_ACTIONS
        if "*" in resources and not wildcard_ok:
            problems.append(
                Problem(
                    plugin,
                    consumer,
                    where,
                    "wildcard resource '*'",
                    "scope the statement to the ARNs of the resources you created",
                )
            )
    if problems:
        raise ConfigurationError(problems)
