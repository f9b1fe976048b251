"""The one model of a stack's topology, from the stack settings and resolved consumers.

Nothing is deployed or read from AWS: the facts are the ones the components act on when
``pulumi up`` runs (which consumers get a rule, a subscription or neither; which need the
per-key FIFO pipe, :func:`eventpipe.pipes_paths.per_key_fifo`; the intake rule's and the
missing-field rule's patterns, :func:`eventpipe.group_split.group_patterns`; which
stack-level resources the settings ask for). The picture shows the resources an operator
follows an event through; IAM roles, log groups, individual alarms, the dashboard, the
schema registry and the idempotency table are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from eventpipe import group_split, pipes_paths
from eventpipe.graph.model import Edge, Lane, Node, Topology
from eventpipe.graph.summary import pattern_items

if TYPE_CHECKING:  # annotations only: the CLI starts without pydantic
    from eventpipe.consumer import Consumer
    from eventpipe.stack_settings import StackSettings


def _dlq_retention_days() -> int:
    from eventpipe.stack_settings import DLQ_RETENTION_DAYS

    return DLQ_RETENTION_DAYS


BUS = "stack/bus"
EVENT_ARCHIVE = "stack/event-archive"
DELIVERY_DLQ = "stack/delivery-dlq"
ALARM_TOPIC = "stack/alarm-topic"
PRODUCERS = "stack/producers"
BREAKER = "stack/breaker"
ARCHIVER = "stack/archiver"
ARCHIVE_BUCKET = "stack/archive-bucket"


def topic_id(topic: str) -> str:
    """The node id of a topic: a name from ``eventpipe:topics``, or an ARN."""
    return f"topic/{topic}"


def lane_id(consumer: str, part: str) -> str:
    """The node id of one resource of a consumer's pipeline (``queue``, ``dlq``, ...)."""
    return f"consumer/{consumer}/{part}"


def _stack_nodes(settings: StackSettings, consumers: list[tuple[str, Consumer]]) -> list[Node]:
    bus_facts = (settings.effective_bus_name,) + (() if settings.create_bus else ("existing",))
    nodes = [Node(BUS, "bus", "event bus", bus_facts)]
    if settings.archive:
        kept = settings.archive_retention_days
        nodes.append(
            Node(
                EVENT_ARCHIVE,
                "event-archive",
                "event archive",
                ("replay", f"kept {kept} d" if kept else "kept forever"),
            )
        )
    nodes.append(Node(DELIVERY_DLQ, "delivery-dlq", "delivery DLQ", ("undeliverable events",)))
    alarm_facts = (f"email {settings.alarm_email}",) if settings.alarm_email else ("SNS",)
    nodes.append(Node(ALARM_TOPIC, "alarm-topic", "alarm topic", alarm_facts))
    for name in settings.topics:
        fifo = ("FIFO",) if name.endswith(".fifo") else ()
        nodes.append(Node(topic_id(name), "topic", f"SNS topic {name}", fifo))
    external = sorted(
        {c.topic for _, c in consumers if c.topic is not None and c.topic not in settings.topics}
    )
    for arn in external:
        nodes.append(Node(topic_id(arn), "topic", f"SNS topic {arn.rsplit(':', 1)[-1]}", (arn,)))
    if any(c.source == "queue" for _, c in consumers):
        nodes.append(Node(PRODUCERS, "producers", "producers", ("SendMessage",)))
    breakers = sum(1 for _, c in consumers if c.circuit_breaker is not None)
    if breakers:
        nodes.append(Node(BREAKER, "breaker", "circuit breaker", (f"for {breakers} consumer(s)",)))
    archive = settings.dead_letter_archive
    if archive is not None:
        nodes.append(
            Node(
                ARCHIVER,
                "archiver",
                "dead-letter archiver",
                (f"DLQs after {archive.after_days} d",),
            )
        )
        nodes.append(
            Node(
                ARCHIVE_BUCKET,
                "archive-bucket",
                "archive bucket (S3)",
                (f"kept {archive.expire_days} d",),
            )
        )
    return nodes


def _stack_edges(settings: StackSettings) -> list[Edge]:
    edges = []
    if settings.archive:
        edges.append(Edge(BUS, EVENT_ARCHIVE, "archive"))
    edges.append(Edge(BUS, DELIVERY_DLQ, "undeliverable"))
    if settings.dead_letter_archive is not None:
        edges.append(Edge(ARCHIVER, ARCHIVE_BUCKET, "move"))
    return edges


def _source_of(settings: StackSettings, consumer: Consumer) -> str:
    if consumer.source == "rule":
        return BUS
    if consumer.source == "topic" and consumer.topic is not None:
        return topic_id(consumer.topic)
    return PRODUCERS


def _lane(
    settings: StackSettings, plugin: str, consumer: Consumer
) -> tuple[Lane, list[Node], list[Edge]]:
    name = consumer.name
    node = lambda part: lane_id(name, part)  # noqa: E731
    source = _source_of(settings, consumer)
    nodes: list[Node] = []
    edges: list[Edge] = []
    queue_kind = "FIFO" if consumer.fifo else "standard"
    entry = node("queue")
    if pipes_paths.per_key_fifo(consumer):
        assert consumer.pattern is not None and consumer.message_group is not None
        path = consumer.message_group
        intake_pattern, missing_pattern = group_split.group_patterns(consumer.pattern, path)
        nodes.append(Node(node("rule"), "rule", "rule", tuple(pattern_items(intake_pattern)), name))
        nodes.append(
            Node(node("intake-queue"), "intake-queue", "intake queue", ("standard",), name)
        )
        nodes.append(Node(node("pipe"), "pipe", "pipe", (f"group {path}",), name))
        nodes.append(
            Node(
                node("intake-dlq"),
                "intake-dlq",
                "intake DLQ",
                (f"kept {_dlq_retention_days()} d",),
                name,
            )
        )
        edges += [
            Edge(source, node("rule")),
            Edge(node("rule"), node("intake-queue"), "target"),
            Edge(node("intake-queue"), node("pipe")),
            Edge(node("pipe"), entry, "group per key"),
            Edge(
                node("intake-queue"), node("intake-dlq"), f"{consumer.max_receive_count} receives"
            ),
        ]
        if missing_pattern is not None:
            nodes.append(
                Node(
                    node("missing-rule"),
                    "missing-rule",
                    "rule: no group field",
                    (f"{pipes_paths.required_field(path)} missing",),
                    name,
                )
            )
            edges += [
                Edge(source, node("missing-rule")),
                Edge(node("missing-rule"), node("intake-dlq"), "with reason"),
            ]
        heading = f"FIFO per {path}"
    elif consumer.source == "rule":
        nodes.append(
            Node(node("rule"), "rule", "rule", tuple(pattern_items(consumer.pattern)), name)
        )
        group = f"group {consumer.message_group or name}" if consumer.fifo else "target"
        edges += [Edge(source, node("rule")), Edge(node("rule"), entry, group)]
        heading = queue_kind
    elif consumer.source == "topic":
        policy = tuple(pattern_items(consumer.filter_policy)) or ("every message",)
        nodes.append(Node(node("subscription"), "subscription", "subscription", policy, name))
        edges += [Edge(source, node("subscription")), Edge(node("subscription"), entry, "sqs")]
        heading = f"{queue_kind}, SNS"
    else:
        edges.append(Edge(source, entry, "SendMessage"))
        heading = f"{queue_kind}, fed directly"
    nodes.append(
        Node(
            entry,
            "queue",
            f"queue ({queue_kind})",
            (f"visibility {consumer.effective_visibility_timeout} s",),
            name,
        )
    )
    nodes.append(Node(node("dlq"), "dlq", "DLQ", (f"kept {_dlq_retention_days()} d",), name))
    function_facts = [f"{consumer.memory} MB, {consumer.timeout} s"]
    if consumer.circuit_breaker is not None:
        b = consumer.circuit_breaker
        function_facts.append(f"breaker {b.failed_records}/{b.period} s")
    elif consumer.idempotent:
        function_facts.append("idempotent")
    nodes.append(Node(node("function"), "function", "function", tuple(function_facts), name))
    edges += [
        Edge(entry, node("function"), f"batch {consumer.batch_size}"),
        Edge(entry, node("dlq"), f"{consumer.max_receive_count} receives"),
        Edge(node("function"), ALARM_TOPIC, "alarms"),
    ]
    title = f"{name}  (plugin {plugin}; {heading})"
    return Lane(name, plugin, source, title), nodes, edges


def _lane_order(
    settings: StackSettings, plugin: str, consumer: Consumer
) -> tuple[int, int, str, str]:
    """Lanes fed by one source sit together (so its bar is one piece): the bus first, then
    each topic in config order, then directly fed queues; by plugin and name inside."""
    if consumer.source == "rule":
        group, rank = 0, 0
    elif consumer.source == "topic":
        topic = consumer.topic or ""
        group = 1
        rank = settings.topics.index(topic) if topic in settings.topics else len(settings.topics)
    else:
        group, rank = 2, 0
    return group, rank, plugin, consumer.name


def topology(settings: StackSettings, consumers: Iterable[tuple[str, Consumer]]) -> Topology:
    """The stack's topology: ``consumers`` are the enabled ones, each with its plugin's
    name (``[(d.plugin, d.consumer) for d in resolved.enabled]``)."""
    ordered = sorted(consumers, key=lambda pc: _lane_order(settings, pc[0], pc[1]))
    nodes = _stack_nodes(settings, ordered)
    edges = _stack_edges(settings)
    lanes = []
    for plugin, consumer in ordered:
        lane, lane_nodes, lane_edges = _lane(settings, plugin, consumer)
        lanes.append(lane)
        nodes += lane_nodes
        edges += lane_edges
    return Topology(settings.stack, tuple(nodes), tuple(edges), tuple(lanes))
