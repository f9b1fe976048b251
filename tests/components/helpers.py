"""Building components under mocks and waiting for them to settle."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pulumi

from components import ConsumerPipeline, ConsumerPipelineArgs, EventBus, EventBusArgs
from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer


def settings(**values: object) -> StackSettings:
    return StackSettings.model_validate({"stack": "test", "region": "us-east-1", **values})


def build(
    consumers: Sequence[tuple[str, Consumer]],
    stack_settings: StackSettings,
    build_dir: Path,
) -> tuple[EventBus, list[ConsumerPipeline]]:
    """The program's shape: one EventBus, one ConsumerPipeline per (plugin, consumer)."""
    bus = EventBus(
        "eventpipe",
        EventBusArgs(stack_settings, consumers=[c for _, c in consumers], build_dir=build_dir),
    )
    pipelines = [
        ConsumerPipeline(
            consumer.name,
            ConsumerPipelineArgs(
                consumer, plugin=plugin, settings=stack_settings, bus=bus, build_dir=build_dir
            ),
        )
        for plugin, consumer in consumers
    ]
    return bus, pipelines


def settled(components: Iterable[EventBus | ConsumerPipeline]) -> pulumi.Output[list[str]]:
    """An Output resolved once every child resource of ``components`` is registered."""
    urns = [r.urn for c in components for r in c.resources.values()]
    return pulumi.Output.all(*urns)


def build_attached(
    consumers: Sequence[tuple[str, Consumer]],
    stack_settings: StackSettings,
    build_dir: Path,
) -> tuple[EventBus, list[ConsumerPipeline]]:
    """:func:`build`, then the stack-level functions, as ``__main__.py`` does."""
    bus, pipelines = build(consumers, stack_settings, build_dir)
    bus.attach(pipelines, build_dir)
    return bus, pipelines


def settled_all(bus: EventBus, pipelines: Sequence[ConsumerPipeline]) -> pulumi.Output[list[str]]:
    """:func:`settled` over the bus, the pipelines and the stack-level components."""
    extra = [c for c in (bus.breaker, bus.dead_letter_archive) if c is not None]
    urns = [r.urn for c in [bus, *pipelines, *extra] for r in c.resources.values()]
    return pulumi.Output.all(*urns)


def allow_actions(document: dict[str, object]) -> list[str]:
    """Every action an IAM document allows (to check none has a wildcard)."""
    actions: list[str] = []
    for statement in document["Statement"]:  # type: ignore[attr-defined]
        if statement["Effect"] == "Allow":
            value = statement["Action"]
            actions += value if isinstance(value, list) else [value]
    return actions
