"""The event-patterns shim: moto's embedded EventBridge routes with our matcher."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.events.models import EventPattern
from moto.events.responses import EventsHandler

import eventpipe

SHIM = Path(eventpipe.__file__).parent / "local" / "emulator" / "shims" / "event_patterns.py"

PATTERN = {"detail": {"items": {"sku": ["book-1"]}}}
EVENT_DETAIL = {"items": [{"sku": "pen-9"}, {"sku": "book-1"}]}


def _load_shim() -> ModuleType:
    spec = importlib.util.spec_from_file_location("event_patterns_shim", SHIM)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def shim(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # Restore moto's own methods after the test, so other tests see moto unpatched.
    monkeypatch.setattr(EventPattern, "matches_event", EventPattern.matches_event)
    monkeypatch.setattr(EventsHandler, "test_event_pattern", EventsHandler.test_event_pattern)
    return _load_shim()


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


def test_moto_alone_misses_a_field_inside_an_array_of_objects(shim: ModuleType) -> None:
    event = {"source": "s", "detail": EVENT_DETAIL}
    assert not EventPattern.load(json.dumps(PATTERN)).matches_event(event)  # type: ignore[arg-type]
    with mock_aws():
        assert _route_one() == []


def test_shim_routes_it_as_aws_does(shim: ModuleType) -> None:
    shim.apply()
    with mock_aws():
        (message,) = _route_one()
    assert json.loads(message["Body"])["detail"] == EVENT_DETAIL


def test_shim_answers_test_event_pattern(shim: ModuleType) -> None:
    shim.apply()
    event = {
        "id": "1",
        "account": "123456789012",
        "source": "s",
        "detail-type": "t",
        "time": "2026-11-23T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": EVENT_DETAIL,
    }
    with mock_aws():
        events = boto3.client("events", region_name="us-east-1")
        ok = events.test_event_pattern(EventPattern=json.dumps(PATTERN), Event=json.dumps(event))
        other = {"detail": {"items": {"sku": ["nope"]}}}
        no = events.test_event_pattern(EventPattern=json.dumps(other), Event=json.dumps(event))
    assert ok["Result"] is True
    assert no["Result"] is False
