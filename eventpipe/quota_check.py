"""What a stack draws on AWS's quotas, and the preview's refusal when it would not fit.

:func:`stack_usage` counts what one stack declares (rules per bus, wildcard rules, IAM
roles, pipes, reserved concurrency, buses, schemas); the stack exports it as
``quotaUsage`` so other stacks sharing a bus or an account can add it to their own.
:func:`check_quotas` adds the use of the stacks listed in ``eventpipe:sharedQuotas``,
compares each total with what the account allows (:mod:`eventpipe.quotas`) and returns
every problem at once: each names the quota, what the stacks need, what AWS allows and
the fix. ``__main__.py`` refuses the preview with them, so ``pulumi up`` never fails
half-way at the first resource past a quota.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventpipe import group_split, pipes_paths
from eventpipe.consumer import Consumer
from eventpipe.exceptions import Problem
from eventpipe.quotas import (
    CONCURRENT_EXECUTIONS,
    EVENT_BUSES,
    IAM_ROLES,
    PIPES,
    RULES_PER_BUS,
    SCHEMAS_PER_REGISTRY,
    TARGETS_PER_RULE,
    WILDCARD_RULES_PER_BUS,
    Quota,
    QuotaLimits,
    SharedQuotas,
)
from eventpipe.stack_settings import NAMESPACE, STACK_CONFIG, StackSettings

DEFAULT_BUS = "default"
"""The account's default bus, where the breaker's rule on alarm state changes lives."""


@dataclass(frozen=True)
class StackUsage:
    """What one stack draws on each quota. :meth:`to_json` is the ``quotaUsage`` export."""

    stack: str
    region: str
    rules: Mapping[str, int]
    """Bus name -> rules the stack declares on it."""
    wildcard_rules: Mapping[str, int]
    """Bus name -> of those, rules whose pattern uses ``wildcard``."""
    reserved_concurrency: int
    iam_roles: int
    pipes: int
    event_buses: int
    schemas: int
    targets_per_rule: int
    """The most targets any one of the stack's rules has."""
    reserved_by_consumer: Mapping[str, int] = field(default_factory=dict)
    """Not exported: the consumers behind :attr:`reserved_concurrency`, for the fix."""
    wildcard_consumers: tuple[str, ...] = ()
    """Not exported: the consumers whose patterns use ``wildcard``, for the fix."""

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "region": self.region,
            "rules": dict(self.rules),
            "wildcardRules": dict(self.wildcard_rules),
            "reservedConcurrency": self.reserved_concurrency,
            "iamRoles": self.iam_roles,
            "pipes": self.pipes,
            "eventBuses": self.event_buses,
            "schemas": self.schemas,
            "targetsPerRule": self.targets_per_rule,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StackUsage:
        """A sibling stack's export (:meth:`to_json`); a missing count reads as 0."""
        return cls(
            stack=str(data.get("stack", "")),
            region=str(data.get("region", "")),
            rules={str(k): int(v) for k, v in (data.get("rules") or {}).items()},
            wildcard_rules={str(k): int(v) for k, v in (data.get("wildcardRules") or {}).items()},
            reserved_concurrency=int(data.get("reservedConcurrency", 0)),
            iam_roles=int(data.get("iamRoles", 0)),
            pipes=int(data.get("pipes", 0)),
            event_buses=int(data.get("eventBuses", 0)),
            schemas=int(data.get("schemas", 0)),
            targets_per_rule=int(data.get("targetsPerRule", 0)),
        )


def consumer_rules(consumer: Consumer) -> int:
    """Rules a consumer's pipeline declares on the bus: one per rule-fed consumer, plus the
    missing-field rule of a per-key FIFO consumer whose pattern does not already require
    the group field (``components/intake.py``)."""
    if consumer.pattern is None:
        return 0
    if pipes_paths.per_key_fifo(consumer):
        assert consumer.message_group is not None
        return 1 + (not group_split.field_required(consumer.pattern, consumer.message_group))
    return 1


def uses_wildcard(pattern: object) -> bool:
    """Whether a pattern has a ``wildcard`` operator (``anything-but`` ones included):
    operators sit in a field's list of values; ``$or`` holds whole patterns."""
    if not isinstance(pattern, dict):
        return False
    for key, value in pattern.items():
        if key == "$or" and isinstance(value, list):
            if any(uses_wildcard(branch) for branch in value):
                return True
        elif isinstance(value, list):
            if any(isinstance(item, dict) and _wildcard_operator(item) for item in value):
                return True
        elif uses_wildcard(value):
            return True
    return False


def _wildcard_operator(operator: dict[str, Any]) -> bool:
    negated = operator.get("anything-but")
    return "wildcard" in operator or (isinstance(negated, dict) and "wildcard" in negated)


def published_schemas(
    consumers: Iterable[Consumer], handlers: Mapping[str, Callable[..., Any] | None]
) -> int:
    """Schemas the stack's registry holds: one per rule-fed consumer whose handler declares
    a pydantic detail model (``components/schema_registry.py``)."""
    from pydantic import BaseModel

    from eventpipe.runtime.introspect import detail_model

    count = 0
    for consumer in consumers:
        handler = handlers.get(consumer.name)
        if consumer.pattern is None or handler is None:
            continue
        model = detail_model(handler)
        count += isinstance(model, type) and issubclass(model, BaseModel)
    return count


def stack_usage(
    settings: StackSettings,
    consumers: Sequence[Consumer],
    handlers: Mapping[str, Callable[..., Any] | None] | None = None,
) -> StackUsage:
    """What the stack with these enabled consumers declares against each quota."""
    bus = settings.effective_bus_name
    rules: dict[str, int] = {}
    wildcard: dict[str, int] = {}
    wildcard_consumers = []
    for consumer in consumers:
        count = consumer_rules(consumer)
        if not count:
            continue
        rules[bus] = rules.get(bus, 0) + count
        if uses_wildcard(consumer.pattern):
            wildcard[bus] = wildcard.get(bus, 0) + count
            wildcard_consumers.append(consumer.name)
    with_breaker = any(c.circuit_breaker is not None for c in consumers)
    if with_breaker:  # the breaker's rule on alarm state changes (no wildcard)
        rules[DEFAULT_BUS] = rules.get(DEFAULT_BUS, 0) + 1
    reserved = {
        c.name: c.reserved_concurrency for c in consumers if c.reserved_concurrency is not None
    }
    pipes = sum(pipes_paths.per_key_fifo(c) for c in consumers)
    # One role per function, one per pipe; the breaker and the archiver each run a
    # function and a scheduler role (components/stack_function.py).
    roles = len(consumers) + pipes
    roles += 2 * with_breaker + 2 * (settings.dead_letter_archive is not None)
    schemas = published_schemas(consumers, handlers or {}) if settings.publish_schemas else 0
    return StackUsage(
        stack=settings.stack,
        region=settings.region,
        rules=rules,
        wildcard_rules=wildcard,
        reserved_concurrency=sum(reserved.values()),
        iam_roles=roles,
        pipes=pipes,
        event_buses=int(settings.create_bus),
        schemas=schemas,
        targets_per_rule=1 if rules else 0,
        reserved_by_consumer=reserved,
        wildcard_consumers=tuple(wildcard_consumers),
    )


@dataclass(frozen=True)
class _Need:
    """One quota's total: this stack, the listed stacks and the declared rest."""

    own: int
    stacks: int = 0
    declared: int = 0

    @property
    def total(self) -> int:
        return self.own + self.stacks + self.declared

    def breakdown(self) -> str:
        parts = [f"this stack {self.own}"]
        if self.stacks:
            parts.append(f"the stacks in {NAMESPACE}:sharedQuotas.stacks {self.stacks}")
        if self.declared:
            parts.append(f"declared in {NAMESPACE}:sharedQuotas {self.declared}")
        return ", ".join(parts)


def _problem(
    quota: Quota, need: _Need, allowed: int, settings: StackSettings, where: str, also: str
) -> Problem:
    declared = getattr(settings.quotas, _attribute(quota.key), None) if quota.adjustable else None
    origin = (
        f"declared in {NAMESPACE}:quotas.{quota.key}"
        if declared is not None
        else f"AWS's default in {settings.region}"
        if quota.regional_defaults
        else "AWS's default"
    )
    if quota.kept_free:
        origin += f", minus the {quota.kept_free} Lambda keeps unreserved"
    message = (
        f"quota {quota.service} '{quota.name}' ({quota.scope}){where}: the stack needs "
        f"{need.total} ({need.breakdown()}), AWS allows {allowed} ({origin}; "
        f"{'adjustable' if quota.adjustable else 'fixed: no request can raise it'}; "
        f"{quota.page})"
    )
    fixes = [f for f in (quota.how_to_raise(), also) if f]
    return Problem(
        STACK_CONFIG, None, f"{NAMESPACE}:quotas.{quota.key}", message, "; or ".join(fixes)
    )


def _attribute(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def check_quotas(
    settings: StackSettings, usage: StackUsage, siblings: Sequence[StackUsage] = ()
) -> list[Problem]:
    """Every quota the stack, with the stacks it shares them with, would exceed."""
    limits: QuotaLimits = settings.quotas
    shared: SharedQuotas = settings.shared_quotas
    region = settings.region
    same_region = [s for s in siblings if s.region == region]
    problems: list[Problem] = []

    def over(quota: Quota, need: _Need, where: str = "", also: str = "") -> None:
        allowed = limits.limit(quota, region) - quota.kept_free
        if need.total > allowed:
            problems.append(_problem(quota, need, allowed, settings, where, also))

    biggest = sorted(usage.reserved_by_consumer.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    over(
        CONCURRENT_EXECUTIONS,
        _Need(
            usage.reserved_concurrency,
            sum(s.reserved_concurrency for s in same_region),
            shared.reserved_concurrency,
        ),
        also="reserve less (reservedConcurrency in the plugin or "
        f"{NAMESPACE}:consumers.<name>.reservedConcurrency); the largest here: "
        + (", ".join(f"{name} {value}" for name, value in biggest) or "none"),
    )
    for bus, own in sorted(usage.rules.items()):
        others = _Need(
            own,
            sum(s.rules.get(bus, 0) for s in same_region),
            shared.rules if bus == settings.effective_bus_name else 0,
        )
        over(
            RULES_PER_BUS,
            others,
            where=f" on bus {bus!r}",
            also="split the consumers over more buses (one stack per bus, "
            f"{NAMESPACE}:busName; docs/components.md, 'Beyond one bus or one stack')",
        )
    for bus, own in sorted(usage.wildcard_rules.items()):
        wild = _Need(
            own,
            sum(s.wildcard_rules.get(bus, 0) for s in same_region),
            shared.wildcard_rules if bus == settings.effective_bus_name else 0,
        )
        over(
            WILDCARD_RULES_PER_BUS,
            wild,
            where=f" on bus {bus!r}",
            also="replace wildcard with prefix, suffix or equals-ignore-case where it "
            "says the same, or move consumers to another bus; wildcard patterns here: "
            + ", ".join(usage.wildcard_consumers),
        )
    over(
        TARGETS_PER_RULE,
        _Need(usage.targets_per_rule),
        also="give each target its own rule",
    )
    over(
        EVENT_BUSES,
        _Need(usage.event_buses, sum(s.event_buses for s in same_region), shared.event_buses),
        also=f"share one bus between stacks ({NAMESPACE}:createBus: false, {NAMESPACE}:busName)",
    )
    over(
        PIPES,
        _Need(usage.pipes, sum(s.pipes for s in same_region), shared.pipes),
        also="group fewer FIFO consumers by a JSON path (a fixed messageGroup needs no pipe)",
    )
    over(
        SCHEMAS_PER_REGISTRY,
        _Need(usage.schemas),
        also=f"stop publishing schemas ({NAMESPACE}:publishSchemas: false)",
    )
    over(
        IAM_ROLES,
        _Need(usage.iam_roles, sum(s.iam_roles for s in siblings), shared.iam_roles),
        also="split the consumers over accounts",
    )
    return problems
