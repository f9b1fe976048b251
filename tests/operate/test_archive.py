"""eventpipe.operate.archive: archived records as DLQ messages and as SQS entries (the
moto-backed flows are in tests/cli/test_archive.py)."""

from __future__ import annotations

from eventpipe.operate import archive as archive_ops
from eventpipe.stack_output import ConsumerOutputs


def test_record_reads_like_a_peeked_message() -> None:
    message = archive_ops.ArchivedMessage(
        "orders/2026-12-01/m-1.json",
        {
            "messageId": "m-1",
            "body": '{"detail-type": "X", "source": "s"}',
            "attributes": {"ApproximateReceiveCount": "5", "MessageGroupId": "g"},
            "reason": {"errorType": "PermanentError", "errorMessage": "bad"},
            "enqueuedAt": "2026-11-20T10:00:00+00:00",
            "archivedAt": "2026-12-01T10:00:00.123+00:00",
        },
    )
    peeked = message.peeked
    assert peeked.summary == "PermanentError: bad" and peeked.receive_count == 5
    assert peeked.sent_at == "2026-11-20T10:00:00Z" and peeked.group == "g"
    assert message.archived_at == "2026-12-01T10:00:00Z"


def test_a_record_without_a_group_cannot_go_to_a_fifo_queue_without_a_fixed_one() -> None:
    import pytest

    from eventpipe.operate.exceptions import OperateError

    fifo = ConsumerOutputs("ledger", "u", "a", "du", "da", fifo=True, message_group="$.k")
    message = archive_ops.ArchivedMessage("ledger/d/m.json", {"body": "x", "attributes": {}})
    with pytest.raises(OperateError, match="no MessageGroupId"):
        archive_ops.send_entry(fifo, 0, message)
    fixed = ConsumerOutputs("ledger", "u", "a", "du", "da", fifo=True, message_group="all")
    entry = archive_ops.send_entry(fixed, 0, message)
    assert entry["MessageGroupId"] == "all" and len(entry["MessageDeduplicationId"]) == 64


def test_send_entry_decodes_binary_attributes() -> None:
    consumer = ConsumerOutputs("orders", "u", "a", "du", "da")
    message = archive_ops.ArchivedMessage(
        "orders/2026-12-01/m.json",
        {"body": "x", "messageAttributes": {"b": {"DataType": "Binary", "BinaryValue": "aGk="}}},
    )
    entry = archive_ops.send_entry(consumer, 0, message)
    assert entry["MessageAttributes"]["b"] == {"DataType": "Binary", "BinaryValue": b"hi"}
    assert "MessageGroupId" not in entry
