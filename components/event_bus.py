"""The one EventBus component of a stack: everything the pipelines share.

Bus (created, or an existing one looked up by name), archive for replay, the delivery DLQ
for events EventBridge cannot deliver to a queue, the alarm topic, the idempotency table
(only when a consumer needs it), the dashboard, schema discovery and the schema registry,
and the eventpipe runtime layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from components import iam, naming, schemas
from components.dashboard import dashboard_pages
from components.layers import deploy_region, powertools_layer_arn, runtime_layer
from components.queues import DLQ_RETENTION
from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer
from eventpipe.packaging import DEFAULT_BUILD_DIR

if TYPE_CHECKING:  # pragma: no cover
    from components.consumer_pipeline import ConsumerPipeline

TYPE = "eventpipe:index:EventBus"


@dataclass
class EventBusArgs:
    settings: StackSettings
    consumers: Sequence[Consumer] = ()
    """The enabled consumers: dashboard rows, idempotency table, published schemas."""
    handlers: Mapping[str, Callable[..., Any] | None] = field(default_factory=dict)
    """Consumer name -> imported handler, to publish its pydantic detail model."""
    build_dir: Path = DEFAULT_BUILD_DIR


RULES_PER_BUS = 300
"""EventBridge's default quota of rules per event bus (adjustable): "Amazon EventBridge
quotas", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html."""


def rule_quota_warning(rules: int, bus: str) -> str | None:
    """What to tell the operator when the stack declares more rules than the default quota.

    A warning rather than an error: the quota is adjustable, and an account that raised it
    deploys fine. Without the raise, ``pulumi up`` fails at the 301st rule.
    """
    if rules <= RULES_PER_BUS:
        return None
    return (
        f"this stack declares {rules} EventBridge rules on bus {bus!r}; EventBridge allows "
        f"{RULES_PER_BUS} rules per event bus by default (Amazon EventBridge quotas, "
        "'Rules per event bus'), so rules past the quota fail to create unless the account's "
        "quota was raised. Request an increase in the Service Quotas console (service "
        "'Amazon EventBridge (CloudWatch Events)', quota 'Rules per event bus') before "
        "`pulumi up`, or split the consumers across stacks or buses (eventpipe:busName)."
    )


def rule_count(consumers: Sequence[Consumer]) -> int:
    """Rules the pipelines declare: one per rule-fed consumer, plus the missing-field rule
    of a per-key FIFO consumer whose pattern does not already require the group field."""
    from eventpipe import pipes_paths

    count = 0
    for consumer in consumers:
        if consumer.pattern is None:
            continue
        count += 1
        path = consumer.message_group
        if consumer.fifo and path and pipes_paths.is_json_path(path):
            count += not pipes_paths.field_required(consumer.pattern, path)
    return count


def rule_arn_pattern(bus_arn: str, prefix: str) -> str:
    """``ArnLike`` pattern matching the ARNs of this stack's rules on ``bus_arn``.

    Rules on a custom bus have ARNs ``...:rule/<bus>/<rule>``; on the default bus
    ``...:rule/<rule>``.
    """
    head, _, bus = bus_arn.partition(":event-bus/")
    return f"{head}:rule/{prefix}*" if bus == "default" else f"{head}:rule/{bus}/{prefix}*"


class EventBus(pulumi.ComponentResource):
    """Shared infrastructure of a stack's pipelines.

    Example::

        bus = EventBus("eventpipe", EventBusArgs(settings, consumers=[c.consumer for c in enabled]))
    """

    bus_name: pulumi.Output[str]
    bus_arn: pulumi.Output[str]
    delivery_dlq_url: pulumi.Output[str]
    delivery_dlq_arn: pulumi.Output[str]
    alarm_topic_arn: pulumi.Output[str]
    runtime_layer_arn: pulumi.Output[str]
    powertools_layer_arn: str
    """AWS's public Powertools layer for the installed Powertools (looked up once)."""
    idempotency_table_name: pulumi.Output[str] | None
    idempotency_table_arn: pulumi.Output[str] | None
    archive_name: pulumi.Output[str] | None
    archive_arn: pulumi.Output[str] | None
    dashboard_name: pulumi.Output[str] | None
    registry_name: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: EventBusArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        settings = args.settings
        prefix = settings.prefix
        self.region = deploy_region(settings)
        self.powertools_layer_arn = powertools_layer_arn(settings, self.region, parent=self)
        tags = naming.stack_tags(settings)
        child = pulumi.ResourceOptions(parent=self)
        self.resources: dict[str, pulumi.Resource] = {}

        self._declare_bus(name, settings, tags, child)
        self._declare_archive(name, settings, child)

        dlq = aws.sqs.Queue(
            f"{name}-delivery-dlq",
            name=naming.queue_name(prefix, "delivery", dlq=True, fifo=False),
            message_retention_seconds=DLQ_RETENTION,
            sqs_managed_sse_enabled=True,
            tags=tags,
            opts=child,
        )
        source = self.bus_arn.apply(lambda arn: rule_arn_pattern(arn, prefix))
        self.resources["delivery-dlq-policy"] = aws.sqs.QueuePolicy(
            f"{name}-delivery-dlq-policy",
            queue_url=dlq.url,
            policy=iam.document(
                [iam.events_send(dlq.arn, source, like=True), iam.tls_only(dlq.arn)]
            ),
            opts=child,
        )
        self.resources["delivery-dlq"] = dlq
        self.delivery_dlq_url, self.delivery_dlq_arn = dlq.url, dlq.arn

        topic = aws.sns.Topic(
            f"{name}-alarms",
            name=naming.stack_name(prefix, "alarms", naming.LIMIT_TOPIC),
            tags=tags,
            opts=child,
        )
        self.resources["alarm-topic"] = topic
        self.alarm_topic_arn = topic.arn
        if settings.alarm_email:
            self.resources["alarm-email"] = aws.sns.TopicSubscription(
                f"{name}-alarm-email",
                topic=topic.arn,
                protocol="email",
                endpoint=settings.alarm_email,
                opts=child,
            )

        self._declare_topics(name, settings, tags, child)  # issue 13: SNS fan-out

        self.idempotency_table_name = self.idempotency_table_arn = None
        self._name, self._tags, self._prefix = name, tags, prefix
        if any(c.idempotent for c in args.consumers):
            self.idempotency_table()

        self.dashboard_name = None
        warning = rule_quota_warning(rule_count(args.consumers), settings.effective_bus_name)
        if warning:
            pulumi.log.warn(warning, resource=self)
        if settings.dashboard and args.consumers:
            for page in dashboard_pages(args.consumers, prefix, self.region):
                dashboard = aws.cloudwatch.Dashboard(
                    f"{name}-dashboard{page.key}",
                    dashboard_name=page.name,
                    dashboard_body=page.body,
                    opts=child,
                )
                self.resources[f"dashboard{page.key}"] = dashboard
                if not page.key:  # the overview (or only) dashboard: the stack output's
                    self.dashboard_name = dashboard.dashboard_name

        if settings.schema_discovery:
            self.resources["discoverer"] = aws.schemas.Discoverer(
                f"{name}-discoverer",
                source_arn=self.bus_arn,
                description=f"Schema discovery on {settings.effective_bus_name}",
                tags=tags,
                opts=child,
            )
        self.registry_name = None
        if settings.publish_schemas:
            self._publish_schemas(name, args, tags, child)

        layer = runtime_layer(
            f"{name}-runtime",
            settings,
            args.build_dir,
            child,
            naming.stack_name(prefix, "runtime", naming.LIMIT_LAYER),
        )
        self.resources["runtime-layer"] = layer
        self.runtime_layer_arn = layer.arn

        self.register_outputs(
            {
                "busName": self.bus_name,
                "busArn": self.bus_arn,
                "deliveryDlqUrl": self.delivery_dlq_url,
                "alarmTopicArn": self.alarm_topic_arn,
                "runtimeLayerArn": self.runtime_layer_arn,
            }
        )

    def _declare_bus(
        self,
        name: str,
        settings: StackSettings,
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
    ) -> None:
        if settings.create_bus:
            bus = aws.cloudwatch.EventBus(
                f"{name}-bus", name=settings.effective_bus_name, tags=tags, opts=child
            )
            self.resources["bus"] = bus
            self.bus_name, self.bus_arn = bus.name, bus.arn
            return
        # An existing bus (another team's, or "default"): look it up, never create or
        # adopt it, so `pulumi destroy` cannot delete it.
        existing = aws.cloudwatch.get_event_bus_output(
            name=settings.effective_bus_name, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self.bus_name, self.bus_arn = existing.name, existing.arn

    def _declare_archive(
        self, name: str, settings: StackSettings, child: pulumi.ResourceOptions
    ) -> None:
        self.archive_name = self.archive_arn = None
        if not settings.archive:
            return
        archive = aws.cloudwatch.EventArchive(
            f"{name}-archive",
            name=naming.stack_name(settings.prefix, "archive", naming.LIMIT_ARCHIVE),
            event_source_arn=self.bus_arn,
            retention_days=settings.archive_retention_days,
            description=f"Replayable copy of every event on {settings.effective_bus_name}",
            opts=child,
        )
        self.resources["archive"] = archive
        self.archive_name, self.archive_arn = archive.name, archive.arn

    def _publish_schemas(
        self, name: str, args: EventBusArgs, tags: dict[str, str], child: pulumi.ResourceOptions
    ) -> None:
        published = [
            (consumer, model)
            for consumer in args.consumers
            if consumer.pattern is not None
            and (model := schemas.detail_model(args.handlers.get(consumer.name))) is not None
        ]
        if not published:
            return
        registry = aws.schemas.Registry(
            f"{name}-schemas",
            name=naming.stack_name(args.settings.prefix, "schemas", naming.LIMIT_REGISTRY),
            description="Event contracts of the consumers of this stack",
            tags=tags,
            opts=child,
        )
        self.resources["registry"] = registry
        self.registry_name = registry.name
        for consumer, model in published:
            self.resources[f"schema-{consumer.name}"] = aws.schemas.Schema(
                f"{name}-schema-{consumer.name}",
                name=schemas.schema_name(consumer, model),
                registry_name=registry.name,
                type="JSONSchemaDraft4",
                content=schemas.event_schema(consumer, model),
                description=f"Events consumer {consumer.name} accepts",
                tags=tags,
                opts=child,
            )

    def idempotency_table(self) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """Name and ARN of the stack's idempotency table, declared on first need.

        Declared when the bus is built for idempotent consumers, or by the first idempotent
        pipeline otherwise, so a pipeline can never lack the table it needs.
        """
        if self.idempotency_table_name is None or self.idempotency_table_arn is None:
            table = aws.dynamodb.Table(
                f"{self._name}-idempotency",
                name=naming.stack_name(self._prefix, "idempotency", naming.LIMIT_TABLE),
                billing_mode="PAY_PER_REQUEST",
                hash_key="id",
                attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
                ttl=aws.dynamodb.TableTtlArgs(attribute_name="expiration", enabled=True),
                point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
                server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
                tags=self._tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.resources["idempotency-table"] = table
            self.idempotency_table_name, self.idempotency_table_arn = table.name, table.arn
        return self.idempotency_table_name, self.idempotency_table_arn

    # -- issue 13: topics, circuit breaker, dead-letter archive -----------------------------
    def _declare_topics(
        self,
        name: str,
        settings: StackSettings,
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
    ) -> None:
        from components.topics import declare_topics

        self._settings = settings
        self._account_id: pulumi.Output[str] | None = None
        self.breaker: Any = None
        self.dead_letter_archive: Any = None
        self.topics: dict[str, aws.sns.Topic] = {}
        if settings.topics:
            self.topics, resources = declare_topics(name, settings, self.account_id(), tags, child)
            self.resources.update(resources)

    def account_id(self) -> pulumi.Output[str]:
        """The deploying account (looked up once, on first need)."""
        if self._account_id is None:
            identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
            self._account_id = identity.account_id
        return self._account_id

    def topic_arn(self, topic: str) -> pulumi.Input[str]:
        """A consumer's ``topic``: a stack topic's ARN by name, or the ARN it gave."""
        created = self.topics.get(topic)
        return created.arn if created is not None else topic

    def attach(self, pipelines: Sequence[ConsumerPipeline], build_dir: Path) -> None:
        """The stack-level functions that need every pipeline: the circuit breaker (when a
        consumer has one) and the dead-letter archive (when the stack config asks)."""
        from components.breaker import BreakerTarget, CircuitBreaker, CircuitBreakerArgs
        from components.dead_letter_archive import DeadLetterArchive, DeadLetterArchiveArgs
        from eventpipe.packaging import build_stack_functions_archive
        from eventpipe.stack_functions.settings import ARCHIVE_DELIVERY_KEY

        settings = self._settings
        with_breaker = [p for p in pipelines if p.consumer.circuit_breaker is not None]
        if not with_breaker and settings.dead_letter_archive is None:
            return
        code = pulumi.FileArchive(str(build_stack_functions_archive(build_dir)))
        if with_breaker:
            targets = [
                BreakerTarget(p.consumer, p.function_name, p.mapping_uuid, p.entry_extras)
                for p in with_breaker
            ]
            self.breaker = CircuitBreaker(
                f"{self._name}-breaker",
                CircuitBreakerArgs(
                    settings, targets, self.region, self.account_id(), self.alarm_topic_arn, code
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        if settings.dead_letter_archive is not None:
            delivery = self.resources["delivery-dlq"]
            dlqs: dict[str, tuple[pulumi.Input[str], pulumi.Input[str]]] = {
                p.consumer.name: (p.dlq_name, p.dlq_arn) for p in pipelines
            }
            dlqs[ARCHIVE_DELIVERY_KEY] = (delivery.name, self.delivery_dlq_arn)  # type: ignore[attr-defined]
            self.dead_letter_archive = DeadLetterArchive(
                f"{self._name}-dead-letter-archive",
                DeadLetterArchiveArgs(
                    settings, settings.dead_letter_archive, dlqs, self.region,
                    self.account_id(), self.alarm_topic_arn, code,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )  # fmt: skip

    def stack_outputs(self) -> dict[str, Any]:
        """The top-level ``topics``, ``breaker`` and ``deadLetterArchive`` stack output keys."""
        return {
            "topics": {topic: created.arn for topic, created in self.topics.items()},
            "breaker": self.breaker.output_entry() if self.breaker is not None else None,
            "deadLetterArchive": (
                self.dead_letter_archive.output_entry()
                if self.dead_letter_archive is not None
                else None
            ),
        }

    def output_entry(self) -> dict[str, Any]:
        """The ``bus`` entry of the structured stack output (see eventpipe.contract)."""
        return {
            "name": self.bus_name,
            "arn": self.bus_arn,
            "archiveName": self.archive_name,
            "archiveArn": self.archive_arn,
            "deliveryDlqUrl": self.delivery_dlq_url,
            "deliveryDlqArn": self.delivery_dlq_arn,
            "alarmTopicArn": self.alarm_topic_arn,
            "idempotencyTable": self.idempotency_table_name,
            "dashboardName": self.dashboard_name,
        }
