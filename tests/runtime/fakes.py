"""Test doubles for the runtime's unit tests: an SQS client and a logger that record calls.

The end-to-end tests use moto through ``invoke_consumer``; these doubles serve the tests
that must see every call (chunk sizes, visibility per record, rejected sends, log lines).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eventpipe import contract
from eventpipe.runtime.backoff import Backoff
from eventpipe.runtime.batch import BatchRunner
from eventpipe.runtime.loading import load_handler
from eventpipe.runtime.observability import BatchStats
from eventpipe.runtime.settings import Settings

DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/test-dlq"
FIFO_DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/test-dlq.fifo"


class FakeSqs:
    """Records ``send_message`` and ``change_message_visibility_batch`` calls.

    ``reject`` decides per send whether SQS refuses it (return an exception to raise).
    """

    def __init__(self, reject: Callable[[dict[str, Any]], Exception | None] | None = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.attempts: list[dict[str, Any]] = []
        self.visibility_calls: list[dict[str, Any]] = []
        self.reject = reject
        self.visibility_error: Exception | None = None
        self.visibility_failed: list[dict[str, Any]] = []

    def send_message(self, **params: Any) -> dict[str, Any]:
        self.attempts.append(params)
        if self.reject is not None:
            error = self.reject(params)
            if error is not None:
                raise error
        self.sent.append(params)
        return {"MessageId": f"dlq-{len(self.sent)}"}

    def change_message_visibility_batch(self, QueueUrl: str, Entries: list[Any]) -> dict[str, Any]:
        self.visibility_calls.append({"QueueUrl": QueueUrl, "Entries": list(Entries)})
        if self.visibility_error is not None:
            raise self.visibility_error
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": self.visibility_failed}

    def visibility(self) -> dict[str, int]:
        """Receipt handle -> the visibility timeout set for it."""
        return {
            e["ReceiptHandle"]: e["VisibilityTimeout"]
            for call in self.visibility_calls
            for e in call["Entries"]
        }


class RecordingLogger:
    """Stands in for the Powertools logger: keeps (level, message, extra)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def _log(
        self, level: str, message: str, extra: Mapping[str, Any] | None, exc_info: Any = None
    ) -> None:
        # Powertools' formatter leaves out keys whose value is None; so does this.
        values = {key: value for key, value in (extra or {}).items() if value is not None}
        if exc_info is not None:
            values["_exc_info"] = exc_info
        self.lines.append((level, message, values))

    def warning(self, message: str, extra: Any = None, exc_info: Any = None) -> None:
        self._log("warning", message, extra, exc_info)

    def error(self, message: str, extra: Any = None, exc_info: Any = None) -> None:
        self._log("error", message, extra)

    def info(self, message: str, extra: Any = None, exc_info: Any = None) -> None:
        self._log("info", message, extra)

    def exception(self, message: str, extra: Any = None, exc_info: Any = None) -> None:
        self._log("exception", message, extra)

    def set_correlation_id(self, value: Any) -> None:
        return None

    def about(self, message_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        return [line for line in self.lines if line[2].get("message_id") == message_id]


class RecordingMetrics:
    """A metrics sink that keeps what the runner emits, one :class:`BatchStats` per run."""

    def __init__(self) -> None:
        self.published: list[BatchStats] = []

    def publish(self, stats: BatchStats) -> None:
        self.published.append(stats)

    @property
    def last(self) -> BatchStats:
        """What the latest invocation emitted."""
        return self.published[-1]


def make_runner(
    handler: str,
    *,
    fifo: bool = False,
    source: str = "rule",
    max_receive_count: int | None = 5,
    dlq_url: str | None = None,
    sqs: FakeSqs | None = None,
    env: Mapping[str, str] | None = None,
    rng: Any = None,
    **collaborators: Any,
) -> tuple[BatchRunner, FakeSqs, RecordingLogger]:
    """A :class:`BatchRunner` wired to a :class:`FakeSqs` and a :class:`RecordingLogger`;
    ``rng`` is the jitter source of its backoff (the settings' bounds); ``collaborators``
    are passed on to it (``metrics=``, ``clock=``, ``idempotency=``...)."""
    values = {
        contract.ENV_HANDLER: handler,
        contract.ENV_CONSUMER: "test-consumer",
        contract.ENV_FIFO: "true" if fifo else "false",
        contract.ENV_SOURCE: source,
        contract.ENV_DLQ_URL: dlq_url
        if dlq_url is not None
        else (FIFO_DLQ_URL if fifo else DLQ_URL),
        contract.ENV_BACKOFF_BASE: "4",
        contract.ENV_BACKOFF_MAX: "900",
    }
    if max_receive_count is not None:
        values[contract.ENV_MAX_RECEIVE_COUNT] = str(max_receive_count)
    values.update(env or {})
    settings = Settings.from_env(values)
    if rng is not None:
        collaborators["backoff"] = Backoff(
            settings.backoff_base, settings.backoff_max, settings.time_scale, rng=rng
        )
    fake = sqs or FakeSqs()
    logger = RecordingLogger()
    runner = BatchRunner(settings, load_handler(handler), sqs=fake, logger=logger, **collaborators)
    return runner, fake, logger


class StepRng:
    """A jitter source whose successive draws differ: ``uniform(lo, hi)`` returns
    ``hi * fraction`` for fractions 0.9, 0.7, 0.5, 0.3 in turn."""

    def __init__(self) -> None:
        self.calls = 0

    def uniform(self, lo: float, hi: float) -> float:
        fraction = (0.9, 0.7, 0.5, 0.3)[self.calls % 4]
        self.calls += 1
        return lo + (hi - lo) * fraction
