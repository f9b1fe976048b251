"""The dead-letter archiver: move dead letters SQS would soon delete into S3.

SQS deletes a message when it is older than the queue's retention period (14 days at
most). Age is counted the way SQS counts it for expiry: "For standard queues, the
expiration of a message is always based on its original enqueue timestamp. When a
message is moved to a dead-letter queue, the enqueue timestamp is unchanged." ("Setting-up
dead-letter queue retention in Amazon SQS",
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html).
The ``SentTimestamp`` system attribute is that enqueue time for a message SQS moved from a
standard queue; a copy the runtime sent to the DLQ itself is a new message, so its
``SentTimestamp`` is when it was sent. For FIFO queues the enqueue timestamp resets on the
move, while ``SentTimestamp`` is not documented to: if it keeps the original send time,
the archiver moves such a message earlier than SQS would delete it, never later.

Each old message is written to ``s3://<bucket>/<consumer>/<YYYY-MM-DD>/<message id>.json``
(the date the archiver moved it, UTC) and deleted from the DLQ only after ``PutObject``
succeeded; one that is not old enough is made visible again at once. The count per
consumer is published as the ``DeadLettersArchived`` metric and, when any were moved, a
notice goes to the stack's alarm topic.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from eventpipe import contract
from eventpipe.stack_functions import settings

logger = logging.getLogger("eventpipe.archiver")
logger.setLevel(logging.INFO)

RECEIVE_VISIBILITY = 120
"""Seconds a received message stays hidden while the archiver decides on it (and writes
it); longer than one PutObject, short enough that a crash hides it only briefly."""
TIME_MARGIN_MS = 30_000
"""Stop taking new batches when less than this is left of the invocation."""
ARCHIVE_VERSION = 1
REASON_ATTRIBUTES = {
    contract.DLQ_ATTR_ERROR_TYPE: "errorType",
    contract.DLQ_ATTR_ERROR_MESSAGE: "errorMessage",
    contract.DLQ_ATTR_RECEIVE_COUNT: "receiveCount",
    contract.DLQ_ATTR_FAILED_AT: "failedAt",
    contract.DLQ_ATTR_MESSAGE_ID: "originalMessageId",
    contract.DLQ_ATTR_CONSUMER: "consumer",
}
NO_REASON = (
    "no reason recorded: SQS moved it after maxReceiveCount receives (the function crashed "
    "or timed out on every attempt)"
)


def archive_key(consumer: str, archived_at: datetime, message_id: str) -> str:
    """``<consumer>/<YYYY-MM-DD>/<message id>.json``: what ``dlq --archived`` lists."""
    return f"{consumer}/{archived_at:%Y-%m-%d}/{message_id}.json"


def enqueued_at(message: dict[str, Any]) -> datetime:
    """The message's enqueue time as SQS counts it for expiry (``SentTimestamp``, ms)."""
    millis = int(message.get("Attributes", {}).get("SentTimestamp", "0"))
    return datetime.fromtimestamp(millis / 1000, UTC)


def _attribute_json(attribute: dict[str, Any]) -> dict[str, Any]:
    """A message attribute as JSON (binary values base64, as SQS's JSON API sends them)."""
    out: dict[str, Any] = {"DataType": attribute.get("DataType", "String")}
    if "StringValue" in attribute:
        out["StringValue"] = attribute["StringValue"]
    if "BinaryValue" in attribute:
        value = attribute["BinaryValue"]
        out["BinaryValue"] = base64.b64encode(value).decode() if isinstance(value, bytes) else value
    return out


def archive_record(
    consumer: str, queue: str, message: dict[str, Any], archived_at: datetime
) -> dict[str, Any]:
    """The JSON document of one archived dead letter (docs/dead-letter-archive.md)."""
    attributes = message.get("MessageAttributes") or {}
    reason = {
        key: attributes[name].get("StringValue")
        for name, key in REASON_ATTRIBUTES.items()
        if name in attributes
    }
    if not reason:
        reason = {"errorMessage": NO_REASON}
    system = message.get("Attributes") or {}
    sent = enqueued_at(message)
    return {
        "version": ARCHIVE_VERSION,
        "consumer": consumer,
        "sourceQueue": queue,
        "originalQueueArn": system.get("DeadLetterQueueSourceArn"),
        "messageId": message["MessageId"],
        "body": message.get("Body", ""),
        "attributes": system,
        "messageAttributes": {k: _attribute_json(v) for k, v in attributes.items()},
        "reason": reason,
        "enqueuedAt": sent.isoformat(),
        "archivedAt": archived_at.isoformat(),
        "ageSeconds": int((archived_at - sent).total_seconds()),
    }


class Archiver:
    """The handler's logic on injectable clients (tests pass moto-backed ones)."""

    def __init__(
        self,
        *,
        sqs: Any,
        s3: Any,
        cloudwatch: Any,
        sns: Any,
        bucket: str,
        after_days: int,
        queues: dict[str, str],
        topic_arn: str | None,
        now: Callable[[], datetime] | None = None,
        time_left_ms: Callable[[], int] | None = None,
        time_scale: float = 1.0,
    ) -> None:
        self.sqs, self.s3, self.cloudwatch, self.sns = sqs, s3, cloudwatch, sns
        self.bucket = bucket
        self.after_days = after_days
        # Local mode only (EVENTPIPE_TIME_SCALE, set by the local engine): the age is
        # time-scaled like the engine's other waits; 1 on AWS.
        self.after_seconds = after_days * 86_400 * time_scale
        self.queues = queues
        self.topic_arn = topic_arn
        self._now = now or (lambda: datetime.now(UTC))
        self._time_left = time_left_ms or (lambda: 900_000)

    def run(self) -> dict[str, Any]:
        archived: dict[str, int] = {}
        failed: dict[str, int] = {}
        for consumer, queue_name in self.queues.items():
            url = self.sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
            done, errors = self.archive_queue(consumer, url)
            archived[consumer], failed[consumer] = done, errors
        self._publish(archived)
        total = sum(archived.values())
        if total and self.topic_arn:
            lines = [f"{c}: {n}" for c, n in archived.items() if n]
            self.sns.publish(
                TopicArn=self.topic_arn,
                Subject=f"eventpipe: {total} dead letters archived to s3://{self.bucket}"[:100],
                Message=(
                    f"{total} dead letters older than {self.after_days} days were "
                    f"moved from their DLQs to s3://{self.bucket} before SQS could delete "
                    "them:\n" + "\n".join(lines) + "\nSee them with `eventpipe dlq peek "
                    "CONSUMER --archived`; redrive with `eventpipe dlq redrive CONSUMER "
                    "--archived`."
                ),
            )
        summary = {"archived": archived, "failed": failed, "total": total}
        logger.info(json.dumps({"archiver": summary}))
        return summary

    def archive_queue(self, consumer: str, url: str) -> tuple[int, int]:
        """Archive every old message of one DLQ; return (archived, failed writes)."""
        archived = errors = 0
        young: list[str] = []  # receipt handles of messages not old enough yet
        for message in self._receive_all(url):
            now = self._now()
            age = (now - enqueued_at(message)).total_seconds()
            if age < self.after_seconds:
                young.append(message["ReceiptHandle"])
                continue
            record = archive_record(consumer, url, message, now)
            key = archive_key(consumer, now, message["MessageId"])
            try:
                self.s3.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=json.dumps(record, sort_keys=True).encode(),
                    ContentType="application/json",
                )
            except Exception as exc:  # left in the DLQ: the next run tries again
                errors += 1
                logger.error(
                    json.dumps({"archiver": "write failed", "consumer": consumer,
                                "messageId": message["MessageId"], "error": repr(exc)})
                )  # fmt: skip
                continue
            # Only now that the object exists: a failed delete leaves a duplicate, not a loss.
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            archived += 1
        for start in range(0, len(young), 10):  # SQS takes at most 10 entries per batch
            self.sqs.change_message_visibility_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                    for i, handle in enumerate(young[start : start + 10])
                ],
            )
        return archived, errors

    def _receive_all(self, url: str) -> Iterator[dict[str, Any]]:
        """Every message once: stops when the queue is empty, when a batch holds only
        messages already seen (young ones reappearing after RECEIVE_VISIBILITY), or when
        the invocation is about to run out."""
        seen: set[str] = set()
        while self._time_left() > TIME_MARGIN_MS:
            messages = self.sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=RECEIVE_VISIBILITY,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            fresh = [m for m in messages if m["MessageId"] not in seen]
            if not fresh:
                return
            seen.update(m["MessageId"] for m in fresh)
            yield from fresh

    def _publish(self, archived: dict[str, int]) -> None:
        data = [
            {
                "MetricName": settings.ARCHIVED_METRIC,
                "Dimensions": [{"Name": "service", "Value": consumer}],
                "Value": count,
                "Unit": "Count",
            }
            for consumer, count in archived.items()
        ]
        for start in range(0, len(data), 1000):  # PutMetricData takes up to 1,000 metrics
            self.cloudwatch.put_metric_data(
                Namespace=contract.METRICS_NAMESPACE, MetricData=data[start : start + 1000]
            )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point (``eventpipe.stack_functions.archiver.handler``): archives the
    DLQs its event names (``{"queues": {consumer: DLQ name}}``, its schedule's input)."""
    import boto3

    archiver = Archiver(
        sqs=boto3.client("sqs"),
        s3=boto3.client("s3"),
        cloudwatch=boto3.client("cloudwatch"),
        sns=boto3.client("sns"),
        bucket=os.environ[settings.ENV_ARCHIVE_BUCKET],
        after_days=int(os.environ[settings.ENV_ARCHIVE_AFTER_DAYS]),
        queues=dict(event.get(settings.ARCHIVE_RUN_QUEUES) or {}),
        topic_arn=os.environ.get(settings.ENV_ARCHIVE_TOPIC) or None,
        time_left_ms=context.get_remaining_time_in_millis,
        time_scale=float(os.environ.get(contract.ENV_TIME_SCALE) or 1),
    )
    return archiver.run()
