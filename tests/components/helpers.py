"""Building components under mocks and waiting for them to settle."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from components import ConsumerPipeline, ConsumerPipelineArgs, EventBus, EventBusArgs
from components.breaker import CircuitBreaker, declare_circuit_breaker
from components.dead_letter_archive import DeadLetterArchive, declare_dead_letter_archive
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


def settled(components: Iterable[pulumi.ComponentResource]) -> pulumi.Output[list[str]]:
    """An Output resolved once every child resource of ``components`` is registered."""
    urns = [r.urn for c in components for r in c.resources.values()]  # type: ignore[attr-defined]
    return pulumi.Output.all(*urns)


@dataclass
class Program:
    """What the program declares: the bus, the pipelines and the stack-level components
    (None when the stack has no breaker or no archive)."""

    bus: EventBus
    pipelines: list[ConsumerPipeline]
    breaker: CircuitBreaker | None
    archive: DeadLetterArchive | None

    def settled(self) -> pulumi.Output[list[str]]:
        """:func:`settled` over every component of the program."""
        stack_level = [c for c in (self.breaker, self.archive) if c is not None]
        return settled([self.bus, *self.pipelines, *stack_level])


def build_program(
    consumers: Sequence[tuple[str, Consumer]],
    stack_settings: StackSettings,
    build_dir: Path,
) -> Program:
    """:func:`build`, then the stack-level functions, as ``__main__.py`` declares them."""
    bus, pipelines = build(consumers, stack_settings, build_dir)
    breaker = declare_circuit_breaker(bus, pipelines, build_dir)
    archive = declare_dead_letter_archive(bus, pipelines, build_dir)
    return Program(bus, pipelines, breaker, archive)


def resolved_json(entry: Any) -> pulumi.Output[Any]:
    """A stack-output entry (``eventpipe.stack_output``) as the JSON Pulumi exports."""
    return pulumi.Output.from_input(entry.to_json())


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
