"""``eventpipe send``: messages straight into a consumer's queue, batched, retried.

For consumers fed directly by producers (no rule), and for testing a consumer without
the bus. The limits are SQS's (SendMessageBatch,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html,
and the message quotas,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html):

* at most 10 entries per call;
* the entries of one call together at most 1 MiB (1,048,576 bytes), each at most the
  queue's ``MaximumMessageSize`` (1 MiB at most; older queues may say 256 KiB), counting
  the body and every message attribute's name, type and value;
* a body holds only ``#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF``;
* a FIFO queue needs a ``MessageGroupId`` on every message, and a
  ``MessageDeduplicationId`` unless content-based deduplication is on (which uses the
  SHA-256 of the body: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html);
  without ``--dedup-id`` we send that same SHA-256, so resending a body within the
  five-minute window is deduplicated exactly as content-based deduplication would.

A batch can succeed with failed entries; each ``Failed`` entry says ``SenderFault``:
entries that are not the sender's fault are sent again (full-jitter backoff, like
:class:`eventpipe.publish.Publisher`), the others are reported with their code. A batch's
failed entries are retried before the next batch is sent, so on a FIFO queue later
batches never overtake an earlier message.
"""

from __future__ import annotations

import hashlib
import random
import re
import time as _time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from eventpipe.batch_retry import full_jitter, retry_rounds, split_batches
from eventpipe.operate.exceptions import OperateError
from eventpipe.stack_output import ConsumerOutputs

MAX_ENTRIES_PER_CALL = 10
MAX_BATCH_BYTES = 1_048_576
"""SendMessageBatch: the sum of the entries' sizes, at most 1 MiB."""
DEFAULT_MESSAGE_BYTES = 1_048_576
"""Used when the queue's MaximumMessageSize cannot be read."""
MAX_ATTEMPTS = 5
RETRYABLE_CALL_CODES = frozenset(
    {"RequestThrottled", "ThrottlingException", "ServiceUnavailable", "InternalError"}
)

_INVALID_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Sleep = Callable[[float], None]
BatchCall = Callable[[list[dict[str, Any]]], Any]
"""One batch API call (SendMessageBatch, PublishBatch) on the given entries: its response."""


class SendInputError(OperateError):
    """Raised before any call when a body or an option cannot be sent as given."""


@dataclass(frozen=True)
class SendFailure:
    """A message SQS did not accept."""

    index: int
    code: str
    message: str
    attempts: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "code": self.code,
            "message": self.message,
            "attempts": self.attempts,
        }


@dataclass
class BatchResult:
    """What :func:`send_batches` did: message ids by input position, failures, calls
    made. ``DONE_KEY`` names the count of accepted messages in :meth:`to_dict`."""

    DONE_KEY: ClassVar[str] = "sent"
    total: int
    message_ids: dict[int, str] = field(default_factory=dict)
    failures: list[SendFailure] = field(default_factory=list)
    calls: int = 0
    retried: int = 0

    @property
    def done(self) -> int:
        return len(self.message_ids)

    @property
    def ok(self) -> bool:
        return not self.failures and self.done == self.total

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            self.DONE_KEY: self.done,
            "calls": self.calls,
            "retried": self.retried,
            "messageIds": [self.message_ids.get(i) for i in range(self.total)],
            "failures": [f.to_dict() for f in self.failures],
        }


@dataclass
class SendResult(BatchResult):
    """What ``send`` did."""

    @property
    def sent(self) -> int:
        return self.done


def fixed_group(consumer: ConsumerOutputs) -> str | None:
    """The consumer's fixed message group id (None when it has none or a JSON path)."""
    group = consumer.message_group
    if not group or group.startswith("$"):
        return None
    return group


def read_bodies(text: str) -> list[str]:
    """Bodies of ``@file`` or ``-``: one per line, blank lines skipped, each line as
    it is (without its line end)."""
    return [line for line in text.splitlines() if line.strip()]


def entry_size(entry: dict[str, Any]) -> int:
    """What SQS counts for an entry: the body plus each attribute's name, type and value
    (UTF-8 bytes)."""
    size = len(entry["MessageBody"].encode())
    for name, value in entry.get("MessageAttributes", {}).items():
        size += len(name.encode()) + len(value["DataType"].encode())
        size += len(str(value.get("StringValue", "")).encode())
        size += len(value.get("BinaryValue", b""))
    return size


def queue_limits(sqs: Any, url: str) -> tuple[int, bool]:
    """The queue's MaximumMessageSize and whether it deduplicates by content."""
    attrs = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["MaximumMessageSize", "ContentBasedDeduplication"]
    ).get("Attributes", {})
    size = int(attrs.get("MaximumMessageSize") or DEFAULT_MESSAGE_BYTES)
    content = str(attrs.get("ContentBasedDeduplication", "false")).lower() == "true"
    return size, content


def build_entries(
    consumer: ConsumerOutputs,
    bodies: Sequence[str],
    *,
    group: str | None = None,
    dedup_id: str | None = None,
    max_message_bytes: int = DEFAULT_MESSAGE_BYTES,
    content_dedup: bool = False,
) -> list[dict[str, Any]]:
    """SendMessageBatch entries for ``bodies``; raises on the first one SQS would refuse,
    so nothing is sent when the input is wrong."""
    if not bodies:
        raise SendInputError("nothing to send: no bodies given")
    if consumer.fifo:
        group = group or fixed_group(consumer)
        if not group:
            how = (
                f"its messages are grouped by {consumer.message_group} (the pipe takes the "
                "group from each event), so give the group of these messages"
                if consumer.message_group
                else "give the group these messages belong to"
            )
            raise SendInputError(
                f"{consumer.name} has a FIFO queue and SQS requires a message group on every "
                f"message: {how} with --group GROUP"
            )
        if len(group) > 128:
            raise SendInputError(f"--group is {len(group)} characters; SQS allows at most 128")
    else:
        if group or dedup_id:
            option = "--group" if group else "--dedup-id"
            raise SendInputError(
                f"{option} applies to FIFO queues only; {consumer.name}'s queue is standard"
            )
    entries = []
    for index, body in enumerate(bodies):
        bad = _INVALID_CHARS.search(body)
        if bad:
            raise SendInputError(
                f"message {index + 1}: character U+{ord(bad.group()):04X} is not allowed in an "
                "SQS message body (allowed: #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD, "
                "#x10000-#x10FFFF)"
            )
        entry: dict[str, Any] = {"Id": str(index), "MessageBody": body}
        if consumer.fifo:
            entry["MessageGroupId"] = group
            if dedup_id:
                entry["MessageDeduplicationId"] = (
                    dedup_id if len(bodies) == 1 else f"{dedup_id}-{index + 1}"
                )
            elif not content_dedup:
                entry["MessageDeduplicationId"] = hashlib.sha256(body.encode()).hexdigest()
        size = entry_size(entry)
        if size > max_message_bytes:
            raise SendInputError(
                f"message {index + 1} is {size:,} bytes; the queue accepts at most "
                f"{max_message_bytes:,} (its MaximumMessageSize). Store the payload "
                "elsewhere (e.g. S3) and send a reference to it"
            )
        entries.append(entry)
    return entries


def batches(entries: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Entries in order, in calls of at most 10 entries and 1 MiB together."""
    return split_batches(
        entries, size_of=entry_size, max_bytes=MAX_BATCH_BYTES, max_entries=MAX_ENTRIES_PER_CALL
    )


def send(
    sqs: Any,
    consumer: ConsumerOutputs,
    entries: Sequence[dict[str, Any]],
    *,
    max_attempts: int = MAX_ATTEMPTS,
    base_delay: float = 0.1,
    max_delay: float = 5.0,
    sleep: Sleep = _time.sleep,
    rng: Callable[[], float] = random.random,
    progress: Callable[[int], None] | None = None,
) -> SendResult:
    """Send ``entries`` (from :func:`build_entries`) to the consumer's queue."""
    result = SendResult(total=len(entries))
    send_batches(
        batches(entries),
        lambda batch: sqs.send_message_batch(QueueUrl=consumer.queue_url, Entries=batch),
        result,
        missing="SendMessageBatch returned no result for it",
        max_attempts=max_attempts,
        base_delay=base_delay,
        max_delay=max_delay,
        sleep=sleep,
        rng=rng,
        progress=progress,
    )
    return result


def send_batches(
    batches: Iterable[list[dict[str, Any]]],
    call: BatchCall,
    result: BatchResult,
    *,
    missing: str,
    max_attempts: int,
    base_delay: float,
    max_delay: float,
    sleep: Sleep,
    rng: Callable[[], float],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Send each batch with ``call``, resending its entries that were not the sender's
    fault (with :func:`eventpipe.batch_retry.retry_rounds`, full-jitter backoff) before the
    next batch goes, so no later message overtakes an earlier one. SQS's
    SendMessageBatch and SNS's PublishBatch answer alike (``Successful``, ``Failed``
    with ``SenderFault``); ``missing`` is the message for an entry neither lists."""

    def send_round(
        pending: list[dict[str, Any]], attempt: int, final: bool
    ) -> list[dict[str, Any]]:
        retry = []
        for entry, code, message, sender_fault in _send_batch(call, pending, result, missing):
            if not sender_fault and not final:
                retry.append(entry)
            else:
                result.failures.append(SendFailure(int(entry["Id"]), code, message, attempt))
        return retry

    def resend(retry_number: int, count: int) -> None:
        sleep(full_jitter(retry_number, base_delay, max_delay, rng))
        result.retried += count

    for batch in batches:
        retry_rounds(list(batch), send_round, max_attempts=max_attempts, resend=resend)
        if progress is not None:
            progress(len(batch))
    result.failures.sort(key=lambda f: f.index)


def _send_batch(
    call: BatchCall, batch: list[dict[str, Any]], result: BatchResult, missing: str
) -> Iterator[tuple[dict[str, Any], str, str, bool]]:
    """One batch call; records successes, yields each failed entry with its code,
    message and whether it was the sender's fault."""
    from botocore.exceptions import ClientError

    result.calls += 1
    try:
        response = call(batch)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "ClientError"))
        if code not in RETRYABLE_CALL_CODES:
            raise
        for entry in batch:
            yield entry, code, str(error.get("Message", exc)), False
        return
    by_id = {entry["Id"]: entry for entry in batch}
    for ok in response.get("Successful", []):
        if ok["Id"] in by_id:
            entry = by_id.pop(ok["Id"])
            result.message_ids[int(entry["Id"])] = ok["MessageId"]
    for failed in response.get("Failed", []):
        if failed["Id"] in by_id:
            entry = by_id.pop(failed["Id"])
            yield (
                entry,
                str(failed.get("Code", "Unknown")),
                str(failed.get("Message", "no error message")),
                bool(failed.get("SenderFault", True)),
            )
    for entry in by_id.values():  # never seen from AWS, but never drop a message silently
        yield entry, "MissingResult", missing, False
