"""The helpers plugin authors use: factories in AWS's shapes, the invoker fixture."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import boto3
from moto import mock_aws

from eventpipe import Consumer
from eventpipe.testing import (
    ConsumerInvoker,
    eventbridge_event,
    lambda_context,
    message_attribute,
    sqs_event,
    sqs_record,
)

SQS_KEYS = {
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
}


def test_eventbridge_event_shape() -> None:
    ev = eventbridge_event(
        "Order Created", "shop", {"a": 1}, account="111122223333", replay_name="r"
    )
    assert set(ev) == {
        "version", "id", "detail-type", "source", "account", "time", "region", "resources",
        "detail", "replay-name",
    }  # fmt: skip
    assert ev["detail-type"] == "Order Created" and ev["account"] == "111122223333"
    assert ev["time"].endswith("Z")


def test_sqs_record_standard_shape() -> None:
    rec = sqs_record({"x": 1}, message_attributes={"n": 3, "b": b"\x00\x01"})
    assert set(rec) == SQS_KEYS
    assert rec["body"] == '{"x":1}'
    assert rec["md5OfBody"] == hashlib.md5(rec["body"].encode()).hexdigest()
    assert rec["eventSource"] == "aws:sqs" and rec["awsRegion"] == "us-east-1"
    assert set(rec["attributes"]) == {
        "ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"
    }  # fmt: skip
    assert rec["messageAttributes"]["n"]["dataType"] == "Number"
    assert base64.b64decode(rec["messageAttributes"]["b"]["binaryValue"]) == b"\x00\x01"


def test_sqs_record_fifo_shape() -> None:
    a = sqs_record("one", fifo=True, group_id="g", receive_count=3)
    b = sqs_record("two", fifo=True, group_id="g")
    attrs = a["attributes"]
    assert attrs["MessageGroupId"] == "g" and attrs["ApproximateReceiveCount"] == "3"
    assert attrs["MessageDeduplicationId"] == hashlib.sha256(b"one").hexdigest()
    assert int(b["attributes"]["SequenceNumber"]) > int(attrs["SequenceNumber"])
    assert a["eventSourceARN"].endswith(".fifo")
    assert sqs_event([a, b]) == {"Records": [a, b]}
    assert message_attribute("x")["dataType"] == "String"


def test_lambda_context_has_what_powertools_reads() -> None:
    ctx = lambda_context("fn", memory_limit_in_mb=512, timeout_ms=5000)
    assert ctx.function_name == "fn" and ctx.memory_limit_in_mb == 512
    assert ctx.invoked_function_arn.endswith(":function:fn")
    assert ctx.aws_request_id
    assert 0 < ctx.get_remaining_time_in_millis() <= 5000


def test_invoker_accepts_a_consumer_and_prebuilt_records(invoke_consumer: ConsumerInvoker) -> None:
    consumer = Consumer(
        name="orders-x",
        handler="tests.runtime.handlers:by_order_id",
        pattern={"source": ["shop"]},
        fifo=True,
        message_group="$.detail.customer",
        max_receive_count=7,
    )
    events: list[Any] = [
        eventbridge_event("T", "shop", {"orderId": "ok-1", "customer": "c-1"}),
        eventbridge_event("T", "shop", {"orderId": "ok-2", "customer": "c-2"}),
    ]
    result = invoke_consumer(consumer, events)
    assert result.outcomes == ["succeeded", "succeeded"]
    assert [r["attributes"]["MessageGroupId"] for r in result.records] == ["c-1", "c-2"]
    prebuilt = sqs_record(eventbridge_event("T", "shop", {"orderId": "perm-9"}), fifo=True)
    result = invoke_consumer(consumer, [prebuilt])
    assert result.records == [prebuilt]
    assert result.dead_lettered[0].consumer == "orders-x"


def test_invoker_joins_the_tests_own_mock(invoke_consumer: ConsumerInvoker) -> None:
    with mock_aws():
        ddb = boto3.client("dynamodb")
        ddb.create_table(
            TableName="plugin-table",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        event = eventbridge_event("T", "shop", {"orderId": "o-77"})
        result = invoke_consumer(
            "tests.runtime.handlers:write_to_table", [event], env={"TEST_TABLE": "plugin-table"}
        )
        assert result.outcomes == ["succeeded"]
        item = ddb.get_item(TableName="plugin-table", Key={"pk": {"S": "o-77"}})
        assert item["Item"]["pk"]["S"] == "o-77"


def test_invoker_standalone_without_pytest() -> None:
    with ConsumerInvoker() as invoke:
        result = invoke(
            "tests.runtime.handlers:by_order_id",
            [eventbridge_event("T", "s", {"orderId": "perm-1"})],
        )
        assert json.loads(result.dead_lettered[0].body)["detail"] == {"orderId": "perm-1"}
        assert result.outcome(result.message_ids[0]) == "dead-lettered"


def test_invoker_acknowledges_successes_so_a_fifo_group_moves_on(
    invoke_consumer: ConsumerInvoker,
) -> None:
    """Like the event source mapping, what succeeded is deleted: the next call in the same
    FIFO message group must be delivered, not stuck behind an in-flight message."""
    consumer = Consumer(
        name="orders-ack",
        handler="tests.runtime.handlers:by_order_id",
        pattern={"source": ["shop"]},
        fifo=True,
        message_group="$.detail.customer",
    )
    first = invoke_consumer(
        consumer, [eventbridge_event("T", "shop", {"orderId": "ok-1", "customer": "c"})]
    )
    second = invoke_consumer(
        consumer, [eventbridge_event("T", "shop", {"orderId": "ok-2", "customer": "c"})]
    )
    assert first.outcomes == second.outcomes == ["succeeded"]
    queue_url = invoke_consumer.queues("orders-ack", True)[0]
    attrs = boto3.client("sqs", region_name="us-east-1").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["All"]
    )["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0"
