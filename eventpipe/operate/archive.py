"""The dead-letter archive from the operator's side: count, peek and redrive archived
dead letters.

The archiver (:mod:`eventpipe.stack_functions.archiver`) writes each dead letter it
moves to ``s3://<bucket>/<consumer>/<YYYY-MM-DD>/<message id>.json`` as one JSON
document (docs/dead-letter-archive.md, "Object layout"). Here:

- :func:`archived_counts` counts the objects under each consumer's prefix
  (ListObjectsV2, https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html:
  at most 1,000 keys a page, ``KeyCount`` per page);
- :func:`peek_archived` reads the first ones, in key order (oldest archive day first),
  shown like DLQ messages;
- :func:`redrive_archived` sends each back to the consumer's queue with its body and
  message attributes, as a DLQ redrive (a message move task) would, in SendMessageBatch
  calls (:mod:`eventpipe.operate.send`: 10 entries, 1 MiB), and deletes an object only
  after SQS accepted its message. A message SQS refused stays in the archive (its error
  is reported); a failed delete after a successful send leaves a duplicate, never a
  loss. For a FIFO queue each message keeps its ``MessageGroupId`` and
  ``MessageDeduplicationId`` from the stored system attributes: SQS deduplicates within
  five minutes
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html),
  so a redrive run again right after a failed delete does not deliver it twice, while
  the original send is days old and never collides.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventpipe.operate.exceptions import OperateError
from eventpipe.operate.peek import ATTRIBUTE_PREFIX, REASON_ATTRIBUTES, PeekedMessage
from eventpipe.operate.send import fixed_group, send
from eventpipe.stack_functions.settings import ARCHIVE_DELIVERY_KEY
from eventpipe.stack_output import ConsumerOutputs, StackOutputs

_REASON_KEYS = {
    "errorType": "error_type",
    "errorMessage": "error_message",
    "consumer": "consumer",
    "receiveCount": "receive_count",
    "failedAt": "failed_at",
    "originalMessageId": "original_message_id",
}
"""The archived record's ``reason`` keys -> :class:`PeekedMessage`'s reason keys."""


class NoDeadLetterArchiveError(OperateError):
    """Raised when a command asks for the archive of a stack that has none."""


def archive_bucket(outputs: StackOutputs) -> str:
    """The archive bucket of the stack, or an error saying how to get one."""
    archive = outputs.dead_letter_archive
    bucket = archive.bucket_name if archive else None
    if not bucket:
        raise NoDeadLetterArchiveError(
            f"stack {outputs.stack!r} has no dead-letter archive: set "
            "`eventpipe:deadLetterArchive: {afterDays: N, expireDays: M}` in "
            f"Pulumi.{outputs.stack}.yaml and `pulumi up` (docs/dead-letter-archive.md)"
        )
    return str(bucket)


def prefix(consumer: str) -> str:
    """The consumer's key prefix (``_delivery`` for the bus's delivery DLQ)."""
    return f"{consumer}/"


def _keys(s3: Any, bucket: str, consumer: str) -> Iterator[str]:
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix(consumer)):
        for item in page.get("Contents", []):
            if str(item["Key"]).endswith(".json"):
                yield str(item["Key"])


def archived_keys(s3: Any, bucket: str, consumer: str) -> list[str]:
    """The keys of one consumer's archived dead letters, in key order."""
    return list(_keys(s3, bucket, consumer))


def count(s3: Any, bucket: str, consumer: str) -> int:
    """Archived dead letters of one consumer."""
    return sum(1 for _ in _keys(s3, bucket, consumer))


def archived_counts(
    s3: Any, outputs: StackOutputs, consumers: list[str], *, delivery: bool = True
) -> dict[str, int]:
    """Archived dead letters per consumer (and ``_delivery``); {} without an archive."""
    if not (outputs.dead_letter_archive and outputs.dead_letter_archive.bucket_name):
        return {}
    bucket = archive_bucket(outputs)
    names = [*consumers, *([ARCHIVE_DELIVERY_KEY] if delivery else [])]
    return {name: count(s3, bucket, name) for name in names}


@dataclass(frozen=True)
class ArchivedMessage:
    """One archived dead letter: the record the archiver wrote, and where."""

    key: str
    record: dict[str, Any]

    @property
    def peeked(self) -> PeekedMessage:
        """The record as a DLQ message, so it reads like ``dlq peek``'s."""
        attributes = self.record.get("attributes") or {}
        reason = {
            _REASON_KEYS.get(k, k): str(v)
            for k, v in (self.record.get("reason") or {}).items()
            if v is not None
        }
        # Any other eventpipe.* attribute (held_behind, message_group) as peek shows it.
        for name, value in (self.record.get("messageAttributes") or {}).items():
            key = name[len(ATTRIBUTE_PREFIX) :]
            if name.startswith(ATTRIBUTE_PREFIX) and name not in REASON_ATTRIBUTES.values():
                reason.setdefault(key, str(value.get("StringValue", "")))
        enqueued = self.record.get("enqueuedAt")
        count = attributes.get("ApproximateReceiveCount")
        return PeekedMessage(
            message_id=str(self.record.get("messageId", self.key)),
            body=str(self.record.get("body", "")),
            sent_at=_z(enqueued),
            receive_count=int(count) if count is not None else None,
            reason=reason,
            group=attributes.get("MessageGroupId"),
        )

    @property
    def archived_at(self) -> str | None:
        return _z(self.record.get("archivedAt"))

    def to_dict(self) -> dict[str, Any]:
        """``dlq peek --archived --json``'s message: peek's keys plus where it is."""
        return self.peeked.to_dict() | {
            "key": self.key,
            "archivedAt": self.archived_at,
            "sourceQueue": self.record.get("sourceQueue"),
            "messageAttributes": self.record.get("messageAttributes") or {},
        }


def _z(value: Any) -> str | None:
    """An ISO 8601 time as ``YYYY-MM-DDTHH:MM:SSZ`` (how peek shows times)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return str(value)


def read(s3: Any, bucket: str, key: str) -> ArchivedMessage:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        record = json.loads(body)
    except ValueError as exc:
        raise OperateError(f"s3://{bucket}/{key} is not an archived dead letter ({exc})") from None
    if not isinstance(record, dict) or "body" not in record:
        raise OperateError(f"s3://{bucket}/{key} is not an archived dead letter (no body)")
    return ArchivedMessage(key, record)


@dataclass(frozen=True)
class ArchivedPeek:
    """What ``dlq peek --archived`` showed."""

    consumer: str
    bucket: str
    total: int
    messages: list[ArchivedMessage]

    @property
    def not_shown(self) -> int:
        return self.total - len(self.messages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "archived": True,
            "bucket": self.bucket,
            "depth": self.total,
            "shown": len(self.messages),
            "notShown": self.not_shown,
            "messages": [m.to_dict() for m in self.messages],
        }


def peek_archived(s3: Any, outputs: StackOutputs, consumer: str, limit: int) -> ArchivedPeek:
    """The first ``limit`` archived dead letters of ``consumer`` (nothing is changed)."""
    bucket = archive_bucket(outputs)
    keys = list(_keys(s3, bucket, consumer))
    shown = [read(s3, bucket, key) for key in keys[:limit]]
    return ArchivedPeek(consumer, bucket, len(keys), shown)


def _attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A stored message attribute as SendMessage takes it (binary values decoded)."""
    out: dict[str, Any] = {"DataType": value.get("DataType", "String")}
    if "StringValue" in value:
        out["StringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["BinaryValue"] = base64.b64decode(value["BinaryValue"])
    return out


def send_entry(consumer: ConsumerOutputs, index: int, message: ArchivedMessage) -> dict[str, Any]:
    """The SendMessageBatch entry that puts ``message`` back in the consumer's queue."""
    record = message.record
    entry: dict[str, Any] = {"Id": str(index), "MessageBody": str(record["body"])}
    attributes = {k: _attribute(v) for k, v in (record.get("messageAttributes") or {}).items()}
    if attributes:
        entry["MessageAttributes"] = attributes
    if consumer.fifo:
        system = record.get("attributes") or {}
        group = system.get("MessageGroupId") or fixed_group(consumer)
        if not group:
            raise OperateError(
                f"{message.key} has no MessageGroupId and {consumer.name} has no fixed "
                "message group, so it cannot be sent to the FIFO queue"
            )
        entry["MessageGroupId"] = group
        entry["MessageDeduplicationId"] = (
            system.get("MessageDeduplicationId")
            or hashlib.sha256(str(record["body"]).encode()).hexdigest()
        )
    return entry


@dataclass(frozen=True)
class RedriveFailure:
    key: str
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "code": self.code, "message": self.message}


@dataclass
class ArchivedRedrive:
    """What ``dlq redrive --archived`` did."""

    consumer: str
    bucket: str
    total: int
    sent: int = 0
    deleted: int = 0
    failures: list[RedriveFailure] = field(default_factory=list)
    undeleted: list[str] = field(default_factory=list)
    """Keys whose message was sent but whose object could not be deleted (duplicates)."""

    @property
    def ok(self) -> bool:
        return not self.failures and not self.undeleted

    def to_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "archived": True,
            "bucket": self.bucket,
            "total": self.total,
            "sent": self.sent,
            "deleted": self.deleted,
            "failures": [f.to_dict() for f in self.failures],
            "undeleted": list(self.undeleted),
        }


CHUNK = 10
"""Objects read, sent (one SendMessageBatch) and deleted at a time, so an interrupted
redrive has sent at most one batch whose objects are still in the bucket."""


def redrive_archived(
    s3: Any,
    sqs: Any,
    outputs: StackOutputs,
    consumer: ConsumerOutputs,
    *,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> ArchivedRedrive:
    """Send ``consumer``'s archived dead letters back to its queue, deleting each object
    only once SQS accepted its message."""
    bucket = archive_bucket(outputs)
    keys = list(_keys(s3, bucket, consumer.name))
    if limit is not None:
        keys = keys[:limit]
    result = ArchivedRedrive(consumer.name, bucket, len(keys))
    for start in range(0, len(keys), CHUNK):
        messages = [read(s3, bucket, key) for key in keys[start : start + CHUNK]]
        entries = [send_entry(consumer, i, m) for i, m in enumerate(messages)]
        sent = send(sqs, consumer, entries, sleep=sleep or time.sleep)
        for failure in sent.failures:
            key = messages[failure.index].key
            result.failures.append(RedriveFailure(key, failure.code, failure.message))
        done = [messages[i].key for i in sorted(sent.message_ids)]
        result.sent += len(done)
        if done:
            response = s3.delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": k} for k in done], "Quiet": True}
            )
            errors = {str(e.get("Key")) for e in response.get("Errors", [])}
            result.undeleted.extend(k for k in done if k in errors)
            result.deleted += len(done) - len(errors & set(done))
        if progress is not None:
            progress(len(messages))
    return result
