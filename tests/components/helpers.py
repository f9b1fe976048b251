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
