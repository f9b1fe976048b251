"""The settings model of a stack: every ``eventpipe:`` key of ``Pulumi.<stack>.yaml``,
with the values AWS accepts for each.

:mod:`eventpipe.config` builds it from a stack's config (and reports every problem at
once); this module holds only the model and its field checks.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from eventpipe.quotas import QuotaLimits, SharedQuotas

NAMESPACE = "eventpipe"
PROJECT = "eventpipe"
STACK_CONFIG = "stack config"


class PluginFilter(BaseModel):
    """Which plugins a stack loads: ``allow`` (None = all) and ``deny`` entry point or
    distribution names."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    allow: list[str] | None = None
    deny: list[str] = Field(default_factory=list)


LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
"""The only retention periods CloudWatch Logs accepts (PutRetentionPolicy, ``retentionInDays``:
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html);
``0`` here means never expire (no retention policy)."""
NAME_PREFIX_CHARACTERS = re.compile(r"[A-Za-z0-9_-]*")
"""What every physical name eventpipe builds from the prefix accepts: SQS queue names
(alphanumerics, ``-``, ``_``: CreateQueue ``QueueName``), Lambda function names (letters,
digits, ``-``, ``_``: CreateFunction ``FunctionName``), IAM role names (alphanumerics and
``+=,.@_-``: CreateRole ``RoleName``), EventBridge rule names (``[\\.\\-_A-Za-z0-9]+``:
PutRule ``Name``) and CloudWatch dashboard names (alphanumerics, ``-``, ``_``); the
intersection is letters, digits, ``-`` and ``_``."""


DLQ_RETENTION_DAYS = 14
"""Days every DLQ keeps a message: ``components.queues.DLQ_RETENTION`` (1,209,600 s, the
SQS maximum ``MessageRetentionPeriod``) in days; a test keeps the two equal."""
TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$|^[A-Za-z0-9_-]{1,251}\.fifo$")
"""An SNS topic name: up to 256 alphanumerics, hyphens and underscores; a FIFO topic's
ends in ``.fifo`` (CreateTopic ``Name``,
https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html)."""


class DeadLetterArchive(BaseModel):
    """``eventpipe:deadLetterArchive``: move dead letters older than ``afterDays`` from
    every DLQ into a private bucket that keeps them ``expireDays``, or for good when
    ``expireDays`` is absent (docs/dead-letter-archive.md).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    after_days: int = Field(alias="afterDays", ge=1, lt=DLQ_RETENTION_DAYS)
    """Age (as SQS counts it for expiry) at which a dead letter is archived: below the
    DLQ retention, or SQS deletes it first."""
    expire_days: int | None = Field(default=None, alias="expireDays", ge=2)
    """Days an archived dead letter is kept in the bucket (S3 lifecycle expiration); None
    keeps it until someone deletes it (the bucket then has no lifecycle rule)."""

    @model_validator(mode="after")
    def _kept_longer_than_waited(self) -> DeadLetterArchive:
        if self.expire_days is not None and self.expire_days <= self.after_days:
            raise ValueError(
                f"expireDays ({self.expire_days}) must be more than afterDays "
                f"({self.after_days}): an archived dead letter would expire as it lands"
            )
        return self


class RetiredConsumer(BaseModel):
    """A consumer no installed plugin declares any more (uninstalled or renamed) whose
    queues the stack keeps: ``eventpipe:retired`` (docs/operations.md, "Remove a
    consumer"). Its shape must be the one it was deployed with, so Pulumi sees its queues
    unchanged."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$", max_length=40)
    fifo: bool = False
    intake: bool = False
    """It was fed through an intake queue (its ``message_group`` was a JSON path)."""
    plugin: str | None = None
    discard: bool = False
    """Stop declaring its queues (after ``eventpipe retired discard`` deleted them; Pulumi
    only drops them from its state, never deletes them). Also for a disabled consumer."""


class StackSettings(BaseModel):
    """Everything a stack can set. camelCase aliases are the keys in the YAML file."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    stack: str = "dev"
    region: str = "us-east-1"
    bus_name: str | None = Field(default=None, alias="busName")
    """Name of the bus; default ``<namePrefix>bus``."""
    create_bus: bool = Field(default=True, alias="createBus")
    """False: use an existing bus called ``busName`` (``default`` included)."""
    archive: bool = True
    archive_retention_days: int = Field(default=7, ge=0, alias="archiveRetentionDays")
    """0 keeps archived events indefinitely."""
    alarm_email: str | None = Field(default=None, alias="alarmEmail")
    schema_discovery: bool = Field(default=False, alias="schemaDiscovery")
    publish_schemas: bool = Field(default=True, alias="publishSchemas")
    """Publish each consumer's pydantic detail model as a JSON Schema in a registry."""
    name_prefix: str | None = Field(default=None, alias="namePrefix", max_length=24)
    """Prefix of every physical name; default ``eventpipe-<stack>-``."""
    log_retention_days: int = Field(default=30, alias="logRetentionDays")
    architecture: Literal["arm64", "x86_64"] = "arm64"
    python_runtime: Literal["python3.11", "python3.12", "python3.13"] = Field(
        default="python3.13", alias="pythonRuntime"
    )
    powertools_layer_arn: str | None = Field(default=None, alias="powertoolsLayerArn")
    """Override the resolved AWS public Powertools layer (e.g. a pinned copy)."""
    powertools_layer_version: int | None = Field(default=None, ge=1, alias="powertoolsLayerVersion")
    tracing: bool = True
    dashboard: bool = True
    tags: dict[str, str] = Field(default_factory=dict)
    plugins: PluginFilter = Field(default_factory=PluginFilter)
    defaults: dict[str, Any] = Field(default_factory=dict)
    """Consumer settings (camelCase, see ``CONFIG_FIELDS``) applied to every consumer."""
    consumers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Per-consumer overrides, plus ``enabled: false`` to leave a consumer out."""
    topics: list[str] = Field(default_factory=list)
    """SNS topics the stack creates; a consumer's ``topic`` may name one (docs/sns.md)."""
    dead_letter_archive: DeadLetterArchive | None = Field(default=None, alias="deadLetterArchive")
    """Archive old dead letters to S3 so they never expire unseen."""
    protect: bool = False
    """Pulumi's ``protect`` on every stateful resource and the configuration it depends on
    (queues and their policies, tables, the archive bucket and its settings, log groups):
    ``pulumi destroy`` and any ``pulumi up`` that would delete or replace one refuse at
    preview (docs/operations.md, "Protecting a production stack")."""
    retired: list[RetiredConsumer] = Field(default_factory=list)
    """Consumers that left the stack whose queues and DLQs it keeps declaring, so their
    messages stay reachable (``status``, ``dlq peek``, ``dlq redrive --to``). A consumer
    disabled with ``enabled: false`` is retired without being listed here."""
    target: Literal["aws", "local"] | None = None
    """Where the running program deploys: ``local`` under the local engine, ``aws``
    under ``pulumi up``; None when no program runs (``eventpipe consumers``). Not a stack
    setting: :func:`eventpipe.pulumi_stack.resolve_from_pulumi` sets it."""
    quotas: QuotaLimits = Field(default_factory=QuotaLimits)
    """The account's raised quotas (``eventpipe.quotas``); unset ones keep AWS's default."""
    shared_quotas: SharedQuotas = Field(default_factory=SharedQuotas, alias="sharedQuotas")
    """Other stacks and declared figures drawing on the same quotas (a shared bus, one
    account): added to this stack's use before the preview compares it with the quotas."""

    @field_validator("topics")
    @classmethod
    def _topic_names_sns_accepts(cls, value: list[str]) -> list[str]:
        return _check_topic_names(value)

    @field_validator("log_retention_days")
    @classmethod
    def _retention_cloudwatch_accepts(cls, value: int) -> int:
        if value != 0 and value not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
            raise ValueError(
                f"CloudWatch Logs keeps logs for {allowed} days, or never expires them (0); "
                f"{value} is none of these (the nearest is {_nearest(value)})"
            )
        return value

    @field_validator("name_prefix")
    @classmethod
    def _prefix_every_name_accepts(cls, value: str | None) -> str | None:
        if value is not None and not NAME_PREFIX_CHARACTERS.fullmatch(value):
            bad = sorted({c for c in value if not NAME_PREFIX_CHARACTERS.fullmatch(c)})
            raise ValueError(
                f"{value!r} has {' '.join(repr(c) for c in bad)}: SQS, Lambda, IAM and "
                "EventBridge names take only letters, digits, '-' and '_'"
            )
        return value

    def topic_name(self, topic: str) -> str:
        """Physical name of a topic listed in ``topics``: the stack prefix + its name."""
        return f"{self.prefix}{topic}"

    @property
    def prefix(self) -> str:
        return self.name_prefix if self.name_prefix is not None else f"{PROJECT}-{self.stack}-"

    @property
    def effective_bus_name(self) -> str:
        return self.bus_name or f"{self.prefix}bus"


def _check_topic_names(topics: list[str]) -> list[str]:
    bad = [t for t in topics if not TOPIC_NAME.match(t)]
    if bad:
        raise ValueError(
            f"{', '.join(repr(t) for t in bad)}: an SNS topic name has 1-256 letters, "
            "digits, '-' and '_' (a FIFO topic's ends in '.fifo')"
        )
    twice = sorted({t for t in topics if topics.count(t) > 1})
    if twice:
        raise ValueError(f"{', '.join(repr(t) for t in twice)} listed more than once")
    return topics


def _nearest(days: int) -> int:
    return min(LOG_RETENTION_DAYS, key=lambda allowed: (abs(allowed - days), allowed))
