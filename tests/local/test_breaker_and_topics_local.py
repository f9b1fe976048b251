"""Two stack features on one local engine, end to end and time-scaled (0.01).

The circuit breaker: failing records -> the runtime's ``RecordsRetried`` (EMF) -> the
breaker alarm evaluated locally goes to ALARM -> its state-change event on the default
bus -> the breaker rule -> the breaker function (a Lambda target, invoked asynchronously
in the local pool) -> mapping disabled and a one-time schedule -> the schedule fires
after the scaled cooldown -> half-open (concurrency 2) -> records succeed -> alarm OK ->
closed.

SNS fan-out: a message published to a stack topic reaches the consumer subscribed to it
(moto's SNS -> SQS delivery, the non-raw envelope decoded by the runtime), and one the
subscription's filter policy rejects never does.

Both deploy the same program (the ``stack-features`` plugin with the ``payments``
topic), so one engine serves the module: each test owns its consumer, its queues and
the file its handler writes (``cb-orders``: ``breaker.txt``; ``sns-refunds``:
``sns.txt``), and reads only those. Every wait is on a condition with a generous
deadline (the suite runs on busy CPUs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventpipe.local import LocalEngine
from eventpipe.stack_functions.breaker import schedule_name
from tests.local.fixtures.plugins.stack_features import BREAKER, TOPIC_CONSUMER
from tests.local.stack_features import lines, stack_features_engine, wait_for

N = 5


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalEngine, Path]]:
    root = tmp_path_factory.mktemp("features")
    with stack_features_engine(
        root, "features", {"eventpipe:topics": ["payments"]}, time_scale=0.01
    ) as e:
        yield e


def actions(engine: LocalEngine) -> list[str]:
    invoker = engine.async_invokers[engine.outputs.breaker.function_name]
    return [r.get("action") for r in invoker.results() if isinstance(r, dict)]


def mapping(engine: LocalEngine) -> dict[str, Any]:
    uuid = engine.outputs.consumer(BREAKER).event_source_mapping_uuid
    return dict(engine.client("lambda").get_event_source_mapping(UUID=uuid))


def depth(engine: LocalEngine, url: str) -> int:
    attributes = engine.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


def test_breaker_resources_are_deployed(engine: tuple[LocalEngine, Path]) -> None:
    eng, _ = engine
    breaker = eng.outputs.breaker
    entry = eng.outputs.consumer(BREAKER).circuit_breaker
    rule = eng.client("events").describe_rule(Name=breaker.rule_name, EventBusName="default")
    assert "CloudWatch Alarm State Change" in rule["EventPattern"]
    targets = eng.client("events").list_targets_by_rule(
        Rule=breaker.rule_name, EventBusName="default"
    )["Targets"]
    assert [t["Arn"].rsplit(":", 1)[-1] for t in targets] == [breaker.function_name]
    group = eng.client("scheduler").get_schedule_group(Name=breaker.schedule_group)
    assert group["State"] == "ACTIVE"
    alarm = eng.client("cloudwatch").describe_alarms(AlarmNames=[entry.alarm_name])
    assert alarm["MetricAlarms"][0]["MetricName"] == "RecordsRetried"


def test_breaker_trips_holds_messages_and_recovers(engine: tuple[LocalEngine, Path]) -> None:
    eng, work = engine
    consumer = eng.outputs.consumer(BREAKER)
    group = eng.outputs.breaker.schedule_group
    scheduler = eng.client("scheduler")
    (work / "down").write_text("")
    eng.put_events(
        [
            {"Source": "features.breaker", "DetailType": "Order", "Detail": f'{{"n": {n}}}'}
            for n in range(1, N + 1)
        ]
    )
    wait_for(lambda: "open" in actions(eng), "the breaker to open")
    wait_for(lambda: mapping(eng)["State"] == "Disabled", "the mapping to be disabled")
    record = scheduler.get_schedule(Name=schedule_name(BREAKER), GroupName=group)
    assert record["ScheduleExpression"].startswith("at(")
    assert record["ActionAfterCompletion"] == "NONE"
    assert "open since" in record["Description"]
    # Open: every message waits in the queue, none is dead-lettered.
    assert depth(eng, consumer.queue_url) == N
    assert depth(eng, consumer.dlq_url) == 0
    assert lines(work / "breaker.txt") == []

    (work / "down").unlink()  # the downstream is back
    wait_for(lambda: "closed" in actions(eng), "the breaker to close", timeout=180)
    seen = actions(eng)
    last = {action: max(i for i, a in enumerate(seen) if a == action) for action in set(seen)}
    assert "half-open" in last, seen
    assert last["open"] < last["half-open"] < last["closed"], seen
    # The breaker closes when its alarm is OK again, which one period without failures
    # brings about; a record that failed before the breaker opened may still be waiting
    # out its visibility timeout then. Wait for the handler's own record of every success.
    wait_for(lambda: len(lines(work / "breaker.txt")) >= N, "every record to succeed")
    assert sorted(lines(work / "breaker.txt"), key=int) == [str(n) for n in range(1, N + 1)]
    state = mapping(eng)
    assert state["State"] in ("Enabled", "Enabling")
    assert not (state.get("ScalingConfig") or {}).get("MaximumConcurrency")  # restored
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException):
        scheduler.get_schedule(Name=schedule_name(BREAKER), GroupName=group)
    assert depth(eng, consumer.dlq_url) == 0
    alarm = eng.client("cloudwatch").describe_alarms(
        AlarmNames=[consumer.circuit_breaker.alarm_name]
    )["MetricAlarms"][0]
    assert alarm["StateValue"] == "OK"


def publish(engine: LocalEngine, message: dict[str, Any], kind: str) -> str:
    topic = engine.outputs.topics["payments"]
    return str(
        engine.client("sns").publish(
            TopicArn=topic,
            Message=json.dumps(message),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}},
        )["MessageId"]
    )


def test_topic_and_subscription_are_deployed(engine: tuple[LocalEngine, Path]) -> None:
    eng, _ = engine
    entry = eng.outputs.consumer(TOPIC_CONSUMER)
    topic = eng.outputs.topics["payments"]
    assert entry.topic_arn == topic
    sns = eng.client("sns")
    attributes = sns.get_subscription_attributes(SubscriptionArn=entry.subscription_arn)[
        "Attributes"
    ]
    assert attributes["Protocol"] == "sqs"
    assert attributes["Endpoint"] == entry.queue_arn
    assert json.loads(attributes["FilterPolicy"]) == {"kind": ["refund", {"prefix": "chargeback"}]}
    assert attributes.get("RawMessageDelivery", "false") == "false"
    topic_attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert topic_attributes["KmsMasterKeyId"] == "alias/aws/sns"
    assert "sns:Publish" in topic_attributes["Policy"]


def test_published_message_reaches_its_consumer_and_filtered_one_does_not(
    engine: tuple[LocalEngine, Path],
) -> None:
    eng, work = engine
    out = work / "sns.txt"
    # Published first: the filtered message would be delivered before the ones after it
    # (moto delivers on Publish), so once those are handled it has had every chance.
    publish(eng, {"refund": "r-filtered"}, kind="sale")
    publish(eng, {"refund": "r-1"}, kind="refund")
    publish(eng, {"refund": "r-2"}, kind="chargeback-fraud")
    handled = wait_for(lambda: len(lines(out)) >= 2 and lines(out), "both refunds handled")
    assert eng.wait_until_settled(timeout=120)
    bodies = [json.loads(line) for line in lines(out)]
    assert sorted(b["refund"] for b in bodies) == ["r-1", "r-2"], handled
    dlq = eng.outputs.consumer(TOPIC_CONSUMER).dlq_url
    assert "Messages" not in eng.client("sqs").receive_message(QueueUrl=dlq, WaitTimeSeconds=0)
