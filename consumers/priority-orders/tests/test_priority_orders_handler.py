"""priority-orders' handler through the real eventpipe runtime, against moto's SNS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from priority_orders import handler, plugin

from eventpipe.testing import ConsumerInvoker, assert_samples_end_as_declared, eventbridge_event

[CONSUMER] = plugin.eventpipe_consumers()


@pytest.fixture
def topic(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """The priority topic with an SQS subscriber; yields (topic ARN, subscriber queue URL)."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    handler._sns.cache_clear()
    with mock_aws():
        sns, sqs = boto3.client("sns"), boto3.client("sqs")
        arn = sns.create_topic(Name="priority-test")["TopicArn"]
        url = sqs.create_queue(QueueName="fulfilment")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(
            TopicArn=arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        yield arn, url
    handler._sns.cache_clear()


def received(url: str) -> list[dict[str, Any]]:
    msgs = (
        boto3.client("sqs")
        .receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        .get("Messages", [])
    )
    return [
        {"body": json.loads(m["Body"]), "attributes": m.get("MessageAttributes", {})} for m in msgs
    ]


def test_seed_000_order_placed_is_flagged(
    topic: tuple[str, str], invoke_consumer: ConsumerInvoker
) -> None:
    arn, url = topic
    event = eventbridge_event("order_placed", "my.app", {"orderId": "123", "amount": 2500})
    result = invoke_consumer(CONSUMER, [event], env={"PRIORITY_TOPIC_ARN": arn})
    assert len(result.succeeded) == 1
    [message] = received(url)
    assert message["body"]["type"] == "Priority Order Flagged"
    assert message["body"]["orderId"] == "123" and message["body"]["amount"] == "2500"
    assert message["body"]["eventId"] == event["id"] and message["body"]["source"] == "my.app"
    assert message["attributes"]["amount"] == {"DataType": "Number", "StringValue": "2500"}


def test_order_created_keeps_customer(
    topic: tuple[str, str], invoke_consumer: ConsumerInvoker
) -> None:
    arn, url = topic
    detail = {"orderId": "o-9", "customerId": "customer-vip", "amount": 1500.5}
    result = invoke_consumer(
        CONSUMER,
        [eventbridge_event("Order Created", "ecommerce.orders", detail)],
        env={"PRIORITY_TOPIC_ARN": arn},
    )
    assert len(result.succeeded) == 1
    [message] = received(url)
    assert message["body"]["customerId"] == "customer-vip" and message["body"]["amount"] == "1500.5"


def test_missing_order_id_is_dead_lettered(
    topic: tuple[str, str], invoke_consumer: ConsumerInvoker
) -> None:
    arn, url = topic
    event = eventbridge_event("order_placed", "my.app", {"amount": 5000})
    result = invoke_consumer(CONSUMER, [event], env={"PRIORITY_TOPIC_ARN": arn})
    [dead] = result.dead_lettered
    assert "orderId" in dead.error_message
    assert received(url) == []


def test_deleted_topic_is_permanent(
    topic: tuple[str, str], invoke_consumer: ConsumerInvoker
) -> None:
    arn, _ = topic
    gone = arn.replace("priority-test", "deleted-topic")
    event = eventbridge_event("order_placed", "my.app", {"orderId": "1", "amount": 5000})
    result = invoke_consumer(CONSUMER, [event], env={"PRIORITY_TOPIC_ARN": gone})
    [dead] = result.dead_lettered
    assert "NotFound" in dead.error_message


def test_samples_end_as_declared(topic: Any, invoke_consumer: ConsumerInvoker) -> None:
    """Every sample the plugin offers to `eventpipe demo`, in order, ends as it says."""
    samples = plugin.eventpipe_sample_events()
    assert_samples_end_as_declared(
        invoke_consumer, CONSUMER, samples, env={"PRIORITY_TOPIC_ARN": topic[0]}
    )
