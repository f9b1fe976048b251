"""The ``eventpipe`` stack output: one typed contract for its writers and its readers.

The Pulumi program exports one structured output (:data:`eventpipe.contract.STACK_OUTPUT`)
holding every URL, ARN and name the operator commands need, so they never rebuild names
from the stack config. The types here are that output, field by field:

* the components build them while they declare the resources (the values are then
  Pulumi Outputs), ``__main__.py`` combines them and exports :meth:`StackOutputs.to_json`;
* ``eventpipe.operate`` and the local engine read the JSON back with
  :meth:`StackOutputs.from_json` (the values are then strings).

The JSON keys are the field names in camelCase (``queue_url`` -> ``queueUrl``), which is
what ``pulumi stack output --json`` shows. An optional field missing from the JSON (an
output written by an older eventpipe) reads as its default; a required one is a
:class:`StackOutputError` that says to deploy again.

Example::

    outputs = StackOutputs.from_json(json.loads(saved), origin="outputs.json")
    print(outputs.consumer("order-processing").dlq_url)

Pulumi-free and pluggy-free: the local engine, the operator commands and the tests
import it without the deploy side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from eventpipe.contract import SOURCE_QUEUE, SOURCE_RULE, STACK_OUTPUT
from eventpipe.exceptions import suggest
from eventpipe.output_json import StackOutputError
from eventpipe.output_json import mapping as _mapping
from eventpipe.output_json import read_fields as _read
from eventpipe.output_json import to_json as _to_json
from eventpipe.retired_outputs import RetiredOutputs

V = TypeVar("V")
"""What a resource attribute holds: ``str`` once read back from the JSON; while the
program runs, whatever Pulumi resolves to a string (``pulumi.Input[str]``)."""


class UnknownConsumerError(StackOutputError, KeyError):
    """Raised when a command names a consumer the stack does not have."""

    def __init__(self, name: str, known: Iterable[str], stack: str):
        self.name = name
        self.known = sorted(known)
        names = ", ".join(self.known) or "none"
        self.suggestion = suggest(name, self.known)
        hint = f" Did you mean {self.suggestion!r}?" if self.suggestion else ""
        super().__init__(
            f"stack {stack!r} has no consumer {name!r}.{hint} Its consumers are: {names}. "
            "(A consumer added since the last deploy appears after `pulumi up`.)"
        )

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


@dataclass(frozen=True)
class CircuitBreakerOutputs(Generic[V]):
    """A consumer's circuit breaker (``consumers.NAME.circuitBreaker``): its thresholds and
    the alarm that trips it. Written by ``components.breaker.CircuitBreaker``."""

    failed_records: int
    """Failed records (the runtime's ``RecordsRetried`` metric) in ``period`` that trip it:
    :attr:`eventpipe.CircuitBreaker.failed_records`, JSON ``failedRecords``."""
    period: int
    cooldown: int
    alarm_name: V | None = None

    LEGACY_KEYS: ClassVar[Mapping[str, str]] = {"failedRecords": "errors"}
    """JSON keys an older eventpipe wrote under another name (the threshold was called
    ``errors`` before the circuit breaker's field was renamed ``failed_records``)."""

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: Any, *, where: str, origin: str) -> CircuitBreakerOutputs[str]:
        data = _mapping(data, where, origin)
        data = {
            **{new: data[old] for new, old in cls.LEGACY_KEYS.items() if old in data},
            **data,
        }
        return CircuitBreakerOutputs(**_read(cls, data, where=f"{where}.", origin=origin))


@dataclass(frozen=True)
class ConsumerOutputs(Generic[V]):
    """One consumer's deployed resources (``consumers.NAME``). Written by
    ``components.ConsumerPipeline``; ``circuit_breaker`` is added by the program from
    ``components.breaker.CircuitBreaker``."""

    name: str
    """The consumer's name: the key of the entry, not a field of it."""
    queue_url: V
    queue_arn: V
    dlq_url: V
    dlq_arn: V
    plugin: str | None = None
    fifo: bool = False
    source: str = SOURCE_RULE
    """Who feeds the queue: one of :data:`eventpipe.contract.SOURCES`."""
    function_name: V | None = None
    function_arn: V | None = None
    rule_name: V | None = None
    """The rule feeding the queue, or for a per-key FIFO consumer the intake queue."""
    rule_arn: V | None = None
    alarm_names: tuple[V, ...] = ()
    message_group: str | None = None
    """The consumer's ``message_group``: a fixed group id, or a JSON path (Pipes)."""
    log_group_name: V | None = None
    """The function's CloudWatch log group (``/aws/lambda/<function name>``)."""
    event_source_mapping_uuid: V | None = None
    intake_queue_url: V | None = None
    """Per-key FIFO consumers only (``message_group`` is a JSON path, fed through an
    EventBridge Pipe, docs/components.md "Per-key FIFO"): the standard queue the rule
    targets, which the pipe reads. The other intake and pipe fields likewise."""
    intake_queue_arn: V | None = None
    intake_dlq_url: V | None = None
    intake_dlq_arn: V | None = None
    pipe_name: V | None = None
    pipe_arn: V | None = None
    pipe_log_group: V | None = None
    missing_group_rule_name: V | None = None
    """The rule sending events without the group field to the intake DLQ (None when the
    pattern already requires the field)."""
    topic_arn: V | None = None
    """SNS fan-out consumers only: the topic the queue is subscribed to."""
    subscription_arn: V | None = None
    circuit_breaker: CircuitBreakerOutputs[V] | None = None
    resources: Mapping[str, Any] = field(default_factory=dict)
    """The plugin's ``ConsumerResources.outputs``; the key is left out when empty."""

    def with_circuit_breaker(self, breaker: CircuitBreakerOutputs[V] | None) -> ConsumerOutputs[V]:
        """This entry with its breaker (the breaker is declared after the pipelines)."""
        return dataclasses.replace(self, circuit_breaker=breaker)

    def to_json(self) -> dict[str, Any]:
        data = _to_json(self, leave_out=("name", "resources"))
        if self.resources:
            data["resources"] = dict(self.resources)
        return data

    @classmethod
    def from_json(cls, name: str, data: Any, *, origin: str) -> ConsumerOutputs[str]:
        where = f"consumers.{name}."
        data = _mapping(data, where.rstrip("."), origin)
        taken = ("name", "fifo", "source", "alarm_names", "circuit_breaker", "resources")
        breaker = data.get("circuitBreaker")
        return ConsumerOutputs(
            name=name,
            **_read(cls, data, where=where, origin=origin, taken=taken),
            fifo=bool(data.get("fifo", False)),
            # Outputs older than the source key: a consumer with a rule is rule-fed.
            source=data.get("source") or (SOURCE_RULE if data.get("ruleArn") else SOURCE_QUEUE),
            alarm_names=tuple(data.get("alarmNames") or ()),
            circuit_breaker=(
                None
                if breaker is None
                else CircuitBreakerOutputs.from_json(
                    breaker, where=f"{where}circuitBreaker", origin=origin
                )
            ),
            resources=dict(data.get("resources") or {}),
        )

    @property
    def queue_name(self: ConsumerOutputs[str]) -> str:
        return self.queue_arn.rsplit(":", 1)[-1]

    @property
    def dlq_name(self: ConsumerOutputs[str]) -> str:
        return self.dlq_arn.rsplit(":", 1)[-1]

    @property
    def has_intake(self: ConsumerOutputs[str]) -> bool:
        """Whether events reach the queue through an intake queue and a pipe."""
        return bool(self.intake_queue_url and self.intake_dlq_url)

    @property
    def log_group(self: ConsumerOutputs[str]) -> str | None:
        """The function's log group: the output's, else Lambda's default name
        (``/aws/lambda/<function name>``,
        https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html)."""
        if self.log_group_name:
            return self.log_group_name
        return f"/aws/lambda/{self.function_name}" if self.function_name else None


@dataclass(frozen=True)
class BusOutputs(Generic[V]):
    """The stack's bus and what hangs off it (``bus``). Written by ``components.EventBus``."""

    name: V
    arn: V
    archive_name: V | None = None
    archive_arn: V | None = None
    delivery_dlq_url: V | None = None
    delivery_dlq_arn: V | None = None
    alarm_topic_arn: V | None = None
    idempotency_table: V | None = None
    """The stack's idempotency table, when a consumer is idempotent."""
    dashboard_name: V | None = None
    """The overview (or only) CloudWatch dashboard, when dashboards are on."""

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: Any, *, origin: str) -> BusOutputs[str]:
        data = _mapping(data, "bus", origin)
        return BusOutputs(**_read(cls, data, where="bus.", origin=origin))

    @property
    def account(self: BusOutputs[str]) -> str:
        """Account id, from the ARN (``arn:aws:events:REGION:ACCOUNT:event-bus/NAME``)."""
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else "000000000000"


@dataclass(frozen=True)
class BreakerOutputs(Generic[V]):
    """The stack's circuit breaker function (``breaker``; None when no consumer has a
    breaker). Written by ``components.breaker.CircuitBreaker``."""

    function_name: V | None = None
    rule_name: V | None = None
    schedule_group: V | None = None
    """The EventBridge Scheduler group holding the half-open schedules."""

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: Any, *, origin: str) -> BreakerOutputs[str]:
        data = _mapping(data, "breaker", origin)
        return BreakerOutputs(**_read(cls, data, where="breaker.", origin=origin))


@dataclass(frozen=True)
class DeadLetterArchiveOutputs(Generic[V]):
    """The dead-letter archive (``deadLetterArchive``; None without
    ``eventpipe:deadLetterArchive``). Written by
    ``components.dead_letter_archive.DeadLetterArchive``."""

    bucket_name: V | None = None
    archiver_function_name: V | None = None
    after_days: int | None = None
    expire_days: int | None = None
    schedule_name: V | None = None

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: Any, *, origin: str) -> DeadLetterArchiveOutputs[str]:
        data = _mapping(data, "deadLetterArchive", origin)
        return DeadLetterArchiveOutputs(
            **_read(cls, data, where="deadLetterArchive.", origin=origin)
        )


def retired_as_consumer(retired: RetiredOutputs[str]) -> ConsumerOutputs[str]:
    """A retired set's queues in a consumer's shape, so the DLQ commands act on them as on
    any consumer's. A set holding only intake queues gives them as queue and DLQ."""
    main = bool(retired.queue_arn and retired.dlq_arn)
    queue_url, queue_arn = (
        (retired.queue_url, retired.queue_arn)
        if main
        else (retired.intake_queue_url, retired.intake_queue_arn)
    )
    dlq_url, dlq_arn = (
        (retired.dlq_url, retired.dlq_arn)
        if main
        else (retired.intake_dlq_url, retired.intake_dlq_arn)
    )
    return ConsumerOutputs(
        name=retired.name,
        queue_url=queue_url or "",
        queue_arn=queue_arn or "",
        dlq_url=dlq_url or "",
        dlq_arn=dlq_arn or "",
        plugin=retired.plugin,
        fifo=retired.fifo if main else False,
        intake_queue_url=retired.intake_queue_url if main else None,
        intake_queue_arn=retired.intake_queue_arn if main else None,
        intake_dlq_url=retired.intake_dlq_url if main else None,
        intake_dlq_arn=retired.intake_dlq_arn if main else None,
    )


@dataclass(frozen=True)
class StackOutputs(Generic[V]):
    """The whole ``eventpipe`` stack output."""

    stack: str
    region: str | None
    bus: BusOutputs[V]
    consumers: Mapping[str, ConsumerOutputs[V]]
    project: str | None = None
    topics: Mapping[str, V] = field(default_factory=dict)
    """Stack topics (``eventpipe:topics``): name -> ARN."""
    breaker: BreakerOutputs[V] | None = None
    dead_letter_archive: DeadLetterArchiveOutputs[V] | None = None
    retired: Mapping[str, RetiredOutputs[V]] = field(default_factory=dict)
    """Queues of consumers that left the stack (or generations they left behind), kept
    until ``eventpipe retired discard`` (docs/operations.md, "Change or remove a consumer")."""
    protect: bool = False
    """``eventpipe:protect``: the stack's stateful resources carry Pulumi's ``protect``."""

    def to_json(self) -> dict[str, Any]:
        """The value exported as :data:`eventpipe.contract.STACK_OUTPUT`."""
        return {
            "project": self.project,
            "stack": self.stack,
            "region": self.region,
            "bus": self.bus.to_json(),
            "consumers": {name: entry.to_json() for name, entry in self.consumers.items()},
            "topics": dict(self.topics),
            "breaker": self.breaker.to_json() if self.breaker is not None else None,
            "deadLetterArchive": (
                self.dead_letter_archive.to_json() if self.dead_letter_archive is not None else None
            ),
            "retired": {name: entry.to_json() for name, entry in self.retired.items()},
            "protect": self.protect,
        }

    @classmethod
    def from_json(cls, data: Any, *, origin: str, stack: str = "") -> StackOutputs[str]:
        """Either a whole ``pulumi stack output --json`` object (holding the ``eventpipe``
        key) or the structured value itself. ``stack`` names the stack in messages and
        stands in for an output without its own ``stack`` key."""
        if isinstance(data, Mapping) and STACK_OUTPUT in data and "bus" not in data:
            data = data[STACK_OUTPUT]
        if not isinstance(data, Mapping) or "bus" not in data:
            raise StackOutputError(
                f"{origin} holds no {STACK_OUTPUT!r} stack output: deploy the stack with "
                f"`pulumi up --stack {stack}` (or start `eventpipe dev --stack {stack}`), then "
                f"save it with `pulumi stack output --json --stack {stack} > outputs.json`"
            )
        consumers = _mapping(data.get("consumers") or {}, "consumers", origin)
        breaker, archive = data.get("breaker"), data.get("deadLetterArchive")
        return StackOutputs(
            stack=data.get("stack") or stack,
            region=data.get("region"),
            bus=BusOutputs.from_json(data["bus"], origin=origin),
            consumers={
                name: ConsumerOutputs.from_json(name, item, origin=origin)
                for name, item in consumers.items()
            },
            project=data.get("project"),
            topics=dict(_mapping(data.get("topics") or {}, "topics", origin)),
            breaker=None if breaker is None else BreakerOutputs.from_json(breaker, origin=origin),
            dead_letter_archive=(
                None
                if archive is None
                else DeadLetterArchiveOutputs.from_json(archive, origin=origin)
            ),
            retired={
                name: RetiredOutputs.from_json(name, item, origin=origin)
                for name, item in _mapping(data.get("retired") or {}, "retired", origin).items()
            },
            protect=bool(data.get("protect", False)),
        )

    def consumer(self, name: str) -> ConsumerOutputs[V]:
        """The named consumer, or an error listing the names that exist."""
        try:
            return self.consumers[name]
        except KeyError:
            raise UnknownConsumerError(name, self.consumers, self.stack) from None

    def queues_of(self: StackOutputs[str], name: str) -> ConsumerOutputs[str]:
        """A consumer's queues, or a retired set's (:func:`retired_as_consumer`):
        what the DLQ commands act on. Unknown names list both kinds."""
        if name in self.consumers:
            return self.consumers[name]
        if name in self.retired:
            return retired_as_consumer(self.retired[name])
        raise UnknownConsumerError(name, [*self.consumers, *self.retired], self.stack)

    def select(self, names: list[str] | None) -> list[ConsumerOutputs[V]]:
        """The named consumers (all when ``names`` is empty), in a stable order."""
        if not names:
            return [self.consumers[n] for n in sorted(self.consumers)]
        return [self.consumer(n) for n in names]
