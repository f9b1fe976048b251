"""The local engine: emulator + deploy + function workers + pollers, started and stopped
as one unit (``with LocalEngine(...) as engine:``).

Used by ``eventpipe dev`` (runs until Ctrl-C), ``eventpipe demo`` (publish samples, wait
until settled, compare) and the end-to-end tests.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventpipe.contract import ENV_CONSUMER, LOCAL_STATE_DIR
from eventpipe.local import settling
from eventpipe.local.deploy.deployer import deploy_program
from eventpipe.local.deploy.program import LocalDeployError, read_project
from eventpipe.local.deploy.records import Deployment, FunctionSpec
from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.emulator.shims import lambda_targets
from eventpipe.local.functions import mapping_state
from eventpipe.local.functions.async_invoke import AsyncInvoker
from eventpipe.local.functions.environment import execution_environment
from eventpipe.local.functions.function_logs import LogShipper
from eventpipe.local.functions.log_metrics import EmfPublisher
from eventpipe.local.functions.pollers import MappingPoller
from eventpipe.local.functions.pool import FunctionPool
from eventpipe.local.pipes import PipeRunner
from eventpipe.local.schedules import ScheduleRunner
from eventpipe.local.watch.alarms import AlarmEvaluator
from eventpipe.local.watch.dead_letter_watcher import DlqWatcher, WatchedDlq
from eventpipe.local.watch.tracker import LogEntry, Tracker
from eventpipe.stack_output import StackOutputs

MAX_WORKERS_PER_FUNCTION = 2
"""Concurrent executions per function locally: ScalingConfig.MaximumConcurrency, capped
so a laptop with a dozen consumers is not asked for a hundred processes."""
ALARM_INTERVAL = 1.0
"""Seconds between two evaluations of the stack's alarms (:mod:`.watch.alarms`)."""


def _in_parallel(calls: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class LocalEngine:
    """Deploy a stack of the project locally and run its event source mappings.

    Example::

        with LocalEngine(Path("."), stack="dev", time_scale=0.01) as engine:
            engine.put_events([{"Source": "ecommerce.orders", "DetailType": "Order Created",
                                "Detail": json.dumps({"orderId": "1"})}])
            engine.wait_until_settled(timeout=30)
            print(engine.tracker.summary())
    """

    def __init__(
        self,
        project_dir: Path,
        stack: str = "dev",
        *,
        endpoint_url: str | None = None,
        time_scale: float = 1.0,
        workers_per_function: int = MAX_WORKERS_PER_FUNCTION,
        on_log: Callable[[LogEntry], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_alarm: Callable[[str, str, str], None] | None = None,
    ):
        self.files = read_project(Path(project_dir).resolve(), stack)
        self.endpoint_url = endpoint_url
        self.time_scale = time_scale
        self.workers_per_function = workers_per_function
        self.tracker = Tracker(on_log=on_log)
        self.on_error = on_error
        self.emulator: Emulator | None = None
        self.deployment: Deployment | None = None
        self.pools: dict[str, FunctionPool] = {}
        self.pollers: list[MappingPoller] = []
        self.pipes: list[PipeRunner] = []
        self.watcher: DlqWatcher | None = None
        self.alarms: AlarmEvaluator | None = None
        self.log_metrics = EmfPublisher(
            lambda: self.client("cloudwatch", internal=True), on_error=on_error
        )
        """The functions' EMF log lines, published to the emulator's CloudWatch."""
        self.log_shipper = LogShipper()
        """Sends the functions' log lines to the emulator's CloudWatch Logs, off the
        invocations' path; the engine is settled only when it has sent them all."""
        self.async_invokers: dict[str, AsyncInvoker] = {}
        """By function name: functions invoked asynchronously (rule and schedule targets)."""
        self.schedules: ScheduleRunner | None = None
        self.on_alarm = on_alarm
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> LocalEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Deployment:
        """Start (or connect to) the emulator, deploy, start workers and pollers."""
        self.emulator = start_emulator(self.endpoint_url, region=self.files.region)
        try:
            self.deployment = deploy_program(self.files, self.emulator, self.time_scale)
            self._start_functions(self.deployment)
            self._start_pollers(self.deployment)
            self._start_pipes(self.deployment)
            self._start_async_functions(self.deployment)
            self.alarms = AlarmEvaluator(
                self.emulator,
                account=self.deployment.state.account,
                time_scale=self.time_scale,
                function_counts=self.function_counts,
                on_change=self.on_alarm,
            )
            self.alarms.load()
            self.schedules = ScheduleRunner(
                self.emulator,
                self.invoke_async,
                time_scale=self.time_scale,
                on_error=self.on_error,
            )
            self.schedules.start()
        except BaseException:
            self.stop()
            raise
        self._monitor = threading.Thread(target=self._watch, name="dlq-watcher", daemon=True)
        self._monitor.start()
        return self.deployment

    def stop(self) -> None:
        """Stop polling, let batches in flight finish, stop workers and the emulator."""
        self._stop.set()
        if self.schedules is not None:
            self.schedules.stop()
        self._stop_readers()
        _in_parallel([pool.stop for pool in self.pools.values()])
        self.log_shipper.close()
        self.log_metrics.close()
        if self._monitor is not None:
            self._monitor.join(2)
        if self.emulator is not None:
            self.emulator.stop()

    def _stop_readers(self) -> None:
        """Stop the pollers, pipes and asynchronous invokers, each after the batch it is
        running: a message received and not deleted returns to its queue when its
        visibility timeout ends, so none is lost. The asynchronous functions' workers
        stop with their invokers; the mapped functions' workers keep running."""
        for runner in self.pipes:
            runner.signal_stop()
        for poller in self.pollers:  # all stop receiving at once, then each drains
            poller.signal_stop()
        for runner in self.pipes:
            runner.stop()
        for poller in self.pollers:
            poller.stop()
        for name, invoker in self.async_invokers.items():
            lambda_targets.unregister(invoker.pool.spec.arn)
            invoker.stop()
            self.pools.pop(name, None)
        _in_parallel([invoker.pool.stop for invoker in self.async_invokers.values()])
        self.pipes, self.pollers, self.async_invokers = [], [], {}

    # --- wiring --------------------------------------------------------------------------
    def consumer_of(self, spec: FunctionSpec) -> str:
        return spec.environment.get(ENV_CONSUMER) or spec.name

    def _start_functions(self, deployment: Deployment) -> None:
        """Workers for each function an event source mapping invokes. A pool already
        running the very same function (a redeploy that left it unchanged) is kept."""
        log_dir = self.files.directory / LOCAL_STATE_DIR / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        concurrency: dict[str, int] = {}
        for mapping in deployment.state.mappings:
            wanted = mapping.max_concurrency or self.workers_per_function
            concurrency[mapping.function_name] = max(
                concurrency.get(mapping.function_name, 1), min(wanted, self.workers_per_function)
            )
        fresh: dict[str, FunctionPool] = {}
        for name, size in concurrency.items():
            spec = deployment.state.functions.get(name)
            if spec is None:
                raise LocalDeployError(f"event source mapping names unknown function {name!r}")
            running = self.pools.get(name)
            if running is not None and running.spec == spec and running.size == size:
                continue
            fresh[name] = self._pool(spec, log_dir, size)
        stale = [self.pools.pop(n) for n in list(self.pools) if n in fresh or n not in concurrency]
        _in_parallel([pool.stop for pool in stale])
        self.pools.update(fresh)
        _in_parallel([pool.start for pool in fresh.values()])
        for name, pool in fresh.items():
            if pool.init_error and self.on_error:
                self.on_error(f"function {name} cannot start: {pool.init_error.splitlines()[0]}")

    def _pool(self, spec: FunctionSpec, log_dir: Path, size: int) -> FunctionPool:
        """A function's workers; their log goes to the emulator's CloudWatch Logs, and its
        EMF lines to the emulator's CloudWatch metrics."""
        assert self.emulator is not None
        return FunctionPool(
            spec,
            execution_environment(spec, self.emulator, self.time_scale),
            log_dir / spec.name,
            size,
            logs_client=lambda: self.client("logs", internal=True),
            on_error=self.on_error,
            log_metrics=self.log_metrics,
            log_shipper=self.log_shipper,
        )

    def _start_async_functions(self, deployment: Deployment) -> None:
        """One worker and an asynchronous-invocation queue for each function no event
        source mapping reads (the stack's breaker and archiver): EventBridge rules and
        Scheduler schedules invoke those (:mod:`.emulator.shims.lambda_targets`,
        :mod:`.schedules`). The worker starts with the function's first invocation, as
        Lambda makes an environment when a request arrives
        (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html): most
        runs never trip a breaker, and an import error is reported by that invocation."""
        assert self.emulator is not None
        log_dir = self.files.directory / LOCAL_STATE_DIR / "logs"
        pools = {
            name: self._pool(spec, log_dir, 1)
            for name, spec in deployment.state.functions.items()
            if name not in self.pools
        }
        for name, pool in pools.items():
            self.pools[name] = pool
            invoker = AsyncInvoker(pool, time_scale=self.time_scale, on_error=self.on_error)
            invoker.start()
            self.async_invokers[name] = invoker
            if self.emulator.embedded:
                lambda_targets.register(pool.spec.arn, invoker.submit)

    def invoke_async(self, function_arn: str, event: Any) -> bool:
        """``Invoke`` with ``InvocationType=Event`` on a local function; False when no
        local function has that ARN (a qualifier ``:$LATEST`` is accepted)."""
        name = function_arn.split(":function:", 1)[-1].split(":", 1)[0]
        invoker = self.async_invokers.get(name)
        if invoker is None:
            return False
        invoker.submit(event)
        return True

    def _start_pollers(self, deployment: Deployment) -> None:
        assert self.emulator is not None
        dlqs: list[WatchedDlq] = []
        self.watcher = DlqWatcher(self.emulator, deployment.state.account, dlqs, self.tracker)
        for mapping in deployment.state.mappings:
            queue = deployment.state.queues.get(mapping.queue_arn)
            pool = self.pools[mapping.function_name]
            if queue is None:
                raise LocalDeployError(
                    f"event source mapping reads unknown queue {mapping.queue_arn}"
                )
            consumer = self.consumer_of(pool.spec)
            dlq = deployment.state.queues.get(queue.dlq_arn or "")
            if dlq is not None:
                dlqs.append(WatchedDlq(consumer, dlq.name, dlq.url))
            if self.emulator.embedded:
                state = mapping_state.register(
                    deployment.state.account, self.emulator.region, mapping, pool.spec.arn
                )
            else:
                state = mapping_state.MappingState(enabled=mapping.enabled)
            poller = MappingPoller(
                self.emulator,
                mapping,
                queue,
                pool,
                consumer,
                self.tracker,
                time_scale=self.time_scale,
                on_error=self.on_error,
                state=state,
                dead_letters=self.watcher.find,
            )
            poller.start()
            self.pollers.append(poller)

    def function_counts(self, function_name: str) -> tuple[int, int]:
        """(invocations, whole-invocation errors) of a function so far, for the alarms."""
        pollers = [p for p in self.pollers if p.pool.spec.name == function_name]
        return sum(p.invocations for p in pollers), sum(p.errors for p in pollers)

    def _start_pipes(self, deployment: Deployment) -> None:
        """Run each recorded SQS -> SQS pipe; its source's DLQ is watched for the consumer
        whose queue the pipe feeds (the intake DLQ of a path-grouped FIFO consumer)."""
        assert self.emulator is not None
        readers = {m.queue_arn: m.function_name for m in deployment.state.mappings}
        for pipe in deployment.state.pipes:
            source = deployment.state.queues.get(pipe.source_arn)
            target = deployment.state.queues.get(pipe.target_arn)
            if source is None or target is None:
                raise LocalDeployError(
                    f"pipe {pipe.name} joins a queue the deploy did not create "
                    f"({pipe.source_arn} -> {pipe.target_arn})"
                )
            function = readers.get(target.arn)
            pool = self.pools.get(function or "")
            consumer = self.consumer_of(pool.spec) if pool is not None else pipe.name
            dlq = deployment.state.queues.get(source.dlq_arn or "")
            if dlq is not None and self.watcher is not None:
                self.watcher.dlqs.append(WatchedDlq(consumer, dlq.name, dlq.url))
            if not pipe.running:
                continue
            runner = PipeRunner(
                self.emulator,
                pipe,
                source,
                target,
                time_scale=self.time_scale,
                on_error=self.on_error,
            )
            runner.start()
            self.pipes.append(runner)

    def _watch(self) -> None:
        next_alarms = 0.0
        while not self._stop.wait(0.25):
            try:
                if self.watcher is not None:
                    self.watcher.poll()
                if self.alarms is not None and time.monotonic() >= next_alarms:
                    next_alarms = time.monotonic() + ALARM_INTERVAL
                    self.alarms.tick()
            except Exception as exc:  # the emulator is stopping, or a transient error
                if not self._stop.is_set() and self.on_error:
                    self.on_error(f"DLQ watcher: {exc}")

    # --- driving it ----------------------------------------------------------------------
    @property
    def outputs(self) -> StackOutputs[str]:
        """The structured ``eventpipe`` stack output of the local deploy."""
        assert self.deployment is not None
        return self.deployment.stack_outputs

    def client(self, service: str, internal: bool = False) -> Any:
        """A user's client of the emulator, or (``internal``) AWS's own service's reach."""
        assert self.emulator is not None
        return self.emulator.internal(service) if internal else self.emulator.client(service)

    def bus_name(self) -> str:
        return self.outputs.bus.name

    def put_events(self, entries: list[dict[str, Any]]) -> list[str]:
        """PutEvents on the stack's bus (10 per call); returns the event ids in order."""
        events = self.client("events")
        ids: list[str] = []
        for start in range(0, len(entries), 10):
            chunk = [{"EventBusName": self.bus_name(), **e} for e in entries[start : start + 10]]
            response = events.put_events(Entries=chunk)
            if response.get("FailedEntryCount"):
                raise RuntimeError(f"PutEvents failed: {response['Entries']}")
            ids += [entry["EventId"] for entry in response["Entries"]]
        return ids

    def send_to_consumer(
        self, consumer: str, body: str | dict[str, Any], group: str | None = None
    ) -> str:
        """Send a message straight to ``consumer``'s queue (direct-queue consumers)."""
        queue_url = self.outputs.consumer(consumer).queue_url
        kwargs: dict[str, Any] = {
            "QueueUrl": queue_url,
            "MessageBody": body if isinstance(body, str) else json.dumps(body),
        }
        if queue_url.endswith(".fifo"):
            kwargs["MessageGroupId"] = group or consumer
        return str(self.client("sqs").send_message(**kwargs)["MessageId"])

    def queue_depths(self) -> dict[str, int]:
        """Messages per mapped queue (by consumer) and per pipe source (``pipe:<name>``):
        visible + in flight + delayed."""
        queues = [(f"pipe:{runner.pipe.name}", runner.source.url) for runner in self.pipes]
        queues += [(poller.consumer, poller.queue.url) for poller in self.pollers]
        return settling.queue_depths(self.client("sqs", internal=True), queues)

    def settled(self) -> bool:
        readers: list[settling.Busy] = [*self.pollers, *self.pipes]
        pending: list[settling.Pending] = [*self.async_invokers.values(), self.log_shipper]
        return settling.settled(readers, pending, self.queue_depths)

    def wait_until_settled(self, timeout: float = 60.0, interval: float = 0.1) -> bool:
        """Wait until every queue the engine reads is empty and nothing is in flight
        (:mod:`.settling`), then look at the DLQs once more. False on timeout."""
        if not settling.wait_until(self.settled, timeout, interval):
            return False
        if self.watcher is not None:
            self.watcher.poll()
        return True
