"""Stack configuration: the ``eventpipe:`` namespace of ``Pulumi.<stack>.yaml``.

Read from the YAML file (CLI, local engine) or from the running Pulumi program's config;
both paths produce the same :class:`StackSettings`, so what ``eventpipe consumers --stack
dev`` shows is what ``pulumi up`` builds. Unknown keys are errors, with the closest valid
key suggested, because a typo in a YAML file otherwise silently keeps a default.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eventpipe.consumer import Consumer
from eventpipe.exceptions import EventpipeError, EventpipeWarning, Problem

# Field names as written in stack config (camelCase), mapped to the model's names.
CONFIG_FIELDS: dict[str, str] = {
    "batchSize": "batch_size",
    "batchingWindow": "batching_window",
    "timeout": "timeout",
    "memory": "memory",
    "maxConcurrency": "max_concurrency",
    "maxReceiveCount": "max_receive_count",
    "visibilityTimeout": "visibility_timeout",
    "retention": "retention",
    "reservedConcurrency": "reserved_concurrency",
    "environment": "environment",
    "idempotent": "idempotent",
    "idempotencyTtl": "idempotency_ttl",
    "description": "description",
    "messageGroup": "message_group",
    "alarmOldestMessageAge": "alarm_oldest_message_age",
    "alarmQueueDepth": "alarm_queue_depth",
    "circuitBreaker": "circuit_breaker",
}
"""Consumer settings a stack may override (``eventpipe:defaults`` and
``eventpipe:consumers.<name>``). Name, handler, pattern and fifo are the plugin's
contract and cannot be changed by a stack."""


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
    every DLQ into a private bucket that keeps them ``expireDays`` (docs/dead-letter-archive.md).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    after_days: int = Field(alias="afterDays", ge=1, lt=DLQ_RETENTION_DAYS)
    """Age (as SQS counts it for expiry) at which a dead letter is archived: below the
    DLQ retention, or SQS deletes it first."""
    expire_days: int = Field(alias="expireDays", ge=2)
    """Days an archived dead letter is kept in the bucket (S3 lifecycle expiration)."""

    @model_validator(mode="after")
    def _kept_longer_than_waited(self) -> DeadLetterArchive:
        if self.expire_days <= self.after_days:
            raise ValueError(
                f"expireDays ({self.expire_days}) must be more than afterDays "
                f"({self.after_days}): an archived dead letter would expire as it lands"
            )
        return self


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


_ALIASES = {(info.alias or name): name for name, info in StackSettings.model_fields.items()} | {
    name: name for name in StackSettings.model_fields
}
_NOT_CONFIG = {"stack", "region"}


_SETTING_FIXES = {
    "logRetentionDays": "set eventpipe:logRetentionDays to one of those values (e.g. 14 or 30), "
    "or 0 to keep logs forever",
    "namePrefix": "set eventpipe:namePrefix to letters, digits, '-' and '_' only, "
    "e.g. 'shop-prod-'",
    "topics": "list topic names, e.g. `eventpipe:topics: [orders, payments]`",
    "deadLetterArchive": "write e.g. `eventpipe:deadLetterArchive: {afterDays: 10, expireDays: "
    f"365}}` (afterDays 1-{DLQ_RETENTION_DAYS - 1}, expireDays above afterDays)",
}


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


def _suggest(key: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(key, choices, n=1)
    return f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(sorted(choices))}"


def parse_settings(
    values: Mapping[str, Any], *, stack: str, region: str | None = None
) -> tuple[StackSettings, list[Problem]]:
    """Build settings from ``eventpipe:*`` values (keys without the namespace).

    Returns the settings (defaults where a value was wrong) and every problem found, so
    the caller can report them together with the plugins' problems.
    """
    problems: list[Problem] = []
    config_keys = sorted(k for k in _ALIASES if k not in _NOT_CONFIG and "_" not in k)
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in _ALIASES or key in _NOT_CONFIG:
            problems.append(
                Problem(
                    STACK_CONFIG,
                    None,
                    f"{NAMESPACE}:{key}",
                    "unknown key",
                    _suggest(key, config_keys),
                )
            )
            continue
        clean[key] = value
    clean["stack"] = stack
    if region:
        clean["region"] = region
    try:
        settings = StackSettings.model_validate(clean)
    except ValidationError as exc:
        bad = set()
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            bad.add(str(err["loc"][0]))
            problems.append(
                Problem(
                    STACK_CONFIG,
                    None,
                    f"{NAMESPACE}:{loc}",
                    err["msg"].removeprefix("Value error, "),
                    _SETTING_FIXES.get(
                        str(err["loc"][0]),
                        "correct the value in Pulumi.<stack>.yaml (see docs/configuration.md)",
                    ),
                )
            )
        settings = StackSettings.model_validate({k: v for k, v in clean.items() if k not in bad})
    problems += _override_key_problems(settings)
    return settings, problems


def _override_key_problems(settings: StackSettings) -> list[Problem]:
    """Unknown keys inside ``defaults`` and ``consumers.<name>``."""
    problems: list[Problem] = []
    allowed = sorted(CONFIG_FIELDS)
    for key in settings.defaults:
        if key not in CONFIG_FIELDS:
            problems.append(
                Problem(
                    STACK_CONFIG,
                    None,
                    f"{NAMESPACE}:defaults.{key}",
                    "unknown consumer setting",
                    _suggest(key, allowed),
                )
            )
    for name, override in settings.consumers.items():
        if not isinstance(override, dict):
            problems.append(
                Problem(
                    STACK_CONFIG,
                    name,
                    f"{NAMESPACE}:consumers.{name}",
                    "must be a mapping of settings",
                    "write e.g. `order-processing: {batchSize: 5}`",
                )
            )
            continue
        for key in override:
            if key not in CONFIG_FIELDS and key != "enabled":
                problems.append(
                    Problem(
                        STACK_CONFIG,
                        name,
                        f"{NAMESPACE}:consumers.{name}.{key}",
                        "unknown consumer setting",
                        _suggest(key, [*allowed, "enabled"]),
                    )
                )
    return problems


class StackFileError(EventpipeError):
    """Raised when ``Pulumi.<stack>.yaml`` is not YAML eventpipe can read (a syntax
    error, or no ``config:`` mapping); the message names the file, line and column."""


def load_stack_yaml(path: Path) -> dict[str, Any]:
    """The ``config:`` mapping of a Pulumi stack file, or a :class:`StackFileError`
    naming the file, the line and the column of a YAML syntax error (no traceback).

    Every reader of a stack file goes through here: the CLI (:func:`read_stack_file`) and
    the local engine's program runner.
    """
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        what = str(exc.problem or exc.context)
        start = exc.context_mark
        if exc.context and start is not None and start is not mark:
            # e.g. an unclosed `{`: where it opened is what the reader needs
            what += (
                f" ({exc.context}, which began at line {start.line + 1}, column {start.column + 1})"
            )
        raise StackFileError(
            f"{path}: {where}: YAML syntax error: {what}. Fix the YAML there (a stack "
            "file is `config:` then indented `eventpipe:key: value` lines; quote values "
            "holding `:` or `{`)"
        ) from None
    except yaml.YAMLError as exc:
        raise StackFileError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StackFileError(
            f"{path}: the file holds a {type(data).__name__}, not a mapping. Fix: start it "
            "with `config:` and indent the `eventpipe:key: value` lines under it"
        )
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(
            f"{path}: `config:` holds a {type(config).__name__}, not a mapping. Fix: "
            "indent `eventpipe:key: value` lines under `config:`"
        )
    return config


NAMESPACE_LOOKALIKE = 0.8
"""How close (difflib ratio) a config namespace must be to ``eventpipe`` to be taken for
a misspelling of it: ``eventpip``, ``eventpipes`` and ``event-pipe`` are (0.94-0.95),
``eventbridge`` (0.7) and ``events`` (0.67) are not."""


def misspelt_namespace_keys(keys: Iterable[str], project: str | None = None) -> list[str]:
    """A warning for each ``namespace:key`` whose namespace looks like a misspelt
    ``eventpipe`` (``eventpip:``, ``event-pipe:``, ``eventpipes:``): Pulumi accepts any
    namespace, so such a key would otherwise be ignored without a word. The project's
    own namespace (its ``Pulumi.yaml`` name, e.g. ``eventpipe-shop``) is never one."""
    messages = []
    for key in keys:
        namespace, colon, rest = key.partition(":")
        if not colon or namespace in (NAMESPACE, project):
            continue
        folded = namespace.lower().replace("-", "").replace("_", "")
        if folded == NAMESPACE or difflib.get_close_matches(
            folded, [NAMESPACE], n=1, cutoff=NAMESPACE_LOOKALIKE
        ):
            messages.append(
                f"config key {key!r}: the namespace {namespace!r} looks like a misspelt "
                f"{NAMESPACE!r}, so eventpipe ignores this key. Fix: write "
                f"'{NAMESPACE}:{rest}'"
            )
    return messages


def warn_misspelt_namespaces(keys: Iterable[str], where: str, project: str | None) -> None:
    """Issue :func:`misspelt_namespace_keys`' warnings as :class:`EventpipeWarning` s
    (the CLI prints them as ``warning: ...``)."""
    for message in misspelt_namespace_keys(keys, project):
        warnings.warn(EventpipeWarning(f"{where}: {message}"), stacklevel=3)


def _project_name(project_dir: Path) -> str | None:
    """The ``name`` of the project's ``Pulumi.yaml`` (its config namespace), if readable."""
    try:
        data = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    except (OSError, yaml.YAMLError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return str(name) if name else None


def read_stack_file(project_dir: Path, stack: str) -> tuple[dict[str, Any], str | None]:
    """The ``eventpipe:`` values and ``aws:region`` of ``Pulumi.<stack>.yaml``.

    A YAML syntax error is a :class:`StackFileError` naming the line and column; a key
    in a namespace that looks like a misspelt ``eventpipe:`` is warned about.
    """
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.exists():
        raise FileNotFoundError(
            f"no stack file {path}: create it with `pulumi stack init {stack}` "
            f"or copy Pulumi.dev.yaml"
        )
    config = load_stack_yaml(path)
    warn_misspelt_namespaces((str(k) for k in config), str(path), _project_name(project_dir))
    values = {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith(f"{NAMESPACE}:")}
    region = config.get("aws:region")
    return values, region


def apply_overrides(
    plugin: str, consumer: Consumer, settings: StackSettings
) -> tuple[Consumer, bool, list[Problem]]:
    """The consumer with the stack's defaults and overrides applied, and its enabled flag.

    Stack ``defaults`` fill only what the plugin left unset (``model_fields_set``); a
    per-consumer override always wins. The merged declaration is validated again, each
    error naming the config key that caused it.
    """
    override = dict(settings.consumers.get(consumer.name) or {})
    enabled = override.pop("enabled", True)
    problems: list[Problem] = []
    if not isinstance(enabled, bool):
        problems.append(
            Problem(
                STACK_CONFIG,
                consumer.name,
                f"{NAMESPACE}:consumers.{consumer.name}.enabled",
                f"must be true or false, got {enabled!r}",
                "write true or false",
            )
        )
        enabled = True
    updates: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for key, value in settings.defaults.items():
        field = CONFIG_FIELDS.get(key)
        if field and field not in consumer.model_fields_set:
            updates[field], origin[field] = value, f"{NAMESPACE}:defaults.{key}"
    for key, value in override.items():
        field = CONFIG_FIELDS.get(key)
        if field:
            updates[field] = value
            origin[field] = f"{NAMESPACE}:consumers.{consumer.name}.{key}"
    if not updates:
        return consumer, enabled, problems

    from eventpipe.exceptions import InvalidConsumerError
    from eventpipe.field_fixes import fix_for

    try:
        merged = Consumer(**{**dict(consumer), **updates})
    except InvalidConsumerError as exc:
        for field, message in exc.errors:
            top = field.split(".", 1)[0]
            problems.append(
                Problem(plugin, consumer.name, origin.get(top, field), message, fix_for(top))
            )
        return consumer, enabled, problems
    return merged, enabled, problems
