"""``eventpipe send`` against moto, at 80 columns, and its batching and retries."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from eventpipe.operate import send as send_ops
from eventpipe.stack_output import ConsumerOutputs
from tests.cli.stack import Stack
from tests.cli.terminal import TERMINAL_80
from tests.cli.test_dlq import add_fifo_consumer


@pytest.fixture(autouse=True)
def eighty_columns(stack: Stack) -> None:
    stack.runner = CliRunner(env=TERMINAL_80)


def drain(stack: Stack, url: str) -> list[dict[str, Any]]:
    """Every message of a queue (received, so tests see bodies and attributes)."""
    messages: list[dict[str, Any]] = []
    while True:
        page = stack.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=300
        ).get("Messages", [])
        if not page:
            return messages
        messages += page


def test_send_one_body_to_a_standard_queue(stack: Stack) -> None:
    result = stack.cli("send", "mailer", '{"to": "a@example.com"}', "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["total"], data["sent"], data["calls"], data["failures"]) == (1, 1, 1, [])
    [message] = drain(stack, stack.consumer("mailer").queue_url)
    assert message["Body"] == '{"to": "a@example.com"}'
    assert data["messageIds"] == [message["MessageId"]]


def test_send_a_file_one_body_per_line_in_batches_of_ten(stack: Stack, tmp_path: Any) -> None:
    bodies = [json.dumps({"n": n}) for n in range(25)]
    path = tmp_path / "bodies.jsonl"
    path.write_text("\n".join(bodies[:12]) + "\n\n" + "\n".join(bodies[12:]) + "\n")
    result = stack.cli("send", "mailer", f"@{path}")
    assert result.exit_code == 0, result.output
    assert "Sent 25 of 25 message(s) to eventpipe-dev-mailer in 3 call(s)" in result.stdout
    received = sorted(m["Body"] for m in drain(stack, stack.consumer("mailer").queue_url))
    assert received == sorted(bodies)


def test_send_from_stdin(stack: Stack) -> None:
    result = stack.cli("send", "mailer", "-", "--json", input="plain text one\nplain two\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sent"] == 2
    bodies = {m["Body"] for m in drain(stack, stack.consumer("mailer").queue_url)}
    assert bodies == {"plain text one", "plain two"}


def test_fifo_needs_a_group_unless_the_consumer_has_a_fixed_one(stack: Stack) -> None:
    ledger = add_fifo_consumer(stack)  # grouped by a JSON path: no group to default to
    refused = stack.cli("send", "ledger", '{"a": 1}')
    assert refused.exit_code == 1
    assert "ledger has a FIFO queue and SQS requires a message group" in refused.stderr
    assert "$.detail.customerId" in refused.stderr and "--group GROUP" in refused.stderr
    assert stack.depth(ledger.queue_url) == 0

    sent = stack.cli("send", "ledger", '{"a": 1}', "--group", "customer-7")
    assert sent.exit_code == 0, sent.output
    [message] = drain(stack, ledger.queue_url)
    assert message["Attributes"]["MessageGroupId"] == "customer-7"
    # No --dedup-id: the body's SHA-256, as content-based deduplication would use.
    digest = hashlib.sha256(b'{"a": 1}').hexdigest()
    assert message["Attributes"]["MessageDeduplicationId"] == digest

    fixed = add_fifo_consumer(stack, "audit", message_group="all-audits", intake=False)
    ok = stack.cli("send", "audit", "x", "--dedup-id", "d-1")
    assert ok.exit_code == 0, ok.output
    [audit] = drain(stack, fixed.queue_url)
    assert audit["Attributes"]["MessageGroupId"] == "all-audits"
    assert audit["Attributes"]["MessageDeduplicationId"] == "d-1"


def test_fifo_resend_of_the_same_body_is_deduplicated(stack: Stack) -> None:
    ledger = add_fifo_consumer(stack, message_group="g", intake=False)
    for _ in range(2):
        assert stack.cli("send", "ledger", "same body").exit_code == 0
    assert stack.depth(ledger.queue_url) == 1


def test_group_and_dedup_are_refused_on_a_standard_queue(stack: Stack) -> None:
    for option in (["--group", "g"], ["--dedup-id", "d"]):
        result = stack.cli("send", "mailer", "x", *option)
        assert result.exit_code == 1
        assert f"{option[0]} applies to FIFO queues only" in result.stderr
    assert stack.depth(stack.consumer("mailer").queue_url) == 0


def test_bad_input_sends_nothing(stack: Stack, tmp_path: Any) -> None:
    path = tmp_path / "bodies.txt"
    path.write_text("fine\nbad \x01 char\n")
    bad = stack.cli("send", "mailer", f"@{path}")
    assert bad.exit_code == 1
    assert "message 2: character U+0001 is not allowed" in bad.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    assert "nothing to send" in stack.cli("send", "mailer", f"@{empty}").stderr
    missing = stack.cli("send", "mailer", f"@{tmp_path / 'nope'}")
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    assert stack.depth(stack.consumer("mailer").queue_url) == 0


def test_a_body_over_the_queues_maximum_size_is_refused(stack: Stack) -> None:
    url = stack.consumer("mailer").queue_url
    stack.sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "1024"})
    result = stack.cli("send", "mailer", "x" * 2000)
    assert result.exit_code == 1
    assert "message 1 is 2,000 bytes; the queue accepts at most 1,024" in result.stderr
    assert stack.depth(url) == 0


CONSUMER = ConsumerOutputs(
    name="c",
    queue_url="https://sqs/q",
    queue_arn="arn:aws:sqs:us-east-1:1:q",
    dlq_url="d",
    dlq_arn="arn:aws:sqs:us-east-1:1:d",
)


def test_batches_keep_to_ten_entries_and_one_mebibyte() -> None:
    big = send_ops.build_entries(CONSUMER, ["x" * 400_000] * 5)
    assert [len(b) for b in send_ops.batches(big)] == [2, 2, 1]
    small = send_ops.build_entries(CONSUMER, ["y"] * 23)
    assert [len(b) for b in send_ops.batches(small)] == [10, 10, 3]
    exact = send_ops.build_entries(CONSUMER, ["z" * (1_048_576 // 2)] * 2)
    assert [len(b) for b in send_ops.batches(exact)] == [2]  # exactly 1 MiB fits


class FlakySqs:
    """SendMessageBatch answering with failed entries: server-side ones first, then OK."""

    def __init__(self, failures: list[dict[str, dict[str, Any]]]):
        self.failures = failures
        self.calls: list[list[str]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append([e["Id"] for e in Entries])
        failing = self.failures.pop(0) if self.failures else {}
        return {
            "Successful": [
                {"Id": e["Id"], "MessageId": f"m{e['Id']}"}
                for e in Entries
                if e["Id"] not in failing
            ],
            "Failed": [{"Id": i, **f} for i, f in failing.items()],
        }


def test_entries_failed_on_sqs_side_are_resent_before_the_next_batch() -> None:
    sqs = FlakySqs([{"3": {"Code": "InternalError", "Message": "try again", "SenderFault": False}}])
    entries = send_ops.build_entries(CONSUMER, [f"b{n}" for n in range(12)])
    delays: list[float] = []
    result = send_ops.send(sqs, CONSUMER, entries, sleep=delays.append, rng=lambda: 1.0)
    assert result.ok and result.sent == 12 and result.retried == 1
    assert sqs.calls == [[str(n) for n in range(10)], ["3"], ["10", "11"]]
    assert delays == [0.1]
    assert result.message_ids[3] == "m3"


def test_sender_faults_are_reported_not_resent() -> None:
    sqs = FlakySqs(
        [{"1": {"Code": "InvalidParameterValue", "Message": "bad", "SenderFault": True}}]
    )
    entries = send_ops.build_entries(CONSUMER, ["a", "b", "c"])
    result = send_ops.send(sqs, CONSUMER, entries, sleep=lambda _: None)
    assert not result.ok and result.sent == 2 and len(sqs.calls) == 1
    [failure] = result.failures
    assert (failure.index, failure.code, failure.attempts) == (1, "InvalidParameterValue", 1)


def test_server_faults_stop_after_max_attempts() -> None:
    always = {"0": {"Code": "InternalError", "Message": "down", "SenderFault": False}}
    sqs = FlakySqs([dict(always) for _ in range(10)])
    entries = send_ops.build_entries(CONSUMER, ["a"])
    result = send_ops.send(sqs, CONSUMER, entries, max_attempts=3, sleep=lambda _: None)
    assert len(sqs.calls) == 3
    assert [(f.code, f.attempts) for f in result.failures] == [("InternalError", 3)]
