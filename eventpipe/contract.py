"""Names shared by the deploy side (components, local engine) and the Lambda runtime.

The function's environment is the only channel between ``pulumi up`` and the code that
runs in Lambda, so its variable names live here, in a module with no dependencies that
ships inside the runtime layer.
"""

from __future__ import annotations

# --- Lambda function environment, set by components.ConsumerPipeline -------------------
ENV_HANDLER = "EVENTPIPE_HANDLER"
"""``module:function`` of the plugin handler the generic entry point loads at cold start."""
ENV_CONSUMER = "EVENTPIPE_CONSUMER"
"""The consumer name: log key, metric dimension, DLQ attribute."""
ENV_FIFO = "EVENTPIPE_FIFO"
"""``"true"`` for FIFO queues: stop at the first failure to keep group order."""
ENV_SOURCE = "EVENTPIPE_SOURCE"
"""Who feeds the queue, one of :data:`SOURCES`: ``"rule"`` when an EventBridge rule does
(body is an event envelope), ``"queue"`` when producers send to the queue directly (body
is the payload), ``"topic"`` when the queue is subscribed to an SNS topic (body is the
SNS notification JSON, or the message itself with raw message delivery; the runtime
decodes both and hands the handler the message as for ``"queue"``)."""
SOURCE_RULE = "rule"
SOURCE_QUEUE = "queue"
SOURCE_TOPIC = "topic"
SOURCES = (SOURCE_RULE, SOURCE_QUEUE, SOURCE_TOPIC)
"""Every value :data:`ENV_SOURCE` may take."""
ENV_DLQ_URL = "EVENTPIPE_DLQ_URL"
"""URL of the consumer's DLQ, where permanent failures are sent at once."""
ENV_MAX_RECEIVE_COUNT = "EVENTPIPE_MAX_RECEIVE_COUNT"
"""The queue's redrive maxReceiveCount: on a record's last allowed receive the runtime
copies a failing record to the DLQ itself, with its reason, instead of leaving it to
SQS's redrive (which would move it without one)."""
ENV_MAX_ATTEMPTS = "EVENTPIPE_MAX_ATTEMPTS"
"""FIFO only: the consumer's ``max_receive_count``, counted in the record's own failed
attempts (:data:`ENV_ATTEMPTS_TABLE`), not in receives; a FIFO queue's redrive
maxReceiveCount (:data:`ENV_MAX_RECEIVE_COUNT`) is then a higher safety net."""
ENV_ATTEMPTS_TABLE = "EVENTPIPE_ATTEMPTS_TABLE"
"""FIFO only: the DynamoDB table (the stack's idempotency table) where the runtime counts
each record's own failed attempts, on the failure path only."""
ATTEMPTS_KEY_PREFIX = "attempts#"
"""Start of the key of an attempt-count item: ``attempts#<consumer>#<message id>``; the
function's IAM policy allows it these keys only."""
ENV_VISIBILITY_TIMEOUT = "EVENTPIPE_VISIBILITY_TIMEOUT"
"""The queue's visibility timeout in seconds, for the runtime's logs and checks."""
ENV_BACKOFF_BASE = "EVENTPIPE_BACKOFF_BASE"
"""Seconds of the first retry delay; doubled per receive, with full jitter."""
ENV_BACKOFF_MAX = "EVENTPIPE_BACKOFF_MAX"
"""Upper bound of a retry delay in seconds (SQS allows at most 43200)."""
ENV_IDEMPOTENCY_TABLE = "EVENTPIPE_IDEMPOTENCY_TABLE"
"""DynamoDB table for Powertools idempotency; set only for idempotent consumers."""
ENV_IDEMPOTENCY_TTL = "EVENTPIPE_IDEMPOTENCY_TTL"
"""Seconds an idempotency record is kept (duplicates inside this window are skipped)."""
ENV_POWERTOOLS_VERSION = "EVENTPIPE_POWERTOOLS_VERSION"
"""The Powertools version the function was built and tested for; the runtime warns at
cold start when the layer holds another."""
ENV_TIME_SCALE = "EVENTPIPE_TIME_SCALE"
"""Local mode only: factor (<= 1) applied to backoff delays so demos settle in seconds."""

# --- CloudWatch --------------------------------------------------------------------
METRICS_NAMESPACE = "eventpipe"

# --- SQS message attributes the runtime puts on messages it dead-letters ----------------
# A message SQS's redrive moved (the function crashed or timed out on every attempt) has
# none of them: that is how an operator tells "no reason recorded" apart.
DLQ_ATTR_ERROR_TYPE = "eventpipe.error_type"
"""Class name of the last error (``PermanentError``, ``InvalidEventError``,
``RetryableError``, ``KeyError``..., ``BatchHaltedError`` for a FIFO record held behind
another on its last receive)."""
DLQ_ATTR_ERROR_MESSAGE = "eventpipe.error_message"
"""The last error's message, trimmed (first to 1000 characters, further when the copy
would not fit SQS's message size limit otherwise)."""
DLQ_ATTR_CONSUMER = "eventpipe.consumer"
DLQ_ATTR_RECEIVE_COUNT = "eventpipe.receive_count"
"""Number of attempts: the record's ApproximateReceiveCount when it was dead-lettered."""
DLQ_ATTR_FAILED_AT = "eventpipe.failed_at"
DLQ_ATTR_MESSAGE_ID = "eventpipe.message_id"
"""Id of the original message (the DLQ copy gets a new one)."""
DLQ_ATTR_ORIGINAL_ATTRIBUTES = "eventpipe.original_attributes"
"""JSON (``{name: attribute in the Lambda event shape}``) of the original message
attributes that travel outside the copy's own attributes: those beyond SQS's 10, those
SQS would reject as given, or all of them when the copy would not fit otherwise."""
DLQ_ATTR_HELD_BEHIND = "eventpipe.held_behind"
"""FIFO only: id of the message this record was held behind (it never ran on its last
receive because that earlier record of its message group failed)."""
DLQ_ATTR_MESSAGE_GROUP = "eventpipe.message_group"
"""FIFO only, with :data:`DLQ_ATTR_HELD_BEHIND`: the message group both belong to."""
DLQ_REASON_ATTRIBUTES = (
    DLQ_ATTR_ERROR_TYPE,
    DLQ_ATTR_ERROR_MESSAGE,
    DLQ_ATTR_CONSUMER,
    DLQ_ATTR_RECEIVE_COUNT,
    DLQ_ATTR_FAILED_AT,
    DLQ_ATTR_MESSAGE_ID,
    DLQ_ATTR_ORIGINAL_ATTRIBUTES,
    DLQ_ATTR_HELD_BEHIND,
    DLQ_ATTR_MESSAGE_GROUP,
)
"""Every attribute the runtime may put on a DLQ copy."""

# --- Stack outputs ---------------------------------------------------------------------
STACK_OUTPUT = "eventpipe"
"""Name of the one structured stack output operators' tools read. Its shape is the types
of :mod:`eventpipe.stack_output` (``StackOutputs.to_json``), field for field in camelCase:
the bus, every consumer's queues, function, rule, alarms, per-key FIFO intake and pipe, SNS
subscription and circuit breaker, and the stack's topics, breaker and dead-letter
archive."""

# --- Local engine announcement (``eventpipe dev``) ---------------------------------------
LOCAL_ORGANIZATION = "eventpipe-local"
"""The Pulumi organization the local engine runs the program under (its mocks name it):
how the program tells a local deploy from one to AWS (``StackSettings.target``), so a
placeholder that only the emulator accepts is refused on AWS alone."""
LOCAL_STATE_DIR = ".eventpipe"
"""Directory under the project where the local engine keeps its state."""
LOCAL_ANNOUNCEMENT = "dev-{stack}.json"
"""File name (``str.format(stack=...)``) in ``LOCAL_STATE_DIR`` a running ``eventpipe dev``
writes so operator commands with ``--local`` find it::

    {"endpointUrl": str, "region": str, "outputs": <STACK_OUTPUT value>, "pid": int}

Written and read by ``eventpipe.operate.stack_outputs`` (``write_announcement``,
``from_local``).
"""
