"""The SQS event source mapping, emulated: poll, batch, invoke, delete what succeeded.

Follows what Lambda documents for SQS mappings:

* batches of up to ``BatchSize`` records, gathered for up to
  ``MaximumBatchingWindowInSeconds`` (time-scaled locally); without a window a batch is
  what one receive returns;
* at most ``ScalingConfig.MaximumConcurrency`` batches in flight, each in an execution
  environment of its own: the function's first environment is started with the engine,
  another when a receive loop finds none idle while a batch is running: at once when the
  last receive came back full, else after a short wait for one to come free (Lambda adds
  an environment per concurrent request, :mod:`.pool`);
* with ``ReportBatchItemFailures`` only the reported records are kept; an error, a
  timeout or a malformed response fails the whole batch;
* nothing is deleted that failed: it reappears after the visibility timeout (or the
  runtime's backoff), and the queue's own ``maxReceiveCount`` moves it to the DLQ;
* FIFO: a message group never has two batches running at once (SQS withholds a group
  with in-flight messages; the poller also runs a group's batches one after the other in
  receive order, so a batch still finishing its deletes is never overtaken);
* the engine's own work never eats into a visibility timeout: a batch is received only
  when an execution environment is free to run it (Lambda's pollers invoke as they
  receive); a FIFO batch that had to wait behind another batch of its group gets the
  queue's whole visibility timeout again when its turn comes (ChangeMessageVisibility
  counts "from the time that you make the call":
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html);
  and what succeeded is deleted as soon as the function returns, before its log is
  shipped (Lambda delivers logs beside its poller, not before the deletes). The deletes
  go out from a thread of their own: the environment takes its next batch at once (what
  counts against ``MaximumConcurrency`` is the function running) and the outcome is
  recorded meanwhile; the batch (and its FIFO groups' turn) ends when they are done. So, as on
  AWS, what counts against a visibility timeout is the function's own run, which the
  timeout covers (Lambda requires visibility >= function timeout); a time-scaled timeout
  can be as short as the function timeout, so on a busy machine the engine's own waits
  would otherwise let a message reappear while its batch is still being handled;
* a disabled mapping does not poll: before each receive the poller reads the mapping's
  ``Enabled`` flag in the emulator's Lambda backend (:mod:`.mapping_state`), so
  ``UpdateEventSourceMapping(Enabled=False)`` stops it (batches in flight finish, then
  the state reads ``Disabled``) and ``Enabled=True`` resumes it, as on AWS
  (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from eventpipe.local.deploy.records import MappingSpec, QueueInfo
from eventpipe.local.emulator.server import Emulator
from eventpipe.local.functions.group_turns import GroupTurns, message_groups
from eventpipe.local.functions.lambda_records import record_reasons, to_record
from eventpipe.local.functions.mapping_state import MappingState
from eventpipe.local.functions.pool import FunctionPool, Invocation, WorkerProcess
from eventpipe.local.sqs_batches import each_ten, fill_window, receive, return_failed
from eventpipe.local.watch.tracker import Delivery, Tracker, describe, message_key

POLL_WAIT_SECONDS = 1
"""Long-poll wait of each receive: short, so stopping never waits long."""
FIFO_POLL_INTERVAL = 0.05
"""Longest pause between short polls of a FIFO queue that returned nothing (see
``_collect``); a batch of this mapping ending its groups' turn cuts it short."""
PAUSED_CHECK_INTERVAL = 0.1
"""How often a disabled mapping's poller looks at the mapping's state again."""

DeadLetterLookup = Callable[[str, set[str]], dict[str, tuple[str, str]]]
"""(consumer, keys) -> the keys with a copy in the consumer's DLQ: key -> (id, reason)."""


class MappingPoller:
    """The pollers of one mapping: a receive loop feeding up to N concurrent invokes."""

    def __init__(
        self,
        emulator: Emulator,
        mapping: MappingSpec,
        queue: QueueInfo,
        pool: FunctionPool,
        consumer: str,
        tracker: Tracker,
        time_scale: float = 1.0,
        on_error: Callable[[str], None] | None = None,
        state: MappingState | None = None,
        dead_letters: DeadLetterLookup | None = None,
    ):
        self.mapping = mapping
        self.state = state or MappingState()
        self._dead_letters = dead_letters
        self.queue = queue
        self.pool = pool
        self.consumer = consumer
        self.tracker = tracker
        self.time_scale = time_scale
        self.concurrency = min(mapping.max_concurrency or pool.size, pool.size)
        self._sqs = emulator.internal("sqs")
        self._region = emulator.region
        self._on_error = on_error
        self._slots = threading.Semaphore(self.concurrency)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._turns = GroupTurns()
        self._batch_id = 0
        self._backlog = False
        """The last receive came back full: more messages are probably waiting."""
        self._in_flight = 0
        self._receiving = 0
        self.invocations = 0
        """Invocations so far, and those that failed as a whole (the Lambda ``Errors``)."""
        self.errors = 0
        self._threads: list[threading.Thread] = []
        self._deletes = ThreadPoolExecutor(self.concurrency, f"deletes-{consumer}")

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def paused(self) -> bool:
        """The mapping is disabled and no batch of it is running."""
        return not self.state.enabled() and self.in_flight == 0

    def start(self) -> None:
        """A receive loop per concurrent batch of a standard queue (Lambda reads several
        batches at once: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html);
        one for a FIFO queue, whose batches take their groups' turns in receive order."""
        for index in range(1 if self.queue.fifo else self.concurrency):
            thread = threading.Thread(
                target=self._loop, name=f"poller-{self.consumer}-{index}", daemon=True
            )
            thread.start()
            with self._lock:
                self._threads.append(thread)

    def signal_stop(self) -> None:
        """Stop receiving (returns at once; ``stop`` waits)."""
        self._stop.set()
        self._turns.released.set()

    def stop(self) -> None:
        """Stop receiving and wait for the batches in flight to finish."""
        self._stop.set()
        for _ in range(2):  # the receive loops, then any batch one started as it stopped
            with self._lock:
                threads = list(self._threads)
            for thread in threads:
                thread.join(POLL_WAIT_SECONDS + self.pool.spec.timeout + 5)
        self._deletes.shutdown(wait=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            # Receiving until its batch is in flight: Disabled waits for every loop.
            with self._lock:
                self._receiving += 1
            try:
                enabled = self.state.enabled()
                if enabled:
                    self.state.confirm(polling=True)
                    self._poll_once()
            finally:
                with self._lock:
                    self._receiving -= 1
            if not enabled:
                with self._lock:
                    busy = self._in_flight > 0 or self._receiving > 0
                self.state.confirm(polling=busy)
                self._stop.wait(PAUSED_CHECK_INTERVAL)

    def _poll_once(self) -> None:
        if not self._slots.acquire(timeout=0.2):
            return
        # Receive only what can run now. With every environment busy running a batch,
        # one more is added (the pool's size allowing): at once when the last receive came
        # back full (more messages are waiting), else when none came free meanwhile.
        worker = self.pool.acquire(timeout=0)
        if worker is None and self._backlog and self.in_flight:
            self.pool.scale_out()
        if worker is None:
            worker = self.pool.acquire(timeout=0.2)
        if worker is None:
            if self.in_flight:
                self.pool.scale_out()
            self._slots.release()
            return
        try:
            batch = self._collect()
        except (BotoCoreError, ClientError) as exc:
            self.pool.release(worker)
            self._slots.release()
            if not self._stop.is_set() and self._on_error:
                self._on_error(f"{self.consumer}: receive failed: {exc}")
            time.sleep(0.5)
            return
        self._backlog = len(batch) >= self.mapping.batch_size
        if not batch:
            self.pool.release(worker)
            self._slots.release()
            return
        with self._lock:
            self._in_flight += 1
            self._batch_id += 1
            batch_id = self._batch_id
        groups = message_groups(batch) if self.queue.fifo else set()
        self._turns.take(batch_id, groups)
        runner = threading.Thread(
            target=self._run, args=(batch, batch_id, groups, worker), daemon=True
        )
        runner.start()
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [runner]

    def _collect(self) -> list[dict[str, Any]]:
        size = self.mapping.batch_size
        if self.queue.fifo:
            # moto decides which FIFO groups are blocked once, when a long poll starts,
            # so a group released during the wait (a retry after 0 s of backoff) would
            # wait for the next poll; short polls see it at once. When every group is
            # held by this mapping's own batches, the next poll goes out as one of
            # them ends its turn (cleared before the receive: no release is missed).
            self._turns.released.clear()
            batch = receive(self._sqs, self.queue.url, size, 0)
            if not batch:
                self._turns.released.wait(FIFO_POLL_INTERVAL)
        else:
            batch = receive(self._sqs, self.queue.url, size, POLL_WAIT_SECONDS)
        window = self.mapping.batching_window * self.time_scale
        return fill_window(self._sqs, self.queue.url, batch, size, window, self._stop)

    def _run(
        self, batch: list[dict[str, Any]], batch_id: int, groups: set[str], worker: WorkerProcess
    ) -> None:
        over: list[bool] = []
        freed: list[bool] = []

        def end_turn() -> None:  # once: when the deletes are done, or when the batch ends
            if not over:
                over.append(True)
                self._turns.end(groups)

        def free() -> None:  # once: when the function returned, or when the batch ends
            if not freed:
                freed.append(True)
                self.pool.release(worker)
                self._slots.release()

        try:
            # SQS releases a group once its in-flight messages are visible again (the
            # runtime's backoff may be 0 s scaled), or once they are deleted, possibly
            # before the batch holding them has finished; the next batch of that group
            # waits here until this one's deletes are done.
            waited = self._turns.wait(batch_id, groups)
            self._invoke(batch, worker, end_turn, free, renew=waited)
        except Exception as exc:  # keep polling; the messages reappear after the timeout
            if self._on_error:
                self._on_error(f"{self.consumer}: batch failed in the poller: {exc}")
        finally:
            free()
            with self._lock:
                self._in_flight -= 1
            end_turn()

    def _invoke(
        self,
        batch: list[dict[str, Any]],
        worker: WorkerProcess,
        end_turn: Callable[[], None],
        free: Callable[[], None],
        renew: bool = False,
    ) -> None:
        records = [to_record(m, self.queue, self._region) for m in batch]
        keys = {m["MessageId"]: message_key(m["Body"]) for m in batch}
        recorded: list[int] = [self.tracker.begin(self.consumer, list(keys.values()))]
        try:
            if renew:  # it waited for its group's turn: the run starts with a whole timeout
                renewed = {"VisibilityTimeout": self.queue.visibility_timeout}
                self._each_ten("change_message_visibility_batch", batch, renewed)
            self._invoke_and_settle(batch, records, keys, worker, end_turn, free, recorded)
        except BaseException:
            # The poller's own failure (the emulator stopping): the records come back
            # after their visibility timeout; the watcher may report them again.
            if len(recorded) == 1:
                self.tracker.abandon(self.consumer, list(keys.values()), recorded[0])
            raise

    def _invoke_and_settle(
        self,
        batch: list[dict[str, Any]],
        records: list[dict[str, Any]],
        keys: dict[str, str],
        worker: WorkerProcess,
        end_turn: Callable[[], None],
        free: Callable[[], None],
        recorded: list[int],  # the batch's turn in the tracker, then a mark once recorded
    ) -> None:
        ids = set(keys)
        settled: list[tuple[set[str], str | None]] = []
        deleted: list[Future[None]] = []

        def delete(handled: list[dict[str, Any]]) -> None:
            try:
                self._each_ten("delete_message_batch", handled, {})
            finally:
                end_turn()  # the group's next batch may run now

        def settle(result: Any) -> None:  # the function returned: delete what succeeded
            failed, why = self._failures(result, ids)
            settled.append((failed, why))
            handled = [m for m in batch if m["MessageId"] not in failed]
            deleted.append(self._deletes.submit(delete, handled))

        due = time.monotonic() + self.queue.declared_visibility_timeout * self.time_scale
        invocation = worker.invoke(
            {"Records": records}, float(self.pool.spec.timeout), on_result=settle
        )
        free()  # the environment takes the next batch while this one's deletes go out
        with self._lock:
            self.invocations += 1
            self.errors += 0 if invocation.ok else 1
        failed_ids, error = settled[0] if settled else (set(ids), invocation.error)
        if not settled:  # failed as a whole: back after the scaled visibility timeout
            q = self.queue
            return_failed(self._sqs, q.url, batch, due - time.monotonic(), q.visibility_timeout)
        succeeded = [m for m in batch if m["MessageId"] not in failed_ids]
        handled = {keys[m["MessageId"]] for m in succeeded}
        # The runtime reports a record it dead-lettered as handled: look for its copy.
        dead = self._dead_letters(self.consumer, handled) if self._dead_letters and handled else {}
        self.tracker.batch(
            self.consumer,
            self._deliveries(batch, record_reasons(invocation.logs)),
            {keys[i] for i in failed_ids},
            error,
            self.queue.max_receive_count,
            dead_letters=dead,
            log=self._log_location(invocation),
            turn=recorded[0],
        )
        recorded.append(0)
        for future in deleted:  # the batch ends when its deletes are done
            future.result()

    def _each_ten(self, action: str, messages: list[dict[str, Any]], extra: dict[str, Any]) -> None:
        each_ten(self._sqs, action, self.queue.url, messages, extra)

    def _deliveries(self, batch: list[dict[str, Any]], reasons: dict[str, str]) -> list[Delivery]:
        return [
            Delivery(
                key=message_key(m["Body"]),
                label=describe(m["Body"]),
                receive_count=int((m.get("Attributes") or {}).get("ApproximateReceiveCount", 1)),
                reason=reasons.get(m["MessageId"], ""),
            )
            for m in batch
        ]

    def _log_location(self, invocation: Invocation) -> str:
        if not invocation.log_stream:
            return self.pool.log_group
        return f"{self.pool.log_group} {invocation.log_stream}"

    def _failures(self, result: Any, ids: set[str]) -> tuple[set[str], str | None]:
        """Records to keep, from the function's response, as Lambda reads it."""
        if not self.mapping.report_batch_item_failures:
            return set(), None
        if result is None or result == {}:
            return set(), None
        if not isinstance(result, dict) or not isinstance(
            result.get("batchItemFailures", []), list
        ):
            return ids, f"malformed response {result!r}: whole batch failed"
        reported = set()
        for item in result.get("batchItemFailures") or []:
            identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
            if identifier not in ids:
                return ids, f"batchItemFailures names unknown id {identifier!r}: whole batch failed"
            reported.add(identifier)
        return reported, None
