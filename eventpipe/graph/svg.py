"""A page of the topology as a standalone SVG: boxes, bars, arrows, each node's full text
in its tooltip (``<title>``). No fonts, scripts or images are fetched: the picture reads
offline, in a browser, in a pull request and in the README.

Each node is a ``<g class="node" data-id=... data-kind=...>``, so the local console and
its tests find every resource of the picture by its id.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from eventpipe.graph.layout import (
    CHAR_W,
    CHAR_W_BOLD,
    FONT_PX,
    LABEL_PX,
    PADDING,
    Layout,
    Placed,
    Route,
    fit_text,
    layout,
)
from eventpipe.graph.model import Page

FILL: dict[str, str] = {
    "bus": "#dbeafe",
    "topic": "#ede9fe",
    "producers": "#f1f5f9",
    "alarm-topic": "#fee2e2",
    "rule": "#e0f2fe",
    "missing-rule": "#fef3c7",
    "subscription": "#ede9fe",
    "intake-queue": "#dcfce7",
    "pipe": "#fae8ff",
    "queue": "#dcfce7",
    "dlq": "#ffedd5",
    "intake-dlq": "#ffedd5",
    "function": "#fef9c3",
    "event-archive": "#f1f5f9",
    "delivery-dlq": "#ffedd5",
    "breaker": "#fee2e2",
    "archiver": "#fef9c3",
    "archive-bucket": "#f1f5f9",
}
DETAIL_LINES = 2
"""Lines of facts under a node's label (a rule's pattern often needs two)."""
STYLE = (
    "text{font-family:DejaVu Sans,Verdana,Arial,sans-serif;fill:#0f172a}"
    ".d{fill:#334155}.e{fill:none;stroke:#475569;stroke-width:1.2}"
    ".l{font-size:11px;fill:#475569}.t{font-size:12px;font-weight:bold;fill:#1e293b}"
    ".band{fill:#f8fafc;stroke:#e2e8f0}"
)


def _tooltip(placed: Placed) -> str:
    node = placed.node
    return "\n".join((node.label, *node.details))


def detail_lines(details: tuple[str, ...], room: float) -> list[str]:
    """A node's facts on at most :data:`DETAIL_LINES` lines, whole facts first (joined by
    ``; ``), the last line cut with an ellipsis when more is left."""
    lines: list[str] = []
    current = ""
    for item in details:
        joined = f"{current}; {item}" if current else item
        if current and len(joined) * CHAR_W > room:
            lines.append(current)
            current = item
        else:
            current = joined
    if current:
        lines.append(current)
    if len(lines) > DETAIL_LINES:
        lines = [*lines[: DETAIL_LINES - 1], "; ".join(lines[DETAIL_LINES - 1 :])]
    return [fit_text(line, room) for line in lines]


def _node(placed: Placed) -> str:
    node, box = placed.node, placed.box
    fill = FILL.get(node.kind, "#ffffff")
    head = (
        f'<g class="node" id={quoteattr("node-" + node.id)} data-id={quoteattr(node.id)} '
        f"data-kind={quoteattr(node.kind)}><title>{escape(_tooltip(placed))}</title>"
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
        f'rx="6" fill="{fill}" stroke="#64748b"/>'
    )
    if placed.bar:  # the label runs upwards along the bar
        text = fit_text(f"{node.label}  {' '.join(node.details)}".strip(), box.h - 2 * PADDING)
        x, y = box.cx + FONT_PX / 3, box.bottom - PADDING
        body = (
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT_PX:.0f}" '
            f'transform="rotate(-90 {x:.1f} {y:.1f})">{escape(text)}</text>'
        )
        return head + body + "</g>"
    room = box.w - 2 * PADDING
    lines = [(fit_text(node.label, room, CHAR_W_BOLD), 'font-weight="bold"')]
    lines += [(text, 'class="d"') for text in detail_lines(node.details, room)]
    body = ""
    top = box.cy - (len(lines) - 1) * (FONT_PX + 3) / 2 + FONT_PX / 3
    for number, (text, attrs) in enumerate(lines):
        y = top + number * (FONT_PX + 3)
        body += (
            f'<text x="{box.x + PADDING:.1f}" y="{y:.1f}" font-size="{FONT_PX:.0f}" {attrs}>'
            f"{escape(text)}</text>"
        )
    return head + body + "</g>"


def _edge(route: Route) -> str:
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in route.points)
    edge = route.edge
    title = f"{edge.source} -> {edge.target}" + (f": {edge.label}" if edge.label else "")
    out = (
        f'<g class="edge" data-source={quoteattr(edge.source)} data-target={quoteattr(edge.target)}>'
        f"<title>{escape(title)}</title>"
        f'<polyline class="e" points="{points}" marker-end="url(#arrow)"/>'
    )
    if route.label_at is not None:
        x, y = route.label_at
        out += (
            f'<text class="l" x="{x:.1f}" y="{y:.1f}" text-anchor="{route.label_anchor}" '
            f'font-size="{LABEL_PX:.0f}">{escape(edge.label)}</text>'
        )
    return out + "</g>"


def render_layout(placed: Layout) -> str:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{placed.width:.0f}" height="{placed.height:.0f}" '
        f'viewBox="0 0 {placed.width:.0f} {placed.height:.0f}" class="eventpipe-graph">',
        f"<style>{STYLE}</style>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#475569"/></marker></defs>',
        f'<rect width="{placed.width:.0f}" height="{placed.height:.0f}" fill="#ffffff"/>',
        f'<text x="20" y="34" font-size="16" font-weight="bold">{escape(placed.caption)}</text>',
    ]
    for band in placed.bands:
        b = band.box
        title = fit_text(band.lane.title, b.w - 2 * PADDING, CHAR_W_BOLD)
        parts.append(
            f'<g class="lane" data-consumer={quoteattr(band.lane.consumer)}>'
            f'<rect class="band" x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" '
            f'height="{b.h - 6:.1f}" rx="8"/>'
            f'<text class="t" x="{b.x + PADDING:.1f}" y="{b.y + 13:.1f}">{escape(title)}</text></g>'
        )
    parts += [_edge(route) for route in placed.routes]
    parts += [_node(p) for p in placed.placed]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_svg(page: Page) -> str:
    """One page of the topology as an SVG document."""
    return render_layout(layout(page))
