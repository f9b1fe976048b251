"""The dead-letter archive on the local engine, time-scaled (0.0001): the archiver runs on
its ``rate(1 hour)`` schedule (every second here, the runner's floor), against the
emulator's SQS and S3, and moves a dead letter older than ``afterDays`` (1 day = 8.64 s
scaled, through the function's ``EVENTPIPE_TIME_SCALE``) into the bucket with its reason.

The archived letters are then redriven from the bucket by
``eventpipe.operate.archive.redrive_archived``, what ``eventpipe dlq redrive --archived``
runs, and the consumer handles them.

Every wait is on a condition with a generous deadline (the suite runs on busy CPUs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventpipe.local import LocalEngine
from eventpipe.operate.archive import redrive_archived
from tests.local.fixtures.plugins.stack_features import POISON
from tests.local.stack_features import lines, stack_features_engine, wait_for

SCALE = 0.0001
AFTER_DAYS = 1


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalEngine, Path]]:
    root = tmp_path_factory.mktemp("archive")
    config = {"eventpipe:deadLetterArchive": {"afterDays": AFTER_DAYS, "expireDays": 30}}
    with stack_features_engine(root, STACK, config, time_scale=SCALE) as e:
        yield e


STACK = "archive"


def archived(engine: LocalEngine) -> list[dict[str, Any]]:
    bucket = engine.outputs.dead_letter_archive.bucket_name
    listing = engine.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"{POISON}/")
    return list(listing.get("Contents", []))


def test_archive_bucket_is_private_encrypted_and_expires(engine: tuple[LocalEngine, Path]) -> None:
    eng, _ = engine
    archive = eng.outputs.dead_letter_archive
    s3 = eng.client("s3")
    bucket = archive.bucket_name
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert "aws:SecureTransport" in s3.get_bucket_policy(Bucket=bucket)["Policy"]
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle[0]["Expiration"]["Days"] == 30
    schedule = eng.client("scheduler").get_schedule(Name=archive.schedule_name)
    assert schedule["ScheduleExpression"] == "rate(1 hour)"


def test_old_dead_letter_is_archived_with_its_reason_and_redriven(
    engine: tuple[LocalEngine, Path],
) -> None:
    eng, work = engine
    consumer = eng.outputs.consumer(POISON)
    eng.put_events(
        [
            {"Source": "features.poison", "DetailType": "Order", "Detail": json.dumps({"n": n})}
            for n in (1, 2)
        ]
    )
    objects = wait_for(lambda: len(archived(eng)) == 2 and archived(eng), "two archived letters")
    bucket = eng.outputs.dead_letter_archive.bucket_name
    s3, sqs = eng.client("s3"), eng.client("sqs")
    records = [
        json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()) for o in objects
    ]
    for record in records:
        assert record["consumer"] == POISON
        assert record["sourceQueue"] == consumer.dlq_url
        assert record["reason"]["errorMessage"].startswith("order ")
        assert "poisoned" in record["reason"]["errorMessage"]
        assert record["reason"]["errorType"]
        # Old enough as the scaled age counts it: 1 day x 0.0001 = 8.64 s.
        assert record["ageSeconds"] >= int(AFTER_DAYS * 86_400 * SCALE)
    details = sorted(json.loads(r["body"])["detail"]["n"] for r in records)
    assert details == [1, 2]
    # Deleted from the DLQ only after the object was written: the DLQ is empty now.
    wait_for(
        lambda: (
            not sqs.receive_message(QueueUrl=consumer.dlq_url, WaitTimeSeconds=0).get("Messages")
        ),
        "the DLQ to be empty",
    )
    metrics = eng.client("cloudwatch").list_metrics(
        Namespace="eventpipe", MetricName="DeadLettersArchived"
    )["Metrics"]
    assert any({"Name": "service", "Value": POISON} in m["Dimensions"] for m in metrics)

    # Redrive from the bucket with what `eventpipe dlq redrive --archived` runs: body and
    # message attributes back to the consumer's queue, each object deleted once SQS took it.
    (work / "cured").write_text("")
    outputs = eng.outputs
    redriven = redrive_archived(s3, sqs, outputs, outputs.consumer(POISON))
    assert (redriven.total, redriven.sent, redriven.deleted, redriven.ok) == (2, 2, 2, True)
    wait_for(lambda: sorted(lines(work / "poison.txt")) == ["1", "2"], "the redriven letters")
    assert archived(eng) == []
