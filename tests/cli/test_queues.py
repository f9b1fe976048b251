"""``eventpipe status`` and ``eventpipe dlq peek|redrive|purge`` against moto."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from eventpipe.operate.aws import Aws
from tests.cli.stack import Stack


def test_status_counts_messages_dlq_depth_and_alarm_states(stack: Stack) -> None:
    orders = stack.consumer("orders")
    for n in range(3):
        stack.sqs.send_message(QueueUrl=orders["queueUrl"], MessageBody=f"m{n}")
    stack.sqs.receive_message(QueueUrl=orders["queueUrl"], MaxNumberOfMessages=1)  # in flight
    stack.dead_letter("orders", {"detail-type": "Order Created"}, "bad order")
    stack.cloudwatch.set_alarm_state(
        AlarmName="eventpipe-dev-orders-dlq-not-empty", StateValue="ALARM", StateReason="test"
    )
    stack.cloudwatch.set_alarm_state(
        AlarmName="eventpipe-dev-inventory-dlq-not-empty", StateValue="OK", StateReason="test"
    )
    stack.cloudwatch.set_alarm_state(
        AlarmName="eventpipe-dev-inventory-oldest-age", StateValue="OK", StateReason="test"
    )
    stack.cloudwatch.set_alarm_state(
        AlarmName="eventpipe-dev-mailer-oldest-age",
        StateValue="INSUFFICIENT_DATA",
        StateReason="test",
    )

    result = stack.cli("status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {row["consumer"]: row for row in data["consumers"]}
    assert set(rows) == {"orders", "inventory", "mailer"}
    assert (rows["orders"]["visible"], rows["orders"]["inFlight"]) == (2, 1)
    assert rows["orders"]["dlqDepth"] == 1
    assert rows["orders"]["alarmState"] == "ALARM"
    assert rows["inventory"]["alarmState"] == "OK"
    assert rows["mailer"]["alarmState"] == "INSUFFICIENT_DATA"
    assert rows["orders"]["oldestAgeSeconds"] is None  # moto has no SQS metrics
    assert data["deliveryDlqDepth"] == 0

    table = stack.cli("status")
    assert table.exit_code == 0
    assert "ALARM (eventpipe-dev-orders-dlq-not-empty)" in table.stdout
    assert "n/a" in table.stdout  # oldest age not available
    assert "eventpipe dlq peek orders" in table.stdout
    assert "\x1b[" not in table.stdout  # no colour codes when not a terminal


def test_status_reports_alarms_missing_from_cloudwatch(stack: Stack) -> None:
    stack.cloudwatch.delete_alarms(AlarmNames=["eventpipe-dev-mailer-oldest-age"])
    data = json.loads(stack.cli("status", "--json", "--consumer", "mailer").stdout)
    [row] = data["consumers"]
    assert row["alarms"]["eventpipe-dev-mailer-oldest-age"] == "MISSING"
    assert row["alarmState"] == "MISSING"


@pytest.mark.parametrize(
    "command",
    [
        ["status", "--consumer", "nope"],
        ["dlq", "peek", "nope"],
        ["dlq", "redrive", "nope"],
        ["dlq", "purge", "nope", "--yes"],
        ["replay", "--from", "-1h", "--consumer", "nope"],
    ],
)
def test_unknown_consumer_lists_the_existing_ones(stack: Stack, command: list[str]) -> None:
    result = stack.cli(*command)
    assert result.exit_code == 1
    assert "no consumer 'nope'" in result.stderr
    assert "inventory, mailer, orders" in result.stderr
    assert "Traceback" not in result.output


def test_peek_shows_reasons_and_consumes_nothing(stack: Stack) -> None:
    event = {"source": "ecommerce.orders", "detail-type": "Order Created", "detail": {"id": 7}}
    poison = stack.dead_letter("orders", event, "amount must be positive")
    exhausted = stack.dead_letter("orders", "not json at all")

    result = stack.cli("dlq", "peek", "orders", "--json")
    assert result.exit_code == 0, result.output
    messages = {m["messageId"]: m for m in json.loads(result.stdout)}
    assert set(messages) == {poison, exhausted}
    assert messages[poison]["reason"]["errorType"] == "PermanentError"
    assert messages[poison]["reason"]["errorMessage"] == "amount must be positive"
    assert messages[poison]["event"]["detail"] == {"id": 7}
    assert "retries exhausted" in messages[exhausted]["summary"]

    # Nothing consumed, nothing left hidden: both are visible again right away.
    attrs = stack.sqs.get_queue_attributes(
        QueueUrl=stack.consumer("orders")["dlqUrl"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert attrs == {
        "ApproximateNumberOfMessages": "2",
        "ApproximateNumberOfMessagesNotVisible": "0",
    }

    table = stack.cli("dlq", "peek", "orders")
    assert "PermanentError: amount must be positive" in table.stdout
    assert "Order Created from ecommerce.orders" in table.stdout
    assert "eventpipe dlq redrive orders" in table.stdout


def test_peek_limit_and_empty_dlq(stack: Stack) -> None:
    for n in range(15):
        stack.dead_letter("inventory", {"n": n}, "bad")
    limited = json.loads(stack.cli("dlq", "peek", "inventory", "--json", "-n", "12").stdout)
    assert len(limited) == 12 and len({m["messageId"] for m in limited}) == 12
    assert stack.depth(stack.consumer("inventory")["dlqUrl"]) == 15
    empty = stack.cli("dlq", "peek", "mailer")
    assert empty.exit_code == 0 and "is empty" in empty.stdout


def test_purge_asks_and_respects_no(stack: Stack) -> None:
    dlq = stack.consumer("orders")["dlqUrl"]
    stack.dead_letter("orders", {"a": 1}, "x")
    refused = stack.cli("dlq", "purge", "orders", input="n\n")
    assert refused.exit_code == 1
    assert "Delete all 1 message(s)" in refused.output
    assert "nothing was deleted" in refused.stderr
    assert stack.depth(dlq) == 1

    accepted = stack.cli("dlq", "purge", "orders", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert stack.depth(dlq) == 0


def test_purge_yes_skips_the_prompt(stack: Stack) -> None:
    stack.dead_letter("orders", {"a": 1}, "x")
    stack.dead_letter("orders", {"a": 2}, "x")
    result = stack.cli("dlq", "purge", "orders", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"consumer": "orders", "purged": 2}
    assert stack.depth(stack.consumer("orders")["dlqUrl"]) == 0


def test_redrive_of_empty_dlq_does_nothing(stack: Stack) -> None:
    result = stack.cli("dlq", "redrive", "orders")
    assert result.exit_code == 0
    assert "nothing to redrive" in result.stdout


def test_redrive_against_moto_says_the_api_is_not_emulated(stack: Stack) -> None:
    # moto 5.2 does not implement StartMessageMoveTask / ListMessageMoveTasks.
    stack.dead_letter("orders", {"a": 1}, "x")
    result = stack.cli("dlq", "redrive", "orders")
    assert result.exit_code == 1
    assert "does not implement SQS message move tasks" in result.stderr
    assert stack.depth(stack.consumer("orders")["dlqUrl"]) == 1  # untouched


class StubbedSqs:
    """Route the CLI's SQS calls to a botocore Stubber (moto lacks message move tasks)."""

    def __init__(self, stack: Stack, monkeypatch: pytest.MonkeyPatch):
        import boto3

        self.client = boto3.client("sqs", region_name="us-east-1")
        self.stubber = Stubber(self.client)
        self.orders = stack.consumer("orders")
        real = Aws.client

        def client(aws: Aws, service: str) -> Any:
            return self.client if service == "sqs" else real(aws, service)

        monkeypatch.setattr(Aws, "client", client)

    def depth(self, visible: int) -> None:
        self.stubber.add_response(
            "get_queue_attributes",
            {
                "Attributes": {
                    "ApproximateNumberOfMessages": str(visible),
                    "ApproximateNumberOfMessagesNotVisible": "0",
                }
            },
        )

    def tasks(self, *results: dict[str, Any]) -> None:
        self.stubber.add_response(
            "list_message_move_tasks",
            {"Results": list(results)},
            {"SourceArn": self.orders["dlqArn"], "MaxResults": 10},
        )


def test_redrive_starts_a_move_task_and_follows_it(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = StubbedSqs(stack, monkeypatch)
    dlq_arn, queue_arn = sqs.orders["dlqArn"], sqs.orders["queueArn"]
    sqs.depth(4)
    sqs.tasks({"TaskHandle": "old", "Status": "COMPLETED", "SourceArn": dlq_arn})
    sqs.stubber.add_response(
        "start_message_move_task",
        {"TaskHandle": "h-1"},
        {"SourceArn": dlq_arn, "DestinationArn": queue_arn, "MaxNumberOfMessagesPerSecond": 5},
    )
    running = {"TaskHandle": "h-1", "Status": "RUNNING", "SourceArn": dlq_arn}
    sqs.tasks(
        running | {"ApproximateNumberOfMessagesMoved": 1, "ApproximateNumberOfMessagesToMove": 4}
    )
    sqs.tasks(
        running
        | {
            "Status": "COMPLETED",
            "ApproximateNumberOfMessagesMoved": 4,
            "ApproximateNumberOfMessagesToMove": 4,
        }
    )
    with sqs.stubber:
        result = stack.cli("dlq", "redrive", "orders", "--rate", "5", "--json")
        sqs.stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "consumer": "orders",
        "taskHandle": "h-1",
        "status": "COMPLETED",
        "moved": 4,
        "toMove": 4,
    }


def test_redrive_refuses_while_another_is_running(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = StubbedSqs(stack, monkeypatch)
    sqs.depth(2)
    sqs.tasks(
        {
            "TaskHandle": "busy-1",
            "Status": "RUNNING",
            "SourceArn": sqs.orders["dlqArn"],
            "ApproximateNumberOfMessagesMoved": 7,
        }
    )
    with sqs.stubber:
        result = stack.cli("dlq", "redrive", "orders")
        sqs.stubber.assert_no_pending_responses()  # and StartMessageMoveTask never called
    assert result.exit_code == 1
    assert "already running (7 message(s) moved so far)" in result.stderr
    assert "cancel-message-move-task --task-handle busy-1" in result.stderr


def test_redrive_that_fails_reports_the_reason(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = StubbedSqs(stack, monkeypatch)
    sqs.depth(1)
    sqs.tasks()
    sqs.stubber.add_response("start_message_move_task", {"TaskHandle": "h-2"})
    sqs.tasks(
        {
            "TaskHandle": "h-2",
            "Status": "FAILED",
            "SourceArn": sqs.orders["dlqArn"],
            "FailureReason": "AccessDenied on destination",
        }
    )
    with sqs.stubber:
        result = stack.cli("dlq", "redrive", "orders")
    assert result.exit_code == 1
    assert (
        "redrive of orders failed after 0 message(s): AccessDenied on destination" in result.stderr
    )


def test_redrive_started_elsewhere_in_between_is_reported_as_running(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task started by someone else between our check and our start: SQS answers
    InvalidParameterValue, which must read as "already running", not a crash."""
    sqs = StubbedSqs(stack, monkeypatch)
    sqs.depth(3)
    sqs.tasks()
    sqs.stubber.add_client_error(
        "start_message_move_task",
        service_error_code="InvalidParameterValue",
        service_message="There is already a task running. Only one active task is allowed "
        "for a source queue arn at a given time.",
    )
    with sqs.stubber:
        result = stack.cli("dlq", "redrive", "orders")
    assert result.exit_code == 1
    assert "already running" in result.stderr
