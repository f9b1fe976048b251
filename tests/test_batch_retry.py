"""The batch and retry helpers every sender shares: split, back off, send again."""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe.batch_retry import full_jitter, retry_rounds, split_batches


def test_full_jitter_is_a_fraction_of_a_doubling_capped_delay() -> None:
    assert full_jitter(1, 0.5, 10.0, lambda: 1.0) == 0.5
    assert full_jitter(3, 0.5, 10.0, lambda: 1.0) == 2.0  # 0.5 x 2**2
    assert full_jitter(10, 0.5, 10.0, lambda: 1.0) == 10.0  # capped
    assert full_jitter(3, 0.5, 10.0, lambda: 0.25) == 0.5  # the drawn fraction of it


def test_retry_rounds_resend_what_is_left_until_the_last_attempt() -> None:
    rounds: list[tuple[list[int], int, bool]] = []
    resends: list[tuple[int, int]] = []

    def send_round(pending: list[int], attempt: int, final: bool) -> list[int]:
        rounds.append((list(pending), attempt, final))
        return [] if final else pending[1:]  # one item settles per round

    retry_rounds(
        [1, 2, 3, 4], send_round, max_attempts=3, resend=lambda n, c: resends.append((n, c))
    )
    assert rounds == [([1, 2, 3, 4], 1, False), ([2, 3, 4], 2, False), ([3, 4], 3, True)]
    assert resends == [(1, 3), (2, 2)]


def test_retry_rounds_stop_when_nothing_is_left() -> None:
    rounds: list[int] = []
    retry_rounds(
        ["a"], lambda p, attempt, f: rounds.append(attempt) or [], max_attempts=5, resend=print
    )
    assert rounds == [1]


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([1] * 25, [10, 10, 5]),  # the entry limit
        ([40, 40, 40, 10], [2, 2]),  # the byte limit: 80 + 40 > 100
        ([100, 1], [1, 1]),  # exactly the limit fits alone
    ],
)
def test_split_batches_keep_order_under_both_limits(sizes: list[int], expected: list[int]) -> None:
    entries: list[dict[str, Any]] = [{"n": n, "size": s} for n, s in enumerate(sizes)]
    calls = list(split_batches(entries, size_of=lambda e: e["size"], max_bytes=100, max_entries=10))
    assert [len(c) for c in calls] == expected
    assert [e["n"] for c in calls for e in c] == list(range(len(sizes)))
