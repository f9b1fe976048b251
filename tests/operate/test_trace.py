"""``eventpipe trace`` on the embedded emulator: the real runtime handles real SQS
messages (its DLQ copies land in the emulator's DLQs), its Powertools lines go to the
function's log group as Lambda writes them, and the trace reads them back through Logs
Insights, the rules, the DLQs and the archive, as it does on AWS."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from eventpipe import aws_clients
from eventpipe.aws_clients import FAKE_CREDENTIALS
from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.emulator.shims import apply_moto_shims
from eventpipe.operate.trace import follow_trace, insights, recent_events, trace_event
from eventpipe.stack_functions.archiver import Archiver
from eventpipe.stack_output import ConsumerOutputs, DeadLetterArchiveOutputs, StackOutputs
from eventpipe.testing import eventbridge_event
from tests.cli.stack import build_stack
from tests.operate.runtime_function import STREAM, Function


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    apply_moto_shims()
    running = start_emulator()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def outputs(emulator: Emulator) -> StackOutputs[str]:
    session = aws_clients.session(region="us-east-1", credentials=FAKE_CREDENTIALS)
    return build_stack(session, endpoint_url=emulator.endpoint_url)


def order(detail: dict[str, Any], detail_type: str = "Order Created") -> dict[str, Any]:
    return eventbridge_event(detail_type, "ecommerce.orders", detail, id=str(uuid.uuid4()))


def test_one_view_of_a_processed_copy_and_a_dead_lettered_one(
    emulator: Emulator, outputs: StackOutputs[str], capsys: pytest.CaptureFixture[str]
) -> None:
    orders = Function(emulator, outputs, "orders", "tests.runtime.handlers:typed", capsys)
    inventory = Function(emulator, outputs, "inventory", "tests.runtime.handlers:noop", capsys)
    bad = order({"orderId": "o-neg", "amount": -1})  # fails OrderCreated's amount > 0
    good_for_inventory = dict(bad, detail={"orderId": "o-neg", "amount": 3})
    orders.deliver(bad)
    inventory.deliver(good_for_inventory)

    trace = trace_event(emulator.client, outputs, bad["id"])

    assert trace.state == "failed"
    assert trace.event == bad and trace.event_from == "the DLQ of orders"
    parts = {c.consumer: c for c in trace.consumers}
    dead = parts["orders"]
    assert dead.matched is True and dead.queue == "eventpipe-dev-orders"
    [attempt] = dead.attempts
    assert attempt.outcome == "dead-lettered"
    assert attempt.error_type == "InvalidEventError"
    # The detail failed validation: the handler never ran, so no duration.
    assert attempt.receive_count == 1 and attempt.duration_ms is None
    assert dead.ending.state == "dead-lettered" and dead.ending.in_dlq is True
    assert dead.ending.dlq_message_id == attempt.dlq_message_id is not None
    assert dead.ending.reason is not None and "InvalidEventError" in dead.ending.reason
    assert [a.outcome for a in parts["inventory"].attempts] == ["processed"]
    assert parts["inventory"].ending.state == "processed"
    assert parts["mailer"].matched is None and parts["mailer"].ending.state == "unknown"
    assert "event_id = " in trace.query.text and trace.query.log_groups
    shape = json.loads(json.dumps(trace.to_dict()))
    assert shape["consumers"][0]["ending"]["state"] in {"processed", "dead-lettered", "unknown"}
    assert {"eventId", "state", "summary", "consumers", "query", "notes"} <= set(shape)


def test_a_rule_that_does_not_match_names_the_pattern_field(
    emulator: Emulator, outputs: StackOutputs[str], capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = Function(emulator, outputs, "inventory", "tests.runtime.handlers:noop", capsys)
    stock = eventbridge_event(
        "Order Created", "ecommerce.stock", {"orderId": "s-1", "amount": 2}, id=str(uuid.uuid4())
    )
    inventory.deliver(stock)

    trace = trace_event(emulator.client, outputs, stock["id"], event=stock)

    parts = {c.consumer: c for c in trace.consumers}
    assert parts["orders"].matched is False
    assert parts["orders"].field == "source"
    assert parts["orders"].ending.state == "not-delivered"
    assert parts["orders"].queue is None
    assert parts["inventory"].matched is True
    assert trace.state == "processed" and trace.event_from == "given"


def test_a_retry_is_in_flight_and_follow_ends_when_it_is_processed(
    emulator: Emulator, outputs: StackOutputs[str], capsys: pytest.CaptureFixture[str]
) -> None:
    orders = Function(emulator, outputs, "orders", "tests.runtime.handlers:flaky_once", capsys)
    event = order({"orderId": f"flaky-{uuid.uuid4().hex[:6]}", "amount": 1})
    orders.deliver(event)
    steps = []

    def next_attempt(_: float) -> None:
        orders.backoff_over()
        orders.invoke()  # SQS delivers it again; the handler succeeds this time

    for step in follow_trace(emulator.client, outputs, event["id"], sleep=next_attempt):
        steps.append(step)
    first, last = steps[0], steps[-1]
    [retry] = {c.consumer: c for c in first.consumers}["orders"].attempts
    assert retry.outcome == "retry" and retry.error_type == "RetryableError"
    assert retry.retry_in_seconds is not None
    assert first.state == "in-flight" and not first.settled
    attempts = {c.consumer: c for c in last.consumers}["orders"].attempts
    assert [(a.outcome, a.receive_count) for a in attempts] == [("retry", 1), ("processed", 2)]
    assert last.state == "processed" and last.settled
    assert len(steps) == 2


def test_recent_failed_events_of_one_consumer(
    emulator: Emulator, outputs: StackOutputs[str], capsys: pytest.CaptureFixture[str]
) -> None:
    orders = Function(emulator, outputs, "orders", "tests.runtime.handlers:by_order_id", capsys)
    failed = order({"orderId": "perm-1", "amount": 1})
    fine = order({"orderId": "ok-1", "amount": 1})
    orders.deliver(failed)
    orders.deliver(fine)

    recent = recent_events(emulator.client, outputs, last=50, consumers=["orders"], failed=True)
    ids = [e.event_id for e in recent.events]
    assert failed["id"] in ids and fine["id"] not in ids
    [row] = [e for e in recent.events if e.event_id == failed["id"]]
    assert (row.consumer, row.outcome, row.error_type) == (
        "orders",
        "dead-lettered",
        "PermanentError",
    )
    everything = recent_events(emulator.client, outputs, last=50, consumers=["orders"])
    assert fine["id"] in [e.event_id for e in everything.events]
    assert everything.events == sorted(everything.events, key=lambda e: e.time, reverse=True)


def test_a_dead_letter_moved_to_the_archive_ends_archived(
    emulator: Emulator, outputs: StackOutputs[str], capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = f"trace-archive-{uuid.uuid4().hex[:8]}"
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=bucket)
    with_archive = dataclasses.replace(
        outputs,
        dead_letter_archive=DeadLetterArchiveOutputs(
            bucket_name=bucket, after_days=1, expire_days=9
        ),
    )
    mailer = Function(emulator, outputs, "mailer", "tests.runtime.handlers:body_by_text", capsys)
    mailer.sqs.send_message(QueueUrl=mailer.consumer.queue_url, MessageBody="perm")
    mailer.invoke()
    message_id = _last_outcome(emulator, mailer)["message_id"]
    Archiver(
        sqs=mailer.sqs,
        s3=s3,
        cloudwatch=emulator.client("cloudwatch"),
        sns=emulator.client("sns"),
        bucket=bucket,
        after_days=1,
        queues={"mailer": mailer.consumer.dlq_url.rsplit("/", 1)[-1]},
        topic_arn=None,
        now=lambda: datetime.now(UTC) + timedelta(days=2),
    ).run()

    trace = trace_event(emulator.client, with_archive, message_id)

    ending = {c.consumer: c for c in trace.consumers}["mailer"].ending
    assert ending.state == "archived", ending
    assert ending.archive_key is not None and ending.archive_key.startswith("mailer/")
    assert trace.state == "failed"


def _last_outcome(emulator: Emulator, function: Function) -> dict[str, Any]:
    group = function.consumer.log_group
    events = emulator.client("logs").filter_log_events(logGroupName=group)["events"]
    lines = [json.loads(e["message"]) for e in events if e["message"].startswith("{")]
    return [line for line in lines if "outcome" in line][-1]


def test_more_log_groups_than_one_query_takes(emulator: Emulator) -> None:
    logs = emulator.client("logs")
    groups = [f"/aws/lambda/trace-many-{i:02d}" for i in range(insights.MAX_GROUPS_PER_QUERY + 3)]
    now = int(datetime.now(UTC).timestamp() * 1000)
    for group in groups:
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName=STREAM)
    for group in (groups[0], groups[-1]):
        logs.put_log_events(
            logGroupName=group,
            logStreamName=STREAM,
            logEvents=[
                {
                    "timestamp": now,
                    "message": json.dumps({"event_id": "many", "outcome": "processed"}),
                }
            ],
        )
    rows, run = insights.run(
        logs,
        groups,
        insights.trace_query("many"),
        datetime.now(UTC) - timedelta(hours=1),
        datetime.now(UTC),
    )
    assert sorted(r.group for r in rows) == [groups[0], groups[-1]]
    assert run.log_groups == groups


def _topic_consumer(
    emulator: Emulator, outputs: StackOutputs[str], policy: dict[str, Any]
) -> StackOutputs[str]:
    """``outputs`` with one more consumer, ``refunds``: its queue (redriven to a DLQ on
    the first receive) subscribed to a topic of its own with ``policy``, as
    components/topics.py declares it (protocol sqs, raw delivery off)."""
    sqs, sns = emulator.client("sqs"), emulator.client("sns")
    suffix = uuid.uuid4().hex[:8]
    dlq_url = sqs.create_queue(QueueName=f"eventpipe-dev-refunds-{suffix}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=f"eventpipe-dev-refunds-{suffix}",
        Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    topic_arn = sns.create_topic(Name=f"eventpipe-dev-payments-{suffix}")["TopicArn"]
    subscription_arn = sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={
            "FilterPolicy": json.dumps(policy),
            "FilterPolicyScope": "MessageAttributes",
            "RawMessageDelivery": "false",
        },
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    refunds = ConsumerOutputs(
        name="refunds",
        plugin="tests",
        source="topic",
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
        function_name=f"eventpipe-dev-refunds-{suffix}",
        topic_arn=topic_arn,
        subscription_arn=subscription_arn,
    )
    return dataclasses.replace(outputs, consumers={**outputs.consumers, "refunds": refunds})


def test_a_topic_consumers_filter_policy_accepts_one_message_and_names_the_attribute_of_another(
    emulator: Emulator, outputs: StackOutputs[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with_topic = _topic_consumer(emulator, outputs, {"kind": ["refund", {"prefix": "chargeback"}]})
    refunds = with_topic.consumer("refunds")
    sns = emulator.client("sns")
    accepted = sns.publish(
        TopicArn=refunds.topic_arn,
        Message=json.dumps({"orderId": "r-1"}),
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "chargeback-42"}},
    )["MessageId"]
    rejected_attributes = {"kind": {"DataType": "String", "StringValue": "invoice"}}
    rejected = sns.publish(
        TopicArn=refunds.topic_arn,
        Message=json.dumps({"orderId": "r-2"}),
        MessageAttributes=rejected_attributes,
    )["MessageId"]
    function = Function(
        emulator, with_topic, "refunds", "tests.runtime.handlers:always_permanent", capsys
    )
    function.invoke()
    # The engine's own record: SNS delivered the accepted message only.
    delivered = [json.loads(m["Body"])["MessageId"] for m in function.received]
    assert delivered == [accepted]

    # The accepted one dead-lettered: the trace reads SNS's envelope from the DLQ and
    # the subscription's policy from GetSubscriptionAttributes.
    trace = trace_event(emulator.client, with_topic, accepted)
    part = {c.consumer: c for c in trace.consumers}["refunds"]
    assert trace.event_from == "the DLQ of refunds"
    assert trace.event is not None and trace.event["MessageAttributes"]["kind"]["Value"] == (
        "chargeback-42"
    )
    assert part.matched is True and part.reason is None
    assert part.ending.state == "dead-lettered"

    # The rejected one: nothing names it; without the message the trace says what to give.
    unknown = {c.consumer: c for c in trace_event(emulator.client, with_topic, rejected).consumers}
    assert unknown["refunds"].matched is None
    assert unknown["refunds"].reason is not None and "--event FILE" in unknown["refunds"].reason

    # Given as the SNS message it was, the policy is evaluated and the attribute named.
    given = {"TopicArn": refunds.topic_arn, "MessageId": rejected,
             "MessageAttributes": rejected_attributes}  # fmt: skip
    trace = trace_event(emulator.client, with_topic, rejected, event=given)
    part = {c.consumer: c for c in trace.consumers}["refunds"]
    assert part.matched is False and part.field == "kind"
    assert part.reason is not None and '"invoice"' in part.reason
    assert part.ending.state == "not-delivered"
    assert part.ending.detail == "its subscription's filter policy did not match"
    assert part.queue is None
