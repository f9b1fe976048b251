"""Run a consumer's real Lambda entry point on a list of events, against moto.

:class:`ConsumerInvoker` is what the ``invoke_consumer`` pytest fixture returns; it can
also be used without pytest (``with ConsumerInvoker() as invoke: ...``).

Each call does what the deployed pipeline does, in moto:

1. creates (once per test) the consumer's source queue, its DLQ and, for idempotent and
   FIFO consumers, the stack's table (key ``id``), as the deploy side would: FIFO
   records' own failed attempts are counted there as on AWS (``eventpipe.runtime.attempts``);
2. sends each event to the source queue and receives it back, so records carry real
   message ids, receipt handles and attributes (on FIFO: group, sequence number);
3. sets the function environment (``eventpipe.contract`` names) and calls
   ``eventpipe.runtime.handler`` with the batch and a Lambda context stand-in;
4. reads what the runtime dead-lettered and returns an :class:`InvocationResult`.

Composing with a test's own moto mock: the invoker joins any ``moto.mock_aws()`` already
active (moto nests mocks and shares their state), otherwise it starts one that lasts until
the end of the test. Either way, resources your test creates in its mock (a DynamoDB table
the handler writes to) are visible to the handler, and resources the invoker creates are
visible to your assertions.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, Literal

from eventpipe import aws_clients, contract
from eventpipe.extras import require
from eventpipe.function_env import function_environment
from eventpipe.testing.attempts import seed_attempts
from eventpipe.testing.factories import lambda_context, sqs_event, sqs_record
from eventpipe.testing.records import (
    InvokedConsumer,
    group_for,
    target_for,
    to_lambda_attributes,
    to_send_attributes,
)
from eventpipe.testing.results import DeadLetter, InvocationResult

if TYPE_CHECKING:  # pragma: no cover
    from eventpipe.consumer import Consumer
    from eventpipe.testing.factories import LambdaContext

IDEMPOTENCY_TABLE = "eventpipe-test-idempotency"

_FEATURE = "the test kit's ConsumerInvoker (invoke_consumer), which runs the runtime in moto,"


class ConsumerInvoker:
    """Invoke a consumer's real runtime on events inside moto; see the module docstring.

    Example (the ``invoke_consumer`` fixture is an instance)::

        def test_order_created(invoke_consumer):
            result = invoke_consumer(consumer, [eventbridge_event("Order Created", "shop", {...})])
            assert result.will_retry == [] and result.dead_lettered == []
    """

    def __init__(self, region: str | None = None) -> None:
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self._mock: Any = None
        self._env_patch: Any = None
        self._queues: dict[str, tuple[str, str, str]] = {}
        self.idempotency_table = IDEMPOTENCY_TABLE
        self._table_ready = False

    # --- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> ConsumerInvoker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_mock(self) -> None:
        if self._mock is not None:
            return
        from unittest import mock

        require("local", _FEATURE, only=["moto"])
        from moto import mock_aws

        # Fake credentials and a region first, so nothing can ever reach real AWS.
        env = {**aws_clients.fake_credentials_environment(), "AWS_DEFAULT_REGION": self.region}
        self._env_patch = mock.patch.dict(os.environ, env)
        self._env_patch.start()
        self._mock = mock_aws()
        self._mock.start()  # nests into (and shares state with) an active mock

    def close(self) -> None:
        """Stop the mock this invoker started and forget cached runtime state."""
        from eventpipe.runtime.loading import reset_cache

        reset_cache()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        if self._env_patch is not None:
            self._env_patch.stop()
            self._env_patch = None
        self._queues.clear()
        self._table_ready = False

    # --- resources -----------------------------------------------------------------------
    def _sqs(self) -> Any:
        return aws_clients.client(
            "sqs", region=self.region, credentials=aws_clients.FAKE_CREDENTIALS
        )

    def queues(self, consumer_name: str, fifo: bool) -> tuple[str, str, str]:
        """``(queue_url, queue_arn, dlq_url)`` of a consumer, created on first use."""
        key = f"{consumer_name}|{fifo}"
        if key not in self._queues:
            self._ensure_mock()
            sqs = self._sqs()
            suffix = ".fifo" if fifo else ""
            attrs = {"FifoQueue": "true"} if fifo else {}
            dlq_url = sqs.create_queue(QueueName=f"{consumer_name}-dlq{suffix}", Attributes=attrs)[
                "QueueUrl"
            ]
            url = sqs.create_queue(QueueName=f"{consumer_name}{suffix}", Attributes=attrs)[
                "QueueUrl"
            ]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            self._queues[key] = (url, arn, dlq_url)
        return self._queues[key]

    def _ensure_table(self) -> None:
        if self._table_ready:
            return
        ddb = aws_clients.client(
            "dynamodb", region=self.region, credentials=aws_clients.FAKE_CREDENTIALS
        )
        with suppress(ddb.exceptions.ResourceInUseException):
            ddb.create_table(
                TableName=self.idempotency_table,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        self._table_ready = True

    # --- the call --------------------------------------------------------------------------
    def __call__(
        self,
        consumer: Consumer | str,
        events: Sequence[Any],
        *,
        fifo: bool | None = None,
        source: Literal["rule", "queue"] | None = None,
        idempotent: bool | None = None,
        name: str | None = None,
        group_id: str | None = None,
        receive_count: int | None = None,
        failed_attempts: int | None = None,
        message_attributes: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        runtime_env: Mapping[str, str] | None = None,
        context: LambdaContext | None = None,
    ) -> InvocationResult:
        """Run ``consumer`` on ``events`` (one batch) and report each record's outcome.

        ``consumer`` is an ``eventpipe.Consumer`` or a handler string (``module:function``;
        then ``fifo``/``source``/``idempotent``/``name`` describe it). ``events`` are
        EventBridge event dicts for rule-fed consumers, bodies (dict, str, pydantic model)
        for direct-queue consumers, or complete SQS records (from ``sqs_record``), used
        as given. ``group_id`` forces the FIFO MessageGroupId (default: what the rule
        target would use). ``receive_count`` sets ApproximateReceiveCount (to exercise
        backoff or last attempts). ``failed_attempts`` (FIFO) stores that many earlier
        failed attempts of each record, as if it had failed that often before (to
        exercise its last attempt, which FIFO counts in own attempts, not receives). ``env`` adds function environment variables (what the
        plugin's ``resources`` hook would set, e.g. a table name); as on the deployed
        function, eventpipe's own variables win over them. The environment is the one
        :func:`eventpipe.function_env.function_environment` computes for the deploy.
        ``runtime_env`` overrides any variable, eventpipe's own included: for tests of
        the runtime itself (a different backoff, a broken DLQ URL), never of a plugin.
        """
        target = target_for(consumer, fifo=fifo, source=source, idempotent=idempotent, name=name)
        if len(events) > 10 and target.fifo:
            raise ValueError("a FIFO event source mapping delivers at most 10 records per batch")
        self._ensure_mock()
        queue_url, queue_arn, dlq_url = self.queues(target.name, target.fifo)
        if target.idempotent or target.fifo:
            self._ensure_table()

        records = self._deliver_all(
            target, queue_url, queue_arn, list(events), group_id, message_attributes
        )
        if receive_count is not None:
            for rec in records:
                rec["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        if failed_attempts and target.fifo:
            ddb = aws_clients.client(
                "dynamodb", region=self.region, credentials=aws_clients.FAKE_CREDENTIALS
            )
            seed_attempts(ddb, self.idempotency_table, target.name, records, failed_attempts)

        function_env = {
            # Test-kit defaults: no X-Ray daemon, no EMF output unless a test asks for it.
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
            **function_environment(
                target,
                dlq_url=dlq_url,
                idempotency_table=self.idempotency_table if target.idempotent else None,
                attempts_table=self.idempotency_table if target.fifo else None,
                plugin_env=dict(env or {}),
            ),
            **dict(runtime_env or {}),
        }
        dropped = (
            contract.ENV_IDEMPOTENCY_TABLE,
            contract.ENV_ATTEMPTS_TABLE,
            contract.ENV_MAX_ATTEMPTS,
        )
        with _environ(function_env, drop=dropped):
            from eventpipe.runtime import handler

            response = handler(sqs_event(records), context or lambda_context(target.name))

        failed = [f["itemIdentifier"] for f in response.get("batchItemFailures", [])]
        ids = [r["messageId"] for r in records]
        self._acknowledge(queue_url, records, set(failed))
        dead = self._read_dlq(dlq_url, set(ids))
        dead_ids = {d.message_id for d in dead}
        return InvocationResult(
            response=response,
            records=records,
            succeeded=[m for m in ids if m not in failed and m not in dead_ids],
            will_retry=[m for m in ids if m in failed],
            dead_lettered=sorted(dead, key=lambda d: ids.index(d.message_id)),
        )

    def _deliver_all(
        self,
        target: InvokedConsumer,
        queue_url: str,
        queue_arn: str,
        events: list[Any],
        group_id: str | None,
        message_attributes: Mapping[str, Any] | None,
    ) -> list[dict[str, Any]]:
        """Send the events through the source queue; build the records Lambda would get.

        Complete SQS records among ``events`` are used as given. The others are sent
        first and received back together (a FIFO group stays locked while one of its
        messages is in flight, so one-by-one receives would stall).
        """
        sqs = self._sqs()
        sent: list[tuple[str, str | None, str | None] | dict[str, Any]] = []
        for event in events:
            if isinstance(event, dict) and event.get("eventSource") == "aws:sqs":
                sent.append(event)
                continue
            if hasattr(event, "model_dump_json"):
                body = event.model_dump_json(by_alias=True)
            elif isinstance(event, str):
                body = event
            else:
                body = json.dumps(event, separators=(",", ":"), default=str)
            send: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": body}
            if message_attributes:
                send["MessageAttributes"] = to_send_attributes(message_attributes)
            group = None
            logical_dedup = None
            if target.fifo:
                group = group_id or group_for(target, event if isinstance(event, dict) else None)
                # The record shows the content-based dedup id SQS would compute; the send
                # uses a unique one so a test can deliver the same event twice on purpose.
                logical_dedup = hashlib.sha256(body.encode()).hexdigest()
                send["MessageGroupId"] = group
                send["MessageDeduplicationId"] = uuid.uuid4().hex
            mid = sqs.send_message(**send)["MessageId"]
            sent.append((mid, group, logical_dedup))

        wanted = {s[0] for s in sent if isinstance(s, tuple)}
        received: dict[str, dict[str, Any]] = {}
        for _ in range(len(wanted) + 5):
            if len(received) == len(wanted):
                break
            for msg in sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=target.visibility_timeout,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", []):
                received[msg["MessageId"]] = msg
        missing = wanted - set(received)
        if missing:  # pragma: no cover - moto always returns what was just sent
            raise RuntimeError(f"moto did not return sent messages {sorted(missing)}")

        records: list[dict[str, Any]] = []
        for item in sent:
            if isinstance(item, dict):
                records.append(copy.deepcopy(item))  # receive_count= must not edit yours
                continue
            mid, group, logical_dedup = item
            got = received[mid]
            attrs = got.get("Attributes", {})
            record = sqs_record(
                got["Body"],
                fifo=target.fifo,
                group_id=group,
                deduplication_id=logical_dedup,
                receive_count=int(attrs.get("ApproximateReceiveCount", "1")),
                queue_arn=queue_arn,
                message_id=mid,
                receipt_handle=got["ReceiptHandle"],
                sent_timestamp=int(attrs["SentTimestamp"]) if "SentTimestamp" in attrs else None,
                region=self.region,
            )
            record["messageAttributes"] = to_lambda_attributes(got.get("MessageAttributes", {}))
            if target.fifo and "SequenceNumber" in attrs:
                record["attributes"]["SequenceNumber"] = attrs["SequenceNumber"]
            records.append(record)
        return records

    def _acknowledge(self, queue_url: str, records: list[dict[str, Any]], failed: set[str]) -> None:
        """Delete what the batch did not report failed, as the Lambda event source mapping
        does, so a later call in the same FIFO message group is not blocked behind it.
        Records a test built itself carry made-up receipt handles."""
        done = [r for r in records if r["messageId"] not in failed]
        sqs = self._sqs()
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                for i, r in enumerate(done[start : start + 10])
            ]
            # Made-up handles come back under "Failed": nothing to acknowledge there.
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)

    def _read_dlq(self, dlq_url: str, message_ids: set[str]) -> list[DeadLetter]:
        """Dead letters of this call's messages (matched by the original message id)."""
        from eventpipe.runtime.dead_letters import DLQ_ATTR_MESSAGE_ID

        sqs = self._sqs()
        found: list[DeadLetter] = []
        while True:
            msgs = sqs.receive_message(
                QueueUrl=dlq_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=43200,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not msgs:
                return found
            for msg in msgs:
                attrs = {
                    k: v.get("StringValue", "") for k, v in msg.get("MessageAttributes", {}).items()
                }
                original = attrs.get(DLQ_ATTR_MESSAGE_ID, "")
                if original not in message_ids:
                    continue
                found.append(
                    DeadLetter(
                        message_id=original,
                        body=msg["Body"],
                        error_type=attrs.get(contract.DLQ_ATTR_ERROR_TYPE, ""),
                        error_message=attrs.get(contract.DLQ_ATTR_ERROR_MESSAGE, ""),
                        consumer=attrs.get(contract.DLQ_ATTR_CONSUMER, ""),
                        receive_count=int(attrs.get(contract.DLQ_ATTR_RECEIVE_COUNT, "0") or 0),
                        failed_at=attrs.get(contract.DLQ_ATTR_FAILED_AT, ""),
                        attributes=attrs,
                        group_id=msg.get("Attributes", {}).get("MessageGroupId"),
                    )
                )


@contextmanager
def _environ(values: Mapping[str, str], drop: Sequence[str] = ()) -> Iterator[None]:
    """Set ``values`` (and unset ``drop`` keys not in them) for the duration of the call."""
    saved = {k: os.environ.get(k) for k in (*values.keys(), *drop)}
    try:
        for k in drop:
            if k not in values:
                os.environ.pop(k, None)
        os.environ.update(values)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
