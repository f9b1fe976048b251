"""The archiver on moto: old dead letters move to S3 (then leave the DLQ), young ones
stay visible, a failed write keeps the message, counts and the notice are published."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from eventpipe import contract
from eventpipe.stack_functions import archiver as archiver_module
from eventpipe.stack_functions.archiver import NO_REASON, Archiver, archive_key
from eventpipe.stack_functions.settings import (
    ARCHIVED_METRIC,
    ENV_ARCHIVE_AFTER_DAYS,
    ENV_ARCHIVE_BUCKET,
    ENV_ARCHIVE_TOPIC,
)

BUCKET = "eventpipe-test-dead-letters"
DLQ = "eventpipe-test-orders-dlq"


@dataclass
class World:
    sqs: Any
    s3: Any
    sns: Any
    url: str
    topic: str
    inbox: str

    def archiver(self, now: datetime, **kw: Any) -> Archiver:
        return Archiver(
            sqs=self.sqs, s3=kw.pop("s3", self.s3), cloudwatch=boto3.client("cloudwatch"),
            sns=self.sns, bucket=BUCKET, after_days=10, queues={"orders": DLQ},
            topic_arn=self.topic, now=lambda: now, **kw,
        )  # fmt: skip

    def visible(self) -> int:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attrs["Attributes"]["ApproximateNumberOfMessages"])

    def objects(self) -> list[str]:
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.fixture
def world() -> World:
    sqs, s3, sns = boto3.client("sqs"), boto3.client("s3"), boto3.client("sns")
    url = sqs.create_queue(QueueName=DLQ)["QueueUrl"]
    s3.create_bucket(Bucket=BUCKET)
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )  # fmt: skip
    return World(sqs, s3, sns, url, topic, inbox)


def send_dead_letter(world: World, body: str = '{"detail": {}}', **attrs: Any) -> str:
    attributes = {
        name: {"DataType": "String", "StringValue": value} for name, value in attrs.items()
    }
    return world.sqs.send_message(
        QueueUrl=world.url, MessageBody=body, MessageAttributes=attributes
    )["MessageId"]


def test_an_old_dead_letter_moves_to_s3_with_its_reason_then_leaves_the_dlq(world: World) -> None:
    message_id = send_dead_letter(
        world,
        **{contract.DLQ_ATTR_ERROR_TYPE: "PermanentError",
           contract.DLQ_ATTR_ERROR_MESSAGE: "bad order",
           contract.DLQ_ATTR_RECEIVE_COUNT: "1"},
    )  # fmt: skip
    now = datetime.now(UTC) + timedelta(days=10, minutes=1)
    summary = world.archiver(now).run()
    assert summary["archived"] == {"orders": 1} and summary["failed"] == {"orders": 0}
    key = archive_key("orders", now, message_id)
    assert key == f"orders/{now:%Y-%m-%d}/{message_id}.json"
    assert world.objects() == [key]
    record = json.loads(world.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    assert record["body"] == '{"detail": {}}'
    assert record["messageId"] == message_id and record["consumer"] == "orders"
    assert record["sourceQueue"] == world.url
    assert record["reason"] == {
        "errorType": "PermanentError", "errorMessage": "bad order", "receiveCount": "1",
    }  # fmt: skip
    assert record["ageSeconds"] >= 10 * 86_400
    assert "SentTimestamp" in record["attributes"]
    assert world.visible() == 0  # deleted from the DLQ


def test_a_young_dead_letter_stays_visible_in_the_dlq(world: World) -> None:
    send_dead_letter(world)
    now = datetime.now(UTC) + timedelta(days=9, hours=23)
    assert world.archiver(now).run()["archived"] == {"orders": 0}
    assert world.objects() == []
    assert world.visible() == 1  # made visible again at once, not hidden for minutes


def test_more_than_ten_young_messages_are_all_made_visible_again(world: World) -> None:
    for i in range(13):
        send_dead_letter(world, body=str(i))
    world.archiver(datetime.now(UTC)).run()
    assert world.visible() == 13


def test_a_failed_write_keeps_the_message_in_the_dlq(world: World) -> None:
    send_dead_letter(world)

    class BrokenS3:
        def put_object(self, **_: Any) -> None:
            raise RuntimeError("S3 is down")

    now = datetime.now(UTC) + timedelta(days=11)
    summary = world.archiver(now, s3=BrokenS3()).run()
    assert summary["archived"] == {"orders": 0} and summary["failed"] == {"orders": 1}
    # hidden only for RECEIVE_VISIBILITY, never deleted
    attrs = world.sqs.get_queue_attributes(
        QueueUrl=world.url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 1


def test_a_dead_letter_without_reason_says_so_and_keeps_binary_attributes(world: World) -> None:
    world.sqs.send_message(
        QueueUrl=world.url, MessageBody="plain text",
        MessageAttributes={"blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
    )  # fmt: skip
    now = datetime.now(UTC) + timedelta(days=12)
    world.archiver(now).run()
    [key] = world.objects()
    record = json.loads(world.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    assert record["reason"] == {"errorMessage": NO_REASON}
    assert base64.b64decode(record["messageAttributes"]["blob"]["BinaryValue"]) == b"\x00\x01"


def test_the_count_is_published_and_a_notice_goes_to_the_alarm_topic(world: World) -> None:
    send_dead_letter(world)
    send_dead_letter(world)
    world.archiver(datetime.now(UTC) + timedelta(days=13)).run()
    metrics = boto3.client("cloudwatch").list_metrics(Namespace=contract.METRICS_NAMESPACE)
    names = {(m["MetricName"], m["Dimensions"][0]["Value"]) for m in metrics["Metrics"]}
    assert (ARCHIVED_METRIC, "orders") in names
    notices = world.sqs.receive_message(QueueUrl=world.inbox, WaitTimeSeconds=1)["Messages"]
    assert "2 dead letters" in notices[0]["Body"] and "orders: 2" in notices[0]["Body"]


def test_no_notice_when_nothing_was_archived(world: World) -> None:
    world.archiver(datetime.now(UTC)).run()
    assert world.sqs.receive_message(QueueUrl=world.inbox).get("Messages") is None


def test_it_stops_taking_batches_when_the_invocation_runs_out(world: World) -> None:
    send_dead_letter(world)
    archiver = world.archiver(datetime.now(UTC) + timedelta(days=11), time_left_ms=lambda: 1000)
    assert archiver.run()["archived"] == {"orders": 0}
    assert world.visible() == 1


def test_the_lambda_entry_point_reads_its_environment_and_event(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_ARCHIVE_BUCKET, BUCKET)
    monkeypatch.setenv(ENV_ARCHIVE_AFTER_DAYS, "0")
    monkeypatch.setenv(ENV_ARCHIVE_TOPIC, world.topic)
    send_dead_letter(world)

    class Context:
        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 600_000

    assert archiver_module.handler({}, Context())["total"] == 0  # no DLQ named: nothing read
    assert archiver_module.handler({"queues": {"orders": DLQ}}, Context())["total"] == 1
    assert len(world.objects()) == 1


def test_young_messages_that_reappear_end_the_scan_instead_of_looping(world: World) -> None:
    """A young message is hidden only RECEIVE_VISIBILITY seconds: a long scan sees it
    again, and must stop there rather than receive it until the invocation runs out."""
    message = {
        "MessageId": "m-1", "ReceiptHandle": "r-1", "Body": "x",
        "Attributes": {"SentTimestamp": str(int(datetime.now(UTC).timestamp() * 1000))},
    }  # fmt: skip

    class ReappearingSqs:
        receives = 0
        shown_again: list[Any] = []

        def get_queue_url(self, QueueName: str) -> dict[str, str]:
            return {"QueueUrl": f"https://sqs/{QueueName}"}

        def receive_message(self, **_: Any) -> dict[str, Any]:
            self.receives += 1
            assert self.receives < 10, "the scan keeps receiving the same message"
            return {"Messages": [dict(message)]}

        def change_message_visibility_batch(self, **kwargs: Any) -> None:
            self.shown_again.append(kwargs["Entries"])

    sqs = ReappearingSqs()
    archiver = world.archiver(datetime.now(UTC))
    archiver.sqs = sqs
    assert archiver.run()["archived"] == {"orders": 0}
    assert sqs.receives == 2
    assert [[e["ReceiptHandle"] for e in batch] for batch in sqs.shown_again] == [["r-1"]]
