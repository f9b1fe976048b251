"""The engine's in-process SQS (``internal_sqs``) answers as its HTTP twin does.

Lambda's pollers and Pipes reach the embedded backend in process; a user reaches it over
HTTP. Each test makes the same call both ways on the same embedded server and compares
what comes back and what the queue holds afterwards: messages, attributes, receipt
handles (deletable by the other path), FIFO group blocking, visibility, receive counts
and the redrive to the DLQ, errors.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eventpipe.local.emulator.internal_sqs import InternalSqs
from eventpipe.local.emulator.server import Emulator, start_emulator

ALL = {"MessageSystemAttributeNames": ["All"], "MessageAttributeNames": ["All"]}
VARYING = {"MessageId", "ReceiptHandle"}
VARYING_ATTRIBUTES = {"SentTimestamp", "ApproximateFirstReceiveTimestamp", "SequenceNumber"}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def http(emulator: Emulator) -> Any:
    return emulator.client("sqs")


@pytest.fixture(scope="module")
def internal(emulator: Emulator) -> InternalSqs:
    found = emulator.internal("sqs")  # what the engine asks for
    assert isinstance(found, InternalSqs)
    return found


def _queue(http: Any, fifo: bool = False, **attributes: str) -> str:
    name = f"twin-{uuid.uuid4().hex[:10]}" + (".fifo" if fifo else "")
    if fifo:
        attributes = {"FifoQueue": "true", **attributes}
    return str(http.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])


def _comparable(message: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in message.items() if k not in VARYING}
    kept["Attributes"] = {
        k: v for k, v in message.get("Attributes", {}).items() if k not in VARYING_ATTRIBUTES
    }
    return kept


def _entries(messages: list[dict[str, Any]], **extra: Any) -> list[dict[str, Any]]:
    return [
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], **extra} for i, m in enumerate(messages)
    ]


def test_a_received_message_is_the_one_http_returns(http: Any, internal: InternalSqs) -> None:
    url = _queue(http)
    attributes = {
        "text": {"DataType": "String", "StringValue": "v"},
        "count": {"DataType": "Number", "StringValue": "7"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    }
    for _ in range(2):
        http.send_message(QueueUrl=url, MessageBody='{"n": 1}', MessageAttributes=attributes)
    over_http = http.receive_message(QueueUrl=url, MaxNumberOfMessages=1, **ALL)["Messages"]
    in_process = internal.receive_message(QueueUrl=url, MaxNumberOfMessages=1, **ALL)["Messages"]
    assert _comparable(in_process[0]) == _comparable(over_http[0])
    assert in_process[0]["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01\xff"
    assert set(in_process[0]["Attributes"]) == set(over_http[0]["Attributes"])
    assert in_process[0]["MessageId"] != over_http[0]["MessageId"]
    # Asked for no attributes, neither path returns any.
    http.send_message(QueueUrl=url, MessageBody="plain", MessageAttributes=attributes)
    bare = internal.receive_message(QueueUrl=url)["Messages"][0]
    assert set(bare) == {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"}
    assert internal.receive_message(QueueUrl=url) == {}  # empty, as botocore parses it


def test_receipt_handles_are_deletable_by_the_other_path(http: Any, internal: InternalSqs) -> None:
    url = _queue(http)
    http.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(4)]
    )
    first = internal.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    second = http.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    assert len(first) == len(second) == 2
    deleted = http.delete_message_batch(QueueUrl=url, Entries=_entries(first))
    assert sorted(e["Id"] for e in deleted["Successful"]) == ["0", "1"]
    deleted = internal.delete_message_batch(QueueUrl=url, Entries=_entries(second))
    assert sorted(e["Id"] for e in deleted["Successful"]) == ["0", "1"]
    assert deleted["Failed"] == []
    depth = internal.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert depth == http.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert depth["ApproximateNumberOfMessages"] == depth["ApproximateNumberOfMessagesNotVisible"]
    assert depth["ApproximateNumberOfMessages"] == "0"


def test_fifo_groups_block_across_both_paths(http: Any, internal: InternalSqs) -> None:
    url = _queue(http, fifo=True, ContentBasedDeduplication="true")
    sent = [("a", "a1"), ("a", "a2"), ("b", "b1")]
    for group, body in sent:
        http.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    taken = internal.receive_message(QueueUrl=url, MaxNumberOfMessages=1, **ALL)["Messages"]
    assert [m["Body"] for m in taken] == ["a1"]
    assert taken[0]["Attributes"]["MessageGroupId"] == "a"
    # Group a is in flight: over HTTP only group b comes out, and nothing more in process.
    others = http.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in others] == ["b1"]
    assert internal.receive_message(QueueUrl=url, MaxNumberOfMessages=10) == {}
    internal.delete_message_batch(QueueUrl=url, Entries=_entries(taken))
    after = http.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in after] == ["a2"]


def test_fifo_sends_answer_as_over_http(http: Any, internal: InternalSqs) -> None:
    url = _queue(http, fifo=True)
    entries = [
        {"Id": "0", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d0"},
        {"Id": "1", "MessageBody": "y", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
    ]
    over_http = http.send_message_batch(QueueUrl=url, Entries=entries)
    in_process = internal.send_message_batch(
        QueueUrl=url, Entries=[{**e, "MessageDeduplicationId": e["Id"] + "x"} for e in entries]
    )
    assert [set(e) for e in in_process["Successful"]] == [set(e) for e in over_http["Successful"]]
    numbers = [int(e["SequenceNumber"]) for e in over_http["Successful"] + in_process["Successful"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4  # they grow within the group
    assert in_process["Failed"] == over_http.get("Failed", [])
    missing_group = [{"Id": "0", "MessageBody": "z"}]
    with pytest.raises(ClientError) as from_http:
        http.send_message_batch(QueueUrl=url, Entries=missing_group)
    with pytest.raises(ClientError) as from_process:
        internal.send_message_batch(QueueUrl=url, Entries=missing_group)
    assert (
        from_process.value.response["Error"]["Code"] == (from_http.value.response["Error"]["Code"])
    )


def test_visibility_and_receive_counts(http: Any, internal: InternalSqs) -> None:
    url = _queue(http, VisibilityTimeout="60")
    http.send_message(QueueUrl=url, MessageBody="once")
    taken = internal.receive_message(QueueUrl=url, **ALL)["Messages"]
    assert taken[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    assert http.receive_message(QueueUrl=url).get("Messages") is None  # hidden for 60 s
    changed = internal.change_message_visibility_batch(
        QueueUrl=url, Entries=_entries(taken, VisibilityTimeout=0)
    )
    assert [e["Id"] for e in changed["Successful"]] == ["0"] and changed["Failed"] == []
    again = http.receive_message(QueueUrl=url, **ALL)["Messages"]
    assert again[0]["MessageId"] == taken[0]["MessageId"]
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    stale = internal.change_message_visibility_batch(
        QueueUrl=url, Entries=[{"Id": "x", "ReceiptHandle": "not-a-handle", "VisibilityTimeout": 0}]
    )
    assert stale["Successful"] == [] and stale["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"


def _redrive(client: Any, http: Any) -> tuple[int, int]:
    """Receive a message with maxReceiveCount 2 until the queue gives it up: how many
    receives returned it, and how many messages its DLQ then holds."""
    dlq = _queue(http)
    dlq_arn = http.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    url = _queue(http, VisibilityTimeout="60", RedrivePolicy=policy)
    http.send_message(QueueUrl=url, MessageBody="poison")
    returned = 0
    for _ in range(3):
        messages = client.receive_message(QueueUrl=url).get("Messages", [])
        returned += len(messages)
        if messages:
            client.change_message_visibility_batch(
                QueueUrl=url, Entries=_entries(messages, VisibilityTimeout=0)
            )
    held = http.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    return returned, int(held["Attributes"]["ApproximateNumberOfMessages"])


def test_redrive_to_the_dlq_counts_receives_of_both_paths(http: Any, internal: InternalSqs) -> None:
    assert _redrive(internal, http) == _redrive(http, http) == (2, 1)


def test_a_long_poll_returns_a_message_sent_while_it_waits(
    http: Any, internal: InternalSqs
) -> None:
    url = _queue(http)
    got: list[dict[str, Any]] = []
    waiting = threading.Thread(
        target=lambda: got.extend(
            internal.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", [])
        )
    )
    waiting.start()
    http.send_message(QueueUrl=url, MessageBody="wake")
    waiting.join(60)
    assert not waiting.is_alive()
    assert [m["Body"] for m in got] == ["wake"]


def test_errors_carry_the_code_http_gives(http: Any, internal: InternalSqs) -> None:
    gone = _queue(http) + "-missing"
    with pytest.raises(ClientError) as from_http:
        http.receive_message(QueueUrl=gone)
    with pytest.raises(ClientError) as from_process:
        internal.receive_message(QueueUrl=gone)
    assert (
        from_process.value.response["Error"]["Code"] == (from_http.value.response["Error"]["Code"])
    )
    url = _queue(http)
    with pytest.raises(ClientError) as too_many:
        internal.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert too_many.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as empty:
        internal.delete_message_batch(QueueUrl=url, Entries=[])
    assert empty.value.response["Error"]["Code"] == "AWS.SimpleQueueService.EmptyBatchRequest"


def test_another_endpoint_gets_the_http_client(emulator: Emulator) -> None:
    other = Emulator(endpoint_url=emulator.endpoint_url, region=emulator.region, embedded=False)
    assert not isinstance(other.internal("sqs"), InternalSqs)


def test_the_embedded_servers_shims_apply_in_process(http: Any, internal: InternalSqs) -> None:
    """A FIFO receive fills up from one group first and every FIFO message carries a
    growing SequenceNumber (shims.fifo): moto alone would mix groups and, deduplicating
    by content, give no sequence number."""
    url = _queue(http, fifo=True, ContentBasedDeduplication="true")
    for group, body in [("a", "a1"), ("b", "b1"), ("a", "a2")]:
        http.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    sent = internal.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "0", "MessageBody": "b2", "MessageGroupId": "b"}]
    )["Successful"]
    assert sent[0]["SequenceNumber"] is not None
    taken = internal.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **ALL)["Messages"]
    assert [m["Body"] for m in taken] == ["a1", "a2", "b1", "b2"]
    numbers = [int(m["Attributes"]["SequenceNumber"]) for m in taken if m["Body"][0] == "b"]
    assert numbers == sorted(numbers)
