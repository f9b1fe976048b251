"""The topology as a Mermaid flowchart, for pull requests and docs that render Mermaid
(GitHub does: https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams).

Each consumer is a ``subgraph``; every node keeps its short facts on a second line. A big
stack is cut into the same pages as the SVG, one flowchart each.
"""

from __future__ import annotations

import re

from eventpipe.graph.model import Node, Page

SHAPES: dict[str, tuple[str, str]] = {
    "bus": ("[[", "]]"),
    "topic": ("[[", "]]"),
    "producers": ("([", "])"),
    "alarm-topic": ("[[", "]]"),
    "rule": ("{{", "}}"),
    "missing-rule": ("{{", "}}"),
    "subscription": ("{{", "}}"),
    "pipe": ("[/", "/]"),
    "function": ("(", ")"),
    "archive-bucket": ("[(", ")]"),
    "event-archive": ("[(", ")]"),
}
MAX_DETAIL = 60
"""Characters of a node's facts shown (Mermaid boxes grow with their text)."""


def mermaid_id(node_id: str) -> str:
    """A Mermaid-safe node id: letters, digits and underscores."""
    return "n_" + re.sub(r"[^A-Za-z0-9]", "_", node_id)


def _text(value: str) -> str:
    """Text inside a quoted Mermaid label: quotes and markup characters as entities."""
    return (
        value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def _node(node: Node) -> str:
    open_, close = SHAPES.get(node.kind, ("[", "]"))
    detail = "; ".join(node.details)
    if len(detail) > MAX_DETAIL:
        detail = detail[: MAX_DETAIL - 1] + "…"
    label = _text(node.label) + (f"<br/><small>{_text(detail)}</small>" if detail else "")
    return f'{mermaid_id(node.id)}{open_}"{label}"{close}'


def render_mermaid(page: Page) -> str:
    """One page of the topology as a Mermaid ``flowchart LR``."""
    topo = page.topology
    lines = ["---", f"title: {_text(page.caption)}", "---", "flowchart LR"]
    lines += [f"  {_node(node)}" for node in topo.stack_nodes()]
    for lane in topo.lanes:
        lines.append(f'  subgraph {mermaid_id("lane/" + lane.consumer)}["{_text(lane.title)}"]')
        lines += [f"    {_node(node)}" for node in topo.lane_nodes(lane.consumer)]
        lines.append("  end")
    for edge in topo.edges:
        arrow = f'-->|"{_text(edge.label)}"|' if edge.label else "-->"
        lines.append(f"  {mermaid_id(edge.source)} {arrow} {mermaid_id(edge.target)}")
    return "\n".join(lines) + "\n"
