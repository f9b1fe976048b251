"""One EventBridge Pipe run locally: poll the SQS source, transform, send to the SQS target.

What Pipes documents, and what this runner therefore does:

* SQS source: "EventBridge polls the queue and invokes your pipe synchronously with an
  event that contains queue messages. EventBridge reads messages in batches ... When your
  pipe successfully processes a batch, EventBridge deletes its messages from the queue"
  (batches of up to ``BatchSize``, 10 by default, gathered for up to
  ``MaximumBatchingWindowInSeconds``, time-scaled here). Each source event is the SQS
  record (``messageId``, ``body``, ``attributes``...): "Amazon Simple Queue Service as a
  source", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html.
* Failures: "For pipes with an Amazon SQS source, EventBridge Pipes retries customer
  errors up to the maximum receive count of the source queue", and Pipes supports
  partial batch failure for SQS sources ("Amazon EventBridge Pipes error handling",
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html).
  So a record the target did not take is not deleted: it reappears after the source
  queue's visibility timeout, and the source queue's redrive policy moves it to its DLQ
  after ``maxReceiveCount`` receives. Records the target took are deleted.
* SQS target: one SendMessage per record, through the batch API ("Pipes will use the
  batch API for the supported enrichment or target even if the batch size is 1",
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html);
  the input template is applied to each record separately (same page), and
  ``MessageGroupId`` / ``MessageDeduplicationId`` are dynamic path parameters evaluated
  per record (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-target.html).
  A path that selects nothing leaves the parameter out, so SQS refuses the send to a FIFO
  queue (moto refuses the whole SendMessageBatch call, and then the whole batch stays in
  the source; whether SQS refuses the call or one entry is not documented).
* Logging: with a log configuration, each execution step is written to the pipe's
  CloudWatch Logs group as a JSON record of the Pipes log schema (``executionId``,
  ``timestamp``, ``messageType``, ``resourceArn``, ``logLevel``, ``error``, ``payload``
  with execution data): "EventBridge Pipes log schema reference",
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-logs-schema.html. ERROR
  logs the failed steps; INFO and TRACE add the started/succeeded steps.

One poller per pipe: Pipes scales its pollers on AWS, but one keeps the local machine
calm and sends each batch in receive order. A batch's deletes go out from a thread of
their own once its records are sent, so the next receive does not wait for them; the
batch counts as in flight until they are done.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from eventpipe.local.deploy.records import PipeSpec, QueueInfo
from eventpipe.local.emulator.server import Emulator
from eventpipe.local.pipes.template import TemplateContext, render_template
from eventpipe.local.sqs_batches import each_ten, fill_window, receive
from eventpipe.pipes_paths import MISSING, evaluate, is_json_path

POLL_WAIT_SECONDS = 1
"""Long-poll wait of each receive: short, so stopping never waits long."""

_LEVELS = {"OFF": 0, "ERROR": 1, "INFO": 2, "TRACE": 3}


def source_record(message: dict[str, Any], queue: QueueInfo, region: str) -> dict[str, Any]:
    """An SQS message as a pipe with an SQS source sees it (the eb-pipes-sqs.html shape)."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": value.get("StringListValues", []),
                "binaryListValues": value.get("BinaryListValues", []),
                "dataType": value.get("DataType"),
            }
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.arn,
        "awsRegion": region,
    }


def dynamic_parameter(value: str | None, record: dict[str, Any]) -> str | None:
    """A target parameter as Pipes sends it: a literal, or the value at a JSON path.

    None when the parameter is unset or its path selects nothing (the send then goes
    without it). A non-string value is sent as its JSON text (not stated by AWS)."""
    if not value:
        return None
    if not is_json_path(value):
        return value
    found = evaluate(value, record)
    if found is MISSING or found is None:
        return None
    return found if isinstance(found, str) else json.dumps(found)


class PipeRunner:
    """Runs one SQS -> SQS pipe until stopped."""

    def __init__(
        self,
        emulator: Emulator,
        pipe: PipeSpec,
        source: QueueInfo,
        target: QueueInfo,
        *,
        time_scale: float = 1.0,
        on_error: Callable[[str], None] | None = None,
    ):
        self.pipe = pipe
        self.source = source
        self.target = target
        self.time_scale = time_scale
        self._sqs = emulator.internal("sqs")
        self._logs = emulator.internal("logs")
        self._region = emulator.region
        self._on_error = on_error
        self._context = TemplateContext(
            pipe_arn=pipe.arn,
            pipe_name=pipe.name,
            source_arn=pipe.source_arn,
            target_arn=pipe.target_arn,
        )
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._in_flight = 0
        self._thread: threading.Thread | None = None
        self._deletes = ThreadPoolExecutor(1, f"pipe-deletes-{pipe.name}")
        self._log_stream: str | None = None
        self.sent = 0
        """Records delivered to the target so far."""
        self.failed = 0
        """Record deliveries the target refused so far (each retried or moved by SQS)."""

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._loop, name=f"pipe-{self.pipe.name}", daemon=True
        )
        self._thread.start()

    def signal_stop(self) -> None:
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(POLL_WAIT_SECONDS + 10)
        self._deletes.shutdown(wait=True)

    # --- polling -------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                batch = self._collect()
            except (BotoCoreError, ClientError) as exc:
                if not self._stop.is_set() and self._on_error:
                    self._on_error(f"pipe {self.pipe.name}: receive failed: {exc}")
                self._stop.wait(0.5)
                continue
            if not batch:
                continue
            with self._lock:
                self._in_flight += 1
            try:
                _, taken = self.send(batch)
                self._deletes.submit(self._delete_then_done, taken)
            except Exception as exc:  # keep polling; the records reappear after the timeout
                if self._on_error:
                    self._on_error(f"pipe {self.pipe.name}: execution failed: {exc}")
                with self._lock:
                    self._in_flight -= 1

    def _delete_then_done(self, taken: list[dict[str, Any]]) -> None:
        try:
            self._delete(taken)
        except Exception as exc:  # the records reappear after the timeout
            if self._on_error:
                self._on_error(f"pipe {self.pipe.name}: delete failed: {exc}")
        finally:
            with self._lock:
                self._in_flight -= 1

    def _receive(self, count: int, wait: int) -> list[dict[str, Any]]:
        return receive(self._sqs, self.source.url, count, wait)

    def _collect(self) -> list[dict[str, Any]]:
        size = max(1, min(10, self.pipe.batch_size))
        batch = self._receive(size, POLL_WAIT_SECONDS)
        window = self.pipe.batching_window * self.time_scale
        return fill_window(self._sqs, self.source.url, batch, size, window, self._stop)

    # --- one execution -------------------------------------------------------------------
    def entry(self, index: int, record: dict[str, Any]) -> dict[str, Any]:
        """The SendMessageBatch entry Pipes builds for one source record."""
        if self.pipe.input_template is not None:
            body = render_template(self.pipe.input_template, record, self._context)
        else:
            body = json.dumps(record)
        entry: dict[str, Any] = {"Id": str(index), "MessageBody": body}
        group = dynamic_parameter(self.pipe.message_group_id, record)
        if group is not None:
            entry["MessageGroupId"] = group
        dedup = dynamic_parameter(self.pipe.message_deduplication_id, record)
        if dedup is not None:
            entry["MessageDeduplicationId"] = dedup
        return entry

    def execute(self, batch: list[dict[str, Any]]) -> set[str]:
        """Send ``batch`` to the target, delete what it took; returns the ids kept."""
        kept, taken = self.send(batch)
        self._delete(taken)
        return kept

    def send(self, batch: list[dict[str, Any]]) -> tuple[set[str], list[dict[str, Any]]]:
        """Send ``batch`` to the target; the ids kept and the messages it took (for the
        caller to delete)."""
        execution = str(uuid.uuid4())
        records = [source_record(m, self.source, self._region) for m in batch]
        self._log(execution, "ExecutionStarted", "INFO", payload=records)
        failed: dict[str, str] = {}
        entries = []
        for index, record in enumerate(records):
            try:
                entries.append(self.entry(index, record))
            except Exception as exc:  # a template or path the record cannot satisfy
                failed[record["messageId"]] = f"TargetTransformationFailed: {exc}"
        if entries:
            try:
                response = self._sqs.send_message_batch(QueueUrl=self.target.url, Entries=entries)
                for item in response.get("Failed", []):
                    record = records[int(item["Id"])]
                    failed[record["messageId"]] = f"{item.get('Code')}: {item.get('Message')}"
            except ClientError as exc:  # the target refused the whole call
                for item in entries:
                    failed[records[int(item["Id"])]["messageId"]] = str(exc)
        taken = [m for m in batch if m["MessageId"] not in failed]
        with self._lock:
            self.sent += len(taken)
            self.failed += len(failed)
        if failed:
            step = "TargetInvocationPartiallyFailed" if taken else "TargetInvocationFailed"
            self._log(execution, step, "ERROR", error="; ".join(sorted(set(failed.values()))))
            self._log(execution, "ExecutionFailed", "ERROR", error=f"{len(failed)} record(s)")
        else:
            self._log(execution, "TargetInvocationSucceeded", "INFO")
            self._log(execution, "ExecutionSucceeded", "INFO")
        return set(failed), taken

    def _delete(self, taken: list[dict[str, Any]]) -> None:
        each_ten(self._sqs, "delete_message_batch", self.source.url, taken)

    # --- logging -------------------------------------------------------------------------
    def _log(
        self,
        execution: str,
        step: str,
        level: str,
        *,
        error: str | None = None,
        payload: Any = None,
    ) -> None:
        """One Pipes log record in the pipe's log group, if its level asks for it."""
        wanted = _LEVELS.get(self.pipe.log_level, 0)
        if not self.pipe.log_group or wanted == 0 or _LEVELS[level] > wanted:
            return
        record: dict[str, Any] = {
            "executionId": execution,
            "timestamp": int(time.time() * 1000),
            "messageType": step,
            "resourceArn": self.pipe.arn,
            "logLevel": self.pipe.log_level,
        }
        if error is not None:
            record["error"] = {"message": error, "awsService": "sqs"}
        if payload is not None and self.pipe.include_execution_data:
            record["payload"] = json.dumps(payload)
        try:
            if self._log_stream is None:
                stream = f"{time.strftime('%Y/%m/%d')}/{self.pipe.name}/{uuid.uuid4().hex}"
                self._logs.create_log_stream(logGroupName=self.pipe.log_group, logStreamName=stream)
                self._log_stream = stream
            self._logs.put_log_events(
                logGroupName=self.pipe.log_group,
                logStreamName=self._log_stream,
                logEvents=[{"timestamp": record["timestamp"], "message": json.dumps(record)}],
            )
        except (BotoCoreError, ClientError) as exc:
            if self._on_error and not self._stop.is_set():
                self._on_error(f"pipe {self.pipe.name}: cannot write its log: {exc}")
