"""The dead-letter archive under mocks: a private, encrypted, TLS-only bucket expiring
objects after expireDays, and an hourly archiver with least privilege."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pulumi

from components.dead_letter_archive import DLQ_ACTIONS, bucket_prefix
from eventpipe.consumer import Consumer
from eventpipe.stack_functions.settings import (
    ARCHIVER_HANDLER,
    ENV_ARCHIVE_AFTER_DAYS,
    ENV_ARCHIVE_BUCKET,
    ENV_ARCHIVE_TOPIC,
)
from eventpipe.testing.pulumi_mocks import AwsMocks, policy
from tests.components.helpers import allow_actions, build_program, resolved_json, settings

HANDLER = "ep_fixture.handlers:direct"
ARCHIVE = {"deadLetterArchive": {"afterDays": 10, "expireDays": 365}}


def consumers() -> list[tuple[str, Consumer]]:
    return [
        ("shop", Consumer(name="orders", handler=HANDLER, pattern={"source": ["shop"]})),
        ("shop", Consumer(name="ledger", handler=HANDLER, fifo=True, pattern={"source": ["x"]})),
    ]


def test_the_bucket_is_private_encrypted_tls_only_and_expires(
    mocks: AwsMocks, build_dir: Path
) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program(consumers(), settings(**ARCHIVE), build_dir)

        def check(_: object) -> None:
            bucket = mocks.one("aws:s3/bucket:Bucket", "eventpipe-dead-letter-archive-bucket")
            assert bucket.inputs["bucketPrefix"] == "eventpipe-test-dead-letters-"
            block = mocks.one(
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "eventpipe-dead-letter-archive-public-access-block",
            ).inputs
            assert block["bucket"] == bucket.outputs["bucket"]
            for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                        "restrictPublicBuckets"):  # fmt: skip
                assert block[key] is True, key
            encryption = mocks.one(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "eventpipe-dead-letter-archive-encryption",
            ).inputs
            [rule] = encryption["rules"]
            assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
            ownership = mocks.one(
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                "eventpipe-dead-letter-archive-ownership",
            ).inputs
            assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"
            [deny] = policy(
                mocks.one(
                    "aws:s3/bucketPolicy:BucketPolicy",
                    "eventpipe-dead-letter-archive-bucket-policy",
                )
            )["Statement"]
            arn = bucket.outputs["arn"]
            assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
            assert deny["Resource"] == [arn, f"{arn}/*"]
            assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            lifecycle = mocks.one(
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "eventpipe-dead-letter-archive-lifecycle",
            ).inputs
            [expire] = lifecycle["rules"]
            assert expire["status"] == "Enabled" and expire["expiration"]["days"] == 365
            assert expire["filter"] == {"prefix": ""}  # every object

        return program.settled().apply(check)

    run()


def test_without_expire_days_the_bucket_keeps_dead_letters_for_good(
    mocks: AwsMocks, build_dir: Path
) -> None:
    never = {"deadLetterArchive": {"afterDays": 10}}

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program(consumers(), settings(**never), build_dir)

        def check(entry: dict[str, Any]) -> None:
            assert mocks.one("aws:s3/bucket:Bucket", "eventpipe-dead-letter-archive-bucket")
            lifecycle = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
            assert mocks.of_type(lifecycle) == []  # no rule, so S3 expires nothing
            assert entry["afterDays"] == 10 and entry["expireDays"] is None

        assert program.archive is not None
        outputs = resolved_json(program.archive.outputs)
        return pulumi.Output.all(outputs, program.settled()).apply(lambda both: check(both[0]))

    run()
    # Every registration has drained once run() returns, so absence here is final.
    lifecycle = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    assert mocks.of_type(lifecycle) == []


def test_the_archiver_reads_every_dlq_and_has_least_privilege(
    mocks: AwsMocks, build_dir: Path
) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program(consumers(), settings(**ARCHIVE), build_dir)

        def check(entry: dict[str, Any]) -> None:
            function = mocks.one(
                "aws:lambda/function:Function", "eventpipe-dead-letter-archive-function"
            )
            assert function.inputs["handler"] == ARCHIVER_HANDLER
            bucket = mocks.one("aws:s3/bucket:Bucket", "eventpipe-dead-letter-archive-bucket")
            topic = mocks.one("aws:sns/topic:Topic", "eventpipe-alarms").outputs["arn"]
            env = function.inputs["environment"]["variables"]
            assert env[ENV_ARCHIVE_BUCKET] == bucket.outputs["bucket"]
            assert env[ENV_ARCHIVE_AFTER_DAYS] == "10"
            assert env[ENV_ARCHIVE_TOPIC] == topic
            assert set(env) == {ENV_ARCHIVE_BUCKET, ENV_ARCHIVE_AFTER_DAYS, ENV_ARCHIVE_TOPIC}
            document = policy(
                mocks.one("aws:iam/rolePolicy:RolePolicy", "eventpipe-dead-letter-archive-policy")
            )
            assert all("*" not in a for a in allow_actions(document)), "no wildcard action"
            by_sid = {s["Sid"]: s for s in document["Statement"]}
            read = by_sid["ReadDeadLetters"]
            assert read["Action"] == DLQ_ACTIONS
            assert read["Condition"] == {
                "StringEquals": {"aws:ResourceTag/eventpipe:stack": "test"}
            }
            for queue in mocks.of_type("aws:sqs/queue:Queue"):  # the DLQs, not the queues
                dead_letters = queue.name.endswith("dlq")
                granted = any(fnmatchcase(queue.outputs["arn"], arn) for arn in read["Resource"])
                assert granted is dead_letters, queue.name
                assert queue.inputs["tags"]["eventpipe:stack"] == "test"
            assert by_sid["WriteArchive"] == {
                "Sid": "WriteArchive", "Effect": "Allow", "Action": ["s3:PutObject"],
                "Resource": f"{bucket.outputs['arn']}/*",
            }  # fmt: skip
            count = by_sid["CountArchived"]
            assert count["Action"] == ["cloudwatch:PutMetricData"]
            assert count["Condition"] == {"StringEquals": {"cloudwatch:namespace": "eventpipe"}}
            assert by_sid["Notify"]["Resource"] == topic
            schedule = mocks.one(
                "aws:scheduler/schedule:Schedule", "eventpipe-dead-letter-archive-schedule"
            ).inputs
            assert schedule["scheduleExpression"] == "rate(1 hour)"
            assert schedule["target"]["arn"] == function.outputs["arn"]
            assert json.loads(schedule["target"]["input"]) == {
                "queues": {
                    "orders": "eventpipe-test-orders-dlq",
                    "ledger": "eventpipe-test-ledger-dlq.fifo",
                    "_delivery": "eventpipe-test-delivery-dlq",
                }
            }
            role = mocks.one("aws:iam/role:Role", "eventpipe-dead-letter-archive-scheduler-role")
            assert schedule["target"]["roleArn"] == role.outputs["arn"]
            invoke = policy(
                mocks.one(
                    "aws:iam/rolePolicy:RolePolicy",
                    "eventpipe-dead-letter-archive-scheduler-policy",
                )
            )["Statement"]
            assert [s["Action"] for s in invoke] == [["lambda:InvokeFunction"]]
            assert invoke[0]["Resource"] == function.outputs["arn"]
            assert entry == {  # the stack output's top-level deadLetterArchive entry
                "bucketName": bucket.outputs["bucket"],
                "archiverFunctionName": function.outputs["name"],
                "afterDays": 10,
                "expireDays": ARCHIVE["deadLetterArchive"]["expireDays"],
                "scheduleName": mocks.one(
                    "aws:scheduler/schedule:Schedule", "eventpipe-dead-letter-archive-schedule"
                ).outputs["name"],
            }

        assert program.archive is not None
        return pulumi.Output.all(program.settled(), resolved_json(program.archive.outputs)).apply(
            lambda values: check(values[1])
        )

    run()


def test_no_archive_configured_no_archive_resources(mocks: AwsMocks, build_dir: Path) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program(consumers(), settings(), build_dir)

        def check(_: object) -> None:
            assert not mocks.named("eventpipe-dead-letter-archive")
            assert program.archive is None

        return program.settled().apply(check)

    run()


def test_bucket_prefix_is_a_valid_bucket_name_start() -> None:
    assert bucket_prefix("Shop_Prod-") == "shop-prod-dead-letters-"
    assert bucket_prefix("x" * 24) == ("x" * 24 + "dead-letters-")[:37]
    assert bucket_prefix("") == "dead-letters-"
