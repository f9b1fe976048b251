"""FIFO batches: a failure halts only its own message group.

Semantics of Powertools' ``SqsFifoPartialProcessor(skip_group_on_error=True)``; a record
the runtime dead-lettered does not halt its successors; a held record waits as long as
the record it is held behind; on its last receive it is dead-lettered naming that record.
"""

from __future__ import annotations

from typing import Any

from eventpipe import contract
from eventpipe.testing import eventbridge_event, sqs_event, sqs_record
from tests.runtime import handlers
from tests.runtime.fakes import RecordingMetrics, StepRng, make_runner

BY_ID = "tests.runtime.handlers:by_order_id"


def order(order_id: str) -> dict[str, Any]:
    return eventbridge_event("Order Created", "ecommerce.orders", {"orderId": order_id})


def fifo(order_id: str, group: str, receive_count: int = 1) -> dict[str, Any]:
    return sqs_record(order(order_id), fifo=True, group_id=group, receive_count=receive_count)


def failed_ids(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


def attrs(sent: dict[str, Any]) -> dict[str, str]:
    return {k: v.get("StringValue", "") for k, v in sent["MessageAttributes"].items()}


def test_a_failure_halts_only_its_own_group() -> None:
    runner, sqs, _ = make_runner(BY_ID, fifo=True)
    records = [
        fifo("a-ok-0", "A"),
        fifo("retry-b1", "B"),
        fifo("a-ok-2", "A"),
        fifo("b-ok-3", "B"),
        fifo("c-ok-4", "C"),
        fifo("b-ok-5", "B"),
    ]
    response = runner.run(sqs_event(records), None)
    mids = [r["messageId"] for r in records]
    assert failed_ids(response) == [mids[1], mids[3], mids[5]]
    # Group B stopped at its failure; A and C ran, in order.
    assert handlers.CALLS == ["a-ok-0", "retry-b1", "a-ok-2", "c-ok-4"]
    assert sqs.sent == []


def test_held_records_wait_as_long_as_the_record_they_wait_behind() -> None:
    runner, sqs, _ = make_runner(BY_ID, fifo=True, rng=StepRng())
    records = [
        fifo("retry-a0", "A", receive_count=3),
        fifo("retry-b1", "B", receive_count=3),
        fifo("a-ok-2", "A"),
        fifo("b-ok-3", "B"),
        fifo("a-ok-4", "A"),
    ]
    runner.run(sqs_event(records), None)
    vis = sqs.visibility()
    handles = [r["receiptHandle"] for r in records]
    a_delay, b_delay = vis[handles[0]], vis[handles[1]]
    assert a_delay != b_delay  # the two failures drew different jitter
    assert a_delay > 0 and b_delay > 0
    assert vis[handles[2]] == a_delay
    assert vis[handles[4]] == a_delay
    assert vis[handles[3]] == b_delay
    assert len(sqs.visibility_calls) == 1  # one ChangeMessageVisibilityBatch for 5 entries


def test_a_dead_lettered_record_does_not_halt_its_successors() -> None:
    runner, sqs, _ = make_runner(BY_ID, fifo=True)
    records = [fifo("perm-0", "A"), fifo("a-ok-1", "A"), fifo("a-ok-2", "A")]
    response = runner.run(sqs_event(records), None)
    assert response == {"batchItemFailures": []}
    assert handlers.CALLS == ["perm-0", "a-ok-1", "a-ok-2"]
    [dead] = sqs.sent
    assert attrs(dead)[contract.DLQ_ATTR_ERROR_TYPE] == "PermanentError"
    assert dead["MessageGroupId"] == "A"


def test_a_record_failing_on_its_last_receive_is_dead_lettered_and_does_not_halt() -> None:
    metrics = RecordingMetrics()
    runner, sqs, _ = make_runner(BY_ID, fifo=True, max_receive_count=3, metrics=metrics)
    records = [fifo("retry-0", "A", receive_count=3), fifo("a-ok-1", "A")]
    response = runner.run(sqs_event(records), None)
    assert response == {"batchItemFailures": []}
    assert handlers.CALLS == ["retry-0", "a-ok-1"]
    [dead] = sqs.sent
    assert metrics.last.dead_lettered == 1
    values = attrs(dead)
    assert values[contract.DLQ_ATTR_ERROR_TYPE] == "RetryableError"
    assert values[contract.DLQ_ATTR_ERROR_MESSAGE] == "dependency busy for retry-0"
    assert values[contract.DLQ_ATTR_RECEIVE_COUNT] == "3"
    assert values[contract.DLQ_ATTR_MESSAGE_ID] == records[0]["messageId"]


def test_a_held_record_on_its_last_receive_names_the_record_and_group_it_waited_behind() -> None:
    metrics = RecordingMetrics()
    runner, sqs, logger = make_runner(BY_ID, fifo=True, max_receive_count=4, metrics=metrics)
    records = [fifo("retry-0", "G7", receive_count=2), fifo("g-ok-1", "G7", receive_count=4)]
    response = runner.run(sqs_event(records), None)
    blocker, held = records[0]["messageId"], records[1]["messageId"]
    assert failed_ids(response) == [blocker]  # the held one is handled: it is in the DLQ
    assert handlers.CALLS == ["retry-0"]  # it never ran
    [dead] = sqs.sent
    values = attrs(dead)
    assert values[contract.DLQ_ATTR_MESSAGE_ID] == held
    assert values[contract.DLQ_ATTR_ERROR_TYPE] == "BatchHaltedError"
    assert values[contract.DLQ_ATTR_HELD_BEHIND] == blocker
    assert values[contract.DLQ_ATTR_MESSAGE_GROUP] == "G7"
    assert values[contract.DLQ_ATTR_RECEIVE_COUNT] == "4"
    assert blocker in values[contract.DLQ_ATTR_ERROR_MESSAGE]
    assert "RetryableError: dependency busy for retry-0" in values[contract.DLQ_ATTR_ERROR_MESSAGE]
    [line] = [x for x in logger.about(held) if x[0] == "error"]
    assert line[1] == "record sent to the DLQ"
    assert line[2]["held_behind"] == blocker and line[2]["message_group"] == "G7"
    assert line[2]["error_type"] == "BatchHaltedError"
    assert line[2]["receive_count"] == 4 and line[2]["max_receive_count"] == 4
    assert blocker in line[2]["error"]
    assert metrics.last.dead_lettered == 1


def test_a_held_record_whose_copy_fails_keeps_the_blockers_delay() -> None:
    metrics = RecordingMetrics()
    runner, sqs, logger = make_runner(
        BY_ID, fifo=True, max_receive_count=4, dlq_url="", rng=StepRng(), metrics=metrics
    )
    records = [fifo("retry-0", "G", receive_count=2), fifo("g-ok-1", "G", receive_count=4)]
    response = runner.run(sqs_event(records), None)
    assert failed_ids(response) == [r["messageId"] for r in records]
    vis = sqs.visibility()
    assert vis[records[1]["receiptHandle"]] == vis[records[0]["receiptHandle"]] > 0
    [warning] = [x for x in logger.about(records[1]["messageId"]) if x[0] == "warning"]
    assert contract.ENV_DLQ_URL in warning[2]["error"]
    assert warning[2]["retry_in_seconds"] == vis[records[0]["receiptHandle"]]
    assert warning[1].startswith("record failed on its last attempt")
    assert metrics.last.dead_lettered == 0


def test_the_first_failure_of_a_group_is_the_one_named() -> None:
    metrics = RecordingMetrics()
    runner, sqs, _ = make_runner(BY_ID, fifo=True, max_receive_count=5, metrics=metrics)
    records = [
        fifo("retry-0", "G", receive_count=1),
        fifo("g-1", "G", receive_count=5),
        fifo("g-2", "G", receive_count=5),
    ]
    runner.run(sqs_event(records), None)
    assert metrics.last.dead_lettered == 2
    assert [attrs(s)[contract.DLQ_ATTR_HELD_BEHIND] for s in sqs.sent] == [
        records[0]["messageId"],
        records[0]["messageId"],
    ]


def test_standard_queue_never_holds_records() -> None:
    runner, _, _ = make_runner(BY_ID, fifo=False)
    records = [
        sqs_record(order("retry-0")),
        sqs_record(order("ok-1")),
    ]
    response = runner.run(sqs_event(records), None)
    assert failed_ids(response) == [records[0]["messageId"]]
    assert handlers.CALLS == ["retry-0", "ok-1"]
