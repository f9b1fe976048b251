"""FIFO: only a record's own failed attempts count toward its dead-lettering.

Receives spent held behind another record of its group count nothing; its own failures
are counted in the stack's DynamoDB table (moto here, through the test kit), on the
failure path only.
"""

from __future__ import annotations

from typing import Any

import pytest

from eventpipe import contract
from eventpipe.consumer import queue_receive_limit
from eventpipe.runtime.attempts import DynamoAttemptCounter, attempts_key
from eventpipe.runtime.models import RecordInfo
from eventpipe.testing import ConsumerInvoker, eventbridge_event, sqs_event, sqs_record
from tests.runtime import handlers
from tests.runtime.fakes import make_runner

BY_ID = "tests.runtime.handlers:by_order_id"


def order(order_id: str) -> dict[str, Any]:
    return eventbridge_event("Order Created", "ecommerce.orders", {"orderId": order_id})


class RecordingCounter:
    """An AttemptCounter that keeps counts in memory and records every call."""

    def __init__(self, earlier: dict[str, int] | None = None) -> None:
        self.counts = dict(earlier or {})
        self.calls: list[str] = []

    def failed(self, info: RecordInfo) -> int:
        self.calls.append(info.message_id)
        self.counts[info.message_id] = self.counts.get(info.message_id, 0) + 1
        return self.counts[info.message_id]


def fifo(order_id: str, group: str, receive_count: int) -> dict[str, Any]:
    return sqs_record(order(order_id), fifo=True, group_id=group, receive_count=receive_count)


def fifo_runner(counter: RecordingCounter, **kwargs: Any) -> Any:
    env = {contract.ENV_MAX_ATTEMPTS: "5"}
    return make_runner(BY_ID, fifo=True, max_receive_count=100, env=env, attempts=counter, **kwargs)


def test_a_record_that_waited_many_receives_is_retried_on_its_own_first_failure() -> None:
    counter = RecordingCounter()
    runner, sqs, _ = fifo_runner(counter)
    # Received 40 times while held behind others; this is its own first failure.
    record = fifo("retry-0", "G", receive_count=40)
    response = runner.run(sqs_event([record]), None)
    assert response["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]
    assert sqs.sent == []  # not dead-lettered
    assert counter.counts == {record["messageId"]: 1}


def test_a_record_is_dead_lettered_on_its_own_last_attempt_with_the_count_in_its_reason() -> None:
    first = fifo("retry-0", "G", receive_count=12)
    counter = RecordingCounter({first["messageId"]: 4})
    runner, sqs, _ = fifo_runner(counter)
    later = fifo("g-ok-1", "G", receive_count=12)
    response = runner.run(sqs_event([first, later]), None)
    assert response == {"batchItemFailures": []}
    assert handlers.CALLS == ["retry-0", "g-ok-1"]  # the group goes on without it
    [dead] = sqs.sent
    values = {k: v.get("StringValue", "") for k, v in dead["MessageAttributes"].items()}
    assert values[contract.DLQ_ATTR_MESSAGE_ID] == first["messageId"]
    assert values[contract.DLQ_ATTR_ERROR_MESSAGE] == (
        "dependency busy for retry-0 (own attempt 5 of 5, receive 12)"
    )


def test_success_held_records_and_permanent_errors_count_nothing() -> None:
    counter = RecordingCounter()
    runner, _, _ = fifo_runner(counter)
    records = [
        fifo("ok-0", "A", 1),
        fifo("perm-1", "A", 1),
        fifo("retry-2", "B", 1),
        fifo("b-held-3", "B", 1),
    ]
    runner.run(sqs_event(records), None)
    assert counter.calls == [records[2]["messageId"]]  # only the failure path counts


def test_a_held_record_still_meets_the_safety_net() -> None:
    counter = RecordingCounter()
    runner, sqs, _ = fifo_runner(counter)
    records = [fifo("retry-0", "G", 3), fifo("g-held-1", "G", 100)]
    runner.run(sqs_event(records), None)
    [dead] = sqs.sent  # on the queue's last receive it is copied with its reason
    assert (
        dead["MessageAttributes"][contract.DLQ_ATTR_HELD_BEHIND]["StringValue"]
        == (records[0]["messageId"])
    )
    assert counter.calls == [records[0]["messageId"]]


def test_a_counter_that_fails_leaves_the_receive_count_to_decide() -> None:
    class Broken:
        def failed(self, info: RecordInfo) -> int:
            raise ConnectionError("dynamodb unreachable")

    runner, sqs, logger = make_runner(
        BY_ID, fifo=True, max_receive_count=100, env={contract.ENV_MAX_ATTEMPTS: "1"},
        attempts=Broken(),
    )  # fmt: skip
    record = fifo("retry-0", "G", 3)
    response = runner.run(sqs_event([record]), None)
    assert response["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]
    assert sqs.sent == []
    [warning] = [x for x in logger.about(record["messageId"]) if "could not count" in x[1]]
    assert "dynamodb unreachable" in warning[2]["error"]


def test_the_dynamodb_counter_counts_each_receive_once() -> None:
    with ConsumerInvoker() as invoke:
        invoke.queues("c", fifo=True)  # starts the mock
        invoke._ensure_table()
        from eventpipe import aws_clients

        ddb = aws_clients.client(
            "dynamodb", region=invoke.region, credentials=aws_clients.FAKE_CREDENTIALS
        )
        counter = DynamoAttemptCounter(
            invoke.idempotency_table, "c", client=ddb, clock=lambda: 1000
        )
        info = RecordInfo("m-1", "h", 3, 0, "arn", "{}")
        assert counter.failed(info) == 1
        assert counter.failed(info) == 1  # the same receive again: not counted twice
        assert counter.failed(RecordInfo("m-1", "h", 7, 0, "arn", "{}")) == 2
        item = ddb.get_item(
            TableName=invoke.idempotency_table, Key={"id": {"S": attempts_key("c", "m-1")}}
        )["Item"]
        assert item["expiration"] == {"N": str(1000 + 14 * 24 * 3600)}
        assert item["lastReceive"] == {"N": "7"}


def test_the_test_kit_counts_fifo_attempts_in_moto(invoke_consumer: ConsumerInvoker) -> None:
    event = order("retry-0")
    # Two groups: the first call's message stays in flight (reported failed), which holds
    # its group, as SQS does.
    first = invoke_consumer(BY_ID, [event], fifo=True, receive_count=30, group_id="g-1")
    assert first.dead_lettered == [] and len(first.will_retry) == 1  # attempt 1 of 5
    last = invoke_consumer(
        BY_ID, [event], fifo=True, receive_count=30, failed_attempts=4, group_id="g-2"
    )
    [dead] = last.dead_lettered
    assert "own attempt 5 of 5" in dead.error_message


@pytest.mark.parametrize(
    ("fifo", "attempts", "batch", "limit"),
    [(False, 5, 10, 5), (True, 5, 10, 100), (True, 5, 1, 10), (True, 100, 10, 1000)],
)
def test_the_queue_receive_limit(fifo: bool, attempts: int, batch: int, limit: int) -> None:
    assert queue_receive_limit(fifo, attempts, batch) == limit
