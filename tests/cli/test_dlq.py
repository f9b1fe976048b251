"""``eventpipe dlq peek|redrive|purge|cancel`` against moto."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from eventpipe.operate.aws import Aws
from eventpipe.stack_output import ConsumerOutputs
from tests.cli.stack import Stack
from tests.cli.terminal import TERMINAL_80, flat, plain_lines, too_wide


@pytest.fixture(autouse=True)
def eighty_columns(stack: Stack) -> None:
    """Every command of this module renders for an 80-column terminal
    (tests/cli/terminal.py)."""
    stack.runner = CliRunner(env=TERMINAL_80)


def words(text: str) -> str:
    """``text`` without colour codes, its lines joined: what a reader sees, wherever the
    terminal wrapped it."""
    return " ".join(" ".join(plain_lines(text)).split())


def narrow(text: str) -> bool:
    """Whether every line fits the 80-column terminal the commands render for."""
    return too_wide(text) == []


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
    assert "no consumer 'nope'" in flat(result.stderr)
    assert "inventory, mailer, orders" in flat(result.stderr)
    assert "Traceback" not in result.output


def test_peek_shows_reasons_and_consumes_nothing(stack: Stack) -> None:
    event = {
        "id": "5f2b1c9e-8a7d-4e3f-b2a1-0c9d8e7f6a5b",
        "source": "ecommerce.orders",
        "detail-type": "Order Created",
        "detail": {"id": 7},
    }
    poison = stack.dead_letter("orders", event, "amount must be positive")
    exhausted = stack.dead_letter("orders", "not json at all")

    result = stack.cli("dlq", "peek", "orders", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["depth"], data["shown"], data["notShown"]) == (2, 2, 0)
    messages = {m["messageId"]: m for m in data["messages"]}
    assert set(messages) == {poison, exhausted}
    assert messages[poison]["reason"]["errorType"] == "PermanentError"
    assert messages[poison]["reason"]["errorMessage"] == "amount must be positive"
    assert messages[poison]["event"]["detail"] == {"id": 7}
    assert messages[exhausted]["summary"] == (
        "no reason recorded: the function crashed or timed out on every attempt"
    )

    # Nothing consumed, nothing left hidden: both are visible again right away.
    attrs = stack.sqs.get_queue_attributes(
        QueueUrl=stack.consumer("orders").dlq_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert attrs == {
        "ApproximateNumberOfMessages": "2",
        "ApproximateNumberOfMessagesNotVisible": "0",
    }

    table = stack.cli("dlq", "peek", "orders")
    assert "reason: PermanentError: amount must be positive" in table.stdout
    assert "reason: no reason recorded: the function crashed or timed out" in table.stdout
    assert "Order Created from ecommerce.orders" in table.stdout
    assert "eventpipe dlq redrive orders" in table.stdout
    assert f"event {event['id']}" in table.stdout and f"SQS message {poison}" in table.stdout


def test_peek_limit_and_empty_dlq(stack: Stack) -> None:
    for n in range(15):
        stack.dead_letter("inventory", {"n": n}, "bad")
    data = json.loads(stack.cli("dlq", "peek", "inventory", "--json", "-n", "12").stdout)
    limited = data["messages"]
    assert len(limited) == 12 and len({m["messageId"] for m in limited}) == 12
    assert (data["notShown"], data["heldBack"]) == (3, 0)  # cut by --limit, not held back
    table = stack.cli("dlq", "peek", "inventory", "-n", "12")
    assert "3 more message(s) not shown (--limit 12)" in words(table.stdout)
    assert "eventpipe dlq peek inventory --limit 15" in words(table.stdout)
    assert stack.depth(stack.consumer("inventory").dlq_url) == 15
    empty = stack.cli("dlq", "peek", "mailer")
    assert empty.exit_code == 0 and "is empty" in empty.stdout


def test_purge_asks_and_respects_no(stack: Stack) -> None:
    dlq = stack.consumer("orders").dlq_url
    stack.dead_letter("orders", {"a": 1}, "x")
    refused = stack.cli("dlq", "purge", "orders", input="n\n")
    assert refused.exit_code == 1
    assert "Delete all 1 message(s)" in refused.output
    assert "nothing was deleted" in flat(refused.stderr)
    assert stack.depth(dlq) == 1

    accepted = stack.cli("dlq", "purge", "orders", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert stack.depth(dlq) == 0


def test_purge_yes_skips_the_prompt(stack: Stack) -> None:
    stack.dead_letter("orders", {"a": 1}, "x")
    stack.dead_letter("orders", {"a": 2}, "x")
    result = stack.cli("dlq", "purge", "orders", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"consumer": "orders", "intake": False, "purged": 2}
    assert stack.depth(stack.consumer("orders").dlq_url) == 0


def test_redrive_of_empty_dlq_does_nothing(stack: Stack) -> None:
    result = stack.cli("dlq", "redrive", "orders")
    assert result.exit_code == 0
    assert "nothing to redrive" in result.stdout


def test_redrive_against_moto_says_the_api_is_not_emulated(stack: Stack) -> None:
    # moto 5.2 does not implement StartMessageMoveTask / ListMessageMoveTasks.
    stack.dead_letter("orders", {"a": 1}, "x")
    result = stack.cli("dlq", "redrive", "orders")
    assert result.exit_code == 1
    assert "does not implement SQS message move tasks" in flat(result.stderr)
    assert stack.depth(stack.consumer("orders").dlq_url) == 1  # untouched


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

    def depth(
        self, visible: int, peeked: list[dict[str, Any]] | None = None, redrive: bool = True
    ) -> None:
        """The DLQ's depth; for a ``redrive`` of a DLQ holding messages, the look it takes
        at their reasons before it starts (a peek: counts, one receive, the release)."""
        counts = {
            "Attributes": {
                "ApproximateNumberOfMessages": str(visible),
                "ApproximateNumberOfMessagesNotVisible": "0",
            }
        }
        self.stubber.add_response("get_queue_attributes", counts)
        if not visible or not redrive:
            return
        self.stubber.add_response("get_queue_attributes", counts)
        self.stubber.add_response("receive_message", {"Messages": peeked or []})
        if peeked:
            self.stubber.add_response("receive_message", {"Messages": []})
            self.stubber.add_response(
                "change_message_visibility_batch", {"Successful": [], "Failed": []}
            )

    def tasks(self, *results: dict[str, Any]) -> None:
        self.stubber.add_response(
            "list_message_move_tasks",
            {"Results": list(results)},
            {"SourceArn": self.orders.dlq_arn, "MaxResults": 10},
        )


def test_redrive_starts_a_move_task_and_follows_it(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = StubbedSqs(stack, monkeypatch)
    dlq_arn, queue_arn = sqs.orders.dlq_arn, sqs.orders.queue_arn
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


def _dead_letter(number: int, error_type: str) -> dict[str, Any]:
    """A DLQ message as the runtime sends it: its reason in ``eventpipe.*`` attributes."""
    return {
        "MessageId": f"m-{number}",
        "ReceiptHandle": f"r-{number}",
        "Body": json.dumps({"id": f"e-{number}", "detail-type": "Order Created", "detail": {}}),
        "Attributes": {"ApproximateReceiveCount": "1"},
        "MessageAttributes": {
            "eventpipe.error_type": {"DataType": "String", "StringValue": error_type},
            "eventpipe.error_message": {"DataType": "String", "StringValue": "bad"},
        },
    }


def test_redrive_warns_when_the_reason_is_one_a_redrive_repeats(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = StubbedSqs(stack, monkeypatch)
    dlq_arn, queue_arn = sqs.orders.dlq_arn, sqs.orders.queue_arn
    peeked = [_dead_letter(1, "InvalidEventError"), _dead_letter(2, "TimeoutError")]
    sqs.depth(2, peeked)
    sqs.tasks()
    sqs.stubber.add_response(
        "start_message_move_task",
        {"TaskHandle": "h-1"},
        {"SourceArn": dlq_arn, "DestinationArn": queue_arn},
    )
    with sqs.stubber:
        result = stack.cli("dlq", "redrive", "orders", "--no-wait")
        sqs.stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    warning = flat(result.stderr)
    assert "warning: of the 2 message(s) looked at: 1 InvalidEventError" in warning
    assert "they fail again" in warning
    assert "TimeoutError" not in warning  # a transient cause may be gone: no warning


def test_redrive_refuses_while_another_is_running(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = StubbedSqs(stack, monkeypatch)
    sqs.depth(2)
    sqs.tasks(
        {
            "TaskHandle": "busy-1",
            "Status": "RUNNING",
            "SourceArn": sqs.orders.dlq_arn,
            "ApproximateNumberOfMessagesMoved": 7,
        }
    )
    with sqs.stubber:
        result = stack.cli("dlq", "redrive", "orders")
        sqs.stubber.assert_no_pending_responses()  # and StartMessageMoveTask never called
    assert result.exit_code == 1
    assert "already running (7 message(s) moved so far)" in flat(result.stderr)
    assert "eventpipe dlq cancel orders" in flat(result.stderr)
    assert "cancel-message-move-task --task-handle busy-1" in flat(result.stderr)


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
            "SourceArn": sqs.orders.dlq_arn,
            "FailureReason": "AccessDenied on destination",
        }
    )
    with sqs.stubber:
        result = stack.cli("dlq", "redrive", "orders")
    assert result.exit_code == 1
    assert (
        "redrive of the DLQ of orders failed after 0 message(s): AccessDenied on destination"
        in flat(result.stderr)
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
    assert "already running" in flat(result.stderr)


# --- a FIFO consumer (optionally fed through an intake queue and a pipe) ----------------


def add_fifo_consumer(
    stack: Stack,
    name: str = "ledger",
    *,
    message_group: str | None = "$.detail.customerId",
    intake: bool = True,
) -> ConsumerOutputs[str]:
    """Add a FIFO consumer to the moto stack and its outputs file, shaped as
    components/consumer_pipeline.py exports it: a FIFO queue and FIFO DLQ, and for a
    JSON-path group the standard intake queue with its own DLQ."""
    sqs = stack.sqs

    def queue(queue_name: str, dlq_arn: str | None = None, fifo: bool = True) -> tuple[str, str]:
        attributes = {"FifoQueue": "true"} if fifo else {}
        if dlq_arn:
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}
            )
        url = sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
        return url, arn["QueueArn"]

    dlq_url, dlq_arn = queue(f"eventpipe-dev-{name}-dlq.fifo")
    queue_url, queue_arn = queue(f"eventpipe-dev-{name}.fifo", dlq_arn)
    entry = ConsumerOutputs(
        name=name,
        plugin="tests",
        fifo=True,
        source="rule",
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
        function_name=f"eventpipe-dev-{name}",
        rule_name=f"eventpipe-dev-{name}",
        message_group=message_group,
        log_group_name=f"/aws/lambda/eventpipe-dev-{name}",
    )
    if intake:
        intake_dlq_url, intake_dlq_arn = queue(f"eventpipe-dev-{name}-intake-dlq", fifo=False)
        intake_url, intake_arn = queue(f"eventpipe-dev-{name}-intake", intake_dlq_arn, fifo=False)
        entry = dataclasses.replace(
            entry,
            intake_queue_url=intake_url,
            intake_queue_arn=intake_arn,
            intake_dlq_url=intake_dlq_url,
            intake_dlq_arn=intake_dlq_arn,
            pipe_name=f"eventpipe-dev-{name}",
            pipe_arn=f"arn:aws:pipes:us-east-1:123456789012:pipe/eventpipe-dev-{name}",
            pipe_log_group=f"/aws/vendedlogs/pipes/eventpipe-dev-{name}",
        )
    stack.change(consumers={**stack.output.consumers, name: entry})
    return entry


def test_unknown_consumer_suggests_the_closest_name(stack: Stack) -> None:
    for command in (["dlq", "peek", "ordrs"], ["status", "-c", "ordrs"], ["logs", "ordrs"]):
        result = stack.cli(*command)
        assert result.exit_code == 1
        assert "Did you mean 'orders'?" in flat(result.stderr), command
    far = stack.cli("dlq", "peek", "zzzz")
    assert "Did you mean" not in flat(far.stderr) and "inventory, mailer, orders" in flat(
        far.stderr
    )


def test_peek_on_a_fifo_dlq_counts_what_sqs_holds_back(stack: Stack) -> None:
    """SQS returns no more of a group while its first messages are in flight: the peek
    says exactly how many it could not show, why, and how to see them."""
    ledger = add_fifo_consumer(stack, intake=False)
    for n in range(15):
        stack.sqs.send_message(
            QueueUrl=ledger.dlq_url,
            MessageBody=json.dumps({"n": n}),
            MessageGroupId="customer-a",
            MessageDeduplicationId=f"a{n}",
        )
    for n in range(2):
        stack.sqs.send_message(
            QueueUrl=ledger.dlq_url,
            MessageBody=json.dumps({"n": n}),
            MessageGroupId="customer-b",
            MessageDeduplicationId=f"b{n}",
        )
    data = json.loads(stack.cli("dlq", "peek", "ledger", "--json", "-n", "100").stdout)
    assert data["fifo"] is True and data["depth"] == 17
    shown = data["shown"]
    assert 0 < shown < 17
    assert data["notShown"] == data["heldBack"] == 17 - shown
    groups = {m["group"] for m in data["messages"]}
    assert groups == {"customer-a", "customer-b"}
    # Nothing consumed, nothing left hidden.
    assert stack.depth(ledger.dlq_url) == 17
    attrs = stack.sqs.get_queue_attributes(
        QueueUrl=ledger.dlq_url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0"

    table = stack.cli("dlq", "peek", "ledger", "-n", "100")
    assert table.exit_code == 0, table.output
    text = words(table.stdout)
    assert f"{17 - shown} message(s) in the DLQ of ledger could not be shown" in text
    assert "FIFO queue SQS returns no more messages of a message group" in text
    assert "eventpipe dlq redrive ledger" in text
    assert "group customer-a" in text


def test_intake_dlq_peek_purge_and_status(stack: Stack) -> None:
    ledger = add_fifo_consumer(stack)
    event = {"source": "ledger", "detail-type": "Entry", "detail": {"amount": 3}}
    wrapped = {
        "eventpipe": {"reason": "the event has no $.detail.customerId (the message group)"},
        "event": event,
    }
    stack.sqs.send_message(QueueUrl=ledger.intake_dlq_url, MessageBody=json.dumps(wrapped))
    stack.sqs.send_message(QueueUrl=ledger.intake_dlq_url, MessageBody=json.dumps(event))
    stack.sqs.send_message(QueueUrl=ledger.intake_queue_url, MessageBody=json.dumps(event))

    status = json.loads(stack.cli("status", "--json", "-c", "ledger").stdout)
    [row] = status["consumers"]
    assert (row["intakeVisible"], row["intakeInFlight"], row["intakeDlqDepth"]) == (1, 0, 2)
    assert row["dlqDepth"] == 0
    table = stack.cli("status", "-c", "ledger")
    text = words(table.stdout)
    assert "ledger intake queue (before the pipe): 1 waiting, 0 in flight, 2 in its DLQ" in text
    assert "eventpipe dlq peek ledger --intake" in text

    # The consumer's own DLQ is empty, but peek points at the intake DLQ.
    plain = stack.cli("dlq", "peek", "ledger")
    assert "The DLQ of ledger is empty" in plain.stdout
    assert "holds 2 event(s) the pipe could not deliver" in words(plain.stdout)

    data = json.loads(stack.cli("dlq", "peek", "ledger", "--intake", "--json").stdout)
    assert data["intake"] is True and data["shown"] == 2
    summaries = sorted(m["summary"] for m in data["messages"])
    assert summaries == [
        "no reason recorded: the pipe could not deliver it to the FIFO queue on every "
        "attempt (see the pipe's log)",
        "the event has no $.detail.customerId (the message group)",
    ]
    assert all(m["event"] == event for m in data["messages"])  # unwrapped

    purged = stack.cli("dlq", "purge", "ledger", "--intake", "--yes", "--json")
    assert json.loads(purged.stdout) == {"consumer": "ledger", "intake": True, "purged": 2}
    assert stack.depth(ledger.intake_dlq_url) == 0
    assert stack.depth(ledger.intake_queue_url) == 1  # the intake queue itself untouched


def test_intake_on_a_consumer_without_one_is_refused(stack: Stack) -> None:
    for command in (["dlq", "peek"], ["dlq", "purge", "--yes"], ["dlq", "redrive"]):
        result = stack.cli(*command[:2], "orders", *command[2:], "--intake")
        assert result.exit_code == 1
        assert "orders has no intake queue" in flat(result.stderr)
        assert "drop --intake" in flat(result.stderr)


def test_intake_redrive_moves_back_to_the_intake_queue(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = add_fifo_consumer(stack)
    sqs = StubbedSqs(stack, monkeypatch)
    sqs.depth(2)
    sqs.stubber.add_response(
        "list_message_move_tasks",
        {"Results": []},
        {"SourceArn": ledger.intake_dlq_arn, "MaxResults": 10},
    )
    sqs.stubber.add_response(
        "start_message_move_task",
        {"TaskHandle": "h-intake"},
        {"SourceArn": ledger.intake_dlq_arn, "DestinationArn": ledger.intake_queue_arn},
    )
    with sqs.stubber:
        result = stack.cli("dlq", "redrive", "ledger", "--intake", "--no-wait")
        sqs.stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    assert "eventpipe dlq cancel ledger --intake" in words(result.stdout)


def test_cancel_stops_the_running_redrive(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    sqs = StubbedSqs(stack, monkeypatch)
    sqs.depth(8, redrive=False)
    sqs.tasks(
        {"TaskHandle": "old", "Status": "COMPLETED", "SourceArn": sqs.orders.dlq_arn},
        {"TaskHandle": "run-1", "Status": "RUNNING", "SourceArn": sqs.orders.dlq_arn},
    )
    sqs.stubber.add_response(
        "cancel_message_move_task",
        {"ApproximateNumberOfMessagesMoved": 3},
        {"TaskHandle": "run-1"},
    )
    sqs.depth(5, redrive=False)
    with sqs.stubber:
        result = stack.cli("dlq", "cancel", "orders", "--json")
        sqs.stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "consumer": "orders",
        "intake": False,
        "status": "CANCELLING",
        "taskHandle": "run-1",
        "moved": 3,
        "leftInDlq": 5,
    }


def test_cancel_with_nothing_running_says_so(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    sqs = StubbedSqs(stack, monkeypatch)
    sqs.depth(2, redrive=False)
    sqs.tasks({"TaskHandle": "old", "Status": "COMPLETED", "SourceArn": sqs.orders.dlq_arn})
    with sqs.stubber:
        result = stack.cli("dlq", "cancel", "orders")
        sqs.stubber.assert_no_pending_responses()  # CancelMessageMoveTask never called
    assert result.exit_code == 0, result.output
    assert "No redrive of the DLQ of orders is running: nothing to cancel." in result.stdout


def test_cancel_of_an_empty_dlq_needs_no_task_list(stack: Stack) -> None:
    """Nothing visible, nothing in flight: no task is moving anything (moto, which lacks
    move tasks, is not even asked)."""
    result = stack.cli("dlq", "cancel", "orders")
    assert result.exit_code == 0, result.output
    assert "nothing to cancel" in result.stdout


def test_cancel_against_moto_says_the_api_is_not_emulated(stack: Stack) -> None:
    stack.dead_letter("orders", {"a": 1}, "x")
    result = stack.cli("dlq", "cancel", "orders")
    assert result.exit_code == 1
    assert "does not implement SQS message move tasks" in flat(result.stderr)


def test_a_record_held_behind_another_names_it(stack: Stack) -> None:
    """The runtime's reason for a FIFO record that never ran on its last receive."""
    attributes = {
        "eventpipe.error_type": "BatchHaltedError",
        "eventpipe.error_message": "an earlier record of its group failed",
        "eventpipe.receive_count": "5",
        "eventpipe.held_behind": "m-first",
        "eventpipe.message_group": "customer-9",
    }
    stack.sqs.send_message(
        QueueUrl=stack.consumer("orders").dlq_url,
        MessageBody="{}",
        MessageAttributes={
            k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
        },
    )
    [message] = json.loads(stack.cli("dlq", "peek", "orders", "--json").stdout)["messages"]
    assert message["summary"] == (
        "BatchHaltedError: an earlier record of its group failed (held behind message "
        "m-first of group customer-9)"
    )
    assert message["reason"]["heldBehind"] == "m-first"
    assert message["reason"]["messageGroup"] == "customer-9"
