"""``dlq peek --archived``, ``dlq redrive --archived`` and the archive counts of
``status``, against moto S3 and SQS, at 80 columns.

The archive is filled by the archiver itself
(:class:`eventpipe.stack_functions.archiver.Archiver` on moto clients, its clock moved
past ``afterDays``), so the commands read the objects the deployed archiver writes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from eventpipe.operate import archive as archive_ops
from eventpipe.stack_functions.archiver import Archiver
from eventpipe.stack_output import DeadLetterArchiveOutputs
from tests.cli.stack import Stack
from tests.cli.terminal import TERMINAL_80, plain_lines, too_wide
from tests.cli.test_dlq import add_fifo_consumer

BUCKET = "eventpipe-dev-dead-letters-abc123"
REASON = "amount must be positive: the ledger refuses a refund of -12.50 EUR"


@pytest.fixture(autouse=True)
def eighty_columns(stack: Stack) -> None:
    stack.runner = CliRunner(env=TERMINAL_80)


def s3() -> Any:
    return boto3.client("s3", region_name="us-east-1")


def with_archive(stack: Stack) -> None:
    s3().create_bucket(Bucket=BUCKET)
    stack.change(
        dead_letter_archive=DeadLetterArchiveOutputs(
            bucket_name=BUCKET,
            archiver_function_name="eventpipe-dev-dlq-archiver",
            after_days=10,
            expire_days=365,
            schedule_name="eventpipe-dev-dlq-archiver",
        )
    )


def run_archiver(stack: Stack, consumers: list[str]) -> dict[str, Any]:
    """The archiver, eleven days from now: every dead letter is old enough."""
    later = datetime.now(UTC) + timedelta(days=11)
    archiver = Archiver(
        sqs=stack.sqs,
        s3=s3(),
        cloudwatch=stack.cloudwatch,
        sns=boto3.client("sns", region_name="us-east-1"),
        bucket=BUCKET,
        after_days=10,
        queues={c: stack.consumer(c).dlq_url.rsplit("/", 1)[-1] for c in consumers},
        topic_arn=None,
        now=lambda: later,
    )
    return archiver.run()


def archived_keys(prefix: str) -> list[str]:
    return [
        o["Key"] for o in s3().list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    ]


def test_status_counts_archived_dead_letters(stack: Stack) -> None:
    with_archive(stack)
    for n in range(3):
        stack.dead_letter("orders", {"n": n}, REASON)
    assert run_archiver(stack, ["orders", "inventory"])["archived"] == {"orders": 3, "inventory": 0}
    assert stack.depth(stack.consumer("orders").dlq_url) == 0
    data = json.loads(stack.cli("status", "--json").stdout)
    counts = {row["consumer"]: row["archived"] for row in data["consumers"]}
    assert counts == {"inventory": 0, "mailer": 0, "orders": 3}
    assert data["deliveryArchived"] == 0
    table = stack.cli("status")
    assert table.exit_code == 0, table.output
    assert too_wide(table.stdout) == []
    text = " ".join(" ".join(plain_lines(table.stdout)).split())
    assert f"orders: 3 dead letter(s) archived in s3://{BUCKET}/orders/" in text
    assert "eventpipe dlq peek orders --archived --outputs" in text
    assert "inventory: 0" not in text


def test_status_without_an_archive_has_no_counts(stack: Stack) -> None:
    data = json.loads(stack.cli("status", "--json").stdout)
    assert {row["archived"] for row in data["consumers"]} == {None}
    assert data["deliveryArchived"] is None


def test_peek_archived_shows_reason_and_changes_nothing(stack: Stack) -> None:
    with_archive(stack)
    event = {"source": "ecommerce.orders", "detail-type": "Order Created", "detail": {"n": 1}}
    message_id = stack.dead_letter("orders", event, REASON)
    run_archiver(stack, ["orders"])
    result = stack.cli("dlq", "peek", "orders", "--archived")
    assert result.exit_code == 0, result.output
    assert too_wide(result.stdout) == []
    text = " ".join(" ".join(plain_lines(result.stdout)).split())
    assert "1 of 1 archived dead letter(s) shown, none changed" in text
    assert message_id in text and f"PermanentError: {REASON}" in text
    assert "Order Created from ecommerce.orders" in text
    assert "eventpipe dlq redrive orders --archived --outputs" in text
    data = json.loads(stack.cli("dlq", "peek", "orders", "--archived", "--json").stdout)
    [shown] = data["messages"]
    assert data["depth"] == 1 and data["archived"] is True and data["bucket"] == BUCKET
    assert shown["messageId"] == message_id and shown["event"] == event
    assert shown["reason"]["errorType"] == "PermanentError"
    assert shown["key"].startswith("orders/") and shown["key"].endswith(f"/{message_id}.json")
    assert shown["messageAttributes"]["eventpipe.error_message"]["StringValue"] == REASON
    assert len(archived_keys("orders/")) == 1  # nothing deleted


def test_peek_archived_limit_and_empty(stack: Stack) -> None:
    with_archive(stack)
    for n in range(3):
        stack.dead_letter("orders", {"n": n}, REASON)
    run_archiver(stack, ["orders"])
    result = stack.cli("dlq", "peek", "orders", "--archived", "--limit", "2")
    text = " ".join(result.stdout.split())
    assert "2 of 3 archived" in text and "1 more not shown (--limit 2)" in text
    empty = stack.cli("dlq", "peek", "inventory", "--archived")
    assert empty.exit_code == 0 and "is empty" in " ".join(empty.stdout.split())


def test_redrive_archived_sends_back_then_deletes(stack: Stack) -> None:
    with_archive(stack)
    ids = [stack.dead_letter("orders", {"n": n}, REASON) for n in range(12)]
    run_archiver(stack, ["orders"])
    assert len(archived_keys("orders/")) == 12
    result = stack.cli("dlq", "redrive", "orders", "--archived")
    assert result.exit_code == 0, result.output
    assert too_wide(result.stdout) == []
    text = " ".join(result.stdout.split())
    assert "12 of 12 message(s) sent back to its queue, 12 object(s) deleted" in text
    assert archived_keys("orders/") == []
    queue = stack.consumer("orders").queue_url
    got: list[dict[str, Any]] = []
    while len(got) < 12:
        page = stack.sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        assert page, f"only {len(got)} of 12 messages came back"
        got += page
    assert sorted(json.loads(m["Body"])["n"] for m in got) == list(range(12))
    attrs = got[0]["MessageAttributes"]
    assert attrs["eventpipe.error_message"]["StringValue"] == REASON  # as a move task keeps
    assert len(ids) == 12


def test_redrive_archived_keeps_what_sqs_refused(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_archive(stack)
    stack.dead_letter("orders", {"n": 1}, REASON)
    stack.dead_letter("orders", {"n": 2}, REASON)
    run_archiver(stack, ["orders"])
    real_send = archive_ops.send

    class RefuseAllButFirst:
        """SQS answering a batch with its first entry sent and the rest refused."""

        def __init__(self, sqs: Any) -> None:
            self.sqs = sqs

        def send_message_batch(self, **kwargs: Any) -> Any:
            entries = kwargs["Entries"]
            response = self.sqs.send_message_batch(**{**kwargs, "Entries": entries[:1]})
            response["Failed"] = [
                {"Id": e["Id"], "Code": "InvalidParameterValue", "Message": "no",
                 "SenderFault": True}
                for e in entries[1:]
            ]  # fmt: skip
            return response

    def refusing_send(sqs: Any, *args: Any, **kwargs: Any) -> Any:
        return real_send(RefuseAllButFirst(sqs), *args, **kwargs)

    monkeypatch.setattr(archive_ops, "send", refusing_send)
    result = stack.cli("dlq", "redrive", "orders", "--archived", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["sent"], data["deleted"], len(data["failures"])) == (1, 1, 1)
    [kept] = archived_keys("orders/")
    assert data["failures"][0]["key"] == kept
    assert "not sent" in result.stderr


def test_redrive_archived_fifo_keeps_group_and_dedup(stack: Stack) -> None:
    with_archive(stack)
    ledger = add_fifo_consumer(stack, message_group="c-1", intake=False)
    for n in range(3):
        stack.sqs.send_message(
            QueueUrl=ledger.dlq_url,
            MessageBody=json.dumps({"n": n}),
            MessageGroupId=f"customer-{n % 2}",
            MessageDeduplicationId=f"dedup-{n}",
        )
    run_archiver(stack, ["ledger"])
    records = [
        json.loads(s3().get_object(Bucket=BUCKET, Key=k)["Body"].read())
        for k in archived_keys("ledger/")
    ]
    assert {r["attributes"]["MessageGroupId"] for r in records} == {"customer-0", "customer-1"}
    result = stack.cli("dlq", "redrive", "ledger", "--archived", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sent"] == 3
    got = []
    while len(got) < 3:
        page = stack.sqs.receive_message(
            QueueUrl=ledger.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", [])
        assert page
        for message in page:
            got.append(message)
            stack.sqs.delete_message(
                QueueUrl=ledger.queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
    by_n = {json.loads(m["Body"])["n"]: m["Attributes"] for m in got}
    assert {n: a["MessageGroupId"] for n, a in by_n.items()} == {
        0: "customer-0",
        1: "customer-1",
        2: "customer-0",
    }
    assert {n: a["MessageDeduplicationId"] for n, a in by_n.items()} == {
        0: "dedup-0",
        1: "dedup-1",
        2: "dedup-2",
    }


def test_archived_on_a_stack_without_an_archive_says_how(stack: Stack) -> None:
    result = stack.cli("dlq", "peek", "orders", "--archived")
    assert result.exit_code == 1
    assert "has no dead-letter archive" in result.stderr and "deadLetterArchive" in result.stderr


def test_archived_refuses_intake(stack: Stack) -> None:
    with_archive(stack)
    result = stack.cli("dlq", "redrive", "orders", "--archived", "--intake")
    assert result.exit_code == 1 and "drop --intake" in result.stderr
