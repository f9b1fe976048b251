"""SNS fan-out on the local engine: a message published to a stack topic reaches the
consumer subscribed to it (moto's SNS -> SQS delivery, the non-raw envelope decoded by the
runtime), and one the subscription's filter policy rejects never does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventpipe.local import LocalEngine
from tests.local.fixtures.plugins.stack_features import TOPIC_CONSUMER
from tests.local.stack_features import lines, stack_features_engine, wait_for


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalEngine, Path]]:
    root = tmp_path_factory.mktemp("topics")
    with stack_features_engine(
        root, "topics", {"eventpipe:topics": ["payments"]}, time_scale=0.01
    ) as e:
        yield e


def publish(engine: LocalEngine, message: dict[str, Any], kind: str) -> str:
    topic = engine.outputs.topics["payments"]
    return str(
        engine.client("sns").publish(
            TopicArn=topic,
            Message=json.dumps(message),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}},
        )["MessageId"]
    )


def test_topic_and_subscription_are_deployed(engine: tuple[LocalEngine, Path]) -> None:
    eng, _ = engine
    entry = eng.outputs.consumer(TOPIC_CONSUMER)
    topic = eng.outputs.topics["payments"]
    assert entry.topic_arn == topic
    sns = eng.client("sns")
    attributes = sns.get_subscription_attributes(SubscriptionArn=entry.subscription_arn)[
        "Attributes"
    ]
    assert attributes["Protocol"] == "sqs"
    assert attributes["Endpoint"] == entry.queue_arn
    assert json.loads(attributes["FilterPolicy"]) == {"kind": ["refund", {"prefix": "chargeback"}]}
    assert attributes.get("RawMessageDelivery", "false") == "false"
    topic_attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert topic_attributes["KmsMasterKeyId"] == "alias/aws/sns"
    assert "sns:Publish" in topic_attributes["Policy"]


def test_published_message_reaches_its_consumer_and_filtered_one_does_not(
    engine: tuple[LocalEngine, Path],
) -> None:
    eng, work = engine
    out = work / "sns.txt"
    # Published first: the filtered message would be delivered before the ones after it
    # (moto delivers on Publish), so once those are handled it has had every chance.
    publish(eng, {"refund": "r-filtered"}, kind="sale")
    publish(eng, {"refund": "r-1"}, kind="refund")
    publish(eng, {"refund": "r-2"}, kind="chargeback-fraud")
    handled = wait_for(lambda: len(lines(out)) >= 2 and lines(out), "both refunds handled")
    assert eng.wait_until_settled(timeout=120)
    bodies = [json.loads(line) for line in lines(out)]
    assert sorted(b["refund"] for b in bodies) == ["r-1", "r-2"], handled
    dlq = eng.outputs.consumer(TOPIC_CONSUMER).dlq_url
    assert "Messages" not in eng.client("sqs").receive_message(QueueUrl=dlq, WaitTimeSeconds=0)
