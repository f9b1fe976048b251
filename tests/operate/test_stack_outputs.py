"""Parsing the new stack output keys (interfaces.md) and "did you mean"."""

from __future__ import annotations

import pytest

from eventpipe.operate.exceptions import UnknownConsumerError, suggest
from eventpipe.operate.stack_outputs import parse_outputs

BUS = {"name": "b", "arn": "arn:aws:events:us-east-1:1:event-bus/b"}
BASE = {"queueUrl": "u", "queueArn": "arn:aws:sqs:us-east-1:1:q", "dlqUrl": "d", "dlqArn": "a"}


def test_new_keys_parse_and_old_outputs_still_do() -> None:
    outputs = parse_outputs(
        {
            "bus": BUS,
            "consumers": {
                "old": dict(BASE, functionName="eventpipe-dev-old"),
                "piped": dict(
                    BASE,
                    fifo=True,
                    messageGroup="$.detail.customerId",
                    intakeQueueUrl="iu",
                    intakeQueueArn="ia",
                    intakeDlqUrl="idu",
                    intakeDlqArn="ida",
                    pipeName="p",
                    pipeArn="pa",
                    pipeLogGroup="/aws/vendedlogs/pipes/p",
                    logGroupName="/custom/group",
                    eventSourceMappingUuid="esm-1",
                    topicArn=None,
                    circuitBreaker={"errors": 5, "period": 60, "cooldown": 300},
                ),
            },
        },
        origin="x",
        stack="dev",
    )
    old, piped = outputs.consumer("old"), outputs.consumer("piped")
    assert old.log_group == "/aws/lambda/eventpipe-dev-old"  # Lambda's default name
    assert not old.has_intake and old.event_source_mapping_uuid is None
    assert piped.has_intake and piped.intake_dlq_arn == "ida"
    assert (piped.message_group, piped.pipe_name) == ("$.detail.customerId", "p")
    assert piped.log_group == "/custom/group"
    assert piped.event_source_mapping_uuid == "esm-1"
    assert piped.circuit_breaker == {"errors": 5, "period": 60, "cooldown": 300}
    assert outputs.topics == {} and outputs.breaker is None


def test_issue_13_top_level_keys() -> None:
    outputs = parse_outputs(
        {
            "bus": BUS,
            "consumers": {},
            "topics": {"orders": "arn:aws:sns:us-east-1:1:orders"},
            "breaker": {"functionName": "f", "ruleName": "r"},
            "deadLetterArchive": {"bucketName": "b", "afterDays": 7, "expireDays": 365},
        },
        origin="x",
        stack="dev",
    )
    assert outputs.topics == {"orders": "arn:aws:sns:us-east-1:1:orders"}
    assert outputs.breaker == {"functionName": "f", "ruleName": "r"}
    assert outputs.dead_letter_archive is not None
    assert outputs.dead_letter_archive["bucketName"] == "b"


def test_unknown_consumer_names_the_closest_one() -> None:
    outputs = parse_outputs(
        {"bus": BUS, "consumers": {"order-processing": BASE, "inventory": BASE}},
        origin="x",
        stack="prod",
    )
    with pytest.raises(UnknownConsumerError) as info:
        outputs.consumer("order-procesing")
    message = str(info.value)
    assert "stack 'prod' has no consumer 'order-procesing'." in message
    assert "Did you mean 'order-processing'?" in message
    assert "inventory, order-processing" in message
    assert info.value.suggestion == "order-processing"


def test_suggest() -> None:
    known = ["orders", "inventory", "mailer"]
    assert suggest("Orders", known) == "orders"  # case only
    assert suggest("invetory", known) == "inventory"
    assert suggest("zzz", known) is None
    assert suggest("x", []) is None
