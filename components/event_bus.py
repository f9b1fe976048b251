"""The one EventBus component of a stack: everything the pipelines share.

Bus (created, or an existing one looked up by name), archive for replay, the delivery DLQ
for events EventBridge cannot deliver to a queue, the alarm topic, the stack's SNS topics,
the idempotency table (only when a consumer needs it), the dashboard, schema discovery and
the schema registry, and the eventpipe runtime layer. The stack-level functions that need
every pipeline (``components/breaker.py``, ``components/dead_letter_archive.py``) are
declared after the pipelines, as children of this component.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam, naming
from components.dashboard import dashboard_pages
from components.layers import deploy_region, powertools_layer_arn, runtime_layer
from components.queues import DLQ_RETENTION
from components.schema_registry import declare_schema_registry
from components.topics import declare_topics
from eventpipe.config import StackSettings
from eventpipe.consumer import Consumer
from eventpipe.packaging import DEFAULT_BUILD_DIR
from eventpipe.stack_output import BusOutputs

TYPE = "eventpipe:index:EventBus"


@dataclass
class EventBusArgs:
    settings: StackSettings
    consumers: Sequence[Consumer] = ()
    """The enabled consumers: dashboard rows, idempotency table, published schemas."""
    handlers: Mapping[str, Callable[..., Any] | None] = field(default_factory=dict)
    """Consumer name -> imported handler, to publish its pydantic detail model."""
    build_dir: Path = DEFAULT_BUILD_DIR


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
    delivery_dlq_name: pulumi.Output[str]
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
    settings: StackSettings

    def __init__(
        self, name: str, args: EventBusArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        settings = args.settings
        prefix = settings.prefix
        self.settings = settings
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
        self.delivery_dlq_name = dlq.name

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

        self._declare_topics(name, settings, tags, child)

        self.idempotency_table_name = self.idempotency_table_arn = None
        self._tags, self._prefix = tags, prefix
        # The table also holds FIFO consumers' counts of each record's own failed attempts.
        if any(c.idempotent or c.fifo for c in args.consumers):
            self.idempotency_table()

        self.dashboard_name = None
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
            registry, resources = declare_schema_registry(
                name, prefix, args.consumers, args.handlers, tags, child
            )
            self.resources.update(resources)
            self.registry_name = registry.name if registry is not None else None

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

    def idempotency_table(self) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """Name and ARN of the stack's idempotency table, declared on first need.

        It holds Powertools idempotency records and FIFO consumers' counts of each record's
        own failed attempts (``attempts#<consumer>#<message id>``, ``eventpipe.runtime.attempts``).
        Declared when the bus is built for idempotent or FIFO consumers, or by the first
        such pipeline otherwise, so a pipeline can never lack the table it needs.
        """
        if self.idempotency_table_name is None or self.idempotency_table_arn is None:
            table = aws.dynamodb.Table(
                f"{self.pulumi_resource_name}-idempotency",
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

    def _declare_topics(
        self,
        name: str,
        settings: StackSettings,
        tags: dict[str, str],
        child: pulumi.ResourceOptions,
    ) -> None:
        """The stack's own SNS topics (``eventpipe:topics``): components/topics.py."""
        self._account_id: pulumi.Output[str] | None = None
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

    @property
    def topic_arns(self) -> dict[str, pulumi.Output[str]]:
        """The stack topics by name: the stack output's top-level ``topics``."""
        return {topic: created.arn for topic, created in self.topics.items()}

    @property
    def outputs(self) -> BusOutputs[pulumi.Input[str]]:
        """The ``bus`` entry of the stack output.

        Read from this component's own attributes when asked rather than fixed in the
        constructor, because :meth:`idempotency_table` may declare the table after it, on
        the first idempotent pipeline's need."""
        return BusOutputs(
            name=self.bus_name,
            arn=self.bus_arn,
            archive_name=self.archive_name,
            archive_arn=self.archive_arn,
            delivery_dlq_url=self.delivery_dlq_url,
            delivery_dlq_arn=self.delivery_dlq_arn,
            alarm_topic_arn=self.alarm_topic_arn,
            idempotency_table=self.idempotency_table_name,
            dashboard_name=self.dashboard_name,
        )
