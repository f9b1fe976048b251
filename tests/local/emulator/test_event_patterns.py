"""The event-patterns shim: the embedded server routes with our matcher, moto alone
does not (and ``mock_aws`` keeps moto's own, see test_shim_scope.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.events.models import EventPattern

from eventpipe.local.emulator.server import Emulator, start_emulator

PATTERN = {"detail": {"items": {"sku": ["book-1"]}}}
EVENT_DETAIL = {"items": [{"sku": "pen-9"}, {"sku": "book-1"}]}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator()
    yield running
    running.stop()


def _route_one(events: Any, sqs: Any) -> list[dict[str, Any]]:
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


def test_moto_alone_misses_a_field_inside_an_array_of_objects(emulator: Emulator) -> None:
    event = {"source": "s", "detail": EVENT_DETAIL}
    # Outside a request of the embedded server, moto's classes answer as moto does.
    assert not EventPattern.load(json.dumps(PATTERN)).matches_event(event)  # type: ignore[arg-type]
    with mock_aws():
        region = "us-east-1"
        assert _route_one(boto3.client("events", region), boto3.client("sqs", region)) == []


def test_shim_routes_it_as_aws_does(emulator: Emulator) -> None:
    emulator.reset()
    (message,) = _route_one(emulator.client("events"), emulator.client("sqs"))
    assert json.loads(message["Body"])["detail"] == EVENT_DETAIL
