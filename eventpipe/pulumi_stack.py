"""The stack the running Pulumi program deploys: its config, its name, its consumers.

The one module below the Pulumi program that imports Pulumi's SDK: :mod:`eventpipe.resolve`
stays Pulumi-free, so ``eventpipe consumers``, the operator commands and the test kit
resolve a stack without loading Pulumi. ``__main__.py`` calls :func:`resolve_from_pulumi`.
"""

from __future__ import annotations

import json
from typing import Any

from eventpipe.config import NAMESPACE, misspelt_namespace_keys
from eventpipe.resolve import Resolved, resolve


def read_pulumi_config() -> tuple[dict[str, Any], str | None]:
    """The ``eventpipe:`` values and ``aws:region`` of the running Pulumi program.

    Pulumi hands a program its config as flat ``namespace:key`` strings, objects JSON
    encoded; they are decoded here so both sources look the same to ``parse_settings``.
    """
    from pulumi.runtime.config import CONFIG, get_config_env

    values: dict[str, Any] = {}
    region = None
    # The language host passes config through set_all_config (CONFIG); PULUMI_CONFIG is
    # the older environment channel that unit tests may still use.
    given = {**get_config_env(), **CONFIG.get()}
    import pulumi

    for message in misspelt_namespace_keys(given, pulumi.get_project()):
        pulumi.log.warn(message)
    for full_key, raw in given.items():
        namespace, _, key = full_key.partition(":")
        if full_key == "aws:region":
            region = raw
        if namespace != NAMESPACE:
            continue
        values[key] = _decode(raw)
    return values, region


def _decode(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def resolve_from_pulumi(**kwargs: Any) -> Resolved:
    """Resolve the stack the running Pulumi program (or its mocks) is deploying."""
    import pulumi

    values, region = read_pulumi_config()
    return resolve(values, stack=pulumi.get_stack(), region=region, **kwargs)
