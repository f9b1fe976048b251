"""``--local``: the archive, topic and breaker commands against a running emulator (a
moto server, announced as ``eventpipe dev`` announces itself), so they work through an
endpoint (S3 path-style on 127.0.0.1, SNS delivering to SQS, Scheduler) as they do on
AWS."""

from __future__ import annotations

import dataclasses
import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer
from typer.testing import CliRunner

from eventpipe import aws_clients
from eventpipe.aws_clients import FAKE_CREDENTIALS
from eventpipe.cli import app
from eventpipe.operate.stack_outputs import write_announcement
from eventpipe.stack_functions.archiver import Archiver
from eventpipe.stack_output import DeadLetterArchiveOutputs, StackOutputs
from tests.cli.stack import build_stack
from tests.cli.terminal import TERMINAL_80, too_wide

BUCKET = "eventpipe-dev-dead-letters-local"


@pytest.fixture
def emulator(aws_env: None, tmp_path: Path) -> Iterator[tuple[str, StackOutputs[str], Any]]:
    """A moto server holding the stack, announced in tmp_path as `eventpipe dev` does."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
        session = aws_clients.session(region="us-east-1", credentials=FAKE_CREDENTIALS)
        output = build_stack(session, endpoint_url=url)
        yield url, output, session
    finally:
        server.stop()


def announce(tmp_path: Path, url: str, output: StackOutputs[str]) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    write_announcement(tmp_path, "dev", endpoint_url=url, region="us-east-1", outputs=output)


def cli(*args: str) -> Any:
    return CliRunner(env=TERMINAL_80).invoke(app, [*args, "--local"])


def test_archive_peek_and_redrive_locally(
    emulator: tuple[str, StackOutputs[str], Any], tmp_path: Path
) -> None:
    url, output, session = emulator
    s3 = session.client("s3", endpoint_url=url)
    sqs = session.client("sqs", endpoint_url=url)
    s3.create_bucket(Bucket=BUCKET)
    output = dataclasses.replace(
        output,
        dead_letter_archive=DeadLetterArchiveOutputs(
            bucket_name=BUCKET, after_days=10, expire_days=30
        ),
    )
    announce(tmp_path, url, output)
    orders = output.consumer("orders")
    sqs.send_message(QueueUrl=orders.dlq_url, MessageBody='{"n": 1}')
    later = datetime.now(UTC) + timedelta(days=11)
    Archiver(
        sqs=sqs,
        s3=s3,
        cloudwatch=session.client("cloudwatch", endpoint_url=url),
        sns=session.client("sns", endpoint_url=url),
        bucket=BUCKET,
        after_days=10,
        queues={"orders": orders.dlq_url.rsplit("/", 1)[-1]},
        topic_arn=None,
        now=lambda: later,
    ).run()
    status = json.loads(cli("status", "--json").stdout)
    assert {r["consumer"]: r["archived"] for r in status["consumers"]}["orders"] == 1
    peek = cli("dlq", "peek", "orders", "--archived")
    assert peek.exit_code == 0, peek.output
    assert too_wide(peek.stdout) == [] and "no reason recorded" in " ".join(peek.stdout.split())
    assert "--local" in peek.stdout  # the suggested redrive acts on the same emulator
    redrive = cli("dlq", "redrive", "orders", "--archived", "--json")
    assert redrive.exit_code == 0, redrive.output
    assert json.loads(redrive.stdout)["deleted"] == 1
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
    [back] = sqs.receive_message(QueueUrl=orders.queue_url).get("Messages", [])
    assert back["Body"] == '{"n": 1}'


def test_publish_to_a_topic_locally(
    emulator: tuple[str, StackOutputs[str], Any], tmp_path: Path
) -> None:
    url, output, session = emulator
    sns = session.client("sns", endpoint_url=url)
    sqs = session.client("sqs", endpoint_url=url)
    arn = sns.create_topic(Name="eventpipe-dev-payments")["TopicArn"]
    mailer = output.consumer("mailer")
    sns.subscribe(
        TopicArn=arn,
        Protocol="sqs",
        Endpoint=mailer.queue_arn,
        Attributes={"FilterPolicy": json.dumps({"kind": ["refund"]}), "RawMessageDelivery": "true"},
    )
    announce(tmp_path, url, dataclasses.replace(output, topics={"payments": arn}))
    assert cli("publish", "--topic", "payments", "-m", "yes", "-a", "kind=refund").exit_code == 0
    assert cli("publish", "--topic", "payments", "-m", "no", "-a", "kind=sale").exit_code == 0
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=mailer.queue_url,
                                                     MaxNumberOfMessages=10).get("Messages", [])]  # fmt: skip
    assert bodies == ["yes"]
