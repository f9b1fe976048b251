"""SQS as AWS's own services reach it in the embedded emulator: in process, not over HTTP.

Lambda's event source mapping pollers and EventBridge Pipes are AWS's services: on AWS
they are not clients of the public SQS endpoint a user calls, and nothing a user runs
observes how they reach a queue. What a user does observe is the queue: which messages
it returns, in which order, with which attributes and receipt handles, how long they
stay hidden, how often they were received and when they move to a DLQ. So the engine's
pollers (``functions/pollers.py``, ``pipes/runner.py``) call the embedded moto server's
SQS backend directly, the very methods its HTTP layer calls for a request
(``moto.sqs.responses.SQSResponse`` -> ``SQSBackend``), instead of a round trip through
botocore, werkzeug, Flask and moto's serialiser for every receive, delete and send.

Every call runs as a request of the embedded server (:func:`~.in_process.as_request`:
the mark the server puts on its requests, moto's errors as a client gets them), so every
shim (FIFO group order and release, queue cost, message origin, sequence numbers)
applies exactly as to a request. Users' publishes and every
CLI path keep using the HTTP endpoint; against any other endpoint (``--endpoint-url``)
:meth:`.server.Emulator.internal` gives the ordinary HTTP client.

:class:`InternalSqs` answers the subset of the boto3 SQS client the pollers use, with the
same keyword arguments, the same response shapes as botocore parses them (strings for
attribute values, bytes for binary message attributes) and the same failures
(:class:`botocore.exceptions.ClientError` with the error code the HTTP path gives),
validating what moto's HTTP layer validates before it calls the backend. Tests hold each
call against its HTTP twin (``tests/local/emulator/test_internal_sqs.py``).

moto methods relied on (moto pinned in ``constraints.txt``; the tests above call each): ``moto.sqs.models.sqs_backends[account][region]``, ``SQSBackend.get_queue``,
``receive_message(queue_name, count, wait_seconds_timeout, visibility_timeout,
message_attribute_names)``, ``delete_message_batch(queue_name, receipts)``,
``change_message_visibility_batch(queue_name, entries)``,
``send_message_batch(queue_name, entries)``; on the returned ``Message``: ``id``,
``receipt_handle``, ``body``, ``body_md5``, ``message_attributes``, ``attribute_md5``,
``sender_id``, ``sent_timestamp``, ``approximate_receive_count``,
``approximate_first_receive_timestamp``, ``deduplication_id``, ``group_id``,
``sequence_number``, ``system_attributes``; ``moto.sqs.utils.validate_message_attributes``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from eventpipe.local.emulator.in_process import call_as_request

_T = TypeVar("_T")

_SYSTEM_ATTRIBUTES = (
    "AWSTraceHeader",
    "ApproximateFirstReceiveTimestamp",
    "ApproximateReceiveCount",
    "MessageDeduplicationId",
    "MessageGroupId",
    "SenderId",
    "SentTimestamp",
    "SequenceNumber",
)
"""The message system attributes moto's ReceiveMessage returns (its responses layer)."""


def _queue_of(url: str) -> tuple[str, str]:
    """(account, queue name) from a queue URL ``<endpoint>/<account>/<name>``, as moto's
    HTTP layer reads the name from it (anything else: moto's default account)."""
    parts = url.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2].isdigit():
        return parts[-2], parts[-1]
    from moto.core import DEFAULT_ACCOUNT_ID

    return str(DEFAULT_ACCOUNT_ID), parts[-1]


class InternalSqs:
    """The embedded emulator's SQS for the engine's pollers: boto3's calling convention,
    moto's backend underneath, every call marked as the embedded server's."""

    def __init__(self, region: str):
        self.region = region

    def _run(self, operation: str, url: str, work: Callable[[Any, str], _T]) -> _T:
        from moto.sqs.models import sqs_backends

        account, name = _queue_of(url)

        def checked() -> _T:
            # Looked up on every call: a reset of the emulator replaces the backend.
            backend = sqs_backends[account][self.region]
            backend.get_queue(name)  # QueueDoesNotExist, as over HTTP
            return work(backend, name)

        return call_as_request(operation, checked)

    # --- the calls the pollers make ------------------------------------------------------
    def receive_message(
        self,
        *,
        QueueUrl: str,
        MaxNumberOfMessages: int = 1,
        WaitTimeSeconds: int | None = None,
        VisibilityTimeout: int | None = None,
        MessageSystemAttributeNames: Sequence[str] = (),
        AttributeNames: Sequence[str] = (),
        MessageAttributeNames: Sequence[str] = (),
    ) -> dict[str, Any]:
        """ReceiveMessage; the long poll wakes as soon as a message is sent to the queue
        (moto's queue notifies its waiting receives when a message is added)."""
        from moto.sqs.exceptions import SQSException

        def work(backend: Any, name: str) -> dict[str, Any]:
            queue = backend.get_queue(name)
            if not 1 <= MaxNumberOfMessages <= 10:
                raise SQSException(
                    "InvalidParameterValue",
                    f"Value {MaxNumberOfMessages} for parameter MaxNumberOfMessages is "
                    "invalid. Reason: must be between 1 and 10, if provided.",
                )
            wait = (
                int(queue.receive_message_wait_time_seconds)
                if WaitTimeSeconds is None
                else int(WaitTimeSeconds)
            )
            if not 0 <= wait <= 20:
                raise SQSException(
                    "InvalidParameterValue",
                    f"Value {wait} for parameter WaitTimeSeconds is invalid.",
                )
            visibility = (
                queue.visibility_timeout if VisibilityTimeout is None else int(VisibilityTimeout)
            )
            messages = backend.receive_message(
                name, MaxNumberOfMessages, wait, visibility, list(MessageAttributeNames)
            )
            wanted = {*MessageSystemAttributeNames, *AttributeNames}
            names = [a for a in _SYSTEM_ATTRIBUTES if "All" in wanted or a in wanted]
            rendered = [_message(m, names) for m in messages]
            return {"Messages": rendered} if rendered else {}

        return self._run("ReceiveMessage", QueueUrl, work)

    def delete_message_batch(
        self,
        *,
        QueueUrl: str,
        Entries: Sequence[dict[str, Any]],
    ) -> dict[str, Any]:
        """DeleteMessageBatch: ``Successful`` ids and ``Failed`` entries, as SQS answers."""
        from moto.sqs.exceptions import BatchEntryIdsNotDistinct, EmptyBatchRequest

        def work(backend: Any, name: str) -> dict[str, Any]:
            if not Entries:
                raise EmptyBatchRequest(action="Delete")
            seen: set[str] = set()
            for entry in Entries:
                if entry["ReceiptHandle"] in seen:
                    raise BatchEntryIdsNotDistinct(entry["Id"])
                seen.add(entry["ReceiptHandle"])
            success, failed = backend.delete_message_batch(name, [dict(e) for e in Entries])
            return {"Successful": [{"Id": i} for i in success], "Failed": failed}

        return self._run("DeleteMessageBatch", QueueUrl, work)

    def change_message_visibility_batch(
        self,
        *,
        QueueUrl: str,
        Entries: Sequence[dict[str, Any]],
    ) -> dict[str, Any]:
        """ChangeMessageVisibilityBatch: ``Successful`` ids and ``Failed`` entries."""

        def work(backend: Any, name: str) -> dict[str, Any]:
            success, failed = backend.change_message_visibility_batch(
                name, [dict(e) for e in Entries]
            )
            return {"Successful": [{"Id": i} for i in success], "Failed": failed}

        return self._run("ChangeMessageVisibilityBatch", QueueUrl, work)

    def send_message_batch(
        self,
        *,
        QueueUrl: str,
        Entries: Sequence[dict[str, Any]],
    ) -> dict[str, Any]:
        """SendMessageBatch: ``Successful`` (with MessageId, MD5s, a FIFO queue's
        SequenceNumber) and ``Failed``; a call moto refuses as a whole raises."""
        from moto.sqs.exceptions import EmptyBatchRequest
        from moto.sqs.utils import validate_message_attributes

        def work(backend: Any, name: str) -> dict[str, Any]:
            if not Entries:
                raise EmptyBatchRequest()
            entries: dict[str, dict[str, Any]] = {}
            for index, given in enumerate(Entries):
                entry = dict(given)
                if "MessageAttributes" in entry:
                    validate_message_attributes(entry["MessageAttributes"])
                else:
                    entry["MessageAttributes"] = {}
                entry.setdefault("DelaySeconds", None)
                entries[str(index)] = entry
            fifo = backend.get_queue(name).fifo_queue
            messages, failed = backend.send_message_batch(name, entries)
            successful = []
            for message in messages:
                sent: dict[str, Any] = {
                    "Id": message.user_id,
                    "MessageId": message.id,
                    "MD5OfMessageBody": message.body_md5,
                }
                if message.message_attributes:
                    sent["MD5OfMessageAttributes"] = message.attribute_md5
                if fifo:
                    sent["SequenceNumber"] = message.sequence_number
                successful.append(sent)
            return {"Successful": successful, "Failed": failed}

        return self._run("SendMessageBatch", QueueUrl, work)

    def get_queue_attributes(
        self,
        *,
        QueueUrl: str,
        AttributeNames: Sequence[str] = (),
    ) -> dict[str, Any]:
        """GetQueueAttributes: the values as strings; no ``Attributes`` when none apply."""
        from moto.sqs.exceptions import InvalidAttributeName

        def work(backend: Any, name: str) -> dict[str, Any]:
            if "" in AttributeNames:
                raise InvalidAttributeName("")
            found = backend.get_queue_attributes(name, list(AttributeNames))
            rendered = {k: str(v) for k, v in found.items() if v is not None}
            return {"Attributes": rendered} if rendered else {}

        return self._run("GetQueueAttributes", QueueUrl, work)


def _message(message: Any, names: Sequence[str]) -> dict[str, Any]:
    """One received message as botocore parses it from moto's ReceiveMessage response."""
    rendered: dict[str, Any] = {
        "MessageId": message.id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.body_md5,
        "Body": message.body,
    }
    if message.message_attributes:
        rendered["MessageAttributes"] = message.message_attributes
        rendered["MD5OfMessageAttributes"] = message.attribute_md5
    if not names:
        return rendered
    values: dict[str, Any] = {
        "SenderId": message.sender_id,
        "SentTimestamp": str(message.sent_timestamp),
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
        "MessageDeduplicationId": message.deduplication_id,
        "MessageGroupId": message.group_id,
        "SequenceNumber": message.sequence_number,
        "AWSTraceHeader": (message.system_attributes or {})
        .get("AWSTraceHeader", {})
        .get("StringValue"),
    }
    rendered["Attributes"] = {n: values[n] for n in names if values[n] is not None}
    return rendered
