"""Stack configuration: the ``eventpipe:`` namespace of ``Pulumi.<stack>.yaml``, as
:class:`StackSettings`, and the stack's overrides applied to a consumer.

Read from the YAML file (the CLI, through :mod:`eventpipe.pulumi_files`) or from the
running Pulumi program's config (``pulumi up``, the local engine: through ``pulumi.Config``
in :mod:`eventpipe.pulumi_stack`); both paths produce the same :class:`StackSettings`, so
what ``eventpipe consumers --stack dev`` shows is what ``pulumi up`` builds. Unknown keys
are errors, with the closest valid key suggested, because a typo in a YAML file otherwise
silently keeps a default.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eventpipe import pulumi_files
from eventpipe.consumer import Consumer
from eventpipe.exceptions import Problem
from eventpipe.pulumi_files import (
    StackFileError,
    load_stack_yaml,
    misspelt_namespace_keys,
    warn_misspelt_namespaces,
)
from eventpipe.stack_settings import (
    DLQ_RETENTION_DAYS,
    LOG_RETENTION_DAYS,
    NAMESPACE,
    PROJECT,
    STACK_CONFIG,
    DeadLetterArchive,
    PluginFilter,
    StackSettings,
)

__all__ = [
    "CONFIG_FIELDS",
    "DLQ_RETENTION_DAYS",
    "LOG_RETENTION_DAYS",
    "NAMESPACE",
    "PROJECT",
    "SETTING_KEYS",
    "STACK_CONFIG",
    "DeadLetterArchive",
    "PluginFilter",
    "StackFileError",
    "StackSettings",
    "apply_overrides",
    "load_stack_yaml",
    "misspelt_namespace_keys",
    "parse_settings",
    "read_stack_file",
    "warn_misspelt_namespaces",
]

# Field names as written in stack config (camelCase), mapped to the model's names.
CONFIG_FIELDS: dict[str, str] = {
    "batchSize": "batch_size",
    "batchingWindow": "batching_window",
    "timeout": "timeout",
    "memory": "memory",
    "maxConcurrency": "max_concurrency",
    "maxReceiveCount": "max_receive_count",
    "visibilityTimeout": "visibility_timeout",
    "retention": "retention",
    "reservedConcurrency": "reserved_concurrency",
    "environment": "environment",
    "idempotent": "idempotent",
    "idempotencyTtl": "idempotency_ttl",
    "description": "description",
    "messageGroup": "message_group",
    "alarmOldestMessageAge": "alarm_oldest_message_age",
    "alarmQueueDepth": "alarm_queue_depth",
    "circuitBreaker": "circuit_breaker",
}
"""Consumer settings a stack may override (``eventpipe:defaults`` and
``eventpipe:consumers.<name>``). Name, handler, pattern and fifo are the plugin's
contract and cannot be changed by a stack."""


_ALIASES = {(info.alias or name): name for name, info in StackSettings.model_fields.items()} | {
    name: name for name in StackSettings.model_fields
}
_NOT_CONFIG = {"stack", "region", "target"}

SETTING_KEYS: tuple[str, ...] = tuple(sorted(k for k in _ALIASES if k not in _NOT_CONFIG))
"""Every key the ``eventpipe:`` namespace may hold (camelCase as written in stack config,
and the model's own names): what :mod:`eventpipe.pulumi_stack` looks up through
``pulumi.Config``, which can look keys up but not list them."""


_SETTING_FIXES = {
    "logRetentionDays": "set eventpipe:logRetentionDays to one of those values (e.g. 14 or 30), "
    "or 0 to keep logs forever",
    "namePrefix": "set eventpipe:namePrefix to letters, digits, '-' and '_' only, "
    "e.g. 'shop-prod-'",
    "topics": "list topic names, e.g. `eventpipe:topics: [orders, payments]`",
    "deadLetterArchive": "write e.g. `eventpipe:deadLetterArchive: {afterDays: 10, expireDays: "
    f"365}}` (afterDays 1-{DLQ_RETENTION_DAYS - 1}; expireDays optional, above afterDays, "
    "absent = never expire)",
}


def _suggest(key: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(key, choices, n=1)
    return f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(sorted(choices))}"


def parse_settings(
    values: Mapping[str, Any],
    *,
    stack: str,
    region: str | None = None,
    target: str | None = None,
) -> tuple[StackSettings, list[Problem]]:
    """Build settings from ``eventpipe:*`` values (keys without the namespace).

    Returns the settings (defaults where a value was wrong) and every problem found, so
    the caller can report them together with the plugins' problems.
    """
    problems: list[Problem] = []
    config_keys = sorted(k for k in _ALIASES if k not in _NOT_CONFIG and "_" not in k)
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in _ALIASES or key in _NOT_CONFIG:
            problems.append(
                Problem(
                    STACK_CONFIG,
                    None,
                    f"{NAMESPACE}:{key}",
                    "unknown key",
                    _suggest(key, config_keys),
                )
            )
            continue
        clean[key] = value
    clean["stack"] = stack
    if region:
        clean["region"] = region
    if target:
        clean["target"] = target
    try:
        settings = StackSettings.model_validate(clean)
    except ValidationError as exc:
        bad = set()
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            bad.add(str(err["loc"][0]))
            problems.append(
                Problem(
                    STACK_CONFIG,
                    None,
                    f"{NAMESPACE}:{loc}",
                    err["msg"].removeprefix("Value error, "),
                    _SETTING_FIXES.get(
                        str(err["loc"][0]),
                        "correct the value in Pulumi.<stack>.yaml (see docs/configuration.md)",
                    ),
                )
            )
        settings = StackSettings.model_validate({k: v for k, v in clean.items() if k not in bad})
    problems += _override_key_problems(settings)
    return settings, problems


def _override_key_problems(settings: StackSettings) -> list[Problem]:
    """Unknown keys inside ``defaults`` and ``consumers.<name>``."""
    problems: list[Problem] = []
    allowed = sorted(CONFIG_FIELDS)
    for key in settings.defaults:
        if key not in CONFIG_FIELDS:
            problems.append(
                Problem(
                    STACK_CONFIG,
                    None,
                    f"{NAMESPACE}:defaults.{key}",
                    "unknown consumer setting",
                    _suggest(key, allowed),
                )
            )
    for name, override in settings.consumers.items():
        if not isinstance(override, dict):
            problems.append(
                Problem(
                    STACK_CONFIG,
                    name,
                    f"{NAMESPACE}:consumers.{name}",
                    "must be a mapping of settings",
                    "write e.g. `order-processing: {batchSize: 5}`",
                )
            )
            continue
        for key in override:
            if key not in CONFIG_FIELDS and key != "enabled":
                problems.append(
                    Problem(
                        STACK_CONFIG,
                        name,
                        f"{NAMESPACE}:consumers.{name}.{key}",
                        "unknown consumer setting",
                        _suggest(key, [*allowed, "enabled"]),
                    )
                )
    return problems


def read_stack_file(project_dir: Path, stack: str) -> tuple[dict[str, Any], str | None]:
    """The ``eventpipe:`` values and ``aws:region`` of ``Pulumi.<stack>.yaml``.

    A YAML syntax error is a :class:`StackFileError` naming the line and column; a key
    in a namespace that looks like a misspelt ``eventpipe:`` is warned about
    (:mod:`eventpipe.pulumi_files`, the one reader of Pulumi's files).
    """
    return pulumi_files.read_namespace(project_dir, stack, NAMESPACE)


def apply_overrides(
    plugin: str, consumer: Consumer, settings: StackSettings
) -> tuple[Consumer, bool, list[Problem]]:
    """The consumer with the stack's defaults and overrides applied, and its enabled flag.

    Stack ``defaults`` fill only what the plugin left unset (``model_fields_set``); a
    per-consumer override always wins. The merged declaration is validated again, each
    error naming the config key that caused it.
    """
    override = dict(settings.consumers.get(consumer.name) or {})
    enabled = override.pop("enabled", True)
    problems: list[Problem] = []
    if not isinstance(enabled, bool):
        problems.append(
            Problem(
                STACK_CONFIG,
                consumer.name,
                f"{NAMESPACE}:consumers.{consumer.name}.enabled",
                f"must be true or false, got {enabled!r}",
                "write true or false",
            )
        )
        enabled = True
    updates: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for key, value in settings.defaults.items():
        field = CONFIG_FIELDS.get(key)
        if field and field not in consumer.model_fields_set:
            updates[field], origin[field] = value, f"{NAMESPACE}:defaults.{key}"
    for key, value in override.items():
        field = CONFIG_FIELDS.get(key)
        if field:
            updates[field] = value
            origin[field] = f"{NAMESPACE}:consumers.{consumer.name}.{key}"
    if not updates:
        return consumer, enabled, problems

    from eventpipe.exceptions import InvalidConsumerError
    from eventpipe.field_fixes import fix_for

    try:
        merged = Consumer(**{**dict(consumer), **updates})
    except InvalidConsumerError as exc:
        for field, message in exc.errors:
            top = field.split(".", 1)[0]
            problems.append(
                Problem(plugin, consumer.name, origin.get(top, field), message, fix_for(top))
            )
        return consumer, enabled, problems
    return merged, enabled, problems
