"""Asynchronous invocation of a local function (EventBridge rules, Scheduler schedules).

Lambda's asynchronous invocation, as documented ("Asynchronous invocation",
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html): the caller hands the
event over and returns at once; Lambda queues it and runs the function; "If the function
returns an error, by default Lambda attempts to run it two more times, with a one-minute
wait between the first two attempts, and two minutes between the second and third
attempts." Here the event waits in an in-memory queue per function, one invocation runs at
a time (enough for the stack functions, which are the only ones invoked this way), and
the waits between attempts are time-scaled like the rest of the engine.

Every attempt is kept in :attr:`AsyncInvoker.attempts` (the dev console and the tests
read what the breaker or the archiver did from there, as an operator reads its log).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventpipe.local.functions.pool import FunctionPool, Invocation

RETRY_WAITS = (60.0, 120.0)
"""Seconds before the second and the third attempt (Lambda's defaults, unscaled)."""


@dataclass
class Attempt:
    """One asynchronous invocation attempt and what it returned."""

    event: Any
    number: int
    invocation: Invocation
    at: float = field(default_factory=time.time)


class AsyncInvoker:
    """The asynchronous-invocation queue of one local function."""

    def __init__(
        self,
        pool: FunctionPool,
        *,
        time_scale: float = 1.0,
        on_error: Callable[[str], None] | None = None,
        on_attempt: Callable[[str, Attempt], None] | None = None,
    ):
        self.pool = pool
        self.time_scale = time_scale
        self.attempts: list[Attempt] = []
        self._on_error = on_error
        self._on_attempt = on_attempt
        self._queue: queue.Queue[tuple[Any, int, float] | None] = queue.Queue()
        self._stop = threading.Event()
        self._busy = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._loop, name=f"async-{pool.spec.name}", daemon=True
        )

    @property
    def name(self) -> str:
        return self.pool.spec.name

    def start(self) -> None:
        self._thread.start()

    def submit(self, event: Any) -> None:
        """``InvocationType=Event``: queued, never blocks the caller."""
        with self._lock:
            self._busy += 1
        self._queue.put((event, 1, 0.0))

    @property
    def pending(self) -> int:
        """Events accepted and not finished (queued, running or waiting for a retry)."""
        with self._lock:
            return self._busy

    def results(self) -> list[Any]:
        """What each successful attempt returned, in order."""
        return [a.invocation.result for a in list(self.attempts) if a.invocation.ok]

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(self.pool.spec.timeout + 5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            item = self._queue.get()
            if item is None:
                return
            event, number, not_before = item
            wait = not_before - time.monotonic()
            if wait > 0:
                if self._queue.empty():
                    self._stop.wait(min(wait, 0.2))
                self._queue.put(item)  # not yet: keep the queue moving
                continue
            invocation = self.pool.invoke(event)
            attempt = Attempt(event, number, invocation)
            self.attempts.append(attempt)
            if self._on_attempt is not None:
                self._on_attempt(self.name, attempt)
            if not invocation.ok and number <= len(RETRY_WAITS):
                delay = RETRY_WAITS[number - 1] * self.time_scale
                self._queue.put((event, number + 1, time.monotonic() + delay))
                continue
            if not invocation.ok and self._on_error is not None:
                self._on_error(
                    f"function {self.name}: asynchronous invocation failed {number} times, "
                    f"event dropped: {invocation.error}"
                )
            with self._lock:
                self._busy -= 1
