"""The local Lambda invoker: a pool of worker processes per function.

A worker is started with ``spawn``, so every one has a real cold start and a crash or a
leaked global in one function never touches another. A pool holds as many workers as
the mapping may run at once (its ScalingConfig.MaximumConcurrency, capped for a laptop).
A worker that overruns the function timeout is killed and replaced, and the invocation
fails, as Lambda does.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventpipe.local.deploy.records import FunctionSpec
from eventpipe.local.functions.worker import serve

START_TIMEOUT = 60.0
"""Seconds a worker may take to import its handler (a slow cold start on a busy box)."""


@dataclass
class Invocation:
    """What one invoke returned: ``ok`` with the handler's result, or an error."""

    ok: bool
    result: Any = None
    error: str | None = None
    duration: float = 0.0
    timed_out: bool = False


class WorkerProcess:
    """One execution environment of a function."""

    def __init__(self, spec: FunctionSpec, env: dict[str, str], log_path: Path):
        self.spec = spec
        self.env = env
        self.log_path = log_path
        self.init_error: str | None = None
        self.init_seconds = 0.0
        self._process: Any = None
        self._conn: Any = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        spec = {"name": self.spec.name, "arn": self.spec.arn, "memory": self.spec.memory}
        self._process = context.Process(
            target=serve,
            args=(child, self.spec.handler, self.env, spec, str(self.log_path)),
            name=f"eventpipe-fn-{self.spec.name}",
            daemon=True,
        )
        self._process.start()
        child.close()
        self._conn = parent
        if not parent.poll(START_TIMEOUT):
            self.init_error = f"worker did not start within {START_TIMEOUT:.0f}s"
            self.kill()
            return
        try:
            kind, payload = parent.recv()
        except EOFError:
            kind, payload = "init-error", "worker exited during start"
        if kind == "ready":
            self.init_seconds = float(payload)
        else:
            self.init_error = str(payload)

    def invoke(self, event: dict[str, Any], timeout: float) -> Invocation:
        if self.init_error is not None:
            return Invocation(ok=False, error=f"Runtime.ImportModuleError: {self.init_error}")
        started = time.monotonic()
        try:
            self._conn.send((event, timeout))
            if not self._conn.poll(timeout):
                self.kill()
                self.start()  # a fresh environment, as Lambda gives after a timeout
                return Invocation(
                    ok=False,
                    error=f"Task timed out after {timeout:.2f} seconds",
                    duration=time.monotonic() - started,
                    timed_out=True,
                )
            kind, payload = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.kill()
            self.start()
            return Invocation(ok=False, error=f"Runtime.ExitError: worker died ({exc})")
        duration = time.monotonic() - started
        if kind == "ok":
            return Invocation(ok=True, result=payload, duration=duration)
        return Invocation(
            ok=False,
            error=f"{payload.get('errorType')}: {payload.get('errorMessage')}",
            duration=duration,
        )

    def kill(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join(5)

    def stop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        if self._process is not None:
            self._process.join(2)
        self.kill()
        if self._conn is not None:
            self._conn.close()


class FunctionPool:
    """Up to ``size`` warm workers of one function; ``invoke`` borrows an idle one."""

    def __init__(self, spec: FunctionSpec, env: dict[str, str], log_path: Path, size: int):
        self.spec = spec
        self.size = max(1, size)
        self._workers = [WorkerProcess(spec, env, log_path) for _ in range(self.size)]
        self._idle: queue.Queue[WorkerProcess] = queue.Queue()
        self._stopped = threading.Event()
        self._scaling: threading.Thread | None = None

    def start(self) -> None:
        """Start the first worker and return; the others start in the background and
        join the pool when warm (a scale-out), so polling begins after one cold start."""
        first, *others = self._workers
        first.start()
        self._idle.put(first)
        if others:
            self._scaling = threading.Thread(target=self._start_more, args=(others,), daemon=True)
            self._scaling.start()

    def _start_more(self, workers: list[WorkerProcess]) -> None:
        for worker in workers:
            if self._stopped.is_set():
                return
            worker.start()
            if self._stopped.is_set():
                worker.stop()
                return
            self._idle.put(worker)

    @property
    def init_error(self) -> str | None:
        return next((w.init_error for w in self._workers if w.init_error), None)

    def invoke(self, event: dict[str, Any]) -> Invocation:
        worker = self._idle.get()
        try:
            return worker.invoke(event, float(self.spec.timeout))
        finally:
            self._idle.put(worker)

    def stop(self) -> None:
        self._stopped.set()
        if self._scaling is not None:
            self._scaling.join(START_TIMEOUT)
        for worker in self._workers:
            worker.stop()
