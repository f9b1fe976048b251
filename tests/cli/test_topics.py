"""``eventpipe publish --topic NAME``: SNS PublishBatch to a stack topic, with message
attributes a subscription's filter policy matches, against moto SNS -> SQS, at 80
columns."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from tests.cli.stack import Stack
from tests.cli.terminal import TERMINAL_80, too_wide

POLICY = {"kind": ["refund", {"prefix": "chargeback"}]}


@pytest.fixture(autouse=True)
def eighty_columns(stack: Stack) -> None:
    stack.runner = CliRunner(env=TERMINAL_80)


def with_topic(stack: Stack, name: str = "payments", *, raw: bool = True) -> str:
    """A stack topic (``eventpipe:topics``) with the ``mailer`` queue subscribed to it
    through a filter policy on message attributes, as components/topics.py declares."""
    sns = boto3.client("sns", region_name="us-east-1")
    attributes = (
        {"FifoTopic": "true", "ContentBasedDeduplication": "true"} if name.endswith(".fifo") else {}
    )
    arn = str(sns.create_topic(Name=f"eventpipe-dev-{name}", Attributes=attributes)["TopicArn"])
    mailer = stack.consumer("mailer")
    if not name.endswith(".fifo"):
        subscription = sns.subscribe(
            TopicArn=arn,
            Protocol="sqs",
            Endpoint=mailer.queue_arn,
            Attributes={
                "FilterPolicy": json.dumps(POLICY),
                "FilterPolicyScope": "MessageAttributes",
                "RawMessageDelivery": "true" if raw else "false",
            },
        )["SubscriptionArn"]
        stack.change_consumer("mailer", topic_arn=arn, subscription_arn=subscription)
    stack.change(topics={**stack.output.topics, name: arn})
    return arn


def received(stack: Stack) -> list[dict[str, Any]]:
    url = stack.consumer("mailer").queue_url
    out: list[dict[str, Any]] = []
    while True:
        page = stack.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not page:
            return out
        out += page
        for message in page:
            stack.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_publish_to_a_topic_reaches_the_subscribed_queue_through_its_filter(stack: Stack) -> None:
    with_topic(stack)
    result = stack.cli("publish", "--topic", "payments", "-m", '{"refund": 1}', "-a", "kind=refund")
    assert result.exit_code == 0, result.output
    assert too_wide(result.stdout) == []
    assert "Published 1 of 1 message(s) to eventpipe-dev-payments in 1 call(s)" in " ".join(
        result.stdout.split()
    )
    filtered = stack.cli("publish", "--topic", "payments", "-m", '{"x": 2}', "-a", "kind=sale")
    assert filtered.exit_code == 0, filtered.output
    messages = received(stack)
    assert [m["Body"] for m in messages] == ['{"refund": 1}']
    assert messages[0]["MessageAttributes"]["kind"]["StringValue"] == "refund"


def test_publish_many_goes_in_batches_of_ten(stack: Stack, tmp_path: Any) -> None:
    with_topic(stack)
    lines = tmp_path / "messages.txt"
    lines.write_text("\n".join(json.dumps({"n": n}) for n in range(23)) + "\n\n")
    result = stack.cli(
        "publish", str(lines), "--topic", "payments", "-a", "kind=chargeback-1", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["total"], data["published"], data["calls"]) == (23, 23, 3)
    assert all(data["messageIds"]) and data["failures"] == []
    assert sorted(json.loads(m["Body"])["n"] for m in received(stack)) == list(range(23))


def test_number_attribute_and_envelope_delivery(stack: Stack) -> None:
    with_topic(stack, raw=False)
    result = stack.cli(
        "publish",
        "--topic",
        "payments",
        "-m",
        "hello",
        "-a",
        "kind=refund",
        "-a",
        "amount:Number=12.5",
    )
    assert result.exit_code == 0, result.output
    [message] = received(stack)
    envelope = json.loads(message["Body"])
    assert envelope["Message"] == "hello"
    assert envelope["MessageAttributes"]["amount"] == {"Type": "Number", "Value": "12.5"}


def test_unknown_topic_suggests_and_lists(stack: Stack) -> None:
    with_topic(stack)
    result = stack.cli("publish", "--topic", "payment", "-m", "x")
    assert result.exit_code == 1
    assert "has no topic 'payment'" in result.stderr and "Did you mean 'payments'?" in result.stderr


def test_fifo_topic_needs_a_group(stack: Stack) -> None:
    with_topic(stack, "ledger.fifo")
    refused = stack.cli("publish", "--topic", "ledger.fifo", "-m", "x")
    assert refused.exit_code == 1 and "--group GROUP" in refused.stderr
    ok = stack.cli("publish", "--topic", "ledger.fifo", "-m", "x", "--group", "c-1", "--json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["published"] == 1


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["-a", "kind"], "NAME=VALUE"),
        (["-a", "kind:Text=x"], "no data type 'Text'"),
        (["-a", "n:Number=ten"], "is not a number"),
        (["--group", "g"], "FIFO topics only"),
        (["--detail-type", "Order Created"], "use --message"),
    ],
)
def test_bad_topic_input_is_refused_before_any_call(
    stack: Stack, args: list[str], error: str
) -> None:
    with_topic(stack)
    result = stack.cli("publish", "--topic", "payments", "-m", "x", *args)
    assert result.exit_code == 1, result.output
    assert error in result.stderr
    assert received(stack) == []


def test_topic_options_need_topic(stack: Stack) -> None:
    result = stack.cli("publish", "-m", "x")
    assert result.exit_code == 1 and "need --topic NAME" in result.stderr
