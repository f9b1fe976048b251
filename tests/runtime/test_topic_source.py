"""Queues subscribed to an SNS topic (source ``"topic"``).

SNS delivers to an SQS subscription either the notification JSON (raw message delivery
off: https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html) or the
published message as is (raw delivery on:
https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html).
The handler receives the published message either way, as a ``"queue"`` consumer would.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventpipe import contract
from eventpipe.runtime.decoding import sns_message
from eventpipe.runtime.exceptions import InvalidEventError
from eventpipe.runtime.settings import Settings
from eventpipe.testing import sqs_event, sqs_record
from tests.runtime import handlers
from tests.runtime.fakes import make_runner

TOPIC_ARN = "arn:aws:sns:us-east-2:111122223333:ExampleTopic1"


def notification(message: str, **extra: Any) -> str:
    """The body SNS puts on an SQS subscription without raw delivery (the example of the
    SNS developer guide's raw message delivery page, with our message)."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "dc1e94d9-56c5-5e96-808d-cc7f68faa162",
            "TopicArn": TOPIC_ARN,
            "Subject": "TestSubject",
            "Message": message,
            "Timestamp": "2021-02-16T21:41:19.978Z",
            "SignatureVersion": "1",
            "Signature": "FMG5tlZhJNHLHUXvZgtZzlk24FzVa7oX0T4P03neeXw8ZEXZx6z35j2FOTuNYShn2h0",
            "SigningCertURL": "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-010a507c1833636cd94bdb98bd93083a.pem",
            "UnsubscribeURL": "https://sns.us-east-2.amazonaws.com/?Action=Unsubscribe",
            "MessageAttributes": {"priority": {"Type": "Number", "Value": "1"}},
            **extra,
        }
    )


ORDER = {"orderId": "o-1", "amount": 12.5}


@pytest.mark.parametrize(
    "body", [notification(json.dumps(ORDER)), json.dumps(ORDER)], ids=["envelope", "raw"]
)
def test_handler_receives_the_published_message(body: str) -> None:
    runner, _, _ = make_runner("tests.runtime.handlers:body_any", source="topic")
    response = runner.run(sqs_event([sqs_record(body)]), None)
    assert response == {"batchItemFailures": []}
    assert handlers.CALLS == [ORDER]


@pytest.mark.parametrize(
    "body", [notification(json.dumps(ORDER)), json.dumps(ORDER)], ids=["envelope", "raw"]
)
def test_typed_handler_gets_its_model(body: str) -> None:
    runner, _, _ = make_runner("tests.runtime.handlers:body_model", source="topic")
    runner.run(sqs_event([sqs_record(body)]), None)
    [(model, record)] = handlers.CALLS
    assert isinstance(model, handlers.OrderCreated)
    assert model.order_id == "o-1"
    assert record.body == body  # the record is what SQS delivered


def test_plain_text_message_in_an_envelope() -> None:
    runner, _, _ = make_runner("tests.runtime.handlers:body_any", source="topic")
    runner.run(sqs_event([sqs_record(notification("This is a test message."))]), None)
    assert handlers.CALLS == ["This is a test message."]


def test_a_model_failure_is_dead_lettered_with_the_original_envelope() -> None:
    runner, sqs, _ = make_runner("tests.runtime.handlers:body_model", source="topic")
    body = notification(json.dumps({"orderId": "o-2", "amount": -1}))
    response = runner.run(sqs_event([sqs_record(body)]), None)
    assert response == {"batchItemFailures": []}
    [sent] = sqs.sent
    assert sent["MessageBody"] == body  # redrive re-delivers what SNS delivered
    reason = sent["MessageAttributes"][contract.DLQ_ATTR_ERROR_MESSAGE]["StringValue"]
    assert "amount" in reason


def test_a_subscription_confirmation_is_dead_lettered_with_what_to_do() -> None:
    runner, sqs, _ = make_runner("tests.runtime.handlers:body_any", source="topic")
    body = json.dumps(
        {
            "Type": "SubscriptionConfirmation",
            "MessageId": "m",
            "TopicArn": TOPIC_ARN,
            "Message": "You have chosen to subscribe...",
            "SubscribeURL": "https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription",
        }
    )
    runner.run(sqs_event([sqs_record(body)]), None)
    assert handlers.CALLS == []
    [sent] = sqs.sent
    attrs = sent["MessageAttributes"]
    assert attrs[contract.DLQ_ATTR_ERROR_TYPE]["StringValue"] == "InvalidEventError"
    assert "SubscribeURL" in attrs[contract.DLQ_ATTR_ERROR_MESSAGE]["StringValue"]


@pytest.mark.parametrize(
    "body",
    [
        "plain text",
        "{not json",
        "[1, 2]",
        json.dumps({"Type": "Notification", "Message": "no topic arn"}),
        json.dumps({"Type": "Notification", "TopicArn": TOPIC_ARN, "Message": {"not": "str"}}),
        json.dumps({"Type": "Other", "TopicArn": TOPIC_ARN, "Message": "x"}),
    ],
)
def test_bodies_that_are_not_envelopes_are_raw_deliveries(body: str) -> None:
    assert sns_message(body) == body


def test_envelope_unwrapped() -> None:
    assert sns_message(notification("hello")) == "hello"
    with pytest.raises(InvalidEventError, match="UnsubscribeConfirmation"):
        sns_message(json.dumps({"Type": "UnsubscribeConfirmation", "TopicArn": TOPIC_ARN}))


def test_rule_and_queue_sources_do_not_unwrap() -> None:
    body = notification(json.dumps(ORDER))
    runner, _, _ = make_runner("tests.runtime.handlers:body_any", source="queue")
    runner.run(sqs_event([sqs_record(body)]), None)
    assert [json.loads(body)] == handlers.CALLS


def test_topic_is_a_known_source_and_others_are_refused() -> None:
    env = {contract.ENV_HANDLER: "m:f", contract.ENV_SOURCE: "topic"}
    assert Settings.from_env(env).source == "topic"
    with pytest.raises(ValueError, match="rule, queue, topic"):
        Settings.from_env({**env, contract.ENV_SOURCE: "stream"})
