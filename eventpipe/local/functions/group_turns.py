"""FIFO message groups' turns among one mapping's batches in flight.

SQS holds back a message group while messages of it are in flight, and releases it once
they are deleted or visible again (SQS developer guide, FIFO delivery logic:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html),
which can happen before the batch holding them has finished its deletes. Lambda runs one group's batches one after the other, so the poller queues each
batch behind the batches in flight holding any of its groups, in receive order, and runs
it when it leads each of them (:class:`GroupTurns`). A batch ending its turn also wakes a
FIFO poller waiting for a group to come free (:attr:`GroupTurns.released`).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


def message_groups(batch: list[dict[str, Any]]) -> set[str]:
    """The ``MessageGroupId`` of each received message of a FIFO queue's batch."""
    return {(m.get("Attributes") or {}).get("MessageGroupId", "") for m in batch}


class GroupTurns:
    """The order in which one mapping's batches hold their message groups."""

    def __init__(self) -> None:
        self._turns: dict[str, deque[int]] = {}
        self._changed = threading.Condition()
        self.released = threading.Event()
        """Set when a batch ends its turn: its groups may be received again."""

    def take(self, batch_id: int, groups: set[str]) -> None:
        """Queue ``batch_id`` behind the batches in flight holding any of its groups."""
        with self._changed:
            for group in groups:
                self._turns.setdefault(group, deque()).append(batch_id)

    def wait(self, batch_id: int, groups: set[str]) -> bool:
        """Block until ``batch_id`` leads each of its groups; whether it had to wait."""
        with self._changed:

            def mine() -> bool:
                return all(self._turns[g][0] == batch_id for g in groups)

            waited = not mine()
            self._changed.wait_for(mine)
            return waited

    def end(self, groups: set[str]) -> None:
        """The batch leading ``groups`` is done with them."""
        with self._changed:
            for group in groups:
                self._turns[group].popleft()
                if not self._turns[group]:
                    del self._turns[group]
            self._changed.notify_all()
        self.released.set()
