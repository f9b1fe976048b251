"""End-to-end fault injection on the local engine.

540 events through the project's own program, runtime and the local engine: a standard
consumer and a FIFO consumer grouped by a JSON path over 6 groups (rule -> intake queue
-> EventBridge Pipe -> FIFO queue, as on AWS). 10% are poison (``PermanentError``, or a
detail that fails the handler's pydantic model), 20% fail transiently
(``RetryableError`` or a plain exception, once or twice, then succeed). Bodies that are
not EventBridge events (plain text, invalid JSON, an envelope without ``detail``) are sent
straight into both consumers' queues.

A second case runs failure streaks through the FIFO consumer: 4 groups of 25 events,
each group with runs of consecutive events that fail on their first one or two handler
runs and succeed on the second or third. A record waits behind the failing ones of its
group, and SQS counts every receive; only its own failed runs may count toward
dead-lettering, so none of them may reach the DLQ, and each group keeps its order.

Asserted: nothing lost (every published message is either processed or dead-lettered,
never both), no double effect (each event's effect is counted in a table), every dead
letter carries its reason, and each FIFO group's events ran in the order they reached
the FIFO queue (increasing SequenceNumber) with the group the path selected.

Deterministic under load: the test waits on conditions (the engine settled, with a
generous deadline) and the engine's time scale shortens every backoff and timeout.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from eventpipe.contract import DLQ_ATTR_ERROR_MESSAGE, DLQ_ATTR_ERROR_TYPE
from eventpipe.local import LocalEngine
from eventpipe.local.watch.tracker import message_key
from tests.local.conftest import PluginEnv, real_project

STD_EVENTS = 300
FIFO_GROUPS = [f"customer-{g}" for g in range(6)]
FIFO_PER_GROUP = 40
SETTLE_TIMEOUT = 240.0
STREAK_GROUPS = [f"streak-{g}" for g in range(4)]
STREAK_PER_GROUP = 25
STREAK_BASE = 50_000
DIRECT_BODIES = [
    "plain text, not an event",
    '{"id": "broken", "detail-type": ',  # invalid JSON
    json.dumps(
        {
            "version": "0",
            "id": "no-detail-envelope",
            "detail-type": "Fault",
            "source": "fi.direct",
            "account": "123456789012",
            "time": "2026-01-01T00:00:00Z",
            "region": "us-east-1",
            "resources": [],
        }
    ),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngine]:
    root = tmp_path_factory.mktemp("injection")
    project = real_project(
        root / "project",
        "fi",
        {
            "aws:region": "us-east-1",
            "eventpipe:publishSchemas": False,
            "eventpipe:dashboard": False,
            "eventpipe:archive": False,
        },
    )
    with PluginEnv("fault-injection") as plugins:
        plugins.install(
            root / "site",
            "eventpipe-fault-injection",
            {"fault-injection": "tests.local.fixtures.plugins.injection"},
        )
        with LocalEngine(project, "fi", time_scale=0.01) as running:
            yield running


def _modes(count: int, rng: random.Random) -> list[str]:
    """10% poison (half PermanentError, half a detail failing the model), 20% transient
    (half RetryableError, half a plain exception), the rest ok; shuffled."""
    poison, transient = count // 10, count // 5
    modes = (
        ["permanent"] * (poison - poison // 2)
        + ["badmodel"] * (poison // 2)
        + ["retryable"] * (transient - transient // 2)
        + ["crash"] * (transient // 2)
    )
    modes += ["ok"] * (count - len(modes))
    rng.shuffle(modes)
    return modes


def _detail(n: int, mode: str, group: str | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"n": n, "mode": mode, "failures": 1 + n % 2}
    if mode == "badmodel":
        detail["n"] = f"not-a-number-{n}"  # fails Detail.n: int
    if group is not None:
        detail["group"] = group
    return detail


def _scan(engine: LocalEngine, consumer: str) -> dict[str, dict[str, Any]]:
    table = engine.outputs.consumer(consumer).resources["effectsTable"]
    pages = engine.client("dynamodb").get_paginator("scan").paginate(TableName=table)
    return {item["pk"]["S"]: item for page in pages for item in page["Items"]}


def _drain(engine: LocalEngine, url: str | None) -> list[dict[str, Any]]:
    """Every message of a DLQ (received and deleted, so a FIFO DLQ releases its groups)."""
    if not url:
        return []
    sqs = engine.client("sqs")
    got: list[dict[str, Any]] = []
    empty = 0
    while empty < 3:  # three empty receives in a row: nothing left, nothing in flight
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=60,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        empty = 0 if messages else empty + 1
        for message in messages:
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return got


def _reason(message: dict[str, Any]) -> str:
    """The reason a dead letter carries: the runtime's attributes, or the wrapper the
    companion rule puts around an event without its group field."""
    attributes = message.get("MessageAttributes") or {}
    error_type = (attributes.get(DLQ_ATTR_ERROR_TYPE) or {}).get("StringValue", "")
    error = (attributes.get(DLQ_ATTR_ERROR_MESSAGE) or {}).get("StringValue", "")
    if error_type or error:
        return f"{error_type}: {error}"
    try:
        body = json.loads(message["Body"])
    except ValueError:
        return ""
    wrapper = body.get("eventpipe") if isinstance(body, dict) else None
    return str(wrapper.get("reason") or "") if isinstance(wrapper, dict) else ""


def _dead_key(message: dict[str, Any]) -> str:
    body = message["Body"]
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("event"), dict) and "eventpipe" in data:
        return message_key(json.dumps(data["event"]))
    return message_key(body)


def test_faults_nothing_lost_nothing_doubled_every_reason_order_per_group(
    engine: LocalEngine,
) -> None:
    consumers = engine.outputs.consumers
    fifo_outputs = consumers["fi-fifo"]
    assert fifo_outputs.pipe_name, "the path-grouped FIFO consumer must be fed by a Pipe"
    rng = random.Random(9)

    std_modes = _modes(STD_EVENTS, rng)
    std_details = [_detail(n, mode) for n, mode in enumerate(std_modes)]
    fifo_count = FIFO_PER_GROUP * len(FIFO_GROUPS)
    fifo_modes = _modes(fifo_count, rng)
    fifo_details = [
        _detail(10_000 + i, mode, FIFO_GROUPS[i % len(FIFO_GROUPS)])
        for i, mode in enumerate(fifo_modes)
    ]
    entries = [
        {"Source": "fi.std", "DetailType": "Fault", "Detail": json.dumps(d)} for d in std_details
    ] + [
        {"Source": "fi.fifo", "DetailType": "Fault", "Detail": json.dumps(d)} for d in fifo_details
    ]
    ids = engine.put_events(entries)
    by_key = {
        f"event:{event_id}": detail
        for event_id, detail in zip(ids, std_details + fifo_details, strict=True)
    }

    sqs = engine.client("sqs")
    direct: set[str] = set()
    for body in DIRECT_BODIES:
        sqs.send_message(QueueUrl=consumers["fi-std"].queue_url, MessageBody=body)
        sqs.send_message(
            QueueUrl=consumers["fi-fifo"].queue_url,
            MessageBody=body,
            MessageGroupId="direct",
            MessageDeduplicationId=str(uuid.uuid4()),
        )
        direct.add(message_key(body))
    published = len(entries) + 2 * len(DIRECT_BODIES)
    assert published >= 500

    assert engine.wait_until_settled(SETTLE_TIMEOUT), engine.queue_depths()

    # Dead letters: both consumers' DLQs and the FIFO consumer's intake DLQ.
    dead_messages = {
        name: _drain(engine, url)
        for name, url in (
            ("fi-std", consumers["fi-std"].dlq_url),
            ("fi-fifo", fifo_outputs.dlq_url),
            ("fi-fifo intake", fifo_outputs.intake_dlq_url),
        )
    }
    no_reason = [
        (name, m["Body"][:80]) for name, ms in dead_messages.items() for m in ms if not _reason(m)
    ]
    assert no_reason == []  # every dead letter carries its reason

    # Effects: one per processed event, never two.
    effects: dict[int, int] = {}
    runs: dict[str, list[list[Any]]] = {}
    for consumer in ("fi-std", "fi-fifo"):
        for pk, item in _scan(engine, consumer).items():
            if pk.startswith("ev#"):
                effects[int(pk[3:])] = int(item["effects"]["N"])
            elif pk.startswith("group#"):
                runs[pk[6:]] = [
                    [v["L"][0]["N"], v["L"][1]["S"], v["L"][2]["S"]] for v in item["runs"]["L"]
                ]
    effects = {n: count for n, count in effects.items() if n < STREAK_BASE}  # this case's
    runs = {group: run for group, run in runs.items() if group in FIFO_GROUPS}
    doubled = {n: count for n, count in effects.items() if count != 1}
    assert doubled == {}

    poison = {"permanent", "badmodel"}
    expected_done = {d["n"] for d in std_details + fifo_details if d["mode"] not in poison}
    expected_dead = {k for k, d in by_key.items() if d["mode"] in poison}
    assert set(effects) == expected_done

    dead_keys = [_dead_key(m) for ms in dead_messages.values() for m in ms]
    # Each std direct body is dead-lettered once per queue it was sent to.
    assert sorted(k for k in dead_keys if k in direct) == sorted(list(direct) * 2)
    event_dead = [k for k in dead_keys if k not in direct]
    assert len(event_dead) == len(set(event_dead))  # no event dead-lettered twice
    assert set(event_dead) == expected_dead  # nothing healthy dead-lettered
    processed_keys = {k for k, d in by_key.items() if d["mode"] not in poison}
    assert not processed_keys & set(event_dead)  # processed and dead-lettered: never both
    assert len(effects) + len(dead_keys) == published  # nothing lost

    # Per-group order: each group ran in the order its events reached the FIFO queue.
    assert set(runs) == set(FIFO_GROUPS)
    for group in FIFO_GROUPS:
        sequence = [int(seq) for _, seq, _ in runs[group]]
        assert sequence == sorted(sequence) and len(set(sequence)) == len(sequence), group
        assert {gid for _, _, gid in runs[group]} == {group}  # the group the path selected
        done = {int(n) for n, _, _ in runs[group]}
        assert done == {
            d["n"] for d in fifo_details if d["group"] == group and d["mode"] not in poison
        }


def _streak_details() -> list[dict[str, Any]]:
    """Per group: events 0-4 and 12-16 are a streak of ``flaky`` ones (two failed runs,
    every third one only one), the rest ``ok``; groups interleaved as published."""
    details = []
    for i in range(STREAK_PER_GROUP):
        for g, group in enumerate(STREAK_GROUPS):
            flaky = i % 12 < 5
            details.append(
                {
                    "n": STREAK_BASE + 100 * g + i,
                    "mode": "flaky" if flaky else "ok",
                    "failures": (1 if i % 3 == 0 else 2) if flaky else 0,
                    "group": group,
                }
            )
    return details


def test_fifo_failure_streaks_dead_letter_nothing_healthy_and_keep_each_group_in_order(
    engine: LocalEngine,
) -> None:
    fifo_outputs = engine.outputs.consumers["fi-fifo"]
    details = _streak_details()
    entries = [
        {"Source": "fi.fifo", "DetailType": "Fault", "Detail": json.dumps(d)} for d in details
    ]
    ids = engine.put_events(entries)
    keys = {f"event:{event_id}" for event_id in ids}
    assert engine.wait_until_settled(SETTLE_TIMEOUT), engine.queue_depths()

    dead = _drain(engine, fifo_outputs.dlq_url) + _drain(engine, fifo_outputs.intake_dlq_url)
    healthy_dead = [(_dead_key(m), _reason(m)) for m in dead if _dead_key(m) in keys]
    assert healthy_dead == []  # every event here succeeds within its own retries

    items = _scan(engine, "fi-fifo")
    wanted = {d["n"] for d in details}
    effects = {
        int(pk[3:]): int(i["effects"]["N"]) for pk, i in items.items() if pk.startswith("ev#")
    }
    assert {n: effects.get(n) for n in wanted} == {n: 1 for n in wanted}  # each ran once

    flaky = {d["n"]: d["failures"] for d in details if d["mode"] == "flaky"}
    attempts = {int(pk[4:]): item for pk, item in items.items() if pk.startswith("att#")}
    assert {n: int(attempts[n]["runs"]["N"]) for n in flaky} == {
        n: failures + 1 for n, failures in flaky.items()
    }  # failed runs as asked, then the run that succeeded
    for group in STREAK_GROUPS:
        run = items[f"group#{group}"]["runs"]["L"]
        sequence = [int(v["L"][1]["S"]) for v in run]
        assert sequence == sorted(sequence) and len(set(sequence)) == len(sequence), group
        assert {int(v["L"][0]["N"]) for v in run} == {
            d["n"] for d in details if d["group"] == group
        }
    receives = sorted(int(item["receives"]["N"]) for n, item in attempts.items() if n in flaky)
    print(
        f"streaks: {len(details)} FIFO events in {len(STREAK_GROUPS)} groups, {len(flaky)} "
        f"flaky ({sum(flaky.values())} failed runs), dead-lettered 0; receives of a flaky "
        f"event's successful run: max {receives[-1]}, median {receives[len(receives) // 2]}"
    )
