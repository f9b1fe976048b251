"""Building components under mocks and waiting for them to settle."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

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


def run_to_completion(program: Callable[[], Any]) -> Any:
    """Run ``program`` as ``pulumi up`` would (under ``pulumi.runtime.test``) and return
    what its result resolved to, once every resource registration has finished.

    Assert on ``AwsMocks.resources`` after this returns, never inside an ``apply`` of an
    Output that does not depend on the resources checked: Pulumi sends each registration
    to the mock monitor from a worker thread (``run_in_executor`` in
    ``pulumi/runtime/resource.py``) and a resource behind ``depends_on`` registers only
    after its dependencies, so such an ``apply`` can run before the resource exists.
    ``pulumi.runtime.test`` returns only after Pulumi's ``wait_for_rpcs`` has drained
    every outstanding registration.
    """
    resolved: list[Any] = []

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        return pulumi.Output.from_input(program()).apply(resolved.append)

    run()
    assert len(resolved) == 1, "the program's result never resolved"
    return resolved[0]
