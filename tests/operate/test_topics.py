"""eventpipe.operate.topics: attributes, entries, batches and retries, on stub clients
(the moto-backed flows are in tests/cli/test_topics.py)."""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe.operate import topics as topic_ops


def test_attributes_parse_to_sns_shapes() -> None:
    assert topic_ops.parse_attribute("kind=refund") == (
        "kind",
        {"DataType": "String", "StringValue": "refund"},
    )
    assert topic_ops.parse_attribute("n:Number=-1.5")[1] == {
        "DataType": "Number",
        "StringValue": "-1.5",
    }
    assert topic_ops.parse_attribute("b:Binary=hi")[1] == {
        "DataType": "Binary",
        "BinaryValue": b"hi",
    }
    assert topic_ops.parse_attribute("expr=a=b")[1]["StringValue"] == "a=b"


def test_retryable_failed_entries_are_sent_again() -> None:
    calls: list[list[str]] = []

    class FlakySns:
        def publish_batch(self, **kwargs: Any) -> dict[str, Any]:
            ids = [e["Id"] for e in kwargs["PublishBatchRequestEntries"]]
            calls.append(ids)
            if len(calls) == 1:
                return {
                    "Successful": [{"Id": ids[0], "MessageId": "m0"}],
                    "Failed": [
                        {"Id": i, "Code": "InternalError", "SenderFault": False} for i in ids[1:]
                    ],
                }
            return {"Successful": [{"Id": i, "MessageId": f"m{i}"} for i in ids]}

    arn = "arn:aws:sns:us-east-1:123456789012:eventpipe-dev-payments"
    entries = topic_ops.build_entries(arn, ["a", "b", "c"], {})
    result = topic_ops.publish(FlakySns(), arn, entries, sleep=lambda _: None)
    assert calls == [["0", "1", "2"], ["1", "2"]]
    assert result.ok and result.retried == 2 and result.message_ids == {0: "m0", 1: "m1", 2: "m2"}


def test_batches_respect_the_size_limit() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:t"
    entries = topic_ops.build_entries(arn, ["x" * 100_000] * 5, {})
    sizes = [len(b) for b in topic_ops.batches(entries, topic_ops.DEFAULT_MAX_BYTES)]
    assert sizes == [2, 2, 1]
    with pytest.raises(topic_ops.TopicInputError, match="at most 262,144"):
        topic_ops.build_entries(arn, ["x" * 262_145], {})
