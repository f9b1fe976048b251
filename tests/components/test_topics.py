"""SNS fan-out under mocks: stack topics, a queue subscribed with its filter policy, a
queue policy that lets only that topic send, and the stack output keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi

from eventpipe import contract
from eventpipe.consumer import Consumer
from eventpipe.testing.pulumi_mocks import AwsMocks, policy
from tests.components.helpers import allow_actions, build_program, resolved_json, settings

HANDLER = "ep_fixture.handlers:direct"
ACCOUNT_ROOT = "arn:aws:iam::123456789012:root"


def fed_by(topic: str, **fields: Any) -> Consumer:
    return Consumer(name="payments", handler=HANDLER, topic=topic, **fields)


def test_stack_topics_are_encrypted_and_limited_to_the_account(
    mocks: AwsMocks, build_dir: Path
) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program([], settings(topics=["orders", "prices.fifo"]), build_dir)

        def check(topic_arns: dict[str, str]) -> None:
            orders = mocks.one("aws:sns/topic:Topic", "eventpipe-topic-orders")
            assert orders.inputs["name"] == "eventpipe-test-orders"
            assert orders.inputs["kmsMasterKeyId"] == "alias/aws/sns"
            assert not orders.inputs.get("fifoTopic")
            prices = mocks.one("aws:sns/topic:Topic", "eventpipe-topic-prices.fifo")
            assert prices.inputs["fifoTopic"] is True
            assert prices.inputs["contentBasedDeduplication"] is True
            assert prices.inputs["name"] == "eventpipe-test-prices.fifo"
            recorded = mocks.one("aws:sns/topicPolicy:TopicPolicy", "eventpipe-topic-orders-policy")
            assert recorded.inputs["arn"] == orders.outputs["arn"]
            allow, deny = policy(recorded)["Statement"]
            assert allow["Principal"] == {"AWS": ACCOUNT_ROOT}  # the account, nobody else
            assert allow["Resource"] == orders.outputs["arn"]
            assert "sns:Publish" in allow["Action"]
            assert deny["Effect"] == "Deny"
            assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            assert all("*" not in a for a in allow_actions(policy(recorded)))
            assert topic_arns == {  # the stack output's top-level topics
                "orders": orders.outputs["arn"],
                "prices.fifo": prices.outputs["arn"],
            }

        assert program.breaker is None and program.archive is None
        return pulumi.Output.all(program.settled(), program.bus.topic_arns).apply(
            lambda values: check(values[1])
        )

    run()


def test_a_topic_consumer_is_subscribed_and_only_its_topic_may_send(
    mocks: AwsMocks, build_dir: Path
) -> None:
    consumer = fed_by("orders", filter_policy={"kind": ["refund", {"prefix": "chargeback"}]})

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program([("shop", consumer)], settings(topics=["orders"]), build_dir)
        [pipeline] = program.pipelines

        def check(entry: dict[str, Any]) -> None:
            topic_arn, subscription_arn = entry["topicArn"], entry["subscriptionArn"]
            topic = mocks.one("aws:sns/topic:Topic", "eventpipe-topic-orders")
            queue = mocks.one("aws:sqs/queue:Queue", "payments-queue")
            subscription = mocks.one(
                "aws:sns/topicSubscription:TopicSubscription", "payments-subscription"
            )
            assert subscription.inputs["protocol"] == "sqs"
            assert subscription.inputs["endpoint"] == queue.outputs["arn"]
            assert subscription.inputs["topic"] == topic.outputs["arn"] == topic_arn
            assert subscription.inputs.get("rawMessageDelivery") in (False, None)
            assert json.loads(subscription.inputs["filterPolicy"]) == consumer.filter_policy
            assert subscription.inputs["filterPolicyScope"] == "MessageAttributes"
            assert subscription_arn == subscription.outputs["arn"]
            statements = policy(
                mocks.one("aws:sqs/queuePolicy:QueuePolicy", "payments-queue-policy")
            )["Statement"]
            allow = [s for s in statements if s["Effect"] == "Allow"]
            assert allow == [
                {
                    "Sid": "AllowTopicSubscription",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue.outputs["arn"],
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic.outputs["arn"]}},
                }
            ]
            assert [s["Sid"] for s in statements if s["Effect"] == "Deny"] == [
                "DenyInsecureTransport"
            ]
            assert not mocks.of_type("aws:cloudwatch/eventRule:EventRule")
            function = mocks.one("aws:lambda/function:Function", "payments-function")
            assert function.inputs["environment"]["variables"][contract.ENV_SOURCE] == "topic"
            assert entry["source"] == "topic" and entry["circuitBreaker"] is None

        return pulumi.Output.all(program.settled(), resolved_json(pipeline.outputs)).apply(
            lambda values: check(values[1])
        )

    run()


def test_a_topic_given_by_arn_is_subscribed_without_creating_one(
    mocks: AwsMocks, build_dir: Path
) -> None:
    arn = "arn:aws:sns:us-east-1:210987654321:partner-events"

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program([("shop", fed_by(arn))], settings(), build_dir)

        def check(_: object) -> None:
            assert [t.name for t in mocks.of_type("aws:sns/topic:Topic")] == ["eventpipe-alarms"]
            subscription = mocks.one(
                "aws:sns/topicSubscription:TopicSubscription", "payments-subscription"
            )
            assert subscription.inputs["topic"] == arn
            assert "filterPolicy" not in subscription.inputs
            statements = policy(
                mocks.one("aws:sqs/queuePolicy:QueuePolicy", "payments-queue-policy")
            )["Statement"]
            assert statements[0]["Condition"] == {"ArnEquals": {"aws:SourceArn": arn}}

        return program.settled().apply(check)

    run()
