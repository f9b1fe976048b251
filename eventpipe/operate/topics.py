"""``eventpipe publish --topic NAME``: messages to one of the stack's SNS topics.

Messages go out in PublishBatch calls
(https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html): at most 10 entries a
call, and by default each message and the batch together at most 256 KiB (262,144
bytes; a topic's ``MaximumMessageSize`` may raise both to 1 MiB), counting each
message's body and every attribute's name, type and value. A batch can succeed with
failed entries, each with ``SenderFault``: entries that are not the sender's fault are
sent again with full-jitter backoff, the others reported, exactly as
:mod:`eventpipe.operate.send` does for SQS.

Message attributes are what a subscription's filter policy is applied to (the stack's
subscriptions use ``FilterPolicyScope`` ``MessageAttributes``, docs/sns.md). SNS's data
types are ``String``, ``String.Array``, ``Number`` and ``Binary``
(https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html); ``--attribute``
takes ``NAME=VALUE`` (a String) or ``NAME:TYPE=VALUE``. A FIFO topic (a name ending in
``.fifo``) needs a ``MessageGroupId`` on every message; the stack's FIFO topics use
content-based deduplication, so ``MessageDeduplicationId`` is optional.
"""

from __future__ import annotations

import random
import time as _time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from eventpipe.batch_retry import split_batches
from eventpipe.exceptions import suggest
from eventpipe.operate.exceptions import OperateError
from eventpipe.operate.send import MAX_ATTEMPTS, BatchResult, send_batches
from eventpipe.stack_output import StackOutputs

MAX_ENTRIES_PER_CALL = 10
DEFAULT_MAX_BYTES = 262_144
"""PublishBatch's default limit for one message and for a whole batch (256 KiB)."""
DATA_TYPES = ("String", "String.Array", "Number", "Binary")


class TopicInputError(OperateError):
    """Raised before any call when a message, an attribute or an option is not one SNS
    accepts, or the topic is not the stack's."""


def topic_arn(outputs: StackOutputs, name: str) -> str:
    """The ARN of the stack topic ``name`` (a name in ``eventpipe:topics``; its ARN, or
    the ARN a consumer subscribes to, is accepted too)."""
    if name in outputs.topics:
        return str(outputs.topics[name])
    known = set(outputs.topics.values()) | {
        c.topic_arn for c in outputs.consumers.values() if c.topic_arn
    }
    if name in known:
        return name
    names = sorted(outputs.topics)
    close = suggest(name, names)
    hint = f" Did you mean {close!r}?" if close else ""
    listed = ", ".join(names) or "none (list them in `eventpipe:topics` and `pulumi up`)"
    raise TopicInputError(
        f"stack {outputs.stack!r} has no topic {name!r}.{hint} Its topics are: {listed}"
    )


def parse_attribute(text: str) -> tuple[str, dict[str, Any]]:
    """``NAME=VALUE`` or ``NAME:TYPE=VALUE`` as an SNS message attribute."""
    head, sep, value = text.partition("=")
    name, _, data_type = head.partition(":")
    data_type = data_type or "String"
    if not sep or not name or value == "":
        raise TopicInputError(
            f"--attribute {text!r}: write NAME=VALUE or NAME:TYPE=VALUE (TYPE one of "
            f"{', '.join(DATA_TYPES)}), e.g. --attribute kind=refund"
        )
    if data_type not in DATA_TYPES:
        raise TopicInputError(
            f"--attribute {text!r}: SNS has no data type {data_type!r}; use one of "
            f"{', '.join(DATA_TYPES)}"
        )
    if data_type == "Number":
        try:
            float(value)
        except ValueError:
            raise TopicInputError(f"--attribute {text!r}: {value!r} is not a number") from None
    if data_type == "Binary":
        return name, {"DataType": data_type, "BinaryValue": value.encode()}
    return name, {"DataType": data_type, "StringValue": value}


def entry_size(entry: dict[str, Any]) -> int:
    """What SNS counts: the message plus each attribute's name, type and value."""
    size = len(entry["Message"].encode())
    for name, value in entry.get("MessageAttributes", {}).items():
        size += len(name.encode()) + len(value["DataType"].encode())
        size += len(str(value.get("StringValue", "")).encode()) + len(value.get("BinaryValue", b""))
    return size


def build_entries(
    arn: str,
    messages: Sequence[str],
    attributes: dict[str, dict[str, Any]],
    *,
    group: str | None = None,
    dedup_id: str | None = None,
    subject: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[dict[str, Any]]:
    """PublishBatch entries; raises on the first one SNS would refuse, before any call."""
    if not messages:
        raise TopicInputError("nothing to publish: no message given")
    fifo = arn.endswith(".fifo")
    if fifo and not group:
        raise TopicInputError(
            f"{arn.rsplit(':', 1)[-1]} is a FIFO topic and SNS requires a message group on "
            "every message: give it with --group GROUP"
        )
    if not fifo and (group or dedup_id):
        option = "--group" if group else "--dedup-id"
        raise TopicInputError(f"{option} applies to FIFO topics only")
    entries = []
    for index, message in enumerate(messages):
        if not message:
            raise TopicInputError(f"message {index + 1} is empty; SNS refuses empty messages")
        entry: dict[str, Any] = {"Id": str(index), "Message": message}
        if attributes:
            entry["MessageAttributes"] = attributes
        if subject:
            entry["Subject"] = subject
        if fifo:
            entry["MessageGroupId"] = group
            if dedup_id:
                entry["MessageDeduplicationId"] = (
                    dedup_id if len(messages) == 1 else f"{dedup_id}-{index + 1}"
                )
        size = entry_size(entry)
        if size > max_bytes:
            raise TopicInputError(
                f"message {index + 1} is {size:,} bytes with its attributes; the topic "
                f"accepts at most {max_bytes:,}"
            )
        entries.append(entry)
    return entries


def batches(entries: Sequence[dict[str, Any]], max_bytes: int) -> Iterator[list[dict[str, Any]]]:
    """Entries in order, at most 10 and ``max_bytes`` together per call."""
    return split_batches(
        entries, size_of=entry_size, max_bytes=max_bytes, max_entries=MAX_ENTRIES_PER_CALL
    )


def topic_max_bytes(sns: Any, arn: str) -> int:
    """The topic's ``MaximumMessageSize`` when it says one, else 256 KiB."""
    from botocore.exceptions import ClientError

    try:
        attrs = sns.get_topic_attributes(TopicArn=arn).get("Attributes", {})
    except ClientError:
        return DEFAULT_MAX_BYTES
    return int(attrs.get("MaximumMessageSize") or DEFAULT_MAX_BYTES)


@dataclass(kw_only=True)
class TopicPublishResult(BatchResult):
    """What ``publish --topic`` did, and to which topic."""

    DONE_KEY: ClassVar[str] = "published"
    topic: str

    @property
    def published(self) -> int:
        return self.done

    def to_dict(self) -> dict[str, Any]:
        return {"topicArn": self.topic, **super().to_dict()}


def publish(
    sns: Any,
    arn: str,
    entries: Sequence[dict[str, Any]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_attempts: int = MAX_ATTEMPTS,
    base_delay: float = 0.1,
    max_delay: float = 5.0,
    sleep: Callable[[float], None] = _time.sleep,
    rng: Callable[[], float] = random.random,
) -> TopicPublishResult:
    """Publish ``entries`` (from :func:`build_entries`); a batch's retries finish before
    the next batch goes, so on a FIFO topic no later message overtakes an earlier one."""
    result = TopicPublishResult(topic=arn, total=len(entries))
    send_batches(
        batches(entries, max_bytes),
        lambda batch: sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=batch),
        result,
        missing="no result for it",
        max_attempts=max_attempts,
        base_delay=base_delay,
        max_delay=max_delay,
        sleep=sleep,
        rng=rng,
    )
    return result
