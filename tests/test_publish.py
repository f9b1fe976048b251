"""eventpipe.publish.Publisher: batching, size limits, retries, against moto and fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from pydantic import BaseModel

from eventpipe.publish import (
    MAX_REQUEST_BYTES,
    EntryTooLargeError,
    InvalidEntryError,
    OutgoingEvent,
    PublishCallError,
    Publisher,
    batches,
    entry_size,
)


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


class FakeEvents:
    """A PutEvents stand-in: answers each call from a script of per-entry outcomes.

    ``script`` holds one list per call; each item is None (success) or an ErrorCode,
    or a whole call may be an exception instance to raise.
    """

    def __init__(self, script: list[Any]):
        self.script = list(script)
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        outcome = self.script.pop(0) if self.script else [None] * len(Entries)
        if isinstance(outcome, Exception):
            raise outcome
        results = []
        for i, code in enumerate(outcome[: len(Entries)]):
            if code is None:
                results.append({"EventId": f"id-{len(self.calls)}-{i}"})
            else:
                results.append({"ErrorCode": code, "ErrorMessage": f"{code} happened"})
        return {"FailedEntryCount": sum(c is not None for c in outcome), "Entries": results}


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code}!"}}, "PutEvents")


def make(fake: Any, **kwargs: Any) -> tuple[Publisher, list[float]]:
    sleeps: list[float] = []
    publisher = Publisher(
        "bus", client=fake, source="tests", sleep=sleeps.append, rng=lambda: 1.0, **kwargs
    )
    return publisher, sleeps


def test_entry_size_follows_aws_rules() -> None:
    entry = {
        "Source": "src",  # 3
        "DetailType": "Tÿpe",  # 5 bytes in UTF-8
        "Detail": '{"a":"é"}',  # 10 bytes
        "Resources": ["r1", "r22"],  # 5
        "EventBusName": "not counted at all",
    }
    assert entry_size(entry) == 3 + 5 + 10 + 5
    assert entry_size(entry | {"Time": datetime.now(UTC)}) == 3 + 5 + 10 + 5 + 14


def test_batches_respect_count_and_size_limits() -> None:
    small = [{"Source": "s", "DetailType": "t", "Detail": "{}"} for _ in range(25)]
    assert [len(b) for b in batches(small)] == [10, 10, 5]
    big_detail = json.dumps({"x": "a" * 400_000})
    big = [{"Source": "s", "DetailType": "t", "Detail": big_detail} for _ in range(5)]
    sizes = [len(b) for b in batches(big)]
    assert sizes == [2, 2, 1]  # three ~400 KB entries would pass 1 MiB
    for batch in batches(big):
        assert sum(entry_size(e) for e in batch) <= MAX_REQUEST_BYTES


def test_oversized_entry_fails_before_any_call() -> None:
    fake = FakeEvents([])
    publisher, _ = make(fake)
    events = [OutgoingEvent("ok", {"a": 1}), OutgoingEvent("huge", {"x": "a" * MAX_REQUEST_BYTES})]
    with pytest.raises(EntryTooLargeError) as info:
        publisher.publish_many(events)
    assert info.value.index == 1
    assert "event 1 is 1,048," in str(info.value) and "1,048,576" in str(info.value)
    assert fake.calls == []


def test_invalid_detail_and_missing_source_are_named() -> None:
    publisher = Publisher("bus", client=FakeEvents([]))
    with pytest.raises(InvalidEntryError, match="event 0: no source"):
        publisher.publish("T", {})
    publisher.source = "s"
    with pytest.raises(InvalidEntryError, match="event 0: detail must be a JSON object"):
        publisher.publish("T", "[1, 2]")
    with pytest.raises(InvalidEntryError, match="not valid JSON"):
        publisher.publish("T", "{nope")


def test_failed_entries_are_retried_with_backoff_until_published() -> None:
    fake = FakeEvents(
        [
            [None, "ThrottlingException", None, "InternalFailure"],
            ["ThrottlingException", None],
            [None],
        ]
    )
    publisher, sleeps = make(fake, base_delay=0.5)
    result = publisher.publish_many([OutgoingEvent("t", {"n": i}) for i in range(4)])
    assert result.ok and result.succeeded == 4
    # Only the failed entries are sent again, in their original order.
    assert [json.loads(e["Detail"])["n"] for e in fake.calls[1]] == [1, 3]
    assert [json.loads(e["Detail"])["n"] for e in fake.calls[2]] == [1]
    assert sleeps == [0.5, 1.0]  # full jitter capped at base * 2**n (rng pinned to 1)
    assert result.retried == 3 and result.calls == 3


def test_permanent_failures_are_reported_not_retried() -> None:
    fake = FakeEvents([[None, "MalformedDetail", "AccessDeniedException"]])
    publisher, sleeps = make(fake)
    result = publisher.publish_many(
        [OutgoingEvent("a", {}), OutgoingEvent("b", {}), OutgoingEvent("c", {})]
    )
    assert not result.ok
    assert [(f.index, f.detail_type, f.error_code, f.attempts) for f in result.failures] == [
        (1, "b", "MalformedDetail", 1),
        (2, "c", "AccessDeniedException", 1),
    ]
    assert result.failure_counts() == {"MalformedDetail": 1, "AccessDeniedException": 1}
    assert len(fake.calls) == 1 and sleeps == []


def test_retryable_failure_gives_up_after_max_attempts() -> None:
    fake = FakeEvents([["ThrottlingException"]] * 3)
    publisher, sleeps = make(fake, max_attempts=3)
    result = publisher.publish("t", {})
    assert [(f.error_code, f.attempts) for f in result.failures] == [("ThrottlingException", 3)]
    assert len(fake.calls) == 3 and len(sleeps) == 2


def test_throttled_call_is_retried_whole() -> None:
    fake = FakeEvents([client_error("ThrottlingException"), [None, None]])
    publisher, sleeps = make(fake)
    result = publisher.publish_many([OutgoingEvent("a", {}), OutgoingEvent("b", {})])
    assert result.ok and result.calls == 2 and len(sleeps) == 1


def test_non_retryable_call_error_raises_with_partial_result() -> None:
    fake = FakeEvents([[None] * 10, client_error("ResourceNotFoundException")])
    publisher, _ = make(fake)
    with pytest.raises(PublishCallError) as info:
        publisher.publish_many([OutgoingEvent("t", {"n": i}) for i in range(15)])
    assert info.value.code == "ResourceNotFoundException"
    assert info.value.result.succeeded == 10
    assert "10 of 15" in str(info.value)


def test_progress_reports_settled_events() -> None:
    fake = FakeEvents([[None] * 9 + ["ThrottlingException"], [None] * 3, [None]])
    publisher, _ = make(fake)
    seen: list[int] = []
    result = publisher.publish_many(
        [OutgoingEvent("t", {}) for _ in range(13)], progress=seen.append
    )
    assert result.ok
    assert sum(seen) == 13 and seen[0] == 9


def test_accepts_eventbridge_and_putevents_spellings_and_models() -> None:
    class Detail(BaseModel):
        order_id: str

    fake = FakeEvents([])
    publisher, _ = make(fake)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    publisher.publish_many(
        [
            {"detail-type": "A", "source": "s1", "detail": {"x": 1}, "resources": ["r"]},
            {"DetailType": "B", "Source": "s2", "Detail": '{"y": 2}', "Time": when},
            OutgoingEvent("C", Detail(order_id="o-1")),
        ]
    )
    [call] = fake.calls
    assert [(e["DetailType"], e["Source"]) for e in call] == [
        ("A", "s1"),
        ("B", "s2"),
        ("C", "tests"),
    ]
    assert call[0]["Resources"] == ["r"] and call[1]["Time"] == when
    assert json.loads(call[2]["Detail"]) == {"order_id": "o-1"}
    assert all(e["EventBusName"] == "bus" for e in call)


@mock_aws
def test_publishes_to_a_real_bus_in_batches_and_events_arrive() -> None:
    events = boto3.client("events")
    sqs = boto3.client("sqs")
    events.create_event_bus(Name="shop")
    queue_url = sqs.create_queue(QueueName="sink")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    events.put_rule(Name="all", EventBusName="shop", EventPattern='{"source": ["shop.orders"]}')
    events.put_targets(Rule="all", EventBusName="shop", Targets=[{"Id": "q", "Arn": queue_arn}])

    calls: list[int] = []
    publisher = Publisher("shop", source="shop.orders")
    real = publisher.client.put_events

    def counting(**kwargs: Any) -> Any:
        calls.append(len(kwargs["Entries"]))
        return real(**kwargs)

    publisher.client.put_events = counting  # type: ignore[method-assign]
    result = publisher.publish_many(
        OutgoingEvent("Order Created", {"orderId": f"o-{i}"}) for i in range(23)
    )
    assert result.ok and result.succeeded == 23
    assert calls == [10, 10, 3]
    assert len(set(result.event_ids.values())) == 23

    received = 0
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            break
        received += len(messages)
        for message in messages:
            body = json.loads(message["Body"])
            assert body["detail-type"] == "Order Created"
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    assert received == 23
