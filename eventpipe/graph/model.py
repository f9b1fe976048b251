"""The topology of a stack as plain data: nodes, edges and one lane per consumer.

Built once (:func:`eventpipe.graph.build.topology`) from the resolved consumers and the
stack settings, then rendered to each format (SVG, PNG, Mermaid) and served as JSON by the
local console. A big stack is cut into :class:`Page` s of whole lanes; every page repeats
the stack-level nodes its lanes connect to, so each page reads on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

NodeKind = Literal[
    "bus",
    "event-archive",
    "delivery-dlq",
    "alarm-topic",
    "topic",
    "producers",
    "breaker",
    "archiver",
    "archive-bucket",
    "rule",
    "missing-rule",
    "subscription",
    "intake-queue",
    "intake-dlq",
    "pipe",
    "queue",
    "dlq",
    "function",
]

SOURCE_KINDS: tuple[NodeKind, ...] = ("bus", "topic", "producers")
"""Stack-level nodes drawn as a bar beside the lanes they feed."""
HEADER_KINDS: tuple[NodeKind, ...] = (
    "event-archive",
    "delivery-dlq",
    "breaker",
    "archiver",
    "archive-bucket",
)
"""Stack-level nodes drawn above the lanes (each page shows them all)."""

DEFAULT_PAGE_SIZE = 10
"""Consumers per page: 10 two-row lanes keep a page under 1,900 px tall at the picture's
12 px text (tests/graph checks each page's size at 60 consumers)."""


@dataclass(frozen=True)
class Node:
    """One AWS resource (or the producers, for directly fed queues)."""

    id: str
    """Stable and unique: ``stack/bus``, ``topic/payments``, ``consumer/orders/queue``."""
    kind: NodeKind
    label: str
    """What it is, in a word or two (``queue (FIFO)``)."""
    details: tuple[str, ...] = ()
    """Short facts (a pattern's fields, batch size, receives before the DLQ)."""
    consumer: str | None = None
    """The lane it belongs to; None for the stack's own resources."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "details": list(self.details),
            "consumer": self.consumer,
        }


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "label": self.label}


@dataclass(frozen=True)
class Lane:
    """One consumer's pipeline, drawn as one band."""

    consumer: str
    plugin: str
    source: str
    """The node id of what feeds it: the bus, a topic or the producers."""
    title: str
    """The band's heading (name, plugin, queue type)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "plugin": self.plugin,
            "source": self.source,
            "title": self.title,
        }


@dataclass(frozen=True)
class Topology:
    stack: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    lanes: tuple[Lane, ...]
    _index: dict[str, Node] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {node.id: node for node in self.nodes})

    def node(self, node_id: str) -> Node:
        return self._index[node_id]

    def has(self, node_id: str) -> bool:
        return node_id in self._index

    def lane_nodes(self, consumer: str) -> list[Node]:
        return [node for node in self.nodes if node.consumer == consumer]

    def stack_nodes(self) -> list[Node]:
        return [node for node in self.nodes if node.consumer is None]

    def pages(self, size: int = DEFAULT_PAGE_SIZE) -> list[Page]:
        """Whole lanes, ``size`` per page (at least one page, even with no consumer)."""
        if size < 1:
            raise ValueError(f"page size must be at least 1, not {size}")
        chunks = [self.lanes[i : i + size] for i in range(0, len(self.lanes), size)] or [()]
        return [
            Page(
                self._subset(chunk), number, len(chunks), number * size - size + 1, len(self.lanes)
            )
            for number, chunk in enumerate(chunks, start=1)
        ]

    def _subset(self, lanes: tuple[Lane, ...]) -> Topology:
        consumers = {lane.consumer for lane in lanes}
        sources = {lane.source for lane in lanes}
        kept = [
            node
            for node in self.nodes
            if node.consumer in consumers
            or (node.consumer is None and node.kind not in SOURCE_KINDS)
            or node.kind == "bus"  # it also feeds the header's event archive and delivery DLQ
            or node.id in sources
        ]
        ids = {node.id for node in kept}
        edges = [edge for edge in self.edges if edge.source in ids and edge.target in ids]
        return Topology(self.stack, tuple(kept), tuple(edges), lanes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "nodes": [node.to_dict() for node in self.nodes],
            "edges": [edge.to_dict() for edge in self.edges],
            "lanes": [lane.to_dict() for lane in self.lanes],
        }


@dataclass(frozen=True)
class Page:
    """Some lanes of a topology with the stack-level nodes they need."""

    topology: Topology
    number: int
    count: int
    first: int
    """1-based position of the page's first lane among all lanes."""
    total: int
    """Lanes in the whole topology."""

    @property
    def caption(self) -> str:
        lanes = len(self.topology.lanes)
        if self.count == 1:
            return f"stack {self.topology.stack}: {self.total} consumer(s)"
        last = self.first + lanes - 1
        return (
            f"stack {self.topology.stack}: consumers {self.first}-{last} of {self.total} "
            f"(page {self.number} of {self.count})"
        )
