"""The consumer declaration: what a plugin returns from ``eventpipe_consumers()``.

Field-level limits (types and ranges AWS enforces) are checked when a ``Consumer`` is
built, so a plugin author sees them in their own tests. Checks that need more context
(duplicate names across plugins, handler importability, pattern grammar, FIFO rules,
stack-config overrides) run in :mod:`eventpipe.validation`, which collects every problem
before the program declares a single resource.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import ArgsKwargs

from eventpipe.exceptions import EventpipeDeprecationWarning, InvalidConsumerError

HANDLER_REF = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
"""``package.module:function``: the form of ``handler`` and of a string ``resources``."""

CONSUMER_NAME = r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$"
"""Lower-case letters, digits and inner hyphens: valid in every AWS name derived from it
(queue, function, rule, role, log group, alarm) and stable as a CloudWatch dimension."""


ALARM_PERIOD_STEP = 60
"""A CloudWatch alarm on a standard-resolution metric (the runtime's EMF metrics are) takes
a period that is a multiple of 60 seconds (10, 20 and 30 only for high-resolution
metrics): PutMetricAlarm ``Period``,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html."""
ALARM_PERIOD_MAX = 86_400
"""For a period under an hour the total evaluation period may not exceed one day, and
for longer ones seven days (PutMetricAlarm ``Period``); one evaluation period of at
most a day keeps every breaker inside both."""


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid", populate_by_name=True))
class CircuitBreaker:
    """Stop feeding a consumer whose downstream is down, instead of dead-lettering.

    When ``failed_records`` or more records fail within ``period`` seconds, the
    consumer's event source mapping is disabled (messages wait in the queue); after
    ``cooldown`` seconds it is re-enabled half-open (maximum concurrency 2) and closes
    when the breaker's alarm returns to OK. See docs/circuit-breaker.md.

    It counts failed records (the runtime's ``RecordsRetried`` metric), not Lambda's
    function ``Errors``: with partial batch responses an invocation whose records all
    failed still succeeds for Lambda, so ``Errors`` would never open it ("Handling errors
    for an SQS event source",
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html). The
    field was called ``errors`` before; that name (and ``errors:`` in stack config)
    still works, with an :class:`~eventpipe.exceptions.EventpipeDeprecationWarning`.

    Example::

        Consumer(name="orders", handler="orders.handler:process",
                 pattern={"source": ["shop"]},
                 circuit_breaker=CircuitBreaker(failed_records=10, period=60, cooldown=300))
    """

    failed_records: int = Field(
        ge=1, le=1_000_000, validation_alias=AliasChoices("failed_records", "failedRecords")
    )
    """Failed records (``RecordsRetried``) within ``period`` that open the breaker; in
    stack config ``failedRecords``."""
    period: int = Field(ge=ALARM_PERIOD_STEP, le=ALARM_PERIOD_MAX, multiple_of=ALARM_PERIOD_STEP)
    """Seconds of the breaker alarm's one evaluation period (a multiple of 60)."""
    cooldown: int = Field(ge=60, le=ALARM_PERIOD_MAX)
    """Seconds the mapping stays disabled before the half-open step. At least a minute:
    EventBridge Scheduler invokes its targets with 60-second precision ("Schedule types
    in EventBridge Scheduler",
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html). At
    least ``period``, so the half-open step is judged on failures seen after it."""

    @model_validator(mode="before")
    @classmethod
    def _accept_the_old_name(cls, data: Any) -> Any:
        """``errors=`` (the old name) becomes ``failed_records``, with a warning."""
        if isinstance(data, ArgsKwargs) and data.kwargs and "errors" in data.kwargs:
            kwargs = dict(data.kwargs)
            kwargs["failed_records"] = kwargs.pop("errors")
            _warn_renamed("CircuitBreaker(errors=...)", "CircuitBreaker(failed_records=...)")
            return ArgsKwargs(data.args, kwargs)
        if isinstance(data, Mapping) and "errors" in data:
            values = dict(data)
            values["failed_records"] = values.pop("errors")
            _warn_renamed("circuitBreaker: {errors: ...}", "circuitBreaker: {failedRecords: ...}")
            return values
        return data

    @property
    def errors(self) -> int:
        """The old name of :attr:`failed_records` (deprecated)."""
        _warn_renamed("CircuitBreaker.errors", "CircuitBreaker.failed_records")
        return self.failed_records

    @model_validator(mode="after")
    def _judged_on_fresh_errors(self) -> CircuitBreaker:
        if self.cooldown < self.period:
            raise ValueError(
                f"cooldown ({self.cooldown}s) is shorter than period ({self.period}s): the "
                "half-open step would be judged on failures from before the breaker opened"
            )
        return self


def _warn_renamed(old: str, new: str) -> None:
    warnings.warn(EventpipeDeprecationWarning(f"{old} is deprecated: write {new}"), stacklevel=3)


SQS_MAX_RECEIVE_COUNT = 1000
"""The highest redrive ``maxReceiveCount`` SQS accepts (1 to 1,000: "Configure a
dead-letter queue", Maximum receives,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue.html)."""


def queue_receive_limit(fifo: bool, max_attempts: int, batch_size: int) -> int:
    """The queue's redrive ``maxReceiveCount``: ``max_attempts`` on a standard queue.

    On a FIFO queue the runtime counts a record's own failed attempts
    (``eventpipe.runtime.attempts``) and the receive count is only a safety net, set high
    enough that waiting never reaches it. A record is received without running only when
    an earlier record of its group failed in the same batch: SQS returns no later
    message of a group while an earlier one is in flight ("FIFO queue delivery logic",
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html),
    so the records it can wait behind are the at most ``batch_size - 1`` ahead of it in its
    first batch, and each of them fails at most ``max_attempts`` times before it is
    dead-lettered. Its receives are then at most ``batch_size x max_attempts`` (its own
    attempts included); the limit doubles that, so as many receives again may end in no
    counted attempt (a crash, a timeout, a count that could not be written), capped at
    SQS's 1,000. Validation refuses a FIFO consumer whose ``batch_size x
    max_receive_count`` passes 1,000.
    """
    if not fifo:
        return max_attempts
    return min(SQS_MAX_RECEIVE_COUNT, 2 * batch_size * max_attempts)


class Consumer(BaseModel):
    """One event consumer: its pattern, its handler and how it is run.

    Example::

        Consumer(
            name="order-processing",
            pattern={"source": ["ecommerce.orders"], "detail-type": ["Order Created"]},
            handler="orders.handler:process",
            fifo=True, message_group="$.detail.customerId",
            batch_size=10, timeout=50, memory=512, max_concurrency=50,
            idempotent=True, resources="orders.infra:orders_table",
        )

    ``pattern=None`` declares a queue fed directly by producers (no rule): the handler then
    receives the message body instead of an EventBridge event. ``topic`` instead of
    ``pattern`` subscribes the queue to an SNS topic (docs/sns.md).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    name: str = Field(pattern=CONSUMER_NAME, min_length=1, max_length=40)
    """Unique across all plugins; the stem of every AWS name of the pipeline."""
    handler: str = Field(pattern=HANDLER_REF)
    """``module:function`` called once per record inside Lambda."""
    pattern: dict[str, Any] | None = None
    """EventBridge event pattern of the rule; ``None`` for a directly fed queue."""
    fifo: bool = False
    """FIFO queue (ordered per message group, content-based deduplication)."""
    message_group: str | None = None
    """The FIFO queue's message group. A fixed id becomes the rule target's
    ``MessageGroupId``, which EventBridge sends literally: every event lands in that one
    group (EventBridge API reference, ``SqsParameters``:
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html).
    A JSON path such as ``$.detail.customerId`` gives one group per value: the rule then
    feeds an intake queue and an EventBridge Pipe, whose ``MessageGroupId`` is a dynamic
    path parameter it evaluates per event ("Dynamic path parameters",
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-target.html;
    docs/components.md). Default: the consumer name (one group, total order)."""
    batch_size: int = Field(default=10, ge=1, le=10000)
    batching_window: int = Field(default=0, ge=0, le=300)
    """MaximumBatchingWindowInSeconds of the event source mapping."""
    timeout: int = Field(default=30, ge=1, le=900)
    """Function timeout in seconds."""
    memory: int = Field(default=256, ge=128, le=10240)
    """Function memory in MB."""
    max_concurrency: int | None = Field(default=None, ge=2, le=1000)
    """ScalingConfig.MaximumConcurrency of the event source mapping."""
    max_receive_count: int = Field(default=5, ge=1, le=1000)
    """Receives before SQS moves a message to the DLQ (AWS advises at least 5)."""
    visibility_timeout: int | None = Field(default=None, ge=0, le=43200)
    """Queue visibility timeout; default 6 x timeout + batching window (AWS guidance)."""
    retention: int = Field(default=345600, ge=60, le=1209600)
    """Main queue message retention in seconds (the DLQ keeps 14 days)."""
    reserved_concurrency: int | None = Field(default=None, ge=0)
    """Reserved concurrent executions of the function."""
    environment: dict[str, str] = Field(default_factory=dict)
    """Extra environment variables of the function."""
    idempotent: bool = False
    """Skip duplicate deliveries (Powertools idempotency on the shared table)."""
    idempotency_ttl: int = Field(default=3600, ge=60, le=31536000)
    """Seconds a processed event id is remembered."""
    description: str = Field(default="", max_length=256)
    resources: str | Callable[[ResourceContext], ConsumerResources] | None = None
    """Extra infrastructure: a callable (or ``module:function``) run inside the Pulumi
    program, receiving a :class:`ResourceContext` and returning :class:`ConsumerResources`
    (environment variables and IAM statements for the function)."""
    alarm_oldest_message_age: int = Field(default=300, ge=60)
    """Seconds the oldest message may wait before its alarm fires."""
    alarm_queue_depth: int = Field(default=1000, ge=1)
    """Visible messages in the queue above which its alarm fires."""
    circuit_breaker: CircuitBreaker | None = None
    """Disable the event source mapping while records keep failing, so messages wait in
    the queue instead of burning their receives; ``None``: no breaker. See :class:`CircuitBreaker` and docs/circuit-breaker.md."""
    topic: str | None = None
    """An SNS topic ARN, or the name of a topic listed in stack config
    ``eventpipe:topics``: the queue is subscribed to it instead of a rule (at most one
    of ``pattern`` and ``topic``). See docs/sns.md."""
    filter_policy: dict[str, Any] | None = None
    """The subscription's SNS filter policy (on message attributes); only with ``topic``."""

    def __init__(self, **data: Any) -> None:
        # Re-raise as InvalidConsumerError so the error names the consumer: discovery
        # turns it into problems of the declaring plugin, reported with all the others.
        try:
            super().__init__(**data)
        except ValidationError as exc:
            name = data.get("name") if isinstance(data.get("name"), str) else None
            raise InvalidConsumerError(name, field_errors(exc)) from None

    @property
    def source(self) -> Literal["rule", "topic", "queue"]:
        """``rule`` when an EventBridge rule feeds the queue, ``topic`` when an SNS
        subscription does, ``queue`` when producers send to it directly."""
        if self.pattern is not None:
            return "rule"
        return "topic" if self.topic is not None else "queue"

    @property
    def effective_visibility_timeout(self) -> int:
        """Visibility timeout the queue gets: explicit, or 6 x timeout + batching window."""
        if self.visibility_timeout is not None:
            return self.visibility_timeout
        return 6 * self.timeout + self.batching_window

    @property
    def queue_max_receive_count(self) -> int:
        """The redrive ``maxReceiveCount`` the consumer's queue gets (:func:`queue_receive_limit`)."""
        return queue_receive_limit(self.fifo, self.max_receive_count, self.batch_size)

    @property
    def handler_module(self) -> str:
        return self.handler.split(":", 1)[0]

    @property
    def top_level_package(self) -> str:
        """The import package holding the handler: what the function artifact ships."""
        return self.handler_module.split(".", 1)[0]


def field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """``(field path, message)`` pairs of a pydantic error, for problem reports."""
    return [
        (".".join(str(p) for p in err["loc"]) or "(declaration)", err["msg"])
        for err in exc.errors()
    ]


@dataclass
class ResourceContext:
    """What a plugin's ``resources`` callable receives inside the Pulumi program.

    Create resources with ``opts=ctx.opts()`` so they are children of the consumer's
    pipeline component (and named with ``ctx.resource_name("table")`` so two stacks or
    consumers never collide).
    """

    consumer: Consumer
    stack: str
    name_prefix: str
    tags: Mapping[str, str]
    parent: Any
    """The ``ConsumerPipeline`` component (a ``pulumi.ComponentResource``)."""
    resource_options: Callable[..., Any] | None = field(default=None, repr=False)
    """``pulumi.ResourceOptions``, handed in by the Pulumi program that runs the hook, so
    this module (the plugin API, imported by the CLI and inside Lambda) never imports
    Pulumi itself."""

    def resource_name(self, suffix: str) -> str:
        """Logical (and physical, where AWS names it) name for a plugin resource."""
        return f"{self.name_prefix}{self.consumer.name}-{suffix}"

    def opts(self, **kwargs: Any) -> Any:
        """``pulumi.ResourceOptions(parent=<the pipeline>, **kwargs)``."""
        if self.resource_options is None:
            raise RuntimeError(
                "this ResourceContext was built without resource_options: build it with "
                "resource_options=pulumi.ResourceOptions (the pipeline component and "
                "eventpipe.testing.run_resources do)"
            )
        return self.resource_options(parent=self.parent, **kwargs)


@dataclass
class ConsumerResources:
    """What a plugin's own infrastructure gives its function.

    ``environment`` values and statement resources may be ``pulumi.Output``. Statements
    are IAM policy statements (``{"Effect", "Action", "Resource"}``); keep them scoped to
    the resources you created: the policy linter rejects ``*`` actions and resources.
    """

    environment: dict[str, Any] = field(default_factory=dict)
    statements: list[dict[str, Any]] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    """Anything worth exporting under the consumer in the stack output."""


Outcome = Literal["succeeded", "retried", "dead-lettered"]
"""A sample's final outcome; ``retried`` is failed, delivered again, then succeeded."""


class SampleEvent(BaseModel):
    """An event a plugin offers to ``eventpipe demo`` and end-to-end tests.

    Either ``detail_type`` + ``source`` + ``detail`` (published to the bus), or
    ``consumer`` + ``body`` (sent straight to that consumer's queue, for direct-queue
    consumers). ``expect`` maps consumer names to the final outcome the sample must have:
    ``succeeded``; ``retried``: it failed at least once, SQS delivered it again, and it
    then succeeded; ``dead-lettered``: it ended in the consumer's DLQ. (One invocation's
    ``will-retry``, in :class:`eventpipe.testing.InvocationResult`, is the first half of
    ``retried``.)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    source: str | None = None
    detail_type: str | None = None
    detail: dict[str, Any] | None = None
    consumer: str | None = None
    body: str | dict[str, Any] | None = None
    message_group_id: str | None = None
    expect: dict[str, Outcome] = Field(default_factory=dict)


Consumer.model_rebuild()
