"""When the engine counts as settled: queue depths as SQS reports them, readers and
asynchronous invocations idle, twice in a row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from eventpipe.local import settling
from eventpipe.local.emulator.server import Emulator, start_emulator


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


@dataclass
class Reader:
    in_flight: int = 0


@dataclass
class Invoker:
    pending: int = 0


def test_depth_counts_visible_in_flight_and_delayed_messages(emulator: Emulator) -> None:
    emulator.reset()
    sqs = emulator.client("sqs")
    url = sqs.create_queue(QueueName="depths")["QueueUrl"]
    empty = sqs.create_queue(QueueName="empty")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="visible")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
    sqs.send_message(QueueUrl=url, MessageBody="in flight")
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)
    assert settling.queue_depths(sqs, [("q", url), ("e", empty)]) == {"q": 3, "e": 0}


def test_settled_needs_idle_readers_no_pending_invocation_and_empty_queues() -> None:
    def empty() -> dict[str, int]:
        return {"q": 0}

    assert settling.settled([Reader()], [Invoker()], empty)
    assert not settling.settled([Reader(in_flight=1)], [Invoker()], empty)
    assert not settling.settled([Reader()], [Invoker(pending=1)], empty)
    assert not settling.settled([Reader()], [Invoker()], lambda: {"q": 1})


def test_waiting_needs_two_calm_checks_in_a_row() -> None:
    answers = iter([True, False, True, True, True])
    checks: list[bool] = []

    def check() -> bool:
        checks.append(next(answers))
        return checks[-1]

    assert settling.wait_until(check, timeout=60, interval=0)
    assert checks == [True, False, True, True]
    assert not settling.wait_until(lambda: False, timeout=0.2, interval=0.01)
