"""Physical names stay within AWS limits, deterministically, and stay distinct."""

from __future__ import annotations

from components import naming

LONGEST_PREFIX = "p" * 24
LONGEST_CONSUMER = "c" * 40


def test_longest_names_fit_without_truncation() -> None:
    queue = naming.queue_name(LONGEST_PREFIX, LONGEST_CONSUMER, dlq=True, fifo=True)
    assert len(queue) <= naming.LIMIT_QUEUE and queue.endswith("-dlq.fifo")
    function = naming.consumer_name(LONGEST_PREFIX, LONGEST_CONSUMER, naming.LIMIT_FUNCTION)
    assert function == LONGEST_PREFIX + LONGEST_CONSUMER


def test_too_long_names_are_shortened_deterministically_and_distinctly() -> None:
    a = naming.consumer_name(LONGEST_PREFIX, LONGEST_CONSUMER, 64, "-function-throttles")
    b = naming.consumer_name(LONGEST_PREFIX, LONGEST_CONSUMER, 64, "-function-errors")
    assert len(a) == len(b) == 64
    assert a != b
    assert a == naming.consumer_name(LONGEST_PREFIX, LONGEST_CONSUMER, 64, "-function-throttles")
    fifo = naming.queue_name("x" * 60, "y" * 40, dlq=True, fifo=True)
    assert len(fifo) == naming.LIMIT_QUEUE and fifo.endswith(".fifo")
