"""Every example consumer gets a complete, wired, least-privilege pipeline."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.function import ENTRY_POINT
from components.intake import per_key_fifo
from components.naming import TAG_CONSUMER, TAG_PLUGIN, TAG_STACK
from eventpipe import contract
from eventpipe.consumer import Consumer
from eventpipe.health_signals import consumer_signals, expression
from eventpipe.plugin_resources import WILDCARD_RESOURCE_ACTIONS
from eventpipe.testing.pulumi_mocks import AwsMocks, MockResource, policy
from tests.components.helpers import build, settings, settled

EXAMPLES = {
    "orders": "orders.plugin",
    "inventory": "inventory.plugin",
    "notifications": "notifications.plugin",
    "priority-orders": "priority_orders.plugin",
}
TAGGABLE = {
    "aws:sqs/queue:Queue", "aws:cloudwatch/eventRule:EventRule", "aws:iam/role:Role",
    "aws:cloudwatch/logGroup:LogGroup", "aws:lambda/function:Function",
    "aws:lambda/eventSourceMapping:EventSourceMapping", "aws:cloudwatch/metricAlarm:MetricAlarm",
}  # fmt: skip


def example(plugin: str) -> list[Consumer]:
    return importlib.import_module(EXAMPLES[plugin]).eventpipe_consumers()


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_pipeline(mocks: AwsMocks, plugin: str, consumer: Consumer) -> None:
    """Every resource of one pipeline exists, is wired to the others and is configured."""
    name = consumer.name
    queue = mocks.one("aws:sqs/queue:Queue", f"{name}-queue")
    dlq = mocks.one("aws:sqs/queue:Queue", f"{name}-dlq")
    bus = mocks.one("aws:cloudwatch/eventBus:EventBus", "eventpipe-bus")
    delivery_dlq = mocks.one("aws:sqs/queue:Queue", "eventpipe-delivery-dlq")
    mocks.one("aws:sns/topic:Topic", "eventpipe-alarms")  # the stack's alarm topic exists

    # queues: type, SSE, long polling, visibility, redrive to the DLQ of the same type
    assert bool(queue.inputs.get("fifoQueue")) is consumer.fifo
    assert bool(dlq.inputs.get("fifoQueue")) is consumer.fifo
    if consumer.fifo:
        assert queue.inputs["contentBasedDeduplication"] is True
        assert queue.outputs["name"].endswith(".fifo") and dlq.outputs["name"].endswith(".fifo")
    assert queue.inputs["sqsManagedSseEnabled"] is True and dlq.inputs["sqsManagedSseEnabled"]
    assert queue.inputs["receiveWaitTimeSeconds"] == 20
    assert queue.inputs["visibilityTimeoutSeconds"] >= 6 * consumer.timeout
    assert dlq.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
    assert queue.inputs["messageRetentionSeconds"] == consumer.retention
    redrive = json.loads(queue.inputs["redrivePolicy"])
    # FIFO: a safety net of 2 x batch size x own attempts (eventpipe.consumer), capped at 1000.
    receives = (
        min(1000, 2 * consumer.batch_size * consumer.max_receive_count)
        if consumer.fifo
        else consumer.max_receive_count
    )
    assert redrive == {"deadLetterTargetArn": dlq.outputs["arn"], "maxReceiveCount": receives}
    allow = mocks.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", f"{name}-dlq-redrive-allow")
    assert allow.inputs["queueUrl"] == dlq.outputs["url"]
    assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [queue.outputs["arn"]],
    }

    # queue policies: TLS deny on both; EventBridge only from this consumer's rule
    queue_policy = mocks.one("aws:sqs/queuePolicy:QueuePolicy", f"{name}-queue-policy")
    dlq_policy = mocks.one("aws:sqs/queuePolicy:QueuePolicy", f"{name}-dlq-policy")
    assert queue_policy.inputs["queueUrl"] == queue.outputs["url"]
    for recorded, arn in ((queue_policy, queue.outputs["arn"]), (dlq_policy, dlq.outputs["arn"])):
        denies = [s for s in policy(recorded)["Statement"] if s["Effect"] == "Deny"]
        assert denies == [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]

    # rule and target (a per-key FIFO consumer's rule feeds its intake queue: test_intake.py)
    if per_key_fifo(consumer):
        rule = mocks.one("aws:cloudwatch/eventRule:EventRule", f"{name}-rule")
        intake = mocks.one("aws:sqs/queue:Queue", f"{name}-intake")
        target = mocks.one("aws:cloudwatch/eventTarget:EventTarget", f"{name}-target")
        assert target.inputs["arn"] == intake.outputs["arn"] and "sqsTarget" not in target.inputs
        assert [s for s in policy(queue_policy)["Statement"] if s["Effect"] == "Allow"] == []
        pipe = mocks.one("aws:pipes/pipe:Pipe", f"{name}-pipe")
        assert pipe.inputs["target"] == queue.outputs["arn"]
    elif consumer.pattern is not None:
        rule = mocks.one("aws:cloudwatch/eventRule:EventRule", f"{name}-rule")
        assert json.loads(rule.inputs["eventPattern"]) == consumer.pattern
        assert rule.inputs["eventBusName"] == bus.outputs["name"]
        allows = [s for s in policy(queue_policy)["Statement"] if s["Effect"] == "Allow"]
        assert allows == [
            {
                "Sid": "AllowEventBridgeRule",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue.outputs["arn"],
                "Condition": {"ArnEquals": {"aws:SourceArn": rule.outputs["arn"]}},
            }
        ]
        target = mocks.one("aws:cloudwatch/eventTarget:EventTarget", f"{name}-target")
        assert target.inputs["arn"] == queue.outputs["arn"]
        assert target.inputs["rule"] == rule.outputs["name"]
        assert target.inputs["eventBusName"] == bus.outputs["name"]
        assert target.inputs["deadLetterConfig"] == {"arn": delivery_dlq.outputs["arn"]}
        assert target.inputs["retryPolicy"]["maximumRetryAttempts"] > 0
        if consumer.fifo:
            group = consumer.message_group or consumer.name
            assert target.inputs["sqsTarget"] == {"messageGroupId": group}
        else:
            assert "sqsTarget" not in target.inputs
    else:
        assert not mocks.named(f"{name}-rule") and not mocks.named(f"{name}-target")

    # function, mapping
    function = mocks.one("aws:lambda/function:Function", f"{name}-function")
    role = mocks.one("aws:iam/role:Role", f"{name}-role")
    logs = mocks.one("aws:cloudwatch/logGroup:LogGroup", f"{name}-logs")
    assert function.inputs["handler"] == ENTRY_POINT
    assert function.inputs["role"] == role.outputs["arn"]
    assert function.inputs["runtime"] == "python3.13"
    assert function.inputs["architectures"] == ["arm64"]
    assert function.inputs["tracingConfig"] == {"mode": "Active"}
    assert function.inputs["timeout"] == consumer.timeout
    assert function.inputs["memorySize"] == consumer.memory
    assert logs.inputs["name"] == f"/aws/lambda/{function.outputs['name']}"
    env = function.inputs["environment"]["variables"]
    assert env[contract.ENV_HANDLER] == consumer.handler
    assert env[contract.ENV_CONSUMER] == name
    assert env[contract.ENV_FIFO] == ("true" if consumer.fifo else "false")
    assert env[contract.ENV_SOURCE] == consumer.source
    assert env[contract.ENV_DLQ_URL] == dlq.outputs["url"]
    assert env[contract.ENV_MAX_RECEIVE_COUNT] == str(receives)
    assert (contract.ENV_IDEMPOTENCY_TABLE in env) is consumer.idempotent
    if consumer.fifo:  # own failed attempts, counted in the stack's table
        assert env[contract.ENV_MAX_ATTEMPTS] == str(consumer.max_receive_count)
        table = mocks.one("aws:dynamodb/table:Table", "eventpipe-idempotency")
        assert env[contract.ENV_ATTEMPTS_TABLE] == table.outputs["name"]
    else:
        assert contract.ENV_MAX_ATTEMPTS not in env and contract.ENV_ATTEMPTS_TABLE not in env
    layers = function.inputs["layers"]
    assert any(
        ":017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:" in layer
        for layer in layers
    )
    runtime = mocks.one("aws:lambda/layerVersion:LayerVersion", "eventpipe-runtime")
    assert runtime.outputs["arn"] in layers
    mapping = mocks.one("aws:lambda/eventSourceMapping:EventSourceMapping", f"{name}-esm")
    assert mapping.inputs["eventSourceArn"] == queue.outputs["arn"]
    assert mapping.inputs["functionName"] == function.outputs["arn"]
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping.inputs["batchSize"] == consumer.batch_size
    assert "filterCriteria" not in mapping.inputs

    # IAM: least privilege, wildcard resource only for X-Ray
    role_policy = mocks.one("aws:iam/rolePolicy:RolePolicy", f"{name}-policy")
    statements = policy(role_policy)["Statement"]
    for statement in statements:
        actions = _as_list(statement["Action"])
        assert all(a != "*" and not a.endswith(":*") for a in actions), statement
        if "*" in _as_list(statement["Resource"]):
            assert set(actions) <= WILDCARD_RESOURCE_ACTIONS, statement
    by_sid = {s.get("Sid"): s for s in statements}
    assert by_sid["ConsumeQueue"]["Resource"] == queue.outputs["arn"]
    assert by_sid["DeadLetter"]["Resource"] == dlq.outputs["arn"]
    assert logs.outputs["arn"] in by_sid["WriteOwnLogs"]["Resource"]
    assert ("Idempotency" in by_sid) is consumer.idempotent
    assert ("CountOwnAttempts" in by_sid) is consumer.fifo
    if consumer.fifo:  # UpdateItem only, on this consumer's own count items only
        count = by_sid["CountOwnAttempts"]
        assert count["Action"] == ["dynamodb:UpdateItem"]
        assert count["Resource"] == table.outputs["arn"]
        assert count["Condition"] == {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"attempts#{name}#*"]}
        }

    # one alarm over every signal, on this pipeline's resources, without actions of its own
    [alarm] = [
        r
        for r in mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.name.startswith(f"{name}-")
    ]
    assert alarm.inputs["name"] == f"eventpipe-test-{consumer.name}-alarm"
    assert "alarmActions" not in alarm.inputs and "okActions" not in alarm.inputs
    assert alarm.inputs["treatMissingData"] == "notBreaching"
    assert alarm.inputs["threshold"] == 1 and alarm.inputs["evaluationPeriods"] == 1
    assert alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    signals = consumer_signals(consumer)
    assert queries["signals"]["expression"] == expression(signals)
    assert [k for k, q in queries.items() if q.get("returnData")] == ["signals"]
    assert len(queries) == (8 if per_key_fifo(consumer) else 6) <= 11
    dimensions = {k: q["metric"]["dimensions"] for k, q in queries.items() if "metric" in q}
    assert dimensions["dlq"] == {"QueueName": dlq.outputs["name"]}
    assert dimensions["age"] == dimensions["depth"] == {"QueueName": queue.outputs["name"]}
    assert dimensions["errors"] == {"FunctionName": function.outputs["name"]}
    assert dimensions["throttles"] == {"FunctionName": function.outputs["name"]}
    assert f"> {consumer.alarm_oldest_message_age + 120}, 2, 0" in expression(signals)

    # tags on everything taggable
    own = [r for r in mocks.resources if r.typ in TAGGABLE and r.name.startswith(f"{name}-")]
    assert len(own) >= 8  # queues, rule, role, logs, function, mapping, alarm
    for recorded in own:
        tags = recorded.inputs["tags"]
        assert tags[TAG_CONSUMER] == name and tags[TAG_PLUGIN] == plugin, recorded.name
        assert tags[TAG_STACK] == "test" and tags["team"] == "commerce"


@pytest.mark.parametrize("plugin", sorted(EXAMPLES))
def test_example_consumer_pipeline(plugin: str, mocks: AwsMocks, build_dir: Any) -> None:
    consumers = [(plugin, c) for c in example(plugin)]

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        bus, pipelines = build(consumers, settings(tags={"team": "commerce"}), build_dir)

        def check(_: object) -> None:
            for _, consumer in consumers:
                check_pipeline(mocks, plugin, consumer)

        return settled([bus, *pipelines]).apply(check)

    run()


def test_orders_declares_its_own_table_with_grants(mocks: AwsMocks, build_dir: Any) -> None:
    (consumer,) = example("orders")
    orders_infra = importlib.import_module("orders.infra")

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        bus, pipelines = build([("orders", consumer)], settings(), build_dir)

        def check(_: object) -> None:
            tables = [
                t for t in mocks.of_type("aws:dynamodb/table:Table") if "order-processing" in t.name
            ]
            assert len(tables) == 1
            table = tables[0]
            assert table.inputs["tags"][TAG_CONSUMER] == "order-processing"
            function = mocks.one("aws:lambda/function:Function", "order-processing-function")
            assert (
                function.inputs["environment"]["variables"]["ORDERS_TABLE"] == table.outputs["name"]
            )
            statements = policy(
                mocks.one("aws:iam/rolePolicy:RolePolicy", "order-processing-policy")
            )["Statement"]
            assert {
                "Effect": "Allow",
                "Action": orders_infra.ACTIONS,
                "Resource": [table.outputs["arn"]],
            } in statements
            entry = pipelines[0]
            assert entry.plugin_outputs["ordersTable"] is not None

        return settled([bus, *pipelines]).apply(check)

    run()


def test_stack_resources_and_delivery_dlq_policy(mocks: AwsMocks, build_dir: Any) -> None:
    consumers = [(p, c) for p in sorted(EXAMPLES) for c in example(p)]

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        bus, pipelines = build(
            consumers, settings(alarmEmail="ops@example.com", archiveRetentionDays=30,
                                schemaDiscovery=True), build_dir,
        )  # fmt: skip

        def check(_: object) -> None:
            bus_resource = mocks.one("aws:cloudwatch/eventBus:EventBus", "eventpipe-bus")
            assert bus_resource.inputs["name"] == "eventpipe-test-bus"
            archive = mocks.one("aws:cloudwatch/eventArchive:EventArchive", "eventpipe-archive")
            assert archive.inputs["eventSourceArn"] == bus_resource.outputs["arn"]
            assert archive.inputs["retentionDays"] == 30
            email = mocks.one(
                "aws:sns/topicSubscription:TopicSubscription", "eventpipe-alarm-email"
            )
            assert email.inputs["endpoint"] == "ops@example.com"
            table = mocks.one("aws:dynamodb/table:Table", "eventpipe-idempotency")
            assert table.inputs["hashKey"] == "id"
            assert table.inputs["attributes"] == [{"name": "id", "type": "S"}]
            assert table.inputs["ttl"] == {"attributeName": "expiration", "enabled": True}
            assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
            assert table.inputs["pointInTimeRecovery"]["enabled"] is True
            discoverer = mocks.one("aws:schemas/discoverer:Discoverer", "eventpipe-discoverer")
            assert discoverer.inputs["sourceArn"] == bus_resource.outputs["arn"]
            dlq = mocks.one("aws:sqs/queue:Queue", "eventpipe-delivery-dlq")
            assert not dlq.inputs.get("fifoQueue"), "a target DLQ must be a standard queue"
            statements = policy(
                mocks.one("aws:sqs/queuePolicy:QueuePolicy", "eventpipe-delivery-dlq-policy")
            )["Statement"]
            allow = next(s for s in statements if s["Effect"] == "Allow")
            assert allow["Condition"] == {
                "ArnLike": {
                    "aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/eventpipe-test-bus/eventpipe-test-*"
                }
            }
            assert any(s["Effect"] == "Deny" for s in statements)
            # every rule of the stack matches the delivery DLQ's ArnLike pattern
            for rule in mocks.of_type("aws:cloudwatch/eventRule:EventRule"):
                assert rule.outputs["arn"].startswith(
                    allow["Condition"]["ArnLike"]["aws:SourceArn"][:-1]
                )
            dashboard = mocks.one("aws:cloudwatch/dashboard:Dashboard", "eventpipe-dashboard")
            widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
            # six a consumer, three more for a per-key FIFO consumer's intake queue
            per_key = sum(1 for _, c in consumers if per_key_fifo(c))
            assert per_key == 1 and len(widgets) == 6 * len(consumers) + 3 * per_key
            for recorded in mocks.resources:
                if recorded.typ.startswith("aws:") and "tags" in recorded.inputs:
                    assert recorded.inputs["tags"][TAG_STACK] == "test", recorded.name

        return settled([bus, *pipelines]).apply(check)

    run()


def _records(mocks: AwsMocks, prefix: str) -> list[MockResource]:
    return [r for r in mocks.resources if r.name.startswith(prefix)]


def test_an_idempotent_pipeline_gets_the_table_whatever_the_bus_was_told(
    mocks: AwsMocks, build_dir: Path
) -> None:
    """The bus declares the table on first need: no pipeline can lack it."""
    from components import ConsumerPipeline, ConsumerPipelineArgs, EventBus, EventBusArgs

    stack = settings()
    first = Consumer(name="first", handler="ep_fixture.handlers:direct", idempotent=True)
    second = Consumer(name="second", handler="ep_fixture.handlers:direct", idempotent=True)

    @pulumi.runtime.test
    def run() -> pulumi.Output[list[str]]:
        bus = EventBus("eventpipe", EventBusArgs(stack, consumers=[], build_dir=build_dir))
        pipelines = [
            ConsumerPipeline(
                c.name,
                ConsumerPipelineArgs(c, plugin="p", settings=stack, bus=bus, build_dir=build_dir),
            )
            for c in (first, second)
        ]

        def check(_: list[str]) -> None:
            [table] = mocks.of_type("aws:dynamodb/table:Table")
            for function in mocks.of_type("aws:lambda/function:Function"):
                variables = function.inputs["environment"]["variables"]
                assert variables["EVENTPIPE_IDEMPOTENCY_TABLE"] == table.outputs["name"]

        return settled([bus, *pipelines]).apply(check)

    run()
