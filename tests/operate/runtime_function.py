"""A consumer's function in the embedded emulator, for the trace tests: the real runtime,
warm across invocations, on real SQS messages, its Powertools lines written into the
consumer's log group as Lambda writes them."""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from eventpipe import contract
from eventpipe.local.emulator.server import Emulator
from eventpipe.runtime.batch import BatchRunner
from eventpipe.runtime.loading import load_handler
from eventpipe.runtime.settings import Settings
from eventpipe.stack_output import StackOutputs
from eventpipe.testing import sqs_event, sqs_record

STREAM = "2026/12/07/[$LATEST]0123456789abcdef0123456789abcdef"


class Function:
    """One consumer's function: the real runtime, warm across invocations, writing its
    log lines into the consumer's log group in the emulator (as Lambda does when an
    invocation ends)."""

    def __init__(
        self,
        emulator: Emulator,
        outputs: StackOutputs[str],
        consumer: str,
        handler: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        self.emulator, self.capsys = emulator, capsys
        self.consumer = outputs.consumer(consumer)
        self.sqs = emulator.client("sqs")
        settings = Settings.from_env(
            {
                contract.ENV_HANDLER: handler,
                # A service name of its own: Powertools' logger of a service keeps the
                # stdout it first saw, and each test captures a new one.
                contract.ENV_CONSUMER: f"{consumer}-{uuid.uuid4().hex[:8]}",
                contract.ENV_FIFO: "false",
                contract.ENV_SOURCE: self.consumer.source,
                contract.ENV_DLQ_URL: self.consumer.dlq_url,
                contract.ENV_MAX_RECEIVE_COUNT: "5",
            }
        )
        self.runner = BatchRunner(settings, load_handler(handler), sqs=self.sqs)
        self.received: list[dict[str, Any]] = []

    def deliver(self, event: dict[str, Any]) -> None:
        """Send the event to the queue (as its rule would) and run one invocation."""
        self.sqs.send_message(QueueUrl=self.consumer.queue_url, MessageBody=json.dumps(event))
        self.invoke()

    def invoke(self) -> None:
        received = self.sqs.receive_message(
            QueueUrl=self.consumer.queue_url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            VisibilityTimeout=0,
        ).get("Messages", [])
        assert received, "the queue holds the message"
        records = [
            sqs_record(
                m["Body"],
                message_id=m["MessageId"],
                receipt_handle=m["ReceiptHandle"],
                receive_count=int(m["Attributes"]["ApproximateReceiveCount"]),
                queue_arn=self.consumer.queue_arn,
            )
            for m in received
        ]
        self.received = received
        self.capsys.readouterr()
        result = self.runner.run(sqs_event(records), None)
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        for message in received:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(
                    QueueUrl=self.consumer.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        self.write_log(self.capsys.readouterr().out)

    def backoff_over(self) -> None:
        """The runtime's backoff (a visibility timeout) has run out: the messages it
        kept are visible again, as SQS makes them after the timeout."""
        for message in self.received:
            with contextlib.suppress(self.sqs.exceptions.ReceiptHandleIsInvalid):
                self.sqs.change_message_visibility(
                    QueueUrl=self.consumer.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=0,
                )

    def write_log(self, out: str) -> None:
        logs = self.emulator.client("logs")
        group = self.consumer.log_group
        assert group is not None
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_group(logGroupName=group)
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_stream(logGroupName=group, logStreamName=STREAM)
        now = int(datetime.now(UTC).timestamp() * 1000)
        lines = [line for line in out.splitlines() if line.strip()]
        if lines:
            logs.put_log_events(
                logGroupName=group,
                logStreamName=STREAM,
                logEvents=[{"timestamp": now, "message": line} for line in lines],
            )
