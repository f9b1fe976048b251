"""The README's picture of the example stack is the one ``eventpipe graph`` draws now
(``make pictures`` redraws it)."""

from __future__ import annotations

from eventpipe.graph import Topology, render_mermaid, render_svg
from tests.graph.conftest import ROOT

IMAGES = ROOT / "docs" / "images"


def test_committed_graph_is_the_example_stacks(example_topology: Topology) -> None:
    (page,) = example_topology.pages()
    assert (IMAGES / "graph.svg").read_text() == render_svg(page), "run `make pictures`"
    assert (IMAGES / "graph.mmd").read_text() == render_mermaid(page), "run `make pictures`"


def test_readme_shows_it() -> None:
    assert "](docs/images/graph.svg)" in (ROOT / "README.md").read_text()
