"""Sending in batches, with retries: shared by every sender eventpipe has.

:class:`eventpipe.publish.Publisher` (PutEvents), the operator's SQS sender
(``eventpipe.operate.send``, SendMessageBatch) and its SNS sender
(``eventpipe.operate.topics``, PublishBatch) all split entries into calls under their
API's limits and send again what failed for a reason worth retrying, after a full-jitter
backoff; they do it with these three functions, so they split and retry the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def full_jitter(
    retry_number: int, base_delay: float, max_delay: float, rng: Callable[[], float]
) -> float:
    """The delay before retry ``retry_number`` (1 for the first): a random fraction of
    ``base_delay * 2**(retry_number - 1)``, capped at ``max_delay`` (AWS Architecture
    Blog, "Exponential Backoff And Jitter")."""
    return rng() * min(max_delay, base_delay * (2 ** (retry_number - 1)))


def retry_rounds(
    pending: list[T],
    send_round: Callable[[list[T], int, bool], list[T]],
    *,
    max_attempts: int,
    resend: Callable[[int, int], None],
) -> None:
    """Send ``pending``, then again what is worth resending, up to ``max_attempts`` rounds.

    ``send_round(pending, attempt, final)`` sends one round, records its successes and
    its final failures itself, and returns the items to send again (none when ``final``,
    the last attempt). ``resend(retry_number, count)`` is called before each resend
    of ``count`` items (to back off and count them).
    """
    for attempt in range(1, max_attempts + 1):
        if attempt > 1:
            resend(attempt - 1, len(pending))
        pending = send_round(pending, attempt, attempt == max_attempts)
        if not pending:
            break


def split_batches(
    entries: Sequence[dict[str, Any]],
    *,
    size_of: Callable[[dict[str, Any]], int],
    max_bytes: int,
    max_entries: int,
) -> Iterator[list[dict[str, Any]]]:
    """Split entries, in order, into calls of at most ``max_entries`` entries and at most
    ``max_bytes`` together, each entry weighing ``size_of(entry)``. Each entry is known
    to fit on its own (every sender checks that before it sends anything)."""
    batch: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        entry_bytes = size_of(entry)
        if batch and (len(batch) == max_entries or size + entry_bytes > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry_bytes
    if batch:
        yield batch
