"""The local Lambda invoker: a pool of worker processes per function.

A worker is started with ``spawn``, so every one has a real cold start and a crash or a
leaked global in one function never touches another. A pool holds up to as many workers
as the mapping may run at once (its ScalingConfig.MaximumConcurrency, capped for a
laptop): the first starts with the pool, each other one only when a batch is ready to run
while every worker already started is busy (:meth:`FunctionPool.scale_out`), as Lambda
provisions an execution environment for each concurrent request and adds them as
requests arrive (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html).
A worker that overruns the function timeout is killed and replaced, and the invocation
fails, as Lambda does.

Each worker is one execution environment with its own log stream
(:class:`.function_logs.LogStream`): the pool writes the platform's START / END / REPORT
lines around each invocation, as Lambda does
(https://docs.aws.amazon.com/lambda/latest/operatorguide/log-structure.html), and hands
the function's own lines back with the result, so the poller can show a failure's reason.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventpipe.local.deploy.records import FunctionSpec
from eventpipe.local.functions.function_logs import LogShipper, LogStream, stream_name
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
    logs: list[str] = field(default_factory=list)
    """The function's own log lines of this invocation, in order."""
    log_stream: str = ""
    """The CloudWatch Logs stream they went to."""


class WorkerProcess:
    """One execution environment of a function."""

    def __init__(
        self,
        spec: FunctionSpec,
        env: dict[str, str],
        log_dir: Path,
        logs_client: Callable[[], Any] | None = None,
        on_error: Callable[[str], None] | None = None,
        log_metrics: Callable[[list[str]], object] | None = None,
        log_shipper: LogShipper | None = None,
    ):
        self.spec = spec
        self.env = env
        self.log_dir = log_dir
        self.log_group = env.get("AWS_LAMBDA_LOG_GROUP_NAME") or f"/aws/lambda/{spec.name}"
        self.init_error: str | None = None
        self.init_seconds = 0.0
        self.stream: LogStream | None = None
        self._logs_client = logs_client
        self._on_error = on_error
        self._log_metrics = log_metrics
        self._log_shipper = log_shipper
        self._reported_init = False
        self._process: Any = None
        self._conn: Any = None

    def start(self) -> None:
        """A fresh environment: a new process and, as on Lambda, a new log stream."""
        self.init_error = None
        self._reported_init = False
        name = stream_name()
        stream = self.stream = LogStream(
            self._logs_client,
            self.log_group,
            self.log_dir / f"{name.rsplit(']', 1)[-1]}.log",
            name=name,
            on_error=self._on_error,
            on_put=self._log_metrics,
            shipper=self._log_shipper,
        )
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        spec = {
            "name": self.spec.name,
            "arn": self.spec.arn,
            "memory": self.spec.memory,
            "log_stream": stream.name,
        }
        self._process = context.Process(
            target=serve,
            args=(child, self.spec.handler, self.env, spec, str(stream.path)),
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
        # The stream (and, if the stack did not declare it, the group) appears with the
        # first invocation, as on Lambda, where the environment starts on demand; the
        # init output waits in the file until then.

    def _report(self, request_id: str, started: float, extra: Sequence[str] = ()) -> list[str]:
        duration = (time.monotonic() - started) * 1000
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\t"
            f"Billed Duration: {math.ceil(duration)} ms\tMemory Size: {self.spec.memory} MB"
        )
        if not self._reported_init:
            report += f"\tInit Duration: {self.init_seconds * 1000:.2f} ms"
            self._reported_init = True
        return [*extra, f"END RequestId: {request_id}", report]

    def _ship(
        self, request_id: str, started: float, extra: Sequence[str] = ()
    ) -> tuple[list[str], str]:
        if self.stream is None:
            return [], ""
        before = [f"START RequestId: {request_id} Version: $LATEST"]
        if not self._reported_init:
            before.insert(0, "INIT_START Runtime Version: local (this interpreter)")
        lines = self.stream.ship(before=before, after=self._report(request_id, started, extra))
        return lines, self.stream.name

    def invoke(
        self,
        event: dict[str, Any],
        timeout: float,
        on_result: Callable[[Any], None] | None = None,
    ) -> Invocation:
        """Run one invocation. ``on_result`` gets the function's response as soon as it
        arrives, before the function's log is shipped (Lambda's poller deletes a batch's
        records when the function returns; log delivery runs beside it)."""
        started = time.monotonic()
        request_id = str(uuid.uuid4())
        if self.init_error is not None:
            error = f"Runtime.ImportModuleError: {self.init_error}"
            logs, stream = self._ship(request_id, started)
            return Invocation(ok=False, error=error, logs=logs, log_stream=stream)
        try:
            self._conn.send((event, timeout, request_id))
            if not self._conn.poll(timeout):
                self.kill()
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
                logs, stream = self._ship(
                    request_id,
                    started,
                    [f"{stamp}Z {request_id} Task timed out after {timeout:.2f} seconds"],
                )
                self.start()  # a fresh environment, as Lambda gives after a timeout
                return Invocation(
                    ok=False,
                    error=f"Task timed out after {timeout:.2f} seconds",
                    duration=time.monotonic() - started,
                    timed_out=True,
                    logs=logs,
                    log_stream=stream,
                )
            kind, payload = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.kill()
            error = f"Runtime.ExitError: worker died ({exc})"
            logs, stream = self._ship(
                request_id, started, [f"RequestId: {request_id} Error: {error}"]
            )
            self.start()
            return Invocation(ok=False, error=error, logs=logs, log_stream=stream)
        duration = time.monotonic() - started
        try:
            if kind == "ok" and on_result is not None:
                on_result(payload)
        finally:
            logs, stream = self._ship(request_id, started)
        if kind == "ok":
            return Invocation(
                ok=True, result=payload, duration=duration, logs=logs, log_stream=stream
            )
        return Invocation(
            ok=False,
            error=f"{payload.get('errorType')}: {payload.get('errorMessage')}",
            duration=duration,
            logs=logs,
            log_stream=stream,
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
    """Up to ``size`` warm workers of one function; ``invoke`` borrows an idle one.

    The first worker starts with :meth:`start` (or with the first :meth:`invoke`); the
    others on demand (:meth:`scale_out`), so a function that never runs two batches at once
    never pays for a second process.
    """

    def __init__(
        self,
        spec: FunctionSpec,
        env: dict[str, str],
        log_dir: Path,
        size: int,
        logs_client: Callable[[], Any] | None = None,
        on_error: Callable[[str], None] | None = None,
        log_metrics: Callable[[list[str]], object] | None = None,
        log_shipper: LogShipper | None = None,
    ):
        """``log_metrics`` receives every batch of log lines written to the function's log
        group (the engine's :class:`.log_metrics.EmfPublisher`); ``log_shipper`` sends
        them off the invocation's path (without one, each invocation sends its own)."""
        self.spec = spec
        self.size = max(1, size)
        self.log_dir = log_dir
        self._workers = [
            WorkerProcess(spec, env, log_dir, logs_client, on_error, log_metrics, log_shipper)
            for _ in range(self.size)
        ]
        self._started = 0
        """How many of ``_workers`` (in order) have been started."""
        self._growing = threading.Lock()
        """Held while a worker is being added, and by :meth:`restart`."""
        self._idle: queue.Queue[WorkerProcess] = queue.Queue()
        self._stopped = threading.Event()
        self._scaling: list[threading.Thread] = []

    @property
    def log_group(self) -> str:
        return self._workers[0].log_group

    @property
    def started(self) -> int:
        """Workers started so far (1 after :meth:`start`, at most ``size``)."""
        return self._started

    def restart(self) -> None:
        """Replace every started environment with a fresh one (new code), one at a time:
        each worker finishes the batch it is running first, so nothing in flight is lost."""
        with self._growing:
            for scaling in self._scaling:
                scaling.join(START_TIMEOUT)
            for _ in range(self._started):
                worker = self._idle.get()
                try:
                    worker.stop()
                    if not self._stopped.is_set():
                        worker.start()
                finally:
                    self._idle.put(worker)

    def start(self) -> None:
        """Start the first worker and return (polling begins after one cold start)."""
        first = self._workers[0]
        first.start()
        self._started = 1
        self._idle.put(first)

    def scale_out(self) -> bool:
        """Start one more worker in the background, which joins the idle ones when warm
        (several may be starting at once); False when every worker is started or the
        pool restarts or stops."""
        if not self._growing.acquire(blocking=False):
            return False
        try:
            if self._stopped.is_set() or self._started >= self.size:
                return False
            worker = self._workers[self._started]
            self._started += 1
            scaling = threading.Thread(
                target=self._start_one, args=(worker,), name=f"scale-{self.spec.name}", daemon=True
            )
            self._scaling = [t for t in self._scaling if t.is_alive()] + [scaling]
            scaling.start()
            return True
        finally:
            self._growing.release()

    def _start_one(self, worker: WorkerProcess) -> None:
        if self._stopped.is_set():
            return
        worker.start()
        if self._stopped.is_set():
            worker.stop()
            return
        self._idle.put(worker)

    @property
    def init_error(self) -> str | None:
        return next((w.init_error for w in self._workers[: self._started] if w.init_error), None)

    def acquire(self, timeout: float | None = None) -> WorkerProcess | None:
        """An idle, warm execution environment (None if none came within ``timeout``);
        give it back with :meth:`release`."""
        try:
            return self._idle.get(timeout=timeout)
        except queue.Empty:
            return None

    def release(self, worker: WorkerProcess) -> None:
        self._idle.put(worker)

    def invoke(self, event: dict[str, Any]) -> Invocation:
        """Invoke on the next idle environment (waiting for one); the first invocation of a
        pool not yet started starts it (an environment is made when a request arrives)."""
        if self._started == 0:
            with self._growing:
                if self._started == 0:
                    self.start()
        worker = self._idle.get()
        try:
            return worker.invoke(event, float(self.spec.timeout))
        finally:
            self._idle.put(worker)

    def stop(self) -> None:
        self._stopped.set()
        for scaling in self._scaling:
            scaling.join(START_TIMEOUT)
        for worker in self._workers:
            worker.stop()
