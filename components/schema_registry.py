"""The stack's EventBridge schema registry: one schema per consumer whose handler declares
a pydantic detail model (``eventpipe:publishSchemas``).

What a schema holds and how a model is read off a handler is :mod:`components.schemas`;
this module declares the registry and the schemas in it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming, schemas
from eventpipe.consumer import Consumer


def declare_schema_registry(
    name: str,
    prefix: str,
    consumers: Sequence[Consumer],
    handlers: Mapping[str, Callable[..., Any] | None],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> tuple[aws.schemas.Registry | None, dict[str, pulumi.Resource]]:
    """The registry ``<name>-schemas`` and every resource declared, by key (``registry``,
    one ``schema-<consumer>`` per published model); ``(None, {})`` when no rule-fed
    consumer's handler declares a model."""
    published = [
        (consumer, model)
        for consumer in consumers
        if consumer.pattern is not None
        and (model := schemas.detail_model(handlers.get(consumer.name))) is not None
    ]
    if not published:
        return None, {}
    registry = aws.schemas.Registry(
        f"{name}-schemas",
        name=naming.stack_name(prefix, "schemas", naming.LIMIT_REGISTRY),
        description="Event contracts of the consumers of this stack",
        tags=tags,
        opts=opts,
    )
    resources: dict[str, pulumi.Resource] = {"registry": registry}
    for consumer, model in published:
        resources[f"schema-{consumer.name}"] = aws.schemas.Schema(
            f"{name}-schema-{consumer.name}",
            name=schemas.schema_name(consumer, model),
            registry_name=registry.name,
            type="JSONSchemaDraft4",
            content=schemas.event_schema(consumer, model),
            description=f"Events consumer {consumer.name} accepts",
            tags=tags,
            opts=opts,
        )
    return registry, resources
