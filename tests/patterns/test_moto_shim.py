"""The event-patterns shim: moto's embedded EventBridge routes with our matcher."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.events.models import EventPattern

from eventpipe.local.emulator.shims import event_patterns

PATTERN = {"detail": {"items": {"sku": ["book-1"]}}}
EVENT_DETAIL = {"items": [{"sku": "pen-9"}, {"sku": "book-1"}]}


@pytest.fixture
def moto_matcher(monkeypatch: pytest.MonkeyPatch) -> Any:
    """moto's own matcher, whether or not an engine already shimmed this process."""
    original = event_patterns.MOTO_MATCHES_EVENT or EventPattern.matches_event
    monkeypatch.setattr(EventPattern, "matches_event", original)
    monkeypatch.setattr(event_patterns, "_APPLIED", False)
    return original


def _route_one(region: str = "us-east-1") -> list[dict[str, Any]]:
    events = boto3.client("events", region_name=region)
    sqs = boto3.client("sqs", region_name=region)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name="r", EventPattern=json.dumps(PATTERN))
    events.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arn}])
    events.put_events(
        Entries=[{"Source": "s", "DetailType": "t", "Detail": json.dumps(EVENT_DETAIL)}]
    )
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])


def test_moto_alone_misses_a_field_inside_an_array_of_objects(moto_matcher: Any) -> None:
    event = {"source": "s", "detail": EVENT_DETAIL}
    assert not EventPattern.load(json.dumps(PATTERN)).matches_event(event)  # type: ignore[arg-type]
    with mock_aws():
        assert _route_one() == []


def test_shim_routes_it_as_aws_does(moto_matcher: Any) -> None:
    event_patterns.rule_matching()
    assert EventPattern.matches_event is not moto_matcher
    with mock_aws():
        (message,) = _route_one()
    assert json.loads(message["Body"])["detail"] == EVENT_DETAIL
