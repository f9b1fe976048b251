"""Emulator shims against AWS's documented behaviour: replays honour FilterArns, and a
rule target's MessageGroupId is literal (EventBridge never evaluates a path there)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.emulator.shims import apply_moto_shims


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    apply_moto_shims()
    running = start_emulator()
    yield running
    running.stop()


def _queue(sqs: Any, name: str, fifo: bool = False) -> tuple[str, str]:
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return got
        for message in messages:
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_a_replay_reaches_only_the_rules_in_filter_arns(emulator: Emulator) -> None:
    emulator.reset()
    events, sqs = emulator.client("events"), emulator.client("sqs")
    bus_arn = events.create_event_bus(Name="shop")["EventBusArn"]
    rules = {}
    for name in ("orders", "billing"):
        url, arn = _queue(sqs, name)
        rule_arn = events.put_rule(
            Name=name, EventBusName="shop", EventPattern=json.dumps({"source": ["shop"]})
        )["RuleArn"]
        events.put_targets(Rule=name, EventBusName="shop", Targets=[{"Id": "q", "Arn": arn}])
        rules[name] = (rule_arn, url)
    archive_arn = events.create_archive(ArchiveName="shop-archive", EventSourceArn=bus_arn)[
        "ArchiveArn"
    ]
    events.put_events(
        Entries=[{"EventBusName": "shop", "Source": "shop", "DetailType": "x", "Detail": "{}"}]
    )
    assert [len(_drain(sqs, url)) for _, url in rules.values()] == [1, 1]

    now = datetime.now(UTC)
    events.start_replay(
        ReplayName="only-orders",
        EventSourceArn=archive_arn,
        EventStartTime=now - timedelta(hours=1),
        EventEndTime=now + timedelta(minutes=1),
        Destination={"Arn": bus_arn, "FilterArns": [rules["orders"][0]]},
    )
    deadline = time.monotonic() + 60
    while events.describe_replay(ReplayName="only-orders")["State"] != "COMPLETED":
        assert time.monotonic() < deadline, "replay never completed"
        time.sleep(0.05)
    replayed = _drain(sqs, rules["orders"][1])
    assert len(replayed) == 1
    assert json.loads(replayed[0]["Body"])["replay-name"] == "only-orders"
    assert _drain(sqs, rules["billing"][1]) == []  # not in FilterArns: nothing replayed


def test_a_rule_targets_message_group_id_is_literal(emulator: Emulator) -> None:
    emulator.reset()
    events, sqs = emulator.client("events"), emulator.client("sqs")
    url, arn = _queue(sqs, "orders.fifo", fifo=True)
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule="orders",
        Targets=[
            {"Id": "q", "Arn": arn, "SqsParameters": {"MessageGroupId": "$.detail.customerId"}}
        ],
    )
    events.put_events(
        Entries=[
            {"Source": "shop", "DetailType": "x", "Detail": json.dumps({"customerId": c})}
            for c in ("c-1", "c-2")
        ]
    )
    got = _drain(sqs, url)
    assert len(got) == 2
    # As on AWS: one group literally named after the path, for every customer.
    assert {m["Attributes"]["MessageGroupId"] for m in got} == {"$.detail.customerId"}


def test_event_json_in_a_transformer_is_the_event_as_published(emulator: Emulator) -> None:
    emulator.reset()
    events, sqs = emulator.client("events"), emulator.client("sqs")
    url, arn = _queue(sqs, "wrapped")
    events.put_rule(Name="wrap", EventPattern=json.dumps({"source": ["shop"]}))
    template = '{"eventpipe": {"reason": "no group"}, "event": <aws.events.event.json>}'
    events.put_targets(
        Rule="wrap",
        Targets=[
            {
                "Id": "q",
                "Arn": arn,
                "InputTransformer": {"InputPathsMap": {}, "InputTemplate": template},
            }
        ],
    )
    events.put_events(
        Entries=[{"Source": "shop", "DetailType": "x", "Detail": json.dumps({"k": 1})}]
    )
    [message] = _drain(sqs, url)
    body = json.loads(message["Body"])
    assert body["eventpipe"] == {"reason": "no group"}
    assert body["event"]["detail"] == {"k": 1} and body["event"]["source"] == "shop"
    assert "ingestion-time" not in body["event"]  # not a field of the published event
    assert body["event"]["account"]


def test_a_fifo_receive_fills_up_from_one_group_and_sequence_numbers_grow(
    emulator: Emulator,
) -> None:
    emulator.reset()
    sqs = emulator.client("sqs")
    url, _ = _queue(sqs, "groups.fifo", fifo=True)
    for n in range(30):  # interleaved: a, b, c, a, b, c...
        sqs.send_message(QueueUrl=url, MessageBody=f"{n}", MessageGroupId="abc"[n % 3])
    first = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )["Messages"]
    # As many of one group as possible: all 10 from group "a", in send order.
    assert [m["Attributes"]["MessageGroupId"] for m in first] == ["a"] * 10
    assert [int(m["Body"]) for m in first] == list(range(0, 30, 3))
    sequence = [int(m["Attributes"]["SequenceNumber"]) for m in first]
    assert sequence == sorted(sequence) and len(set(sequence)) == 10
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [int(m["Body"]) for m in second] == list(range(1, 30, 3))  # then group "b"
