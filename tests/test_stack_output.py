"""The stack-output contract: the JSON shape the program exports, read back with defaults
for older outputs, and the errors a reader meets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventpipe.output_json import json_key
from eventpipe.stack_output import (
    BreakerOutputs,
    BusOutputs,
    CircuitBreakerOutputs,
    ConsumerOutputs,
    DeadLetterArchiveOutputs,
    StackOutputError,
    StackOutputs,
    UnknownConsumerError,
)

BUS = {"name": "b", "arn": "arn:aws:events:us-east-1:1:event-bus/b"}
BASE = {"queueUrl": "u", "queueArn": "arn:aws:sqs:us-east-1:1:q", "dlqUrl": "d", "dlqArn": "a"}

CONSUMER_KEYS = {
    "plugin", "fifo", "source", "queueUrl", "queueArn", "dlqUrl", "dlqArn", "functionName",
    "functionArn", "ruleName", "ruleArn", "alarmNames", "messageGroup", "logGroupName",
    "eventSourceMappingUuid", "intakeQueueUrl", "intakeQueueArn", "intakeDlqUrl",
    "intakeDlqArn", "pipeName", "pipeArn", "pipeLogGroup", "missingGroupRuleName", "topicArn",
    "subscriptionArn", "circuitBreaker",
}  # fmt: skip
"""Every key of a consumer's entry as ``pulumi stack output --json`` shows it (docs/
operations.md); ``resources`` is added only when the plugin exports outputs."""
BUS_KEYS = {
    "name", "arn", "archiveName", "archiveArn", "deliveryDlqUrl", "deliveryDlqArn",
    "alarmTopicArn", "idempotencyTable", "dashboardName",
}  # fmt: skip


def full_output() -> StackOutputs[str]:
    """Every field set, as a deployed stack with a breaker, an archive and a topic has."""
    piped = ConsumerOutputs(
        name="orders", queue_url="u", queue_arn="qa", dlq_url="d", dlq_arn="da",
        plugin="shop", fifo=True, source="rule", function_name="f", function_arn="fa",
        rule_name="r", rule_arn="ra", alarm_names=("a1", "a2"), message_group="$.detail.k",
        log_group_name="/aws/lambda/f", event_source_mapping_uuid="esm",
        intake_queue_url="iu", intake_queue_arn="ia", intake_dlq_url="idu",
        intake_dlq_arn="ida", pipe_name="p", pipe_arn="pa", pipe_log_group="pl",
        missing_group_rule_name="r-nogroup",
        circuit_breaker=CircuitBreakerOutputs(failed_records=5, period=60, cooldown=300,
                                              alarm_name="orders-breaker"),
        resources={"table": "t"},
    )  # fmt: skip
    fanned = ConsumerOutputs(
        name="mail", queue_url="mu", queue_arn="ma", dlq_url="md", dlq_arn="mda",
        source="topic", topic_arn="arn:aws:sns:us-east-1:1:orders", subscription_arn="sub",
    )  # fmt: skip
    return StackOutputs(
        project="eventpipe",
        stack="dev",
        region="us-east-1",
        bus=BusOutputs(
            name="b",
            arn=BUS["arn"],
            archive_name="ar",
            archive_arn="ara",
            delivery_dlq_url="ddu",
            delivery_dlq_arn="dda",
            alarm_topic_arn="at",
            idempotency_table="it",
            dashboard_name="db",
        ),
        consumers={"orders": piped, "mail": fanned},
        topics={"orders": "arn:aws:sns:us-east-1:1:orders"},
        breaker=BreakerOutputs(function_name="bf", rule_name="br", schedule_group="bg"),
        dead_letter_archive=DeadLetterArchiveOutputs(
            bucket_name="bk",
            archiver_function_name="af",
            after_days=7,
            expire_days=365,
            schedule_name="as",
        ),
    )


def test_the_json_has_the_shape_pulumi_stack_output_shows() -> None:
    data = full_output().to_json()
    assert list(data) == [
        "project", "stack", "region", "bus", "consumers", "topics", "breaker",
        "deadLetterArchive", "retired", "protect",
    ]  # fmt: skip
    assert set(data["bus"]) == BUS_KEYS
    orders, mail = data["consumers"]["orders"], data["consumers"]["mail"]
    assert set(orders) == CONSUMER_KEYS | {"resources"} and set(mail) == CONSUMER_KEYS
    assert orders["alarmNames"] == ["a1", "a2"]  # a JSON list, not a tuple
    assert orders["circuitBreaker"] == {
        "failedRecords": 5, "period": 60, "cooldown": 300, "alarmName": "orders-breaker",
    }  # fmt: skip
    assert mail["circuitBreaker"] is None and mail["topicArn"].endswith(":orders")
    assert data["breaker"] == {"functionName": "bf", "ruleName": "br", "scheduleGroup": "bg"}
    assert data["deadLetterArchive"] == {
        "bucketName": "bk", "archiverFunctionName": "af", "afterDays": 7, "expireDays": 365,
        "scheduleName": "as",
    }  # fmt: skip
    json.dumps(data)  # plain JSON all through


def test_what_is_written_reads_back_the_same() -> None:
    written = full_output()
    text = json.dumps({"eventpipe": written.to_json(), "busName": "b"})
    read = StackOutputs.from_json(json.loads(text), origin="x")
    assert read == written
    assert StackOutputs.from_json(written.to_json(), origin="x") == written  # the value alone


@pytest.mark.parametrize(
    ("field_name", "key"),
    [("queue_url", "queueUrl"), ("event_source_mapping_uuid", "eventSourceMappingUuid"),
     ("dlq_arn", "dlqArn"), ("name", "name")],
)  # fmt: skip
def test_json_keys_are_camel_case(field_name: str, key: str) -> None:
    assert json_key(field_name) == key


def test_new_keys_parse_and_old_outputs_still_do() -> None:
    outputs = StackOutputs.from_json(
        {
            "bus": BUS,
            "consumers": {
                "old": dict(BASE, functionName="eventpipe-dev-old"),
                "older": dict(BASE, ruleArn="arn:aws:events:us-east-1:1:rule/b/r"),
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
                    # the threshold's key before the field was renamed failed_records
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
    # Before the source key: a consumer with a rule is rule-fed, one without is fed directly.
    assert (old.source, outputs.consumer("older").source) == ("queue", "rule")
    assert old.resources == {} and old.alarm_names == () and old.missing_group_rule_name is None
    assert piped.has_intake and piped.intake_dlq_arn == "ida"
    assert (piped.message_group, piped.pipe_name) == ("$.detail.customerId", "p")
    assert piped.log_group == "/custom/group"
    assert piped.event_source_mapping_uuid == "esm-1"
    assert piped.circuit_breaker == CircuitBreakerOutputs(failed_records=5, period=60, cooldown=300)
    assert outputs.topics == {} and outputs.breaker is None
    assert outputs.stack == "dev" and outputs.bus.account == "1"
    assert outputs.bus.idempotency_table is None and outputs.bus.dashboard_name is None


def test_top_level_topic_breaker_and_archive_keys() -> None:
    outputs = StackOutputs.from_json(
        {
            "bus": BUS,
            "consumers": {},
            "topics": {"orders": "arn:aws:sns:us-east-1:1:orders"},
            "breaker": {"functionName": "f", "ruleName": "r"},
            "deadLetterArchive": {"bucketName": "b", "afterDays": 7, "expireDays": 365},
        },
        origin="x",
    )
    assert outputs.topics == {"orders": "arn:aws:sns:us-east-1:1:orders"}
    assert outputs.breaker == BreakerOutputs(function_name="f", rule_name="r")
    assert outputs.breaker.schedule_group is None  # older outputs: operate says to redeploy
    assert outputs.dead_letter_archive == DeadLetterArchiveOutputs(
        bucket_name="b", after_days=7, expire_days=365
    )


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({"bus": {"arn": BUS["arn"]}, "consumers": {}}, "bus.'name'"),
        ({"bus": BUS, "consumers": {"a": dict(BASE, dlqArn="")}}, "consumers.a.'dlqArn'"),
        (
            {"bus": BUS, "consumers": {"a": dict(BASE, circuitBreaker={"failedRecords": 1})}},
            "consumers.a.circuitBreaker.'period'",
        ),
    ],
)
def test_a_missing_required_key_is_named_with_the_fix(data: dict[str, Any], missing: str) -> None:
    with pytest.raises(StackOutputError) as info:
        StackOutputs.from_json(data, origin="outputs.json")
    message = str(info.value)
    assert message.startswith(f"outputs.json: the eventpipe output has no {missing}")
    assert "run `pulumi up` again" in message


@pytest.mark.parametrize("data", [{"somethingElse": 1}, [], None, {"eventpipe": "x"}])
def test_no_stack_output_says_how_to_get_one(data: Any) -> None:
    with pytest.raises(StackOutputError) as info:
        StackOutputs.from_json(data, origin="outputs.json", stack="prod")
    message = str(info.value)
    assert "outputs.json holds no 'eventpipe' stack output" in message
    assert "pulumi up --stack prod" in message


def test_unknown_consumer_names_the_closest_one() -> None:
    outputs = StackOutputs.from_json(
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
    assert [c.name for c in outputs.select(None)] == ["inventory", "order-processing"]
    assert [c.name for c in outputs.select(["order-processing"])] == ["order-processing"]


def test_the_breaker_threshold_is_failed_records_and_the_old_key_still_reads() -> None:
    def read(breaker: dict[str, Any]) -> CircuitBreakerOutputs[str] | None:
        data = {"bus": BUS, "consumers": {"a": dict(BASE, circuitBreaker=breaker)}}
        return StackOutputs.from_json(data, origin="x").consumer("a").circuit_breaker

    timing = {"period": 60, "cooldown": 120}
    assert read({"failedRecords": 4, **timing}) == CircuitBreakerOutputs(4, 60, 120)
    assert read({"errors": 4, **timing}) == CircuitBreakerOutputs(4, 60, 120)
    # Both present (never written so, but unambiguous): the current name wins.
    assert read({"failedRecords": 4, "errors": 9, **timing}) == CircuitBreakerOutputs(4, 60, 120)
    written = CircuitBreakerOutputs(4, 60, 120).to_json()
    assert "failedRecords" in written and "errors" not in written


def test_a_breaker_entry_joins_its_consumer_without_changing_it() -> None:
    entry = full_output().consumer("mail")
    breaker = CircuitBreakerOutputs(
        failed_records=1, period=60, cooldown=60, alarm_name="m-breaker"
    )
    joined = entry.with_circuit_breaker(breaker)
    assert joined.circuit_breaker == breaker and entry.circuit_breaker is None
    assert joined.to_json()["circuitBreaker"]["alarmName"] == "m-breaker"
