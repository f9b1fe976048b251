"""The topology model, its layout and its renderings, at the example stack's 4 consumers
and at 60."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.graph import DEFAULT_PAGE_SIZE, layout, render_mermaid, render_svg
from eventpipe.graph.layout import CHAR_W, PADDING
from eventpipe.graph.mermaid import mermaid_id
from eventpipe.graph.model import Topology
from eventpipe.graph.summary import pattern_items
from tests.graph.conftest import ROOT, mixed_topology

SVG = "{http://www.w3.org/2000/svg}"


def test_example_stack_has_a_node_for_each_resource(example_topology: Topology) -> None:
    kinds = [node.kind for node in example_topology.nodes]
    assert kinds.count("queue") == kinds.count("dlq") == kinds.count("function") == 4
    assert kinds.count("rule") == 4  # every example consumer is fed by the bus
    assert {"bus", "alarm-topic", "delivery-dlq", "event-archive", "breaker"} <= set(kinds)
    # order-processing is FIFO per $.detail.customerId: intake queue -> pipe -> FIFO queue
    pipe = "consumer/order-processing/pipe"
    edges = {(e.source, e.target) for e in example_topology.edges}
    assert ("consumer/order-processing/intake-queue", pipe) in edges
    assert (pipe, "consumer/order-processing/queue") in edges
    assert ("stack/bus", "consumer/order-processing/missing-rule") in edges


def test_every_kind_of_consumer_and_stack_resource() -> None:
    topo = mixed_topology(5)
    kinds = {node.kind for node in topo.nodes}
    assert {"topic", "subscription", "producers", "archiver", "archive-bucket", "pipe"} <= kinds
    assert topo.node("consumer/c02/subscription").details == ("kind=card",)
    assert ("stack/producers", "consumer/c03/queue") in {(e.source, e.target) for e in topo.edges}
    assert topo.node("stack/breaker").details == ("for 1 consumer(s)",)


def test_edges_join_existing_nodes() -> None:
    topo = mixed_topology(60)
    for edge in topo.edges:
        assert topo.has(edge.source) and topo.has(edge.target), edge


def test_pattern_summary_is_one_item_per_field() -> None:
    assert pattern_items(
        {
            "source": ["a", "b"],
            "detail": {
                "amount": [{"numeric": [">", 100, "<=", 200]}],
                "tier": [{"anything-but": "free"}],
            },
            "$or": [{"x": [1]}, {"y": [{"exists": False}]}],
        }
    ) == ["source=a|b", "detail.amount>100 <=200", "detail.tier!=free", "(x=1) or (y missing)"]


@pytest.mark.parametrize("count", [4, 60])
def test_pages_keep_whole_lanes_and_every_node(count: int) -> None:
    topo = mixed_topology(count)
    pages = topo.pages()
    assert len(pages) == -(-count // DEFAULT_PAGE_SIZE)
    assert sum(len(page.topology.lanes) for page in pages) == count
    lane_nodes = {n.id for n in topo.nodes if n.consumer is not None}
    drawn = {n.id for page in pages for n in page.topology.nodes if n.consumer is not None}
    assert drawn == lane_nodes
    for page in pages:  # every edge of a page's lanes is drawn on that page
        ids = {n.id for n in page.topology.nodes}
        for lane in page.topology.lanes:
            for edge in topo.edges:
                if edge.source.startswith(f"consumer/{lane.consumer}/"):
                    assert edge.target in ids, edge
    assert (
        pages[-1].caption.endswith(f"of {count} (page {len(pages)} of {len(pages)})")
        or count <= DEFAULT_PAGE_SIZE
    )


@pytest.mark.parametrize("count", [4, 60])
def test_layout_is_legible(count: int) -> None:
    """No two boxes overlap, every line of text fits its box, and a page stays a size a
    screen or a pull request shows (the 60-consumer stack is paginated, not shrunk)."""
    for page in mixed_topology(count).pages():
        placed = layout(page)
        boxes = [p.box for p in placed.placed]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b), (a, b)
        assert placed.width <= 1400 and placed.height <= 2000, (placed.width, placed.height)
        root = ET.fromstring(render_svg(page))
        for group in root.iter(f"{SVG}g"):
            if group.get("class") != "node":
                continue
            rect = group.find(f"{SVG}rect")
            assert rect is not None
            width, height = float(rect.get("width", 0)), float(rect.get("height", 0))
            room = max(width, height) - 2 * PADDING + 0.01  # bars run their text upwards
            for text in group.iter(f"{SVG}text"):
                assert len(text.text or "") * CHAR_W * 0.91 <= room, text.text


def test_svg_has_a_node_per_resource_with_its_text(example_topology: Topology) -> None:
    (page,) = example_topology.pages()
    root = ET.fromstring(render_svg(page))
    drawn = {g.get("data-id") for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    assert drawn == {node.id for node in example_topology.nodes}
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert any("source=ecommerce.orders" in (t or "") for t in titles)


def test_mermaid_names_every_node_and_edge(example_topology: Topology) -> None:
    (page,) = example_topology.pages()
    text = render_mermaid(page)
    assert text.splitlines()[3] == "flowchart LR"
    for node in example_topology.nodes:
        assert re.search(rf"^\s+{mermaid_id(node.id)}\W", text, re.M), node.id
    for edge in example_topology.edges:
        assert re.search(rf"{mermaid_id(edge.source)} -->.* {mermaid_id(edge.target)}$", text, re.M)
    assert text.count("subgraph ") == len(example_topology.lanes)


def test_cli_writes_each_format(tmp_path: Path) -> None:
    runner = CliRunner()
    for fmt, name in (("svg", "g.svg"), ("mermaid", "g.mmd"), ("json", "g.json")):
        done = runner.invoke(
            app, ["graph", "-f", fmt, "-o", str(tmp_path / name), "--project-dir", str(ROOT)]
        )
        assert done.exit_code == 0, done.output
    assert ET.parse(tmp_path / "g.svg").getroot().tag == f"{SVG}svg"
    assert len(json.loads((tmp_path / "g.json").read_text())["lanes"]) == 4
    paged = runner.invoke(
        app,
        ["graph", "--page-size", "3", "-o", str(tmp_path / "p.svg"), "--project-dir", str(ROOT)],
    )
    assert paged.exit_code == 0, paged.output
    assert sorted(p.name for p in tmp_path.glob("p-*.svg")) == ["p-1.svg", "p-2.svg"]
    to_stdout = runner.invoke(app, ["graph", "--page-size", "3", "--project-dir", str(ROOT)])
    assert to_stdout.exit_code != 0 and "--out" in to_stdout.output
