"""``eventpipe graph``: the stack as a picture, from the plugins and stack config alone.

One model (:func:`topology`), rendered to SVG (:func:`render_svg`), PNG
(:func:`svg_to_png`, where a Chromium is installed) and Mermaid (:func:`render_mermaid`),
and served as JSON and SVG by the local console. Nothing here imports Pulumi or reaches
AWS.
"""

from __future__ import annotations

from eventpipe.graph.build import topology
from eventpipe.graph.layout import layout
from eventpipe.graph.mermaid import render_mermaid
from eventpipe.graph.model import DEFAULT_PAGE_SIZE, Edge, Lane, Node, Page, Topology
from eventpipe.graph.png import NoRendererError, find_browser, svg_to_png
from eventpipe.graph.svg import render_layout, render_svg

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "Edge",
    "Lane",
    "NoRendererError",
    "Node",
    "Page",
    "Topology",
    "find_browser",
    "layout",
    "render_layout",
    "render_mermaid",
    "render_svg",
    "svg_to_png",
    "topology",
]
