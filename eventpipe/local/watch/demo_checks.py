"""The plugins' sample events: publish them into a local deploy and check the outcomes.

Samples come from each plugin's ``eventpipe_sample_events()`` hook, loaded through the
same plugin discovery (and the stack's plugin filter) the Pulumi program uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from eventpipe.consumer import SampleEvent
from eventpipe.exceptions import ConfigurationError, Problem
from eventpipe.local.watch.tracker import Tracker, message_key
from eventpipe.resolve import SAMPLES_HOOK as HOOK
from eventpipe.resolve import resolve_from_file, resolve_samples


class SamplePublisher(Protocol):
    """What publishing the samples needs of a local deploy (``LocalEngine`` has both);
    named here so the watch room never imports the engine that owns it."""

    def put_events(self, entries: list[dict[str, Any]]) -> list[str]: ...

    def send_to_consumer(
        self, consumer: str, body: str | dict[str, Any], group: str | None = None
    ) -> str: ...


@dataclass(frozen=True)
class Sample:
    plugin: str
    event: SampleEvent


@dataclass(frozen=True)
class Published:
    sample: Sample
    key: str
    """The message identity the tracker records outcomes under."""


@dataclass(frozen=True)
class Mismatch:
    plugin: str
    description: str
    consumer: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return (
            f"plugin {self.plugin!r}, sample {self.description!r}: consumer {self.consumer!r} "
            f"expected {self.expected}, got {self.actual}"
        )


def load_samples(project_dir: Path, stack: str) -> list[Sample]:
    """Every enabled plugin's samples; a broken hook or sample is a ConfigurationError.

    The samples come by the one road from installed plugins to declarations,
    :func:`eventpipe.resolve.resolve_samples` on the stack's resolution; this only checks
    that each is a sample the demo can publish.
    """
    declared = resolve_samples(resolve_from_file(project_dir, stack))
    problems: list[Problem] = []
    samples: list[Sample] = []
    for item in declared:
        where = f"{HOOK}[{item.index}]"
        event = item.sample
        if not isinstance(event, SampleEvent):
            problems.append(
                Problem(
                    item.plugin,
                    None,
                    where,
                    f"is a {type(event).__name__}",
                    "return eventpipe.SampleEvent objects",
                )
            )
            continue
        if not (event.detail_type and event.source) and not (
            event.consumer and event.body is not None
        ):
            problems.append(
                Problem(
                    item.plugin,
                    None,
                    where,
                    "needs detail_type + source (bus) or consumer + body (queue)",
                    "fill one of the two forms",
                )
            )
            continue
        samples.append(Sample(item.plugin, event))
    if problems:
        raise ConfigurationError(problems)
    return samples


def publish(engine: SamplePublisher, samples: list[Sample]) -> list[Published]:
    """Send every sample, in order (bus events in one ordered PutEvents stream)."""
    published: list[Published] = []
    for sample in samples:
        event = sample.event
        if event.consumer is not None:
            body = event.body if isinstance(event.body, str) else json.dumps(event.body)
            engine.send_to_consumer(event.consumer, body, event.message_group_id)
            published.append(Published(sample, message_key(body)))
            continue
        [event_id] = engine.put_events(
            [
                {
                    "Source": event.source,
                    "DetailType": event.detail_type,
                    "Detail": json.dumps(event.detail or {}),
                }
            ]
        )
        published.append(Published(sample, f"event:{event_id}"))
    return published


def check(
    published: list[Published],
    tracker: Tracker,
    deployed: set[str],
    fifo: set[str] | None = None,
) -> tuple[list[Mismatch], list[str]]:
    """Mismatches between expected and actual outcomes, and notes on skipped checks.

    On a FIFO consumer a record that fails stops its batch: the runtime reports it and
    every later record as failed, so they are retried in order. Whether a sample shares
    a batch with another sample's failure depends on timing, so there ``succeeded`` is
    also met by ``retried`` (it did succeed, after waiting behind an earlier failure).
    """
    fifo = fifo or set()
    mismatches: list[Mismatch] = []
    notes: list[str] = []
    for item in published:
        for consumer, expected in item.sample.event.expect.items():
            if consumer not in deployed:
                notes.append(
                    f"{consumer!r} is not deployed in this stack; its expectation is skipped"
                )
                continue
            actual = tracker.outcome(consumer, item.key) or "not received"
            if (expected, actual) == ("succeeded", "retried") and consumer in fifo:
                continue
            if actual != expected:
                mismatches.append(
                    Mismatch(
                        item.sample.plugin,
                        item.sample.event.description or item.key,
                        consumer,
                        expected,
                        actual,
                    )
                )
    return mismatches, sorted(set(notes))
